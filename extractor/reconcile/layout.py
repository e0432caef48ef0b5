"""Which template and variant a report uses, judged from what was read."""

from __future__ import annotations

from extractor.reconcile.reading import Reading
from models.schema import (
    APPLICATION_ROWS,
    DISCLOSURE_ROWS,
    OTHER_ITEM_KEYS,
    SUBTOTAL_GROUPS,
    Format,
    Layout,
)


def detect_layout(reading: Reading, year: int | None) -> Layout:
    """The variant the rows read show. Where a table 三 row's label could not be read, that
    row may be a 小计 the variant would have (and a header misread enough to lose a row may
    have lost its 小计 column too): every optional row and column is then kept in the key
    set, so a person sees it as missing rather than not at all; so too where two rows were
    read under one key. Rows placed by position
    alone keep their group's 小计 the same way."""
    other_single_row = _has_row(reading, "other.subtotal") and not any(
        _has_row(reading, k) for k in OTHER_ITEM_KEYS)
    # a row read under another's key may have been a row the layout would otherwise drop
    # (a label read apart from its values is no second row, and a row of no values,
    # however labelled, loses nothing)
    read = [key for key, values, _ in reading.application_rows
            if any(c.text.strip() for _, c in values)]
    keyed = [key for key in read if key is not None]
    unread_rows = len(keyed) < len(read) or len(set(keyed)) < len(keyed) or \
        reading.lost_rows > 0
    return Layout(
        format=detect_format(reading, year),
        other_single_row=other_single_row,
        subtotal_groups=tuple(
            g
            for g in SUBTOTAL_GROUPS
            if _has_row(reading, f"{g}.subtotal")
            and any(_has_row(reading, r.key) for r in APPLICATION_ROWS if r.group == g)
            or (unread_rows or g in reading.placed_groups)
            and not (g == "other" and other_single_row)
        ),
        org_subtotal=unread_rows or any(k.endswith(".org_subtotal") for k in reading.values),
    )


def detect_format(reading: Reading, year: int | None) -> Format:
    """The table 二 header labels decide; rows only one format has come next; then the year."""
    votes = reading.format_votes.copy()
    disclosure_rows = {k.split(".")[1] for k in reading.values if k.startswith("disclosure.")}
    only_2019 = {r.key for r in DISCLOSURE_ROWS["2019"]} - {r.key for r in DISCLOSURE_ROWS["2021"]}
    votes["2019"] += 2 * len(disclosure_rows & only_2019)
    for key in reading.values:
        column = key.rsplit(".", 1)[1]
        if key.startswith("disclosure.") and column in {"issued", "repealed", "in_force"}:
            votes["2021"] += 1
        if key.startswith("disclosure.") and column in {"made", "published", "total_public"}:
            votes["2019"] += 1
    if votes["2019"] != votes["2021"]:
        return "2019" if votes["2019"] > votes["2021"] else "2021"
    if year is not None:
        return "2019" if year <= 2020 else "2021"
    return "2021"


def _has_row(reading: Reading, row_key: str) -> bool:
    prefix = f"applications.{row_key}."
    return any(k.startswith(prefix) for k in reading.values)
