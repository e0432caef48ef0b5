"""Reports as Word files (.docx): the tables with their merged cells, the rest as text.

Word stores a horizontally merged cell as one cell spanning grid columns (gridSpan) and a
vertically merged one as a first cell followed by "continue" cells below (vMerge); both
become one GridCell with its spans. Like web pages, cells carry no page geometry.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from extractor.errors import BrokenFileError, UnsupportedFileError
from extractor.grid import Grid, GridCell
from extractor.sources.base import PageContent, SourceDocument
from extractor.sources.pictures import docx_picture_grids as picture_grids

CONTEXT_LINES = 6  # paragraphs before a table kept as its context (its heading)


def read_docx(path: Path) -> SourceDocument:
    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        if zipfile.is_zipfile(path) and "word/document.xml" not in zipfile.ZipFile(path).namelist():
            raise UnsupportedFileError(
                f"{path.name} is a zip archive, not a Word (.docx) report; unpack it and "
                "run on the files inside"
            ) from exc
        raise BrokenFileError(
            f"{path.name} is not a readable Word file (it may be damaged, or an old .doc "
            "saved under a new name); open it in Word or WPS and save it as .docx"
        ) from exc
    grids: list[Grid] = []
    text: list[str] = []
    since_table: list[str] = []
    notes: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            line = block.text.strip()
            if line:
                text.append(line)
                since_table.append(line)
            found = picture_grids(block, "\n".join(since_table[-CONTEXT_LINES:]), notes)
            if found:  # a table pasted as a picture, read where it stands
                grids += found
                since_table = []
        elif isinstance(block, Table):
            grids.append(_grid(block, "\n".join(since_table[-CONTEXT_LINES:])))
            since_table = []
    page = PageContent(number=1, grids=grids, text="\n".join(text), reading="docx",
                       notes=notes)
    return SourceDocument(kind="docx", pages=[page], page_count=1)


def _grid(table: Table, context: str) -> Grid:
    cells: list[GridCell] = []
    covering: dict[tuple[int, int], GridCell] = {}
    n_cols = 0
    rows = table._tbl.tr_lst
    for r, tr in enumerate(rows):
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            above = covering.get((r - 1, col))
            if tc.vMerge == "continue" and above is not None:
                above.rowspan = r - above.row + 1
                for c in range(col, col + span):
                    covering[(r, c)] = above
            else:
                cell = GridCell(row=r, col=col, text=_Cell(tc, table).text.strip(),
                                colspan=span, source="docx", page=1)
                cells.append(cell)
                for c in range(col, col + span):
                    covering[(r, c)] = cell
            col += span
        n_cols = max(n_cols, col)
    return Grid(page=1, cells=cells, n_rows=len(rows), n_cols=n_cols, source="docx",
                context=context, method="docx")
