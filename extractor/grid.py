"""The table grid: what every backend (PDF text layer, OCR, HTML) produces.

One `Grid` is one table fragment on one page: a matrix of cells with row/column spans,
each cell holding its text, its place on the page and how sure the reader was of it.
The reconciler only ever sees grids, so it does not care where the text came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points
GridSource = Literal["text", "ocr", "html", "docx"]


@dataclass
class GridCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    bbox: BBox | None = None
    confidence: float = 1.0  # how sure the reader is that `text` is what the page shows
    source: GridSource = "text"
    reasons: list[str] = field(default_factory=list)  # reader's own doubts, e.g. "ink_in_blank"
    page: int = 0  # 1-based; set from the grid when left 0

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass
class Grid:
    page: int  # 1-based
    cells: list[GridCell]
    n_rows: int
    n_cols: int
    source: GridSource = "text"
    bbox: BBox | None = None
    context: str = ""  # text printed just above the table (its heading, if any)
    method: str = "ruled"  # "ruled" | "aligned" (no rules: a cell only where text is) | "html"
    x_edges: list[float] = field(default_factory=list)  # column boundaries, n_cols + 1
    y_edges: list[float] = field(default_factory=list)  # row boundaries, n_rows + 1
    # Where an OCR reader saw ink on the page over this grid (glyph-sized, pale print
    # included, and seals it flattened): a blank is sure only where none lies. Only
    # aligned OCR grids set it, having no cell edges to look inside.
    ink: list[BBox] = field(default_factory=list)
    _index: dict[tuple[int, int], GridCell] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for cell in self.cells:
            cell.page = cell.page or self.page
            for r in range(cell.row, cell.last_row + 1):
                for c in range(cell.col, cell.last_col + 1):
                    self._index[(r, c)] = cell

    def shift(self, dx: float, dy: float) -> None:
        """Every box moved by (dx, dy) points: a grid read from a part of its page (a
        picture on a PDF page, one sheet of a long image) placed where that part is."""
        def moved(box: BBox) -> BBox:
            return (round(box[0] + dx, 2), round(box[1] + dy, 2),
                    round(box[2] + dx, 2), round(box[3] + dy, 2))

        self.bbox = None if self.bbox is None else moved(self.bbox)
        for cell in self.cells:
            cell.bbox = None if cell.bbox is None else moved(cell.bbox)
        self.x_edges = [round(x + dx, 2) for x in self.x_edges]
        self.y_edges = [round(y + dy, 2) for y in self.y_edges]
        self.ink = [moved(box) for box in self.ink]

    def at(self, row: int, col: int) -> GridCell | None:
        """The cell covering (row, col), merged cells included."""
        return self._index.get((row, col))

    def row(self, row: int) -> list[GridCell]:
        """The distinct cells covering one row, left to right."""
        seen: list[GridCell] = []
        for col in range(self.n_cols):
            cell = self.at(row, col)
            if cell is not None and (not seen or seen[-1] is not cell):
                seen.append(cell)
        return seen

    @classmethod
    def from_boxes(
        cls,
        page: int,
        boxes: Iterable[tuple[BBox, str, float]],
        source: GridSource = "text",
        tolerance: float = 2.0,
        context: str = "",
    ) -> Grid:
        """Build a grid from cell rectangles (ruled-line cells, OCR'd cells).

        Row and column boundaries are the clustered edges of all rectangles, so a merged
        cell is simply one that spans several of them.
        """
        items = list(boxes)
        xs = _cluster([b[0] for b, _, _ in items] + [b[2] for b, _, _ in items], tolerance)
        ys = _cluster([b[1] for b, _, _ in items] + [b[3] for b, _, _ in items], tolerance)
        cells: list[GridCell] = []
        for bbox, text, conf in items:
            c0, c1 = _index_of(xs, bbox[0]), _index_of(xs, bbox[2])
            r0, r1 = _index_of(ys, bbox[1]), _index_of(ys, bbox[3])
            if c1 <= c0 or r1 <= r0:
                continue
            cells.append(
                GridCell(
                    row=r0, col=c0, rowspan=r1 - r0, colspan=c1 - c0,
                    text=text, bbox=bbox, confidence=conf, source=source,
                )
            )
        cells.sort(key=lambda c: (c.row, c.col))
        outer = (xs[0], ys[0], xs[-1], ys[-1]) if xs and ys else None
        return cls(
            page=page, cells=cells, n_rows=max(len(ys) - 1, 0), n_cols=max(len(xs) - 1, 0),
            source=source, bbox=outer, context=context, x_edges=xs, y_edges=ys,
        )


def boxes_meet(a: BBox, b: BBox) -> bool:
    """Whether two boxes share some area (touching edges do not)."""
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _cluster(values: Sequence[float], tolerance: float) -> list[float]:
    """Sorted representative positions: values closer than `tolerance` are one edge."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(group) / len(group) for group in out]


def _index_of(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))
