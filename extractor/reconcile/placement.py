"""After the walk: rows the labels alone could not place.

A 小计 row between two groups, a row whose label OCR could not read, a row printed all
blank without rules: each is placed by its position among the recognised rows and by the
arithmetic of its group, and flagged whenever that leaves a doubt.
"""

from __future__ import annotations

from extractor.grid import GridCell
from extractor.reconcile.reading import Reading, ReadValue
from extractor.reconcile.values import parse_value
from models.schema import APPLICATION_ROWS, DISCLOSURE_ROWS, SUBTOTAL_GROUPS

GAP_CERTAINTY = 0.5  # a row placed by its position alone: its cells are flagged
FORCED = -1.0  # the only row that can stand there: flagged until the rules confirm it


def place_unlabelled_rows(reading: Reading) -> None:
    for group in reversed(reading.loose_subtotals):  # later ones free keys for earlier
        _place_subtotal(reading, group)
    _fill_gaps(reading)
    _lift_displaced_labels(reading)
    _fill_disclosure_gap(reading)
    _settle_blank_rows(reading)


def _lift_displaced_labels(reading: Reading) -> None:
    """A row of values whose label was not read, with no free row left for it by position,
    beside a recognised label whose line has no values: one row, its label set lower or
    higher than its numbers (centred on two lines, its first line lost to OCR), and read
    as two lines in an unruled table. The values take the label's row, flagged until the
    rules confirm them; all zeros (which any rule accepts) stay flagged."""
    rows = reading.application_rows
    for i, (key, values, says) in enumerate(rows):
        if key is not None or not any(cell.text.strip() for _, cell in values):
            continue
        beside = [rows[j][0] for j in (i - 1, i + 1)
                  if 0 <= j < len(rows) and rows[j][0] and _blank_line(reading, rows[j][0])]
        if len(beside) != 1:
            continue  # no labelled blank line beside it, or two: which one is unknown
        target = beside[0]
        for found_key in [k for k in reading.values if k.startswith(f"applications.{target}.")]:
            del reading.values[found_key]
        nonzero = any(parse_value(cell.text.strip(), "count").value for _, cell in values)
        for span, cell in values:
            _store_value(reading, f"applications.{target}.{span.key}", cell,
                         FORCED if nonzero else GAP_CERTAINTY)
        rows[i] = (target, values, says)


DISCLOSURE_ORDER = ("regulations", "normative_documents", "licensing", "other_services",
                    "punishment", "enforcement", "fees", "procurement")


def _fill_disclosure_gap(reading: Reading) -> None:
    """A table 二 row whose label could not be read, alone between two read rows, takes the
    one row missing there (flagged `placed_by_position`: table 二 has no rule to confirm)."""
    rows = reading.disclosure_rows
    read = {key for key, _ in rows if key}
    for i, (key, values) in enumerate(rows):
        if key is not None:
            continue
        before = next((k for k, _ in reversed(rows[:i]) if k), None)
        after = next((k for k, _ in rows[i + 1:] if k), None)
        low = DISCLOSURE_ORDER.index(before) if before else -1
        high = DISCLOSURE_ORDER.index(after) if after else len(DISCLOSURE_ORDER)
        free = [k for k in DISCLOSURE_ORDER[low + 1:high] if k not in read]
        allowed = {c for fmt in DISCLOSURE_ROWS for r in DISCLOSURE_ROWS[fmt] if r.key in free
                   for c in r.columns}
        if len(free) != 1 or not all(span.key in allowed for span, _ in values):
            continue
        for span, cell in values:
            _store_value(reading, f"disclosure.{free[0]}.{span.key}", cell, FORCED)
        read.add(free[0])


def _settle_blank_rows(reading: Reading) -> None:
    """Blank rows of an unruled table are trusted only if no row of values went unplaced:
    such a row's values might be the ones this label stands beside. A blank （六）其他处理
    line followed by its items was their heading, not a row."""
    unplaced = reading.lost_rows > 0 or any(key is None for key, _, _ in reading.application_rows)
    other_items = any(k.startswith("applications.other.") and ".subtotal." not in k
                      for k in reading.values)
    for key, found in list(reading.values.items()):
        if "blank_group_row" in found.reasons and other_items:
            del reading.values[key]  # （六）其他处理 headed its items: it was no row
            continue
        if "blank_group_row" in found.reasons:
            found.reasons.remove("blank_group_row")
        if "blank_row" in found.reasons:
            found.reasons.remove("blank_row")
            if unplaced:
                found.reasons.append("uncertain_label")
                found.confidence = min(found.confidence, 0.5)


def _blank_line(reading: Reading, row: str) -> bool:
    """Whether a recognised table 三 row was a label alone on its line (no value read)."""
    found = [v for k, v in reading.values.items() if k.startswith(f"applications.{row}.")]
    return bool(found) and all("blank_row" in v.reasons and not v.raw for v in found)


def canonical_positions() -> dict[str, tuple[float, ...]]:
    """Where each table 三 row may stand in reading order; a 小计 before or after its items."""
    positions: dict[str, tuple[float, ...]] = {}
    for index, row in enumerate(APPLICATION_ROWS):
        positions[row.key] = (float(index),)
    for group in SUBTOTAL_GROUPS:
        indices = [i for i, r in enumerate(APPLICATION_ROWS) if r.group == group]
        positions[f"{group}.subtotal"] = (indices[0] - 0.5, indices[-1] + 0.5)
    return positions


