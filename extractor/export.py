"""Exports of the results database for analysts: CSV, Excel, Parquet and JSON Lines.

Two tables, the same in every format:

- **long**: one row per document × canonical key (value, raw, flagged, reasons,
  confidence, page, source, and the review that set the value, if any);
- **wide**: one row per document, one column per canonical key (schema order; only keys
  that some exported document has).

Values keep their type: counts are integers, amounts decimals, a blank is empty. In CSV
an integer is written ``21`` and an amount ``18651.06`` (read with
``pd.read_csv(..., dtype_backend="numpy_nullable")`` to keep integer columns with blanks
as integers); in xlsx every cell is typed; in Parquet count columns are nullable Int64
and amounts float64, and because one Parquet column has one type the long table's mixed
`value` column (float64) comes with `value_int` (Int64) holding the counts exactly.
A person's review replaces the extracted value everywhere (source "review", with who,
when and the original value beside it).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from extractor.store import Store, StoredDocument
from models.schema import SUBTOTAL_GROUPS, Layout, disclosure_keys, layout_keys

ExportFormat = Literal["csv", "xlsx", "parquet", "jsonl"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "jsonl")

DOCUMENT_COLUMNS = ("path", "sha256", "agency", "year", "format", "kind", "pages", "status")
LONG_COLUMNS = (
    *DOCUMENT_COLUMNS,
    "key",
    "value",
    "raw",
    "flagged",
    "reasons",
    "confidence",
    "page",
    "source",
    "suggested",
    "reviewed_by",
    "reviewed_at",
    "original_value",
    "review_note",
)
WIDE_PREFIX = (*DOCUMENT_COLUMNS, "error", "flagged_cells", "failed_checks", "other_paths")
CHECK_COLUMNS = (
    "path",
    "sha256",
    "agency",
    "year",
    "rule",
    "scope",
    "expected",
    "actual",
    "blame",
    "keys",
    "compared_with",
)
EXCEL_MAX_ROWS = 1_048_576


def canonical_key_order() -> list[str]:
    """Every canonical key of every layout variant, in the schema's reading order."""
    full = Layout(format="2021", subtotal_groups=SUBTOTAL_GROUPS, org_subtotal=True)
    single_other = Layout(format="2021", other_single_row=True, org_subtotal=True)
    keys = disclosure_keys("2021") + disclosure_keys("2019")
    keys += layout_keys(full) + layout_keys(single_other)
    return list(dict.fromkeys(keys))


@dataclass
class _Tables:
    long: list[dict[str, Any]]
    wide: list[dict[str, Any]]
    wide_keys: list[str]
    checks: list[dict[str, Any]]
    flagged: set[tuple[int, str]]  # (wide row index, key) of flagged cells
    reviewed: set[tuple[int, str]]


