"""What every backend hands to the reconciler: pages of grids and their surrounding text."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.grid import Grid

# The report's title (its agency and year) is looked for on the first pages only: on a
# scan their top lines are read for it, and later pages' are not read at all.
TITLE_PAGES = 2


@dataclass
class PageContent:
    number: int  # 1-based
    grids: list[Grid] = field(default_factory=list)
    text: str = ""  # the page's text outside tables, top to bottom (titles, headings)
    reading: str = "text"  # "text", "ocr" or "html": how this page was read
    notes: list[str] = field(default_factory=list)  # e.g. "page 3: no table found by OCR"


@dataclass
class SourceDocument:
    kind: str  # result-json document.kind
    pages: list[PageContent]
    page_count: int
