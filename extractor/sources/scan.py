"""The seam between the text path and the OCR path.

Which PDF pages need OCR is decided by `text_layer_trust`; OCR itself lives in
`extractor.ocr`. Until it is present, untrusted pages are reported, not guessed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pdfplumber.page import Page

from extractor.metadata import has_title
from extractor.sources.base import TITLE_PAGES, PageContent, SourceDocument

Trust = Literal["good", "garbled", "none"]


def text_layer_trust(page: Page) -> Trust:
    """How far the page's text layer can be trusted; a page with neither text nor an
    image on it (a signature page, a table's last row) is simply a short text page."""
    try:
        from extractor.sources.trust import classify_text_layer
    except ImportError:
        trust: Trust = "good" if any(c["text"].strip() for c in page.chars) else "none"
    else:
        trust = classify_text_layer(page)
    if trust == "none" and not page.images:
        return "good"
    return trust


def ocr_pdf_pages(path: Path, page_numbers: list[int]) -> list[PageContent]:
    try:
        from extractor.ocr import read_page_image
        from extractor.sources.images import render_pdf_page_image
    except ImportError:
        return [
            PageContent(number=n, reading="ocr",
                        notes=[f"page {n} needs OCR, which is not available in this build"])
            for n in page_numbers
        ]
    out = []
    titled = False  # the report's title read: no later page's top is read for it
    for number in page_numbers:
        rendered = render_pdf_page_image(path, number - 1, 300.0)  # less for a huge page
        page = read_page_image(rendered.image, number, rendered.dpi,
                               read_text=number <= TITLE_PAGES and not titled)
        titled = titled or has_title(page.text)
        notes = page.warnings + ([] if page.grids else [f"page {number}: no table found"])
        out.append(PageContent(number=number, grids=page.grids, text=page.text, reading="ocr",
                               notes=notes))
    return out


def read_image_file(path: Path) -> SourceDocument:
    """A photographed or scanned report: every page (TIFF frame) goes to OCR."""
    from extractor.errors import UnsupportedFileError

    try:
        from extractor.ocr import read_page_image
        from extractor.sources.images import load_image_pages
    except ImportError as exc:
        raise UnsupportedFileError(
            f"{path.name} is an image; OCR is not available in this build"
        ) from exc
    images, dpi = load_image_pages(path)
    pages = []
    titled = False  # as in ocr_pdf_pages
    for index, image in enumerate(images):
        page = read_page_image(image, index + 1, dpi, read_text=index < TITLE_PAGES and not titled)
        titled = titled or has_title(page.text)
        pages.append(PageContent(number=index + 1, grids=page.grids, text=page.text,
                                 reading="ocr", notes=page.warnings))
    return SourceDocument(kind="image", pages=pages, page_count=len(pages))
