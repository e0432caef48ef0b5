"""Born-digital PDFs: table grids from the text layer and the ruled lines.

pdfplumber finds the cells of ruled tables (its lattice is fast and handles merged
cells); we place each character in its cell ourselves, so wrapped labels come back as
one text and every value keeps its exact bounding box. Tables printed without rules go
to `text_alignment`.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable

from pdfplumber.page import Page

from extractor.grid import BBox, Grid, GridCell
from extractor.sources.text_alignment import unruled_grids

TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}


def page_grids(page: Page, page_number: int) -> tuple[list[Grid], str]:
    """All ruled (or, failing that, aligned) table grids of a page, and its other text."""
    chars = [c for c in page.chars if c["text"].strip()]
    grids: list[Grid] = []
    if page.edges:
        settings = dict(TABLE_SETTINGS, explicit_horizontal_lines=open_row_edges(page.edges))
        for table in page.find_tables(settings):
            grid = _grid_from_cells(page_number, table.cells, chars)
            if grid is not None:
                grids.append(grid)
    outside = [c for c in chars if not _inside_any(c, grids)]
    page_text = "\n".join(text for _, text in text_lines(outside))
    if not any(_has_digits(g) for g in grids):
        aligned = unruled_grids(page_number, outside, [g.bbox[1] for g in grids if g.bbox])
        if aligned:
            grids.extend(aligned)
            outside = [c for c in outside if not _inside_any(c, aligned)]
    grids.sort(key=lambda g: g.bbox[1] if g.bbox else 0.0)
    _attach_context(grids, outside)
    return grids, page_text


OPEN_EDGE_MIN_RULES = 3  # column rules that must end together to close a row there
OPEN_EDGE_TOLERANCE = 3.0  # pt: rules end "together" (as TABLE_SETTINGS' snap tolerance)


def open_row_edges(edges: list[dict]) -> list[dict]:
    """The missing top or bottom rule of a table cut by a page break.

    A browser (or Word) printing a table over two pages draws the rule between two rows
    once: the row that continues at the top of the next page has its column rules but no
    rule above it, so the lattice never closes that row and its values were lost. Where
    several column rules start (or end) at one height with no horizontal rule across
    them there, a rule is drawn from the first of them to the last.
    """
    verticals = [e for e in edges if e["orientation"] == "v" and e["height"] >= 5]
    horizontals = [e for e in edges if e["orientation"] == "h"]
    lines: list[dict] = []
    for end in ("top", "bottom"):
        for y, group in _cluster_by(verticals, end):
            xs = sorted({round(e["x0"]) for e in group})
            if len(xs) < OPEN_EDGE_MIN_RULES:
                continue
            x0, x1 = min(e["x0"] for e in group), max(e["x1"] for e in group)
            covered = sum(
                max(0.0, min(h["x1"], x1) - max(h["x0"], x0))
                for h in horizontals if abs(h["top"] - y) <= OPEN_EDGE_TOLERANCE
            )  # fmt: skip
            if covered < 0.5 * (x1 - x0):
                lines.append({"object_type": "line", "x0": x0, "x1": x1, "top": y,
                              "bottom": y, "width": x1 - x0, "height": 0.0})  # fmt: skip
    return lines


def _cluster_by(edges: list[dict], key: str) -> list[tuple[float, list[dict]]]:
    """Edges grouped by `key` (a y), those within the tolerance of each other together."""
    groups: list[tuple[float, list[dict]]] = []
    for edge in sorted(edges, key=lambda e: e[key]):
        if groups and edge[key] - groups[-1][0] <= OPEN_EDGE_TOLERANCE:
            groups[-1][1].append(edge)
        else:
            groups.append((edge[key], [edge]))
    return groups


def _grid_from_cells(page_number: int, boxes: list[BBox], chars: list[dict]) -> Grid | None:
    if len(boxes) < 2:
        return None
    grid = Grid.from_boxes(page_number, ((b, "", 1.0) for b in boxes), source="text")
    if grid.n_rows == 0 or grid.n_cols == 0:
        return None
    xs, ys = grid.x_edges, grid.y_edges
    buckets: dict[int, list[dict]] = {}
    previous: tuple[dict, GridCell] | None = None
    for ch in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        cx = (ch["x0"] + ch["x1"]) / 2
        cy = (ch["top"] + ch["bottom"]) / 2
        if not (xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]):
            continue
        col = min(bisect_right(xs, cx) - 1, grid.n_cols - 1)
        row = min(bisect_right(ys, cy) - 1, grid.n_rows - 1)
        cell = grid.at(row, col)
        if previous is not None and _overflows(previous[0], ch, previous[1]):
            cell = previous[1]  # a label run past its cell's rule: it stays with its text
        if cell is not None:
            buckets.setdefault(id(cell), []).append(ch)
            previous = (ch, cell)
    for cell in grid.cells:
        inside = buckets.get(id(cell), [])
        cell.text = _wrapped_number(inside, cell) or "\n".join(t for _, t in text_lines(inside))
    return grid


_DIGITS = set("0123456789,.")


def _wrapped_number(chars: list[dict], cell: GridCell) -> str | None:
    """A number wrapped inside a cell too narrow for it (Word breaks `1,148` into `1,1` over
    `48`): one number when every line but the last is full, so that the first digit of
    the next line could not have fitted beside it. Two numbers stacked in a wide cell
    stay two lines (and are flagged `two_values`)."""
    lines = _line_chars(chars)
    if len(lines) < 2 or cell.bbox is None:
        return None
    if not all(unicodedata.normalize("NFKC", ch["text"]) in _DIGITS
               for line in lines for ch in line):
        return None
    inner_right = cell.bbox[2]
    for line, following in zip(lines, lines[1:], strict=False):
        room = inner_right - line[-1]["x1"]
        if room > 1.5 * (following[0]["x1"] - following[0]["x0"]) + 1.0:
            return None  # the next digit would have fitted: not a wrap
    return "".join(ch["text"] for line in lines for ch in line)


def _overflows(prev: dict, ch: dict, prev_cell: GridCell) -> bool:
    """Whether `ch` continues `prev`'s run of text just past the right edge of its cell."""
    same_line = abs(prev["top"] - ch["top"]) < 0.5 and abs(prev["bottom"] - ch["bottom"]) < 0.5
    touching = -0.5 <= ch["x0"] - prev["x1"] <= 0.5
    just_past = prev_cell.bbox is not None and ch["x0"] < prev_cell.bbox[2] + 0.5
    return same_line and touching and just_past and not ch["text"].isdigit()


