"""The terminal summary of one result: the three tables as tables, doubts highlighted."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from models.result import Cell, DocumentResult
from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    DISCLOSURE_COLUMNS,
    DISCLOSURE_ROWS,
    ORG_SUBTOTAL_COLUMN,
    Layout,
)

_ROW_LABELS = {r.key: r.label for r in APPLICATION_ROWS}
_GROUP_LABELS = {g.key: g.label for g in APPLICATION_GROUPS}
_COLUMN_LABELS = {c.key: c.label for c in (*APPLICATION_COLUMNS, ORG_SUBTOTAL_COLUMN)}
_APPEAL_COLUMN_LABELS = {c.key: c.label for c in APPEAL_COLUMNS}

_STATUS_STYLE = {"ok": "bold green", "needs_review": "bold yellow",
                 "reviewed": "bold cyan", "failed": "bold red"}


def render_result(result: DocumentResult, console: Console) -> None:
    doc, rep = result.document, result.report
    status = Text(result.status, style=_STATUS_STYLE[result.status])
    console.print(Text.assemble(Text(doc.path, style="bold"), "  ", status))
    if result.status == "failed":
        console.print(Text(result.error or "", style="red"))
        return
    console.print(
        f"{rep.agency or '(agency not found)'} · {rep.year or '(year not found)'} · "
        f"{rep.format} format · {doc.kind}, {doc.pages} pages · "
        f"{result.timings.get('total', 0):.2f} s"
    )
    cells = result.cell_map()
    _disclosure(console, cells, rep.format or "2021")
    _applications(console, cells)
    _appeals(console, cells)
    failed = result.failed_checks
    flagged = [c for c in result.cells if c.flagged]
    console.print(
        f"{len(result.cells)} cells, [yellow]{len(flagged)} flagged[/], "
        f"{len(result.checks)} checks, [red]{len(failed)} failed[/]"
    )
    for check in failed:
        console.print(
            f"  [red]✗ {check.rule}[/] \\[{escape(check.scope)}] expected {check.expected}, "
            f"found {check.actual} (blame: {check.blame})"
        )
    for cell in flagged[:40]:
        hint = f" → suggested {cell.suggested}" if cell.suggested is not None else ""
        console.print(
            f"  [yellow]⚑ {cell.key}[/] = {cell.value!r} (raw {cell.raw!r}, "
            f"p.{cell.page}) {escape(', '.join(cell.reasons))}{hint}"
        )
    if len(flagged) > 40:
        console.print(f"  … and {len(flagged) - 40} more flagged cells (see --json)")
    for warning in result.warnings:
        console.print(f"  [dim]note: {escape(warning)}[/]")


def _value(cell: Cell | None) -> Text:
    if cell is None:
        return Text("")
    if cell.value is None:
        shown = ""
    elif isinstance(cell.value, float):
        shown = f"{cell.value:g}"
    else:
        shown = str(cell.value)
    if cell.value is None and cell.raw:
        shown = cell.raw
    if cell.flagged:
        return Text(shown or "?", style="bold black on yellow")
    return Text(shown or "·", style="dim" if cell.value is None else "")


def _disclosure(console: Console, cells: dict[str, Cell], fmt: str) -> None:
    rows = DISCLOSURE_ROWS[fmt]  # type: ignore[index]
    columns = list(dict.fromkeys(c for r in rows for c in r.columns))
    labels = {c.key: c.label for c in DISCLOSURE_COLUMNS[fmt]}  # type: ignore[index]
    table = Table(title="二、主动公开政府信息情况", title_justify="left")
    table.add_column("信息内容")
    for col in columns:
        table.add_column(labels.get(col, col), justify="right")
    for row in rows:
        table.add_row(row.label, *(_value(cells.get(f"disclosure.{row.key}.{c}"))
                                   for c in columns))
    console.print(table)


def _applications(console: Console, cells: dict[str, Cell]) -> None:
    present_rows = list(dict.fromkeys(
        k.split(".", 1)[1].rsplit(".", 1)[0] for k in cells if k.startswith("applications.")
    ))
    org = any(k.endswith(".org_subtotal") for k in cells)
    columns = Layout(org_subtotal=org).application_column_keys()
    table = Table(title="三、收到和处理政府信息公开申请情况", title_justify="left")
    table.add_column("申请人情况", max_width=22, no_wrap=True)
    for col in columns:
        table.add_column(_COLUMN_LABELS[col], justify="right")
    for row in present_rows:
        values = (_value(cells.get(f"applications.{row}.{c}")) for c in columns)
        table.add_row(_row_label(row), *values)
    console.print(table)


def _appeals(console: Console, cells: dict[str, Cell]) -> None:
    table = Table(title="四、政府信息公开行政复议、行政诉讼情况", title_justify="left")
    table.add_column("")
    for col in APPEAL_COLUMNS:
        table.add_column(_APPEAL_COLUMN_LABELS[col.key], justify="right")
    for group in APPEAL_GROUPS:
        table.add_row(group.label, *(_value(cells.get(f"appeals.{group.key}.{c.key}"))
                                     for c in APPEAL_COLUMNS))
    console.print(table)


def _row_label(row: str) -> str:
    if row.endswith(".subtotal"):
        return _GROUP_LABELS[row.split(".")[0]] + " 小计"
    return _ROW_LABELS.get(row, row)
