"""What the walk over a document's grids finds: values by key, before normalisation."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extractor.grid import BBox, GridCell
from extractor.reconcile.values import NULL_MARKS

_NUMERIC = re.compile(r"^[+\-－−]?[0-9０-９][0-9０-９,，.．]*\s*(万元|元|件|个|项|条)?$")


@dataclass
class ReadValue:
    """One value cell as found, before normalisation."""

    key: str
    raw: str
    page: int
    bbox: BBox | None
    confidence: float
    source: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ColumnSpan:
    x0: float
    x1: float
    key: str
    score: float
    in_points: bool  # False: grid units (col indices), for backends without geometry
    by_position: bool = False  # its label unreadable: the one column missing where it stands


@dataclass
class Reading:
    """Everything the walk found: values by full key, and what it learned of the layout."""

    values: dict[str, ReadValue] = field(default_factory=dict)
    format_votes: Counter = field(default_factory=Counter)
    tables_seen: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    # 小计 rows placed only by the group last seen: before or after a group's items?
    loose_subtotals: list[str] = field(default_factory=list)
    blank_rows: list[str] = field(default_factory=list)  # labels of all-blank unruled rows
    # table 三 groups with rows placed by their position alone: a 小计 may be among them
    placed_groups: set[str] = field(default_factory=set)
    # table 三's data rows in reading order
    # (row key or None if unrecognised, its values, whether its label says 小计)
    # table 二's data rows in reading order: (row key or None if unrecognised, its values)
    disclosure_rows: list[tuple[str | None, list[tuple[ColumnSpan, GridCell]]]] = field(
        default_factory=list
    )
    application_rows: list[tuple[str | None, list[tuple[ColumnSpan, GridCell]], bool]] = field(
        default_factory=list
    )
    # table 三 rows of numbers that stood under none of the header's columns: dropped,
    # so the blank rows around them are not sure, nor is any row the layout would drop
    lost_rows: int = 0


def is_value_text(text: str) -> bool:
    stripped = re.sub(r"\s+", "", text)
    return bool(_NUMERIC.match(stripped)) or (stripped in NULL_MARKS and stripped != "")


def cell_span(cell: GridCell) -> tuple[float, float, bool]:
    if cell.bbox is not None:
        return cell.bbox[0], cell.bbox[2], True
    return float(cell.col), float(cell.col + cell.colspan), False


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))
