"""Pictures of tables on PDF pages whose text layer is trusted.

A report written in Word with its tables pasted as screenshots and exported to PDF has a
good text layer for its prose and headings, and its tables only as images: the text path
finds no table there. Every large picture of such a page (one a table could fill) that no
text-layer table already covers is cut from the rendered page and read by the OCR path;
its grids join the text grids in reading order (by their top on the page).

On such a page the text path's tables without digits are prose it set out in columns, so
they give way to the page's text lines, which go between the grids as context-only grids
(no cells): the reconciler then meets each heading where it is printed, before or after
a picture, as it does in a Word file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pdfplumber.page import Page

from extractor.grid import BBox, Grid
from extractor.sources.pdf_text import text_lines
from extractor.sources.pictures import read_picture

MIN_WIDTH_SHARE = 0.3  # a table picture spans at least this share of the page's width
MIN_HEIGHT_PT = 40.0  # ... and is at least this tall (two rows of text)
COVERED_SHARE = 0.5  # a picture this much under a text-layer table is its background
RENDER_DPI = 300.0


@dataclass
class PictureRegion:
    box: BBox  # x0, top, x1, bottom in the (upright) page's points


@dataclass
class PagePictures:
    """What a page with table pictures needs once pdfplumber has closed the file."""

    number: int  # 1-based
    turn: int  # the quarter turn the text layer was turned by (sources/upright.py)
    regions: list[PictureRegion]
    tables: list[Grid]  # the text layer's own tables (columns, with numbers)
    lines: list[tuple[float, str]]  # the page's other text lines (top, text)


def page_pictures(page: Page, number: int, grids: list[Grid]) -> PagePictures | None:
    """The page's pictures that may be tables (large, not under a text-layer table) and
    its text in reading order; None when there are none."""
    tables = [g for g in grids if g.n_cols >= 2
              and any(ch.isdigit() for c in g.cells for ch in c.text)]
    regions = picture_regions(page, tables)
    if not regions:
        return None
    chars = [c for c in page.chars if c["text"].strip() and not _inside(c, tables)]
    return PagePictures(number=number, turn=getattr(page, "direction", 0), regions=regions,
                        tables=tables, lines=text_lines(chars))


def in_reading_order(pictures: PagePictures, found: list[Grid]) -> list[Grid]:
    """The page's tables and the pictures' tables, with its text lines between them."""
    text = [Grid(page=pictures.number, cells=[], n_rows=0, n_cols=0, source="text",
                 bbox=(0.0, top, 0.0, top), context=line, method="text")
            for top, line in pictures.lines]
    return sorted([*pictures.tables, *found, *text],
                  key=lambda g: g.bbox[1] if g.bbox else 0.0)


def _inside(ch: dict, grids: list[Grid]) -> bool:
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return any(g.bbox and g.bbox[0] <= cx <= g.bbox[2] and g.bbox[1] <= cy <= g.bbox[3]
               for g in grids)


def picture_regions(page: Page, tables: list[Grid]) -> list[PictureRegion]:
    """The page's pictures that may be tables: large, and not under a text-layer table
    (a table's background, or the image of a scan under its OCR text layer)."""
    regions: list[PictureRegion] = []
    for image in sorted(page.images, key=lambda i: i["top"]):
        box = (max(float(image["x0"]), 0.0), max(float(image["top"]), 0.0),
               min(float(image["x1"]), float(page.width)),
               min(float(image["bottom"]), float(page.height)))
        width, height = box[2] - box[0], box[3] - box[1]
        if width < MIN_WIDTH_SHARE * float(page.width) or height < MIN_HEIGHT_PT:
            continue
        if any(g.bbox and _overlap(box, g.bbox) > COVERED_SHARE * width * height
               for g in tables):
            continue
        regions.append(PictureRegion(box=box))
    return regions


def read_picture_regions(path: Path, page_index: int, turn: int,
                         regions: list[PictureRegion]) -> tuple[list[Grid], list[str]]:
    """OCR each region of one page; grids in page points, with the notes of the reading.

    `turn` is the quarter turn (degrees) the text layer was turned by to stand upright
    (sources/upright.py), so the render is turned the same way before it is cut.
    """
    from extractor.sources.images import render_pdf_page_image

    rendered = render_pdf_page_image(path, page_index, RENDER_DPI)  # less for a huge page
    page_image, dpi = rendered.image, rendered.dpi
    if turn:
        page_image = np.ascontiguousarray(np.rot90(page_image, turn // 90))
    scale = dpi / 72.0
    grids: list[Grid] = []
    notes: list[str] = []
    for region in regions:
        x0, top, x1, bottom = (int(round(v * scale)) for v in region.box)
        crop = page_image[top:bottom, x0:x1]
        if crop.size == 0:
            continue
        reading = read_picture(crop, dpi, page_index + 1, "",
                               f"a picture on page {page_index + 1}")
        for grid in reading.grids:
            grid.shift(region.box[0], region.box[1])
        grids += reading.grids
        notes += reading.warnings
    return grids, notes


def _overlap(a: BBox, b: BBox) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


