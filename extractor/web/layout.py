"""The three tables laid out as the report prints them: header rows, labelled rows of keys.

Pure presentation over models/schema.py: which key sits in which row and column, with
the official Chinese labels. The templates turn a `TableView` into an HTML table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICANT_HEADER_LABEL,
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    DISCLOSURE_COLUMNS,
    DISCLOSURE_ROWS,
    LITIGATION_LABEL,
    ORG_COLUMNS,
    ORG_GROUP_LABEL,
    ORG_SUBTOTAL_COLUMN,
    TABLES,
)


@dataclass
class HeaderCell:
    label: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Row:
    label: str
    keys: list[str | None]  # one per value column; None: the row has no cell there
    heading: bool = False  # a group heading row (no values)


@dataclass
class TableView:
    title: str
    header: list[list[HeaderCell]]
    rows: list[Row] = field(default_factory=list)
    column_labels: list[str] = field(default_factory=list)  # one per value column


def table_views(keys: list[str], fmt: str | None) -> list[TableView]:
    """The tables for a document's keys (its layout decides which rows and columns)."""
    present = set(keys)
    titles = {t.id: f"{t.number}、{t.title}" for t in TABLES}
    return [
        _disclosure(present, "2019" if fmt == "2019" else "2021", titles["disclosure"]),
        _applications(keys, present, titles["applications"]),
        _appeals(present, titles["appeals"]),
    ]


def labels_by_key(views: list[TableView]) -> dict[str, tuple[str, str]]:
    """Every key's printed row label and column label."""
    return {
        key: (row.label, view.column_labels[i])
        for view in views
        for row in view.rows
        for i, key in enumerate(row.keys)
        if key
    }


def _disclosure(present: set[str], fmt: str, title: str) -> TableView:
    columns = list(DISCLOSURE_COLUMNS[fmt])  # type: ignore[index]
    header = [[HeaderCell("信息内容")] + [HeaderCell(c.label) for c in columns]]
    rows = [
        Row(
            row.label,
            [
                f"disclosure.{row.key}.{c.key}"
                if c.key in row.columns and f"disclosure.{row.key}.{c.key}" in present
                else None
                for c in columns
            ],
        )
        for row in DISCLOSURE_ROWS[fmt]  # type: ignore[index]
    ]
    return TableView(title, header, rows, [c.label for c in columns])


def _applications(keys: list[str], present: set[str], title: str) -> TableView:
    org = any(k.startswith("applications.") and k.endswith(".org_subtotal") for k in present)
    org_cols = [*ORG_COLUMNS, "org_subtotal"] if org else list(ORG_COLUMNS)
    columns = ["natural_person", *org_cols, "total"]
    labels = {c.key: c.label for c in (*APPLICATION_COLUMNS, ORG_SUBTOTAL_COLUMN)}
    header = [
        [HeaderCell("", rowspan=3), HeaderCell(APPLICANT_HEADER_LABEL, colspan=len(columns))],
        [
            HeaderCell(labels["natural_person"], rowspan=2),
            HeaderCell(ORG_GROUP_LABEL, colspan=len(org_cols)),
            HeaderCell(labels["total"], rowspan=2),
        ],
        [HeaderCell(labels[c]) for c in org_cols],
    ]
    row_keys = list(
        dict.fromkeys(
            k[len("applications."):].rsplit(".", 1)[0]
            for k in keys
            if k.startswith("applications.")
        )
    )
    row_labels = {r.key: r.label for r in APPLICATION_ROWS}
    group_labels = {g.key: g.label for g in APPLICATION_GROUPS}
    group_of = {r.key: r.group for r in APPLICATION_ROWS}
    rows: list[Row] = []
    seen_groups: set[str] = set()
    for row in row_keys:
        group = row.split(".")[0] if row.endswith(".subtotal") else group_of.get(row)
        single = row.endswith(".subtotal") and not any(
            group_of.get(r) == group for r in row_keys
        )  # a group printed as one row, e.g. （六）其他处理
        if row == "granted" and "results" not in seen_groups:
            seen_groups.add("results")
            rows.append(Row(group_labels["results"], [None] * len(columns), heading=True))
        if group and group not in seen_groups and not single:
            seen_groups.add(group)
            rows.append(Row(group_labels[group], [None] * len(columns), heading=True))
        if single:
            label = group_labels[group]
        elif row.endswith(".subtotal"):
            label = "小计"
        else:
            label = row_labels.get(row, row)
        cells = [f"applications.{row}.{c}" for c in columns]
        rows.append(Row(label, [k if k in present else None for k in cells]))
    return TableView(title, header, rows, [labels[c] for c in columns])


def _appeals(present: set[str], title: str) -> TableView:
    n = len(APPEAL_COLUMNS)
    review, direct, after = APPEAL_GROUPS
    header = [
        [HeaderCell("", rowspan=3), HeaderCell(review.label, colspan=n, rowspan=2),
         HeaderCell(LITIGATION_LABEL, colspan=2 * n)],
        [HeaderCell(direct.label, colspan=n), HeaderCell(after.label, colspan=n)],
        [HeaderCell(c.label) for _ in APPEAL_GROUPS for c in APPEAL_COLUMNS],
    ]
    keys: list[str | None] = [
        f"appeals.{g.key}.{c.key}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS
    ]
    row = Row("数量", [k if k in present else None for k in keys])
    column_labels = [f"{g.label} · {c.label}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS]
    return TableView(title, header, [row], column_labels)
