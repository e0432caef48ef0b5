"""A small page-layout engine on top of the reportlab canvas.

Why not platypus: real reports split a table inside a merged cell (the vertical
三、本年度办理结果 cell runs on over the page break), repeat or do not repeat header rows,
and are sometimes printed without ruled lines. Placing rows ourselves makes each of those a
plain option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from samples.fonts import runs, text_width

_TOKEN = re.compile(r"[A-Za-z0-9０-９.,，%@:/\-]+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」”’,.;:%")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (CJK breaks anywhere, numbers don't)."""
    tokens = _TOKEN.findall(text)
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if tok == "\n":
            lines.append(line)
            line = ""
            continue
        trial = line + tok
        fits = text_width(trial, font, size) <= width + 0.01
        if fits or not line or tok[0] in _NO_LINE_START:
            line = trial
        else:
            lines.append(line)
            line = tok.lstrip(" ")
    if line or not lines:
        lines.append(line)
    return lines


def draw_text(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    *,
    char_space: float = 0.0,
    bold: bool = False,
) -> None:
    """Draw one line at baseline ``y``, switching to the fallback font where glyphs lack."""
    t = c.beginText(x, y)
    t.setCharSpace(char_space)
    if bold:  # fake bold: fill and stroke the glyphs
        t.setTextRenderMode(2)
        c.setLineWidth(size * 0.035)
    for f, part in runs(text, font):
        t.setFont(f, size)
        t.textOut(part)
    if bold:
        t.setTextRenderMode(0)  # the mode is graphics state: it outlives the text object
    c.drawText(t)


# --- Tables ---------------------------------------------------------------------------------


