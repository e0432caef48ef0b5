"""A person's decisions on flagged cells: validate, store, re-run the rules, restatus.

The one service behind the review app (extractor/web/) and usable from scripts: the web
layer parses requests and renders; what a valid value is, how a decision is stored and
how the arithmetic rules are re-run on reviewed values is decided here, with the
reconciler's own rule code (`reconcile.rules`, `reconcile.flags`) and the store's SQL.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from extractor.reconcile.cells import FLAG_BELOW
from extractor.reconcile.flags import TRUSTED_SOURCES, judge_failed_checks
from extractor.reconcile.rules import run_rules
from extractor.store import Store, StoredDocument, UnknownCellError
from models.result import Cell, Number
from models.schema import value_kind

LARGEST_VALUE = 10**12  # no count or amount in these tables comes near it; a typo does


class InvalidValueError(ValueError):
    """A decision's value is not of the kind its cell holds (a person can fix the input)."""


@dataclass(frozen=True)
class Decision:
    """What a person decided on one cell: a value (None: the cell is blank) and who."""

    key: str
    value: Number | None
    reviewer: str
    note: str | None = None
    shown_version: str | None = None  # the cell's version when it was shown; None: unchecked


# One decision at a time per process: a decision and the re-run of the rules that follows
# it read and write the same document; the store serialises writers across processes.
_decision_lock = threading.Lock()
# Loaded documents by id, with the stamp they were loaded at (never mutated once here):
# a decision answers in tens of milliseconds instead of re-reading ~300 cells each time.
_loaded: dict[tuple[int, int], tuple[tuple[Any, ...], StoredDocument]] = {}
_loaded_lock = threading.Lock()
MAX_LOADED = 64


def load(store: Store, document_id: int) -> StoredDocument | None:
    """The stored document, from memory while the database says it has not changed.

    Treat the answer as read-only: it may be shared with other requests.
    """
    stamp = store.document_stamp(document_id)
    if stamp is None:
        return None
    key = (id(store), document_id)
    with _loaded_lock:
        hit = _loaded.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    doc = store.load_document(document_id)
    if doc is not None:
        _remember(store, doc, stamp)
    return doc


def _remember(store: Store, doc: StoredDocument, stamp: tuple[Any, ...] | None) -> None:
    if stamp is None:
        return
    with _loaded_lock:
        if len(_loaded) >= MAX_LOADED:
            _loaded.pop(next(iter(_loaded)))
        _loaded[(id(store), doc.id)] = (stamp, doc)


