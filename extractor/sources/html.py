"""Reports published as web pages: the <table> elements as grids, the rest as text.

Web pages wrap labels over several paragraphs padded with &nbsp;, split labels into
pieces and put numbers in nested spans; a cell's text is all its text, joined.
Cells have no page geometry, so the grids carry spans in grid units (bbox None).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from extractor.errors import BrokenFileError
from extractor.grid import Grid, GridCell
from extractor.limits import MAX_TABLE_CELLS, TooLargeError
from extractor.sources.base import PageContent, SourceDocument
from extractor.sources.pictures import html_picture_grids

_BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "title", "tr", "section"}
_SKIP = {"script", "style", "noscript", "template"}


class _TableCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[str, list[list[tuple[str, int, int]]]]] = []
        self._stack: list[list[list[tuple[str, int, int]]]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._skip = 0
        self._text: list[str] = []  # text outside tables since the last table
        self.lines: list[str] = []  # all text outside tables, for the title
        # pictures outside tables: (tables before it, src, width attribute, text above it)
        self.pictures: list[tuple[int, str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "table":
            self._stack.append([])
        elif tag == "tr" and self._stack:
            self._stack[-1].append([])
        elif tag == "img" and not self._stack and not self._skip:
            values = dict(attrs)
            self.pictures.append((len(self.tables), values.get("src") or "",
                                  values.get("width") or "", _tail("".join(self._text))))
        elif tag in ("td", "th") and self._stack:
            values = dict(attrs)
            self._cell = []
            self._span = (_int(values.get("rowspan")), _int(values.get("colspan")))
        elif tag in _BLOCKS:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._stack and self._cell is not None:
            text = re.sub(r"[ \t\u00a0\u3000]+", " ", "".join(self._cell))
            text = "\n".join(part.strip() for part in text.splitlines() if part.strip())
            if not self._stack[-1]:
                self._stack[-1].append([])
            self._stack[-1][-1].append((text, *self._span))
            self._cell = None
        elif tag == "table" and self._stack:
            rows = self._stack.pop()
            if not self._stack:
                self._newline()
                self.tables.append(("\n".join(self._text), rows))
                self._text = []
        elif tag in _BLOCKS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif not self._stack:
            self._text.append(data)

    def _newline(self) -> None:
        if self._cell is not None:
            self._cell.append("\n")
        elif not self._stack:
            line = re.sub(r"\s+", " ", "".join(self._text[-1:])).strip() if self._text else ""
            self._text.append("\n")
            if line:
                self.lines.append(line)


def _int(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _grid(rows: list[list[tuple[str, int, int]]], context: str) -> Grid:
    """Place cells the way a browser does: each skips columns taken by a rowspan above."""
    taken: set[tuple[int, int]] = set()
    covered = 0
    cells: list[GridCell] = []
    n_cols = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            covered += rowspan * colspan
            if covered > MAX_TABLE_CELLS:  # hostile spans: the loop below would never end
                raise TooLargeError(
                    f"a table's rowspan/colspan cover more than {MAX_TABLE_CELLS:,} cells; "
                    "it is not a report table (save the page again from the browser)"
                )
            cells.append(GridCell(row=r, col=c, text=text, rowspan=rowspan, colspan=colspan,
                                  source="html", page=1))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            c += colspan
            n_cols = max(n_cols, c)
    n_rows = max([r + 1 for r, _ in taken] or [0])
    return Grid(page=1, cells=cells, n_rows=n_rows, n_cols=n_cols, source="html",
                context=context)


def read_html(path: Path) -> SourceDocument:
    raw = path.read_bytes()
    text = _decode(raw, path)
    parser = _TableCollector()
    parser.feed(text)
    parser.close()
    try:
        grids = [_grid(rows, _tail(context)) if rows else None for context, rows in parser.tables]
    except TooLargeError as exc:
        raise TooLargeError(f"{path.name}: {exc}") from exc
    notes: list[str] = []
    for position, found in reversed(html_picture_grids(path, parser.pictures, notes)):
        grids[position:position] = found  # a picture's tables where the picture stands
    page = PageContent(number=1, grids=[g for g in grids if g is not None],
                       text="\n".join(parser.lines), reading="html", notes=notes)
    return SourceDocument(kind="html", pages=[page], page_count=1)


def _tail(context: str, lines: int = 6) -> str:
    kept = [line.strip() for line in context.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def _decode(raw: bytes, path: Path) -> str:
    head = raw[:2048].decode("ascii", "ignore").lower()
    match = re.search(r"charset=[\"']?([a-z0-9_-]+)", head)
    encodings = [match.group(1)] if match else []
    for encoding in [*encodings, "utf-8", "gb18030"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    raise BrokenFileError(f"{path.name}: the web page's text encoding cannot be read")