def _fill_gaps(reading: Reading) -> None:
    """Rows whose labels could not be read (OCR noise) get the keys their position leaves.

    Only where the unread rows between two recognised rows are exactly as many as the
    canonical rows missing between them; their cells are flagged `uncertain_label`.
    """
    positions = canonical_positions()
    read_rows = {k.split(".", 1)[1].rsplit(".", 1)[0] for k in reading.values
                 if k.startswith("applications.")}
    rows = reading.application_rows
    i = 0
    while i < len(rows):
        if rows[i][0] is not None:
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j][0] is None:
            j += 1
        low = max(positions[rows[i - 1][0]]) if i > 0 else float("-inf")
        high = min(positions[rows[j][0]]) if j < len(rows) else float("inf")
        free = sorted(
            (min(p for p in pos if low < p < high), key)
            for key, pos in positions.items()
            if key not in read_rows and any(low < p < high for p in pos)
        )
        chosen = _choose_gap_rows(reading, free, rows[i:j])
        for k, ((key, certainty), (_, values, says)) in enumerate(
                zip(chosen, rows[i:j], strict=False)):
            for span, cell in values:
                _store_value(reading, f"applications.{key}.{span.key}", cell, certainty)
            if 0 < certainty < 1:
                reading.placed_groups.add(key.split(".")[0])
            read_rows.add(key)
            rows[i + k] = (key, values, says)  # placed: no longer an unread row
        i = j


def _choose_gap_rows(
    reading: Reading, free: list[tuple[float, str]], unread: list[tuple]
) -> list[tuple[str, float]]:
    """The keys for a run of unread rows, with how sure each is.

    A lone row labelled 小计 between groups is the subtotal that is free there (sure when
    only one is, or when its values add up to one group's items and not the other's).
    Otherwise the rows take the free keys by position (unsure): the free items if they are
    as many as the rows, else all free rows if they are. Nothing when the count leaves a
    doubt."""
    items = [key for _, key in free if not key.endswith(".subtotal")]
    subtotals = [key for _, key in free if key.endswith(".subtotal")]
    if len(unread) == 1 and subtotals and (unread[0][2] or not items):
        values = {span.key: _as_read(cell) for span, cell in unread[0][1]}
        nonzero = any(parse_value(v.raw, "count").value for v in values.values())
        fits = [k for k in subtotals if _adds_up(reading, k.split(".")[0], values)]
        sure = 1.0 if unread[0][2] else GAP_CERTAINTY
        if len(subtotals) == 1 and unread[0][2]:
            return [(subtotals[0], sure)]
        if len(fits) == 1 and nonzero:  # all zeros would fit any group
            return [(fits[0], sure)]
    if len(items) == len(unread) == 1:
        return [(items[0], FORCED)]
    if len(items) == len(unread):
        return [(key, GAP_CERTAINTY) for key in items]
    if len(free) == len(unread):
        return [(key, GAP_CERTAINTY) for _, key in free]
    return []


def _as_read(cell: GridCell) -> ReadValue:
    return ReadValue(key="", raw=cell.text.strip(), page=cell.page, bbox=cell.bbox,
                     confidence=cell.confidence, source=cell.source)


def _store_value(reading: Reading, key: str, cell: GridCell, label_score: float) -> None:
    if key in reading.values:
        return
    if label_score == FORCED:
        doubt, label_score = ["placed_by_position"], 1.0
    else:
        doubt = ["uncertain_label"] if label_score < 1.0 else []
    reading.values[key] = ReadValue(
        key=key, raw=cell.text.strip(), page=cell.page, bbox=cell.bbox,
        confidence=cell.confidence * label_score, source=cell.source,
        reasons=[*cell.reasons, *doubt],
    )


def _place_subtotal(reading: Reading, group: str) -> None:
    """A 小计 row between two groups closes the one before or opens the one after: the
    group whose items it adds up to decides; if neither does, the cells are flagged."""
    following = SUBTOTAL_GROUPS[SUBTOTAL_GROUPS.index(group) + 1:][:1]
    prefix = f"applications.{group}.subtotal."
    subtotal = {k[len(prefix):]: v for k, v in reading.values.items() if k.startswith(prefix)}
    for candidate in [group, *following]:
        if _adds_up(reading, candidate, subtotal):
            if candidate != group and not any(
                k.startswith(f"applications.{candidate}.subtotal.") for k in reading.values
            ):
                for column, found in subtotal.items():
                    del reading.values[prefix + column]
                    found.key = f"applications.{candidate}.subtotal.{column}"
                    reading.values[found.key] = found
            return
    for found in subtotal.values():
        found.confidence = min(found.confidence, 0.5)
        found.reasons.append("uncertain_label")


def _adds_up(reading: Reading, group: str, subtotal: dict[str, ReadValue]) -> bool:
    items = [r.key for r in APPLICATION_ROWS if r.group == group]
    seen_any = False
    for column, found in subtotal.items():
        total = 0
        for item in items:
            cell = reading.values.get(f"applications.{item}.{column}")
            if cell is not None:
                seen_any = True
                total += parse_value(cell.raw, "count").value or 0
        if (parse_value(found.raw, "count").value or 0) != total:
            return False
    return seen_any
