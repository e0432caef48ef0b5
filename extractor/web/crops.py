"""Page images and cell crops for the review app, rendered from the stored file and cached.

Cell boxes are PDF points on the page as given (x0, top, x1, bottom; for image files the
pixels × 72/dpi the OCR used), so a page is rendered with the same functions the
extractor read it with (`sources.images`): a box lands on the same ink at any scale.

The file is found only through the paths the database holds for the document, and only
a file whose content still has the document's sha256 is used: a moved or replaced file
is reported as missing (`FileMissingError`), never shown in its place.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from extractor.sources.images import load_image_pages, render_pdf_page

CROP_DPI = 150.0  # crops: small print stays legible
PAGE_DPI = 100.0  # the whole page beside its boxes
MARGIN_PT = 14.0  # around the cell
HEADER_PT = 110.0  # the column headers above a table's first value row
LABEL_PT = 230.0  # the row labels left of a table's first value column
HIGHLIGHT = (220, 30, 30)


class FileMissingError(FileNotFoundError):
    """None of the document's stored paths holds its content any more."""


@dataclass(frozen=True)
class Box:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float


class _Cache:
    """A small thread-safe LRU: page renders are the costly part (~20–200 ms each)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_pages = _Cache(24)
_crops = _Cache(512)
_hashes = _Cache(256)


def locate_file(paths: list[str], sha256: str) -> Path:
    """The first stored path whose file still has the document's content."""
    for text in paths:
        path = Path(text)
        try:
            stat = path.stat()
        except OSError:
            continue
        if not path.is_file():
            continue
        digest = _hashes.get((str(path), stat.st_mtime_ns, stat.st_size), lambda p=path: _sha(p))
        if digest == sha256:
            return path
    raise FileMissingError(
        "the document's file is no longer at "
        + (", ".join(paths) if paths else "its stored path")
        + " (moved, renamed or changed): review by values still works"
    )


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def page_image(path: Path, page: int, dpi: float) -> tuple[Image.Image, float]:
    """Page `page` (1-based) as an RGB image and its pixels per point."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, page, dpi)
    return _pages.get(key, lambda: _render(path, page, dpi))


def _render(path: Path, page: int, dpi: float) -> tuple[Image.Image, float]:
    with path.open("rb") as fh:
        is_pdf = fh.read(5) == b"%PDF-"
    if is_pdf:
        document = pdfium.PdfDocument(str(path))
        try:
            count = len(document)
        finally:
            document.close()
        if not 1 <= page <= count:
            raise IndexError(f"page {page} is not in the file ({count} pages)")
        bgr = render_pdf_page(path, page - 1, dpi)
        return Image.fromarray(bgr[:, :, ::-1].copy()), dpi / 72.0
    frames, frame_dpi = load_image_pages(path)
    if not 1 <= page <= len(frames):
        raise IndexError(f"page {page} is not in the file ({len(frames)} pages)")
    image = Image.fromarray(frames[page - 1][:, :, ::-1].copy())
    scale = dpi / frame_dpi  # show the image about as large as a PDF page at `dpi`
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size)
    else:
        scale = 1.0
    return image, scale * frame_dpi / 72.0


def page_size(path: Path, page: int) -> tuple[float, float]:
    """The page's width and height in points."""
    image, px_per_pt = page_image(path, page, PAGE_DPI)
    return image.width / px_per_pt, image.height / px_per_pt


def page_png(path: Path, page: int) -> bytes:
    image, _ = page_image(path, page, PAGE_DPI)
    return _png(image)


def cell_crop_png(path: Path, cell: Box, table: list[Box]) -> bytes:
    """The cell with its row label and its column headers in view; the cell outlined in red.

    Horizontally: the label column (left of the table's first value column) and the
    cell's neighbourhood, joined by a grey bar when far apart. Vertically: the headers
    above the table's first value row and the cell's row, likewise. `table` holds the
    boxes of the cell's table on the same page.
    """
    key = (str(path), path.stat().st_mtime_ns, cell, tuple(sorted((b.top, b.x0) for b in table)))
    return _crops.get(key, lambda: _crop(path, cell, table))


def _spans(lead_from: float, lead_to: float, near_from: float, near_to: float,
           join_below: float) -> list[tuple[float, float]]:
    """One span when the two are close, else the lead (labels/headers) and the near part."""
    if near_from - lead_to <= join_below:
        return [(lead_from, near_to)]
    return [(lead_from, lead_to), (near_from, near_to)]


def _crop(path: Path, cell: Box, table: list[Box]) -> bytes:
    image, k = page_image(path, cell.page, CROP_DPI)
    width_pt, height_pt = image.width / k, image.height / k
    w, h = cell.x1 - cell.x0, cell.bottom - cell.top
    first_x = min([b.x0 for b in table] + [cell.x0])
    first_top = min([b.top for b in table] + [cell.top])
    columns = _spans(
        max(0.0, first_x - LABEL_PT), first_x,
        max(first_x, cell.x0 - 1.5 * w), min(width_pt, cell.x1 + 0.75 * w), w,
    )
    rows = _spans(
        max(0.0, first_top - HEADER_PT), first_top,
        max(first_top, cell.top - MARGIN_PT), min(height_pt, cell.bottom + MARGIN_PT), 3 * h,
    )
    gap = 6
    out_w = sum(round((b - a) * k) for a, b in columns) + gap * (len(columns) - 1)
    out_h = sum(round((b - a) * k) for a, b in rows) + gap * (len(rows) - 1)
    out = Image.new("RGB", (out_w, out_h), (90, 90, 90))
    y = 0
    for top, bottom in rows:
        x = 0
        for left, right in columns:
            box = (round(left * k), round(top * k), round(right * k), round(bottom * k))
            piece = image.crop(box)
            out.paste(piece, (x, y))
            x += piece.width + gap
        y += round((bottom - top) * k) + gap

    def place(value: float, spans: list[tuple[float, float]]) -> int:
        offset = 0
        for a, b in spans:
            if value <= b or (a, b) == spans[-1]:
                return offset + round((max(value, a) - a) * k)
            offset += round((b - a) * k) + gap
        return offset

    draw = ImageDraw.Draw(out)
    x0, x1 = place(cell.x0, columns), place(cell.x1, columns)
    y0, y1 = place(cell.top, rows), place(cell.bottom, rows)
    draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=HIGHLIGHT, width=3)
    if len(rows) > 1:  # the cell's column among the headers
        header_h = round((rows[0][1] - rows[0][0]) * k)
        draw.rectangle((x0 - 2, 0, x1 + 2, header_h - 1), outline=(240, 140, 0), width=2)
    return _png(out)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()
