"""Checks across reports: this year's carried-over applications are last year's carried-forward.

`applications.carryover_continuity` compares, for the same body (matched by normalised
agency name) and consecutive years N−1 and N, each column of N's
`applications.carried_over` with N−1's `applications.carried_forward`. Decisions:

- The check is stored on the later document (scope = the column key, expected = last
  year's carried_forward, actual = this year's carried_over, keys = [this document's
  carried_over key, the previous document's carried_forward key], related document = the
  previous year's report).
- A failed check flags the later document's carried_over cell with the reason
  ``rule:applications.carryover_continuity`` and makes that document `needs_review`; the
  earlier report is not touched (its own year's figures may well be right).
- Blame is "source" when neither value is flagged (both were read with confidence, so
  the two reports disagree), "unknown" otherwise.
- Null counts as 0, as in every arithmetic rule; a column either report lacks is skipped;
  failed documents take no part; reviewed values are used where a person corrected one.
- Where several documents claim the same body and year, the most recently stored wins.

The checks are recomputed from scratch over the whole database after every batch, so a
report added later (the missing year N−1) completes the comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.result import Check

if TYPE_CHECKING:
    from extractor.store import Store
    from extractor.store.repository import DocumentValues

RULE = "applications.carryover_continuity"
REASON = f"rule:{RULE}"
CARRIED_OVER = "applications.carried_over."
CARRIED_FORWARD = "applications.carried_forward."


def continuity_checks(
    documents: list[DocumentValues],
) -> tuple[dict[int, list[tuple[Check, int | None]]], dict[int, set[str]]]:
    """(checks per later document with the earlier document's id, keys to flag per document)."""
    latest: dict[tuple[str, int], DocumentValues] = {}
    for doc in sorted(documents, key=lambda d: d.updated_at):
        if doc.agency_norm and doc.year is not None:
            latest[(doc.agency_norm, doc.year)] = doc
    checks: dict[int, list[tuple[Check, int | None]]] = {}
    flags: dict[int, set[str]] = {}
    for (agency, year), later in latest.items():
        earlier = latest.get((agency, year - 1))
        if earlier is None:
            continue
        for over_key in later.values:
            if not over_key.startswith(CARRIED_OVER):
                continue
            column = over_key[len(CARRIED_OVER) :]
            forward_key = CARRIED_FORWARD + column
            if forward_key not in earlier.values:
                continue
            expected = earlier.values[forward_key] or 0
            actual = later.values[over_key] or 0
            confident = not later.flagged.get(over_key) and not earlier.flagged.get(forward_key)
            check = Check(
                rule=RULE,
                scope=column,
                ok=expected == actual,
                expected=expected,
                actual=actual,
                keys=[over_key, forward_key],
                blame=None if expected == actual else ("source" if confident else "unknown"),
            )
            checks.setdefault(later.id, []).append((check, earlier.id))
            if not check.ok:
                flags.setdefault(later.id, set()).add(over_key)
    return checks, flags


def run_cross_checks(store: Store) -> int:
    """Recompute the continuity checks over the whole database; returns how many failed."""
    documents = store.cell_values("applications.carried_")
    checks, flags = continuity_checks(documents)
    store.replace_cross_checks(RULE, checks, flags, REASON)
    return sum(1 for doc_checks in checks.values() for c, _ in doc_checks if not c.ok)