def text_lines(chars: Iterable[dict]) -> list[tuple[float, str]]:
    """Characters grouped into printed lines (top, text), each read left to right.

    Upright characters only; a gap wider than one character becomes a space so that
    separate numbers on one line stay apart.
    """
    out = []
    for line in _line_chars(chars):
        parts = [line[0]["text"]]
        for prev, ch in zip(line, line[1:], strict=False):
            gap = ch["x0"] - prev["x1"]
            if gap > max(ch["size"], prev["size"]) * 0.9:
                parts.append(" ")
            parts.append(ch["text"])
        out.append((line[0]["top"], "".join(parts)))
    return out


def _line_chars(chars: Iterable[dict]) -> list[list[dict]]:
    """Characters grouped into printed lines, top to bottom, each sorted left to right."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines:
            line = lines[-1]
            height = ch["bottom"] - ch["top"]
            ref = line[0]
            if abs(((ch["top"] + ch["bottom"]) / 2) - ((ref["top"] + ref["bottom"]) / 2)) < (
                max(height, ref["bottom"] - ref["top"]) * 0.5
            ):
                line.append(ch)
                continue
        lines.append([ch])
    for line in lines:
        line.sort(key=lambda c: c["x0"])
    return lines


def _inside_any(ch: dict, grids: list[Grid]) -> bool:
    cx = (ch["x0"] + ch["x1"]) / 2
    cy = (ch["top"] + ch["bottom"]) / 2
    return any(
        g.bbox and g.bbox[0] <= cx <= g.bbox[2] and g.bbox[1] <= cy <= g.bbox[3] for g in grids
    )


def _has_digits(grid: Grid) -> bool:
    return any(any(ch.isdigit() for ch in c.text) for c in grid.cells)


def _attach_context(grids: list[Grid], outside: list[dict]) -> None:
    """Give each grid the text printed between it and the grid above (its heading)."""
    lines = text_lines(outside)
    previous_bottom = 0.0
    for grid in grids:
        top = grid.bbox[1] if grid.bbox else 0.0
        grid.context = "\n".join(t for y, t in lines if previous_bottom <= y < top)
        previous_bottom = grid.bbox[3] if grid.bbox else top
