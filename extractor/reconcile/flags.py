"""Blame for failed rules, the flags they raise, and a suggested correction where one is sure.

A failed rule over values read from a trustworthy text layer means the report itself is
inconsistent (`source`): every cell of the rule is flagged for a person, nothing is
repaired. Over OCR'd or doubtful values a misread is likelier (`extraction`): the cells
least sure of themselves are flagged, and when changing exactly one cell would satisfy
every failed rule, that value is offered in `suggested` (never written to `value`).
"""

from __future__ import annotations

from extractor.reconcile.cells import FLAG_BELOW
from extractor.reconcile.rules import run_rules, sides
from models.result import Cell, Check, Number

TRUSTED_SOURCES = {"text", "html", "docx"}
STANDS_OUT = 0.15  # a cell this much less confident than the rest of its rule is the suspect


def confirm_placements(cells: list[Cell], checks: list[Check]) -> None:
    """A row whose label could not be read but which is the only row that can stand where
    it stands is confirmed when every rule over its cells holds (at least one must)."""
    rows: dict[str, list[Cell]] = {}
    for cell in cells:
        if "placed_by_position" in cell.reasons:
            rows.setdefault(cell.key.rsplit(".", 1)[0], []).append(cell)
    for row_cells in rows.values():
        keys = {c.key for c in row_cells}
        involved = [c for c in checks if keys & set(c.keys)]
        if not involved or not all(c.ok for c in involved):
            continue
        for cell in row_cells:
            cell.reasons.remove("placed_by_position")
            cell.flagged = bool(cell.reasons)


def judge_failed_checks(cells: list[Cell], checks: list[Check]) -> None:
    by_key = {c.key: c for c in cells}
    failed = [c for c in checks if not c.ok]
    confirmed = _confirmed(checks, by_key)
    for check in failed:
        involved = [by_key[k] for k in check.keys if k in by_key]
        check.blame = _blame(involved)
        suspects = _suspects(involved, check.blame)
        if any(_unread(c) for c in involved):
            if _explained_by_unread(check, by_key):
                # the unread cells account for the gap: of the cells read, only those no
                # other rule vouches for stay suspects
                suspects = [c for c in involved if _unread(c) or c.key not in confirmed]
            else:  # they cannot: a read cell is wrong, whichever it is
                suspects = involved
        elif check.blame == "extraction":
            # a misread breaks every rule over it: the cells another rule vouches for are
            # not it (when all are vouched for, none is cleared)
            suspects = [c for c in suspects if c.key not in confirmed] or suspects
        for cell in suspects:
            cell.flag(f"rule:{check.rule}")
    if failed:
        _suggest(cells, failed)


def _unread(cell: Cell) -> bool:
    return cell.value is None and cell.flagged


def _confirmed(checks: list[Check], by_key: dict[str, Cell]) -> set[str]:
    """Keys of cells a rule vouches for: one that holds over cells that were all read."""
    return {k for c in checks if c.ok and not any(_unread(by_key[k]) for k in c.keys
                                                   if k in by_key) for k in c.keys}


def _explained_by_unread(check: Check, by_key: dict[str, Cell]) -> bool:
    """Whether cells that could not be read (counted as 0) can account for the failure:
    counts are never negative, so a gap is explained only by an unread cell on the side
    that falls short. (A sum of read parts above a read total is a misread or the
    report's own error, whatever is unread.)"""
    if check.expected is None or check.actual is None:
        return False
    parts, totals = sides(check)
    unread_parts = any(k in by_key and _unread(by_key[k]) for k in parts)
    unread_totals = any(k in by_key and _unread(by_key[k]) for k in totals)
    if check.expected < check.actual:
        return unread_parts
    return unread_totals


def _blame(involved: list[Cell]) -> str:
    if any(_unread(c) for c in involved):
        return "extraction"  # a value that could not be read is counted as 0
    if all(c.source in TRUSTED_SOURCES and c.confidence >= FLAG_BELOW for c in involved):
        return "source"
    if any(c.source == "ocr" or c.confidence < FLAG_BELOW for c in involved):
        return "extraction"
    return "unknown"


def _suspects(involved: list[Cell], blame: str) -> list[Cell]:
    if blame == "source" or len(involved) < 2:
        return involved
    ranked = sorted(involved, key=lambda c: c.confidence)
    lowest, runner_up = ranked[0].confidence, ranked[1].confidence
    if runner_up - lowest >= STANDS_OUT:
        return [ranked[0]]
    return involved


def _suggest(cells: list[Cell], failed: list[Check]) -> None:
    """Offer a value only if exactly one cell, changed alone, satisfies every rule."""
    values: dict[str, Number | None] = {c.key: c.value for c in cells}
    by_key = {c.key: c for c in cells}
    common = set(failed[0].keys)
    for check in failed[1:]:
        common &= set(check.keys)
    gap = failed[0].expected - failed[0].actual  # type: ignore[operator]
    fixes: list[tuple[Cell, Number]] = []
    for key in sorted(common):
        cell = by_key.get(key)
        if cell is None or cell.source == "review":
            continue
        current = cell.value or 0
        for candidate in (current + gap, current - gap):
            if candidate < 0 and not key.endswith(".change"):
                continue
            if isinstance(candidate, float):
                candidate = round(candidate, 6)
            trial = dict(values)
            trial[key] = candidate
            if all(c.ok for c in run_rules(trial)):
                fixes.append((cell, candidate))
                break
    if len(fixes) == 1:
        cell, value = fixes[0]
        cell.suggested = value
        cell.flag("suggestion")
