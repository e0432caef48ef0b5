"""Tables printed without ruled lines: a grid from the alignment of the text alone.

Each printed line is cut into segments where characters are further apart than half a
character. A line holding values (numbers, dashes) after a label, or several values, is
a data line. Label text left of the values is gathered into blocks, one per printed cell:
the lines of a wrapped label, stacked in one column with ordinary line spacing. A block
belongs to the first data line it lies beside (a label centred on its values, a group
label centred beside its items); a block beside no data line is a row of its own (a row
whose cells are all blank). Text over the value columns (headers) stays one row per
printed line. Columns are not decided here: the reconciler maps each value to the header
label above it by position, as it does for ruled tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.grid import Grid, GridCell
from extractor.reconcile.labels import split_numbering
from extractor.reconcile.reading import is_value_text
from models.schema import SUBTOTAL_LABELS

SEGMENT_GAP = 0.5  # characters further apart than this many heights belong to two cells
LINE_GAP = 0.6  # lines of one wrapped cell are at most this many heights apart
_HEADING = re.compile(r"^[一二三四五六七八九十]+、.{6,}情况$")


@dataclass
class Segment:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def value(self) -> bool:
        return is_value_text(self.text)

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Row:
    cells: list[Segment] = field(default_factory=list)

    @property
    def centre(self) -> float:
        return sum(c.centre for c in self.cells) / len(self.cells)


def unruled_grids(page_number: int, chars: list[dict], cuts: list[float] = ()) -> list[Grid]:
    """Grids of the page's aligned text, one per band between the `cuts` (the tops of
    ruled grids on the page, so that reading order holds). A page without values gives
    its lines as rows: a table's header may stand alone at the foot of a page."""
    lines = [_segments(line) for line in _lines(chars)]
    data = [line for line in lines if _is_data_line(line)]
    if not data:  # no values, but maybe a table's heading and header before a page break
        rows = [Row(line) for line in lines]
        return [_grid(page_number, rows)] if rows else []
    value_start = {id(line): min(s.x0 for s in line if s.value) for line in data}
    rows = {id(line): Row([s for s in line if s.value]) for line in data}
    labels: list[Segment] = []
    loose: list[Segment] = []
    for line in lines:
        for seg in line:
            if seg.value and id(line) in rows:
                continue
            (labels if _left_of_values(seg, data, value_start) else loose).append(seg)
    standalone: list[Row] = []
    for block in _blocks(labels):
        beside = [line for line in data if _beside(block, line)]
        home = min(beside, key=lambda line: abs(_centre(line) - block.centre), default=None)
        if home is not None:
            rows[id(home)].cells.append(block)
        else:
            loose.append(block)
    loose = [seg for seg in loose if not seg.value]  # a lone number is a page number
    for seg in sorted(loose, key=lambda s: s.centre):
        last = standalone[-1] if standalone else None
        if last and abs(last.centre - seg.centre) < 0.5 * seg.height:
            last.cells.append(seg)
        else:
            standalone.append(Row([seg]))
    ordered = sorted([*rows.values(), *standalone], key=lambda r: r.centre)
    bands: dict[int, list[Row]] = {}
    for row in ordered:
        bands.setdefault(sum(1 for cut in cuts if cut < row.centre), []).append(row)
    return [_grid(page_number, band) for _, band in sorted(bands.items())]


def _grid(page_number: int, rows: list[Row]) -> Grid:
    cells: list[GridCell] = []
    for r, row in enumerate(rows):
        for c, seg in enumerate(sorted(row.cells, key=lambda s: s.x0)):
            cells.append(GridCell(row=r, col=c, text=seg.text, source="text", page=page_number,
                                  bbox=(seg.x0, seg.top, seg.x1, seg.bottom)))
    return Grid(
        page=page_number, cells=cells, n_rows=len(rows),
        n_cols=max((c.col + 1 for c in cells), default=0), source="text", method="aligned",
        bbox=(min(c.bbox[0] for c in cells), min(c.bbox[1] for c in cells),
              max(c.bbox[2] for c in cells), max(c.bbox[3] for c in cells)),
    )


def _is_data_line(line: list[Segment]) -> bool:
    """Values after a label, or several values; not a page number nor a heading."""
    values = [s for s in line if s.value]
    return bool(values) and (len(values) >= 2 or len(line) >= 2)


def _left_of_values(seg: Segment, data: list[list[Segment]], value_start: dict) -> bool:
    """Label text: left of the values of the data lines at its height (or, between data
    lines, of the nearest one); headings never."""
    if _HEADING.match(re.sub(r"\s+", "", seg.text)):
        return False
    nearest = min(data, key=lambda line: abs(line[0].centre - seg.centre))
    return seg.x1 <= value_start[id(nearest)] + 1.0


def _blocks(labels: list[Segment]) -> list[Segment]:
    """Stack label segments into printed cells: same column, consecutive lines."""
    blocks: list[list[Segment]] = []
    for seg in sorted(labels, key=lambda s: (s.top, s.x0)):
        if _starts_label(seg.text):
            blocks.append([seg])  # rows packed tight: a numbered label is a new cell
            continue
        best, best_overlap = None, 0.0
        for block in blocks:
            last = block[-1]
            gap = seg.top - last.bottom
            if gap < -0.3 * seg.height or gap > LINE_GAP * seg.height:
                continue
            overlap = min(last.x1, seg.x1) - max(last.x0, seg.x0)
            if overlap > 0.3 * min(last.x1 - last.x0, seg.x1 - seg.x0) and overlap > best_overlap:
                best, best_overlap = block, overlap
        if best is None:
            blocks.append([seg])
        else:
            best.append(seg)
    return [
        Segment("\n".join(s.text for s in block), min(s.x0 for s in block), block[0].top,
                max(s.x1 for s in block), block[-1].bottom)
        for block in blocks
    ]


def _centre(line: list[Segment]) -> float:
    return sum(s.centre for s in line) / len(line)


def _starts_label(text: str) -> bool:
    folded = re.sub(r"\s+", "", text)
    return split_numbering(folded)[0] is not None or folded in SUBTOTAL_LABELS


def _beside(block: Segment, line: list[Segment]) -> bool:
    centre = _centre(line)
    return block.top - 0.3 * block.height <= centre <= block.bottom + 0.3 * block.height


def _lines(chars: list[dict]) -> list[list[dict]]:
    """Printed lines: characters whose vertical centres follow each other closely.

    Values set between two lines of a wrapped label sit half a line off; glyphs of two
    fonts on one line differ far less, so a gap of a third of a character splits lines.
    """
    rows: list[list[dict]] = []
    previous = None
    for ch in sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        centre = (ch["top"] + ch["bottom"]) / 2
        if previous is not None and centre - previous < 0.3 * (ch["bottom"] - ch["top"]):
            rows[-1].append(ch)
        else:
            rows.append([ch])
        previous = centre
    return rows


def _segments(chars: list[dict]) -> list[Segment]:
    chars.sort(key=lambda c: c["x0"])
    size = max(c["bottom"] - c["top"] for c in chars)
    groups: list[list[dict]] = [[chars[0]]]
    for prev, ch in zip(chars, chars[1:], strict=False):
        if ch["x0"] - prev["x1"] > SEGMENT_GAP * size:
            groups.append([ch])
        else:
            groups[-1].append(ch)
    return [
        Segment("".join(c["text"] for c in g), g[0]["x0"], min(c["top"] for c in g),
                g[-1]["x1"], max(c["bottom"] for c in g))
        for g in groups
    ]
