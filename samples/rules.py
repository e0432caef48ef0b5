"""The arithmetic rules (勾稽关系) of annual-report-schema.md, written independently of the
extractor so that the sample truth files can be checked — and can catch extractor bugs.

Values are the printed ones: ``None`` (a blank or dash) counts as 0. A key the layout does not
have is simply absent from ``cells``.
"""

from __future__ import annotations

from collections.abc import Mapping

from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICANT_COLUMNS,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    ORG_COLUMNS,
    SUBTOTAL_GROUPS,
)

Number = int | float | None
Failure = dict[str, object]  # {"rule", "scope", "keys"} as in the truth files

_COLUMN_ORDER = [c.key for c in APPLICATION_COLUMNS[:-1]] + ["org_subtotal", "total"]


def _app(row: str, col: str) -> str:
    return f"applications.{row}.{col}"


def _group_items(group: str) -> list[str]:
    return [r.key for r in APPLICATION_ROWS if r.group == group]


def _sum(cells: Mapping[str, Number], keys: list[str]) -> float:
    return sum((cells[k] or 0) for k in keys)


def _fails(cells: Mapping[str, Number], parts: list[str], total: str) -> bool:
    return abs(_sum(cells, parts) - (cells[total] or 0)) > 1e-6


def _present(cells: Mapping[str, Number], keys: list[str]) -> bool:
    return all(k in cells for k in keys)


def application_columns(cells: Mapping[str, Number]) -> list[str]:
    """The table 三 columns this set of cells has, in the canonical order."""
    return [c for c in _COLUMN_ORDER if _app("new_received", c) in cells]


def application_rows(cells: Mapping[str, Number]) -> list[str]:
    """The table 三 row keys this set of cells has (items and subtotals), in reading order."""
    rows: list[str] = []
    for r in APPLICATION_ROWS:
        if _app(r.key, "total") in cells:
            rows.append(r.key)
        if r.group and r.key == _group_items(r.group)[-1]:
            sub = f"{r.group}.subtotal"
            if _app(sub, "total") in cells:
                rows.append(sub)
    return rows


def result_components(cells: Mapping[str, Number]) -> list[str]:
    """Row keys whose sum is （七）总计: items where printed, else the group's subtotal."""
    parts = ["granted", "partially_granted"]
    for group in SUBTOTAL_GROUPS:
        items = [k for k in _group_items(group) if _app(k, "total") in cells]
        if items:
            parts += items
        elif _app(f"{group}.subtotal", "total") in cells:
            parts.append(f"{group}.subtotal")
    return parts


def check(cells: Mapping[str, Number]) -> list[Failure]:
    """Every rule instance the printed values break, in a stable order."""
    failures: list[Failure] = []

    def record(rule: str, scope: str, parts: list[str], total: str) -> None:
        if _fails(cells, parts, total):
            failures.append({"rule": rule, "scope": scope, "keys": [*parts, total]})

    cols = application_columns(cells)
    rows = application_rows(cells)
    if cols:
        for col in cols:
            parts = [_app("new_received", col), _app("carried_over", col)]
            right = [_app("total", col), _app("carried_forward", col)]
            if abs(_sum(cells, parts) - _sum(cells, right)) > 1e-6:
                failures.append(
                    {"rule": "applications.balance", "scope": col, "keys": parts + right}
                )
        components = result_components(cells)
        for col in cols:
            record(
                "applications.results_sum",
                col,
                [_app(r, col) for r in components],
                _app("total", col),
            )
        for group in SUBTOTAL_GROUPS:
            sub = f"{group}.subtotal"
            items = [k for k in _group_items(group) if _app(k, "total") in cells]
            if not items or _app(sub, "total") not in cells:
                continue
            for col in cols:
                record(
                    "applications.subtotal",
                    f"{group}.{col}",
                    [_app(k, col) for k in items],
                    _app(sub, col),
                )
        for row in rows:
            record(
                "applications.row_total",
                row,
                [_app(row, c) for c in APPLICANT_COLUMNS],
                _app(row, "total"),
            )
            if "org_subtotal" in cols:
                record(
                    "applications.row_total",
                    row,
                    [_app(row, c) for c in ORG_COLUMNS],
                    _app(row, "org_subtotal"),
                )
    for group in APPEAL_GROUPS:
        parts = [f"appeals.{group.key}.{c.key}" for c in APPEAL_COLUMNS if c.key != "total"]
        total = f"appeals.{group.key}.total"
        if _present(cells, [*parts, total]):
            record("appeals.group_total", group.key, parts, total)
    return failures