@dataclass
class TCell:
    """One (possibly merged) table cell; ``key`` marks a value cell's canonical key."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    align: str = "center"
    bold: bool = False
    vertical: bool = False
    fill: tuple[float, float, float] | None = None
    size: float | None = None
    key: str | None = None


@dataclass
class Table:
    id: str
    widths: list[float]  # shares of the available width
    cells: list[TCell]
    n_rows: int
    header_rows: int
    font: str
    size: float
    rules: str = "grid"  # "grid" | "frame" | "none"
    line_width: float = 0.5
    min_row: float = 16.0
    pad: float = 2.5
    row_heights: list[float] = field(default_factory=list)

    def measure(self, width: float) -> list[float]:
        """Column widths in points; fills ``row_heights`` from the wrapped cell texts."""
        cols = [w * width / sum(self.widths) for w in self.widths]
        for cell in self.cells:
            if cell.key:  # a number is never wrapped: it is shrunk to fit, as WPS does
                room = sum(cols[cell.col : cell.col + cell.colspan]) - 2 * self.pad
                size = cell.size or self.size
                need = text_width(cell.text, self.font, size)
                if need > room:
                    cell.size = size * room / need
        heights = [self.min_row] * self.n_rows
        spanned: list[tuple[TCell, float]] = []
        for cell in self.cells:
            need = self._needed(cell, cols)
            if cell.rowspan == 1:
                heights[cell.row] = max(heights[cell.row], need)
            else:
                spanned.append((cell, need))
        for cell, need in spanned:
            rows = range(cell.row, cell.row + cell.rowspan)
            have = sum(heights[r] for r in rows)
            if need > have:
                for r in rows:
                    heights[r] += (need - have) / cell.rowspan
        self.row_heights = heights
        return cols

    def _needed(self, cell: TCell, cols: list[float]) -> float:
        size = cell.size or self.size
        if cell.vertical:
            return len(cell.text.replace(" ", "")) * size * 1.15 + 2 * self.pad
        width = sum(cols[cell.col : cell.col + cell.colspan]) - 2 * self.pad
        lines = wrap(cell.text, self.font, size, width)
        return len(lines) * size * 1.25 + 2 * self.pad

    def cell_lines(self, cell: TCell, width: float) -> list[str]:
        if cell.vertical:
            return [ch for ch in cell.text if ch != " "]
        return wrap(cell.text, self.font, cell.size or self.size, width - 2 * self.pad)


@dataclass
class Segment:
    """The rows of a table drawn on one page."""

    page: int
    top: float  # distance from the page top to the segment's first row
    rows: list[int]  # repeated header rows first, then body rows


# --- The flow of a document ------------------------------------------------------------------


@dataclass
class PageStyle:
    size: tuple[float, float]
    margins: tuple[float, float, float, float]  # top, right, bottom, left


class Flow:
    """Places titles, paragraphs and tables top to bottom, page after page."""

    def __init__(self, canvas: Canvas, style: PageStyle, footer: str, footer_font: str) -> None:
        self.c = canvas
        self.style = style
        self.footer = footer
        self.footer_font = footer_font
        self.page = 1
        self.y = style.margins[0]
        self.c.setPageSize(style.size)

    # geometry
    @property
    def width(self) -> float:
        return self.style.size[0] - self.style.margins[1] - self.style.margins[3]

    @property
    def left(self) -> float:
        return self.style.margins[3]

    @property
    def bottom(self) -> float:
        return self.style.size[1] - self.style.margins[2]

    def pdf_y(self, y: float) -> float:
        return self.style.size[1] - y

    def space(self, dy: float) -> None:
        self.y += dy

    def _finish_page(self) -> None:
        if self.footer:
            text = self.footer.format(n=self.page)
            size = 10.5
            w = text_width(text, self.footer_font, size)
            x = (self.style.size[0] - w) / 2
            y = self.style.margins[2] * 0.5
            draw_text(self.c, x, y, text, self.footer_font, size)
        self.c.showPage()

    def new_page(self, style: PageStyle | None = None) -> None:
        self._finish_page()
        if style is not None:
            self.style = style
        self.c.setPageSize(self.style.size)
        self.page += 1
        self.y = self.style.margins[0]

    def finish(self) -> int:
        self._finish_page()
        self.c.save()
        return self.page

    # text
    def lines(
        self,
        lines: list[str],
        font: str,
        size: float,
        leading: float,
        *,
        align: str = "left",
        indent: float = 0.0,
        justify: bool = False,
        bold: bool = False,
        bold_lead: int = 0,
    ) -> None:
        for i, line in enumerate(lines):
            if self.y + leading > self.bottom:
                self.new_page()
            x0 = self.left + (indent if i == 0 else 0.0)
            avail = self.width - (indent if i == 0 else 0.0)
            w = text_width(line, font, size)
            char_space = 0.0
            if align == "center":
                x0 = self.left + (self.width - w) / 2
            elif align == "right":
                x0 = self.left + self.width - w
            elif justify and i < len(lines) - 1 and len(line) > 1:
                char_space = max(0.0, (avail - w) / (len(line) - 1))
            baseline = self.pdf_y(self.y + leading * 0.78)
            lead = line[:bold_lead] if i == 0 else ""
            if lead:
                draw_text(self.c, x0, baseline, lead, font, size, char_space=char_space, bold=True)
                x0 += text_width(lead, font, size) + len(lead) * char_space
            rest = line[len(lead) :]
            draw_text(self.c, x0, baseline, rest, font, size, char_space=char_space, bold=bold)
            self.y += leading

    def paragraph(
        self,
        text: str,
        font: str,
        size: float,
        *,
        leading: float | None = None,
        indent_chars: float = 2.0,
        align: str = "left",
        bold: bool = False,
        bold_lead: int = 0,
    ) -> None:
        """Wrap and place ``text``; the first ``bold_lead`` characters are set in bold."""
        leading = leading or size * 1.6
        indent = indent_chars * size
        first = wrap(text, font, size, self.width - indent)[0]
        rest = text[len(first) :]
        lines = [first] + (wrap(rest, font, size, self.width) if rest else [])
        self.lines(
            lines,
            font,
            size,
            leading,
            align=align,
            indent=indent,
            justify=True,
            bold=bold,
            bold_lead=bold_lead,
        )

    # tables
    def table_needs_new_page(self, table: Table, keep_together: bool, above: float = 0.0) -> bool:
        """Whether ``table`` (with ``above`` points of heading) should start on a new page."""
        table.measure(self.width)
        heights = table.row_heights
        first_body = min(table.header_rows, table.n_rows - 1)
        min_start = above + sum(heights[: first_body + 1])
        total = above + sum(heights)
        room = self.bottom - self.y
        full = self.bottom - self.style.margins[0]
        return room < min_start or (keep_together and room < total <= full)

    def table(self, table: Table, *, keep_together: bool, repeat_header: bool) -> list[list[float]]:
        """Lay ``table`` out from the current position.

        Returns one box per page the table lies on: [page, x0, top, x1, bottom] in points
        from the page's top-left corner.
        """
        if self.table_needs_new_page(table, keep_together):
            self.new_page()
        cols = table.measure(self.width)
        heights = table.row_heights
        header = list(range(table.header_rows))
        head_h = sum(heights[r] for r in header)
        first_body = table.header_rows
        segments: list[Segment] = []
        page, y = self.page, self.y
        rows: list[int] = list(header)
        used = head_h
        for r in range(first_body, table.n_rows):
            if y + used + heights[r] > self.bottom and r > first_body:
                segments.append(Segment(page, y, rows))
                page += 1
                y = self.style.margins[0]
                rows = list(header) if repeat_header else []
                used = head_h if repeat_header else 0.0
            rows.append(r)
            used += heights[r]
        segments.append(Segment(page, y, rows))
        self._draw_segments(table, cols, segments)
        right = self.left + sum(cols)
        return [
            [s.page, self.left, s.top, right, s.top + sum(heights[r] for r in s.rows)]
            for s in segments
        ]

    def _draw_segments(self, table: Table, cols: list[float], segments: list[Segment]) -> None:
        heights = table.row_heights
        xs = [self.left]
        for w in cols:
            xs.append(xs[-1] + w)
        # where each segment places each row
        tops: list[dict[int, float]] = []
        for seg in segments:
            pos, y = {}, seg.top
            for r in seg.rows:
                pos[r] = y
                y += heights[r]
            tops.append(pos)
        text_seg: dict[int, int] = {}
        for i, cell in enumerate(table.cells):
            if cell.row < table.header_rows:
                continue
            spans = [
                sum(heights[r] for r in range(cell.row, cell.row + cell.rowspan) if r in pos)
                for pos in tops
            ]
            text_seg[i] = max(range(len(spans)), key=lambda s: (spans[s], -s))
        for s, seg in enumerate(segments):
            if s > 0:
                self.new_page()
            pos = tops[s]
            for i, cell in enumerate(table.cells):
                vis = [r for r in range(cell.row, cell.row + cell.rowspan) if r in pos]
                if not vis:
                    continue
                top = pos[vis[0]]
                bottom = pos[vis[-1]] + heights[vis[-1]]
                x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
                self._cell_box(table, cell, x0, x1, top, bottom)
                if cell.row < table.header_rows or text_seg.get(i) == s:
                    self._cell_text(table, cell, x0, x1, top, bottom)
            seg_bottom = max(pos[r] + heights[r] for r in seg.rows)
            self._frame_rules(table, seg, pos, seg_bottom, xs)
            self.y = seg_bottom
        self.page = segments[-1].page

    def _cell_box(
        self, table: Table, cell: TCell, x0: float, x1: float, top: float, bottom: float
    ) -> None:
        c = self.c
        if cell.fill:
            c.setFillColor(Color(*cell.fill))
            c.rect(x0, self.pdf_y(bottom), x1 - x0, bottom - top, stroke=0, fill=1)
            c.setFillColor(Color(0, 0, 0))
        if table.rules == "grid":
            c.setLineWidth(table.line_width)
            c.setStrokeColor(Color(0, 0, 0))
            c.rect(x0, self.pdf_y(bottom), x1 - x0, bottom - top, stroke=1, fill=0)

    def _frame_rules(
        self, table: Table, seg: Segment, pos: dict[int, float], seg_bottom: float, xs: list[float]
    ) -> None:
        if table.rules != "frame":
            return
        c = self.c
        c.setStrokeColor(Color(0, 0, 0))
        c.setLineWidth(table.line_width * 1.8)
        c.line(xs[0], self.pdf_y(seg.top), xs[-1], self.pdf_y(seg.top))
        c.line(xs[0], self.pdf_y(seg_bottom), xs[-1], self.pdf_y(seg_bottom))
        last_head = table.header_rows - 1
        if last_head in pos:
            y = pos[last_head] + table.row_heights[last_head]
            c.setLineWidth(table.line_width)
            c.line(xs[0], self.pdf_y(y), xs[-1], self.pdf_y(y))

    def _cell_text(
        self, table: Table, cell: TCell, x0: float, x1: float, top: float, bottom: float
    ) -> None:
        size = cell.size or table.size
        lines = table.cell_lines(cell, x1 - x0)
        step = size * (1.15 if cell.vertical else 1.25)
        block = len(lines) * step
        y = top + (bottom - top - block) / 2
        for line in lines:
            w = text_width(line, table.font, size)
            if cell.align == "left" and not cell.vertical:
                x = x0 + table.pad
            elif cell.align == "right" and not cell.vertical:
                x = x1 - table.pad - w
            else:
                x = (x0 + x1 - w) / 2
            baseline = self.pdf_y(y + step * 0.5 + size * 0.36)
            draw_text(self.c, x, baseline, line, table.font, size, bold=cell.bold)
            y += step