def export(
    db_url: str | Path,
    out_path: str | Path,
    fmt: ExportFormat,
    status: str | None = None,
    year: int | None = None,
    agency: str | None = None,
) -> list[Path]:
    """Write the filtered documents in `fmt`; returns the files written.

    csv and parquet write ``<stem>_long`` and ``<stem>_wide`` beside `out_path`; xlsx
    one workbook (sheets long, wide, checks); jsonl one result-contract object per line.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with Store(db_url) as store:
        documents = store.load_documents(status=status, year=year, agency=agency)
        paths_by_id = {d.id: d.result.document.path for d in documents}
        if fmt == "jsonl":
            return [_write_jsonl(documents, out)]
        if any(rel not in paths_by_id for d in documents for _, rel in d.cross_checks if rel):
            paths_by_id |= {
                d.id: d.result.document.path for d in store.load_documents(with_cells=False)
            }
    tables = _build_tables(documents, paths_by_id)
    if fmt == "csv":
        return _write_csv(tables, out)
    if fmt == "parquet":
        return _write_parquet(tables, out)
    return [_write_xlsx(tables, out)]


# --- building the tables -----------------------------------------------------------------


def _document_fields(doc: StoredDocument) -> dict[str, Any]:
    r = doc.result
    return {
        "path": r.document.path,
        "sha256": doc.sha256,
        "agency": r.report.agency,
        "year": r.report.year,
        "format": r.report.format,
        "kind": r.document.kind,
        "pages": r.document.pages,
        "status": r.status,
    }


def _build_tables(documents: list[StoredDocument], paths_by_id: dict[int, str]) -> _Tables:
    order = {key: i for i, key in enumerate(canonical_key_order())}
    long_rows: list[dict[str, Any]] = []
    wide_rows: list[dict[str, Any]] = []
    check_rows: list[dict[str, Any]] = []
    flagged: set[tuple[int, str]] = set()
    reviewed: set[tuple[int, str]] = set()
    seen_keys: set[str] = set()
    for index, doc in enumerate(documents):
        meta = _document_fields(doc)
        cells = doc.effective_cells()
        wide = {
            **meta,
            "error": doc.result.error,
            "flagged_cells": sum(1 for c, _ in cells if c.flagged),
            "failed_checks": len(doc.result.failed_checks),
            "other_paths": "; ".join(p for p in doc.paths if p != meta["path"]) or None,
        }
        for original, (cell, review) in zip(doc.result.cells, cells, strict=True):
            seen_keys.add(cell.key)
            wide[cell.key] = cell.value
            if cell.flagged:
                flagged.add((index, cell.key))
            if review:
                reviewed.add((index, cell.key))
            long_rows.append(
                {
                    **meta,
                    "key": cell.key,
                    "value": cell.value,
                    "raw": cell.raw,
                    "flagged": cell.flagged,
                    "reasons": ";".join(cell.reasons) or None,
                    "confidence": cell.confidence,
                    "page": cell.page,
                    "source": cell.source,
                    "suggested": cell.suggested,
                    "reviewed_by": review.reviewer if review else None,
                    "reviewed_at": review.reviewed_at.isoformat() if review else None,
                    "original_value": original.value if review else None,
                    "review_note": review.note if review else None,
                }
            )
        wide_rows.append(wide)
        related = {id(check): rel for check, rel in doc.cross_checks}
        for check in doc.result.failed_checks:
            rel = related.get(id(check))
            check_rows.append(
                {
                    "path": meta["path"],
                    "sha256": doc.sha256,
                    "agency": meta["agency"],
                    "year": meta["year"],
                    "rule": check.rule,
                    "scope": check.scope,
                    "expected": check.expected,
                    "actual": check.actual,
                    "blame": check.blame,
                    "keys": ";".join(check.keys),
                    "compared_with": paths_by_id.get(rel) if rel else None,
                }
            )
    wide_keys = sorted(seen_keys, key=lambda k: (order.get(k, len(order)), k))
    return _Tables(long_rows, wide_rows, wide_keys, check_rows, flagged, reviewed)


def _wide_columns(tables: _Tables) -> list[str]:
    return [*WIDE_PREFIX, *tables.wide_keys]


# --- CSV ---------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")  # 18651.06, never 1.865106e+04
    return str(value)


def _write_csv(tables: _Tables, out: Path) -> list[Path]:
    long_path = out.with_name(f"{out.stem}_long.csv")
    wide_path = out.with_name(f"{out.stem}_wide.csv")
    for path, columns, rows in (
        (long_path, list(LONG_COLUMNS), tables.long),
        (wide_path, _wide_columns(tables), tables.wide),
    ):
        with path.open("w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_csv_text(row.get(c)) for c in columns])
    return [long_path, wide_path]


# --- Parquet -----------------------------------------------------------------------------


def _numeric_series(values: list[Any]) -> Any:
    """Int64 when every value is a whole number, else float64 (amounts)."""
    import pandas as pd

    whole = all(v is None or isinstance(v, int) or float(v).is_integer() for v in values)
    has_float = any(isinstance(v, float) for v in values)
    if whole and not has_float:
        return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
    return pd.array([None if v is None else float(v) for v in values], dtype="Float64")


def _frame(rows: list[dict[str, Any]], columns: list[str], numeric: set[str]) -> Any:
    import pandas as pd

    data: dict[str, Any] = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        if column in numeric:
            data[column] = _numeric_series(values)
        elif column in ("flagged",):
            data[column] = pd.array(values, dtype="boolean")
        elif column in ("confidence",):
            data[column] = pd.array(values, dtype="Float64")
        else:
            data[column] = pd.array([None if v is None else str(v) for v in values], dtype="string")
    return pd.DataFrame(data, columns=columns)


def _write_parquet(tables: _Tables, out: Path) -> list[Path]:
    import pandas as pd

    long_path = out.with_name(f"{out.stem}_long.parquet")
    wide_path = out.with_name(f"{out.stem}_wide.parquet")
    long_numeric = {"year", "pages", "page", "suggested", "original_value"}
    long = _frame(tables.long, list(LONG_COLUMNS), long_numeric)
    values = [row["value"] for row in tables.long]
    long["value"] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
    value_int = [v if isinstance(v, int) else None for v in values]
    long.insert(long.columns.get_loc("value") + 1, "value_int", pd.array(value_int, dtype="Int64"))
    wide_numeric = {"year", "pages", "flagged_cells", "failed_checks", *tables.wide_keys}
    wide = _frame(tables.wide, _wide_columns(tables), wide_numeric)
    long.to_parquet(long_path, index=False)
    wide.to_parquet(wide_path, index=False)
    return [long_path, wide_path]


# --- Excel -------------------------------------------------------------------------------

FLAGGED_FILL = "FFEB9C"  # Excel's own "neutral" yellow
REVIEWED_FILL = "C6EFCE"  # and its "good" green


def _write_xlsx(tables: _Tables, out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    path = out if out.suffix.lower() == ".xlsx" else out.with_suffix(".xlsx")
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    fills = {
        "flagged": PatternFill("solid", start_color=FLAGGED_FILL, end_color=FLAGGED_FILL),
        "reviewed": PatternFill("solid", start_color=REVIEWED_FILL, end_color=REVIEWED_FILL),
    }

    def header(sheet: Any, columns: list[str]) -> None:
        sheet.freeze_panes = "A2"
        cells = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    def styled(sheet: Any, value: Any, fill: str | None) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        if fill:
            cell.fill = fills[fill]
        return cell

    columns = _wide_columns(tables)
    wide = workbook.create_sheet("wide")
    header(wide, columns)
    for index, row in enumerate(tables.wide):
        wide.append(
            [
                styled(wide, row.get(c), _fill_for(tables, index, c))
                if c in tables.wide_keys
                else row.get(c)
                for c in columns
            ]
        )

    long_columns = list(LONG_COLUMNS)
    value_at = long_columns.index("value")
    for part, rows in enumerate(_chunks(tables.long, EXCEL_MAX_ROWS - 1)):
        sheet = workbook.create_sheet("long" if part == 0 else f"long ({part + 1})")
        header(sheet, long_columns)
        for row in rows:
            values = [row.get(c) for c in long_columns]
            fill = "reviewed" if row["reviewed_by"] else ("flagged" if row["flagged"] else None)
            if fill:
                values[value_at] = styled(sheet, values[value_at], fill)
            sheet.append(values)

    checks = workbook.create_sheet("checks")
    header(checks, list(CHECK_COLUMNS))
    for row in tables.checks:
        checks.append([row.get(c) for c in CHECK_COLUMNS])
    workbook.save(path)
    return path


def _fill_for(tables: _Tables, index: int, key: str) -> str | None:
    if (index, key) in tables.reviewed:
        return "reviewed"
    if (index, key) in tables.flagged:
        return "flagged"
    return None


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    yield rows[:size]
    for start in range(size, len(rows), size):
        yield rows[start : start + size]


# --- JSON Lines --------------------------------------------------------------------------


def document_json(doc: StoredDocument) -> dict[str, Any]:
    """One document in the result contract, reviews applied with their provenance."""
    data = doc.result.model_dump(mode="json")
    data["document"]["paths"] = list(doc.paths)
    cells = []
    for cell, review in doc.effective_cells():
        item = cell.model_dump(mode="json")
        if review:
            original = next(c for c in doc.result.cells if c.key == cell.key)
            item["review"] = {
                "reviewer": review.reviewer,
                "reviewed_at": review.reviewed_at.isoformat(),
                "note": review.note,
                "original_value": original.value,
                "original_source": original.source,
                "original_flagged": original.flagged,
            }
        cells.append(item)
    data["cells"] = cells
    return data


def _write_jsonl(documents: list[StoredDocument], out: Path) -> Path:
    with out.open("w", encoding="utf-8") as fh:
        for doc in documents:
            fh.write(json.dumps(document_json(doc), ensure_ascii=False) + "\n")
    return out