def checked_value(key: str, value: Any, fmt: str | None = "2021") -> Number | None:
    """`value` as the kind of number cell `key` holds, or InvalidValueError saying why not."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError(f"{key}: the value must be a number or null, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidValueError(f"{key}: the value must be a finite number")
    if abs(value) >= LARGEST_VALUE:
        raise InvalidValueError(f"{key}: {value} is too large for this table")
    kind = value_kind(key, "2019" if fmt == "2019" else "2021")
    if kind in ("count", "signed"):
        if isinstance(value, float) and not value.is_integer():
            raise InvalidValueError(f"{key}: a count is a whole number, not {value}")
        value = int(value)
    if kind != "signed" and value < 0:
        raise InvalidValueError(f"{key}: a count or amount cannot be negative ({value})")
    return value


def decide(store: Store, document_id: int, decision: Decision) -> StoredDocument:
    """Store one decision, re-run the rules on the reviewed values, return the document.

    Raises UnknownCellError (no such document or cell), InvalidValueError (wrong kind of
    value) or store.CellChangedError (the cell changed since it was shown): nothing is
    written then.
    """
    with _decision_lock:
        doc = load(store, document_id)
        if doc is None:
            raise UnknownCellError(f"no document {document_id}")
        if decision.key not in doc.versions:
            raise UnknownCellError(f"document {document_id} has no cell {decision.key}")
        if doc.result.status == "failed":
            raise InvalidValueError(f"document {document_id} failed to extract: nothing to review")
        value = checked_value(decision.key, decision.value, doc.result.report.format)
        reviewer = decision.reviewer.strip()
        if not reviewer:
            raise InvalidValueError("a decision needs the reviewer's name")
        review, version = store.decide_cell(
            document_id, decision.key, value, reviewer, decision.note or None,
            decision.shown_version,
        )
        doc = replace(
            doc,
            reviews={**doc.reviews, decision.key: review},
            versions={**doc.versions, decision.key: version},
        )
        return _recheck(store, doc)


def recheck(store: Store, document_id: int) -> StoredDocument:
    """Re-run the document's rules on its values with reviews applied, and store the result.

    A cell a person decided is never flagged again; the other cells lose the rule flags of
    rules that now hold and gain those of rules that now fail (blamed as the extractor
    blames them). A failed rule whose every cell was decided by a person, or read from a
    trustworthy text layer, is the report's own error: blame `source`.
    """
    doc = load(store, document_id)
    if doc is None:
        raise UnknownCellError(f"no document {document_id}")
    return _recheck(store, doc)


def _recheck(store: Store, doc: StoredDocument) -> StoredDocument:
    """`recheck` of a loaded document: stores the outcome, returns the updated document."""
    effective = doc.effective_cells()
    reviewed = {cell.key for cell, review in effective if review is not None}
    values = {cell.key: cell.value for cell, _ in effective}
    checks = run_rules(values)
    cross_rules = {check.rule for check, _ in doc.cross_checks}
    own_rules = {c.rule for c in checks} | {
        c.rule for c in doc.result.checks if c.rule not in cross_rules
    }
    own_reasons = {f"rule:{r}" for r in own_rules} | {"suggestion"}
    cells = [_without_rule_flags(cell, own_reasons) for cell, _ in effective]
    judge_failed_checks(cells, checks)
    by_key = {c.key: c for c in cells}
    for check in checks:
        if not check.ok and all(_trusted(by_key.get(k), reviewed) for k in check.keys):
            check.blame = "source"
    flags: dict[str, tuple[bool, list[str], Number | None]] = {}
    stored_cells: list[Cell] = []
    for before in doc.result.cells:
        cell = by_key[before.key]
        now = (cell.flagged, list(cell.reasons), cell.suggested)
        if before.key in reviewed or now == (before.flagged, before.reasons, before.suggested):
            stored_cells.append(before)
            continue
        flags[cell.key] = now
        stored_cells.append(
            before.model_copy(
                update={"flagged": now[0], "reasons": now[1], "suggested": now[2]}
            )
        )
    status, stamp = store.save_rechecked(doc.id, checks, flags)
    cross = [check for check, _ in doc.cross_checks]
    result = doc.result.model_copy(
        update={"cells": stored_cells, "checks": [*checks, *cross], "status": status}
    )
    updated = replace(doc, result=result)
    _remember(store, updated, stamp)
    return updated


def _without_rule_flags(cell: Cell, own: set[str]) -> Cell:
    """A copy of the cell without the flags the document's own rules raised (`own`)."""
    reasons = [r for r in cell.reasons if r not in own]
    if cell.source == "review":
        return cell.model_copy(update={"reasons": reasons, "suggested": None})
    return cell.model_copy(
        update={"reasons": reasons, "flagged": bool(reasons), "suggested": None}
    )


def _trusted(cell: Cell | None, reviewed: set[str]) -> bool:
    if cell is None:
        return False
    if cell.key in reviewed:
        return True
    return cell.source in TRUSTED_SOURCES and cell.confidence >= FLAG_BELOW


def document_json(doc: StoredDocument) -> dict[str, Any]:
    """The result contract object with reviews applied, plus `id` and per-cell extras.

    Extras (the contract allows additions): `version` (name it when deciding), `review`
    (who, when, the value before, note) on reviewed cells; `paths` (every name seen).
    """
    cells = []
    for cell, review in doc.effective_cells():
        item = cell.model_dump(mode="json")
        item["version"] = doc.versions.get(cell.key)
        if review is not None:
            item["review"] = {
                "reviewer": review.reviewer,
                "reviewed_at": _utc(review.reviewed_at).isoformat(),
                "old_value": review.old_value,
                "new_value": review.new_value,
                "note": review.note,
            }
        cells.append(item)
    data = doc.result.model_dump(mode="json")
    data["cells"] = cells
    return {"id": doc.id, **data, "paths": list(doc.paths)}


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; the store writes UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pending_keys(doc: StoredDocument) -> list[str]:
    """Flagged cells no person has decided yet, in reading order."""
    return [cell.key for cell, review in doc.effective_cells() if cell.flagged and not review]
