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

from PIL import Image, ImageDraw

from extractor.sources.images import load_image_pages, render_pdf_page

CROP_DPI = 150.0  # crops: small print stays legible
PAGE_DPI = 100.0  # the whole page beside its boxes
MARGIN_PT = 14.0  # around the cell
HEADER_PT = 110.0  # the column headers above a table's first value row
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
    """The cell with its row (from the page's left edge, so the row label is in view) and,
    above it, the column headers over the table's first row; the cell outlined in red.

    `table` holds the boxes of the other cells of the cell's table on the same page.
    """
    key = (str(path), path.stat().st_mtime_ns, cell, tuple(sorted((b.top, b.x0) for b in table)))
    return _crops.get(key, lambda: _crop(path, cell, table))


def _crop(path: Path, cell: Box, table: list[Box]) -> bytes:
    image, k = page_image(path, cell.page, CROP_DPI)
    width_pt, height_pt = image.width / k, image.height / k
    right = min(width_pt, cell.x1 + 4 * MARGIN_PT)
    row_top = max(0.0, cell.top - MARGIN_PT)
    row_bottom = min(height_pt, cell.bottom + MARGIN_PT)
    table_top = min([b.top for b in table] + [cell.top])
    header_top = max(0.0, table_top - HEADER_PT)
    if row_top - header_top <= HEADER_PT + 3 * MARGIN_PT:
        strips = [(header_top, row_bottom)]  # the header is close: one piece
    else:
        strips = [(header_top, table_top), (row_top, row_bottom)]
    pieces = [image.crop((0, round(a * k), round(right * k), round(b * k))) for a, b in strips]
    gap = 6 if len(pieces) > 1 else 0
    out = Image.new("RGB", (pieces[0].width, sum(p.height for p in pieces) + gap), (90, 90, 90))
    y = 0
    for piece in pieces:
        out.paste(piece, (0, y))
        y += piece.height + gap
    draw = ImageDraw.Draw(out)
    offset = out.height - pieces[-1].height
    last_top = strips[-1][0]
    box = (
        round(cell.x0 * k) - 2,
        offset + round((cell.top - last_top) * k) - 2,
        round(cell.x1 * k) + 2,
        offset + round((cell.bottom - last_top) * k) + 2,
    )
    draw.rectangle(box, outline=HIGHLIGHT, width=3)
    if len(pieces) > 1:  # the cell's column in the header strip
        draw.rectangle(
            (box[0], 0, box[2], pieces[0].height - 1), outline=(240, 140, 0), width=2
        )
    return _png(out)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()
