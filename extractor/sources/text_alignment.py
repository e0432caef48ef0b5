"""Tables printed without ruled lines: a grid from the alignment of the text alone."""

from __future__ import annotations

from extractor.grid import Grid


def unruled_grids(page_number: int, chars: list[dict]) -> list[Grid]:
    return []
