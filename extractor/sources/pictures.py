"""Tables pasted as pictures: a picture inside a Word file, a web page or a PDF page is
read by the OCR path, like a scanned page, and its grids take the picture's place in the
document's reading order.

Agencies often paste a screenshot of a table into their report. Each backend finds its
pictures (word.py, html.py, pdf_pictures.py) and hands the decoded image here, with the
resolution it is printed at and the text just above it (its heading).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from extractor.grid import Grid

MIN_SIDE_PX = 120  # smaller pictures are icons, logos or seals, never a statistical table
MIN_TEXT_ROWS_PX = 60  # ... and a table picture is at least this tall
ASSUMED_CELL_PT = 10.5  # body text size, used to estimate the scale of a picture of unknown size
MIN_DPI, MAX_DPI = 72.0, 600.0
MAX_PICTURE_PIXELS = 60_000_000  # a bigger picture is not decoded (a decompression bomb)


@dataclass
class PictureReading:
    grids: list[Grid] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def decode_picture(blob: bytes) -> np.ndarray | None:
    """The picture as a BGR array, or None when it is no raster image Pillow reads
    (EMF/WMF drawings, SVG, damaged data) or is too small to hold a table."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(blob)) as img:
            if img.width * img.height > MAX_PICTURE_PIXELS:
                return None
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "P"):
                img = img.convert("RGBA")
                white = Image.new("RGBA", img.size, (255, 255, 255, 255))
                img = Image.alpha_composite(white, img)
            rgb = np.asarray(img.convert("RGB"))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    if min(rgb.shape[:2]) < MIN_TEXT_ROWS_PX or max(rgb.shape[:2]) < MIN_SIDE_PX:
        return None
    return np.ascontiguousarray(rgb[:, :, ::-1])


def dpi_from_print_width(width_px: int, width_inches: float | None) -> float | None:
    """The picture's resolution as printed: its pixels over the width it is shown at."""
    if not width_inches or width_inches <= 0:
        return None
    dpi = width_px / width_inches
    return dpi if MIN_DPI <= dpi <= MAX_DPI * 2 else None


def dpi_from_glyphs(image: np.ndarray) -> float:
    """A scale for a picture of unknown print size: its typical glyph as body text."""
    import cv2

    from extractor.ocr.orientation import glyph_size

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    glyph = glyph_size(ink, max_px=max(image.shape[:2]) // 4)
    if glyph == 0:
        return 96.0
    return float(min(max(glyph / (ASSUMED_CELL_PT / 72.0), MIN_DPI), MAX_DPI))


def read_picture(image: np.ndarray, dpi: float | None, page_number: int, context: str,
                 name: str) -> PictureReading:
    """The tables of one picture, each grid's context prefixed by the text above the picture."""
    from extractor.ocr import read_page_image

    scale = dpi or dpi_from_glyphs(image)
    page = read_page_image(image, page_number, scale, read_text=False)
    for grid in page.grids:
        grid.context = "\n".join(part for part in (context, grid.context) if part)
    warnings = [w.replace(f"page {page_number}", name) for w in page.warnings]
    return PictureReading(grids=page.grids, warnings=warnings)


EMU_PER_INCH = 914400


def docx_paragraph_pictures(paragraph: object) -> list[tuple[bytes, float | None]]:
    """The raster pictures drawn in one Word paragraph (inline or floating), in order, each
    with the width it is printed at (inches) when the file says so."""
    element = paragraph._element  # type: ignore[attr-defined]
    part = paragraph.part  # type: ignore[attr-defined]
    found: list[tuple[bytes, float | None]] = []
    for drawing in element.xpath(".//w:drawing"):
        widths = drawing.xpath(".//wp:extent/@cx")
        inches = int(widths[0]) / EMU_PER_INCH if widths and widths[0].isdigit() else None
        for rid in drawing.xpath(".//a:blip/@r:embed"):
            related = part.related_parts.get(rid)
            if related is not None:
                found.append((related.blob, inches))
    return found


def docx_picture_grids(paragraph: object, context: str, notes: list[str]) -> list[Grid]:
    """The tables of the pictures in one Word paragraph, read by OCR (notes collect doubts)."""
    grids: list[Grid] = []
    for blob, inches in docx_paragraph_pictures(paragraph):
        image = decode_picture(blob)
        if image is None:
            continue
        dpi = dpi_from_print_width(image.shape[1], inches)
        reading = read_picture(image, dpi, 1, context, "a picture")
        grids += reading.grids
        notes += reading.warnings
    return grids


PICTURES_NOT_SAVED = ("the tables of this page are pictures that were not saved with it: "
                      "save the page as 'Web page, complete' or print it to PDF")
MAX_PICTURE_BYTES = 50 * 1024 * 1024
CSS_PX_PER_INCH = 96.0


def html_picture_grids(page: Path, pictures: list[tuple[int, str, str, str]],
                       notes: list[str]) -> list[tuple[int, list[Grid]]]:
    """The tables of a web page's pictures, each with the number of <table>s before it.

    A picture is read when the page carries it (`data:` URI) or when it was saved beside
    the page, inside the page's own folder (the `<name>_files/` folder of "Web page,
    complete"). Nothing is fetched from the web, and no path leading out of the page's
    folder is followed. Pictures that are not there are counted; `notes` says so when the
    page shows no table of its own.
    """
    out: list[tuple[int, list[Grid]]] = []
    missing: list[str] = []
    for position, src, width, context in pictures:
        blob, problem = _html_picture_bytes(page, src)
        if blob is None:
            if problem:
                missing.append(problem)
            continue
        image = decode_picture(blob)
        if image is None:
            continue
        inches = _css_inches(width)
        reading = read_picture(image, dpi_from_print_width(image.shape[1], inches), 1, context,
                               "a picture")
        notes += reading.warnings
        if reading.grids:
            out.append((position, reading.grids))
    if missing and not out:
        shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
        notes.append(f"{len(missing)} picture(s) of the page are not saved with it ({shown}); "
                     f"if {PICTURES_NOT_SAVED}")
    return out


def _html_picture_bytes(page: Path, src: str) -> tuple[bytes | None, str]:
    """The picture's bytes, or None and why not ("" when there is nothing to say)."""
    import base64
    import binascii
    from urllib.parse import unquote, urlsplit

    src = src.strip()
    if not src:
        return None, ""
    if src[:5].lower() == "data:":
        header, _, payload = src[5:].partition(",")
        if not header.lower().startswith("image/"):
            return None, ""
        try:
            if header.lower().endswith(";base64"):
                return base64.b64decode(payload, validate=False), ""
            return unquote(payload).encode("latin-1"), ""
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return None, "a damaged data: picture"
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
        return None, f"{src[:60]} (on the web, not fetched)"
    folder = page.resolve().parent
    target = (folder / unquote(parts.path)).resolve()
    if not target.is_relative_to(folder):
        return None, f"{src[:60]} (outside the page's folder, not read)"
    if not target.is_file():
        return None, f"{src[:60]} (missing)"
    if target.stat().st_size > MAX_PICTURE_BYTES:
        return None, f"{src[:60]} (too large)"
    return target.read_bytes(), ""


def _css_inches(width: str) -> float | None:
    """A width attribute in CSS pixels (the `<img width=...>` the page shows it at)."""
    try:
        value = float(width.strip().removesuffix("px"))
    except ValueError:
        return None
    return value / CSS_PX_PER_INCH if value > 0 else None
