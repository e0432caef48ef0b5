"""A second look at PDF pages whose text layer looked right but gave no table.

`trust.py` judges a text layer by its characters alone. A ToUnicode map that permutes the
font's own characters (a shuffled CMap) decodes to common hanzi and digits, so the page is
trusted, yet no heading, header or label in it can be recognised. When the text layer of a
PDF yields no statistical table, its pages are read again by OCR before giving up.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from extractor.sources.base import SourceDocument
from extractor.sources.scan import ocr_pdf_pages

# An annual report runs to a dozen pages or so. In a longer PDF only the pages holding a
# table grid (and the first, for the title) are worth reading again: OCR costs seconds a
# page, and a long document with no grid at all (minutes, a law, a book) is no report.
MAX_PAGES_READ_WHOLE = 20


def pages_to_reread(source: SourceDocument, pages_with_values: set[int],
                    tables_missing: bool) -> list[int]:
    """The text-layer pages worth reading again by OCR, or none.

    Nothing found at all in a short document: every text page (tables may be printed
    without rules). Otherwise only when a text page holds a ruled table grid that gave no
    value (a table whose text is nonsense): then every text page that gave no value, so the title
    page is read too — in a long document, only the pages with a grid and the first."""
    text_pages = [p for p in source.pages if p.reading == "text"]
    if not tables_missing or not text_pages:
        return []
    idle = [p for p in text_pages if p.number not in pages_with_values]
    # a ruled grid, not rows the text path aligned (any page of prose gives some of those)
    gridded = [p.number for p in idle if any(g.method == "ruled" for g in p.grids)]
    if not gridded and (pages_with_values or len(source.pages) > MAX_PAGES_READ_WHOLE):
        return []
    if len(source.pages) > MAX_PAGES_READ_WHOLE:
        return sorted({idle[0].number, *gridded})
    return [p.number for p in idle]


def reread_by_ocr(path: Path, source: SourceDocument, numbers: list[int]) -> SourceDocument:
    """`source` with the given pages read by OCR instead of their text layer."""
    pages = list(source.pages)
    for content in ocr_pdf_pages(path, numbers):
        pages[content.number - 1] = content
    # some pages are OCR'd now: the document is a scan, or mixed if text pages remain
    kind = "scan" if all(p.reading == "ocr" for p in pages) else "mixed"
    return replace(source, pages=pages, kind=kind)


def describe(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8]) + ("…" if len(numbers) > 8 else "")
    return (f"the text layer of page(s) {shown} looked readable but gave no statistical "
            "table (a font whose characters do not decode to what is printed?): "
            "read by OCR instead")

