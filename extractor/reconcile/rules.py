"""The arithmetic rules of the tables (勾稽关系), each check naming its rule, scope and keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from models.result import Check, Number
from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    ORG_COLUMNS,
    SUBTOTAL_GROUPS,
)

TOLERANCE = 1e-6


def run_rules(values: Mapping[str, Number | None]) -> list[Check]:
    """Every rule that applies to the keys present; null counts as 0."""
    return [*_balance(values), *_results_sum(values), *_subtotals(values), *_row_totals(values),
            *_appeal_totals(values)]


def _app(row: str, col: str) -> str:
    return f"applications.{row}.{col}"


def _columns(values: Mapping[str, Number | None]) -> list[str]:
    cols = [*APPLICANT_COLUMNS, "org_subtotal", "total"]
    return [c for c in cols if _app("total", c) in values]


def _check(rule: str, scope: str, values: Mapping[str, Number | None],
           parts: list[str], totals: list[str]) -> Check | None:
    """Σparts (expected) against Σtotals (actual); None when any key is absent."""
    if not parts or not totals or any(k not in values for k in parts + totals):
        return None
    expected = sum(values[k] or 0 for k in parts)
    actual = sum(values[k] or 0 for k in totals)
    return Check(
        rule=rule, scope=scope, ok=abs(expected - actual) <= TOLERANCE,
        expected=_tidy(expected), actual=_tidy(actual), keys=parts + totals,
    )


def sides(check: Check) -> tuple[list[str], list[str]]:
    """A check's keys as (parts, totals): Σparts is `expected`, Σtotals is `actual`."""
    totals = 2 if check.rule == "applications.balance" else 1  # total + carried_forward
    return check.keys[:-totals], check.keys[-totals:]


def _tidy(number: Number) -> Number:
    return round(number, 6) if isinstance(number, float) else number


def _balance(values: Mapping[str, Number | None]) -> Iterator[Check]:
    for col in _columns(values):
        check = _check("applications.balance", col, values,
                       [_app("new_received", col), _app("carried_over", col)],
                       [_app("total", col), _app("carried_forward", col)])
        if check:
            yield check


def _group_parts(values: Mapping[str, Number | None], group: str, col: str) -> list[str]:
    """A group's items where the report has them, else its subtotal."""
    items = [_app(r.key, col) for r in APPLICATION_ROWS if r.group == group]
    present = [k for k in items if k in values]
    if present:
        return present
    subtotal = _app(f"{group}.subtotal", col)
    return [subtotal] if subtotal in values else []


def _results_sum(values: Mapping[str, Number | None]) -> Iterator[Check]:
    for col in _columns(values):
        parts = [_app("granted", col), _app("partially_granted", col)]
        for group in SUBTOTAL_GROUPS:
            parts += _group_parts(values, group, col)
        check = _check("applications.results_sum", col, values, parts, [_app("total", col)])
        if check:
            yield check


def _subtotals(values: Mapping[str, Number | None]) -> Iterator[Check]:
    for group in SUBTOTAL_GROUPS:
        for col in _columns(values):
            subtotal = _app(f"{group}.subtotal", col)
            items = [_app(r.key, col) for r in APPLICATION_ROWS if r.group == group]
            items = [k for k in items if k in values]
            if subtotal in values and items:
                check = _check("applications.subtotal", f"{group}.{col}", values, items,
                               [subtotal])
                if check:
                    yield check


def _row_totals(values: Mapping[str, Number | None]) -> Iterator[Check]:
    rows = []
    for key in values:
        if key.startswith("applications.") and key.endswith(".total"):
            rows.append(key[len("applications."):-len(".total")])
    for row in rows:
        check = _check("applications.row_total", row, values,
                       [_app(row, c) for c in APPLICANT_COLUMNS], [_app(row, "total")])
        if check:
            yield check
        if _app(row, "org_subtotal") in values:
            check = _check("applications.row_total", row, values,
                           [_app(row, c) for c in ORG_COLUMNS], [_app(row, "org_subtotal")])
            if check:
                yield check


def _appeal_totals(values: Mapping[str, Number | None]) -> Iterator[Check]:
    for group in APPEAL_GROUPS:
        parts = [f"appeals.{group.key}.{c.key}" for c in APPEAL_COLUMNS if c.key != "total"]
        check = _check("appeals.group_total", group.key, values, parts,
                       [f"appeals.{group.key}.total"])
        if check:
            yield check
