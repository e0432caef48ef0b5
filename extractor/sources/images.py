"""Page images for OCR: PDF pages rendered with pdfium, and image files read with Pillow.

pypdfium2 renders in-process (about 20 ms per A4 page at 200 dpi); poppler's pdftoppm
costs a process, a file round trip and ~60 ms per page at the same resolution, so pdfium
is used. Images are returned as numpy BGR arrays (OpenCV's order).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence

from extractor.errors import BrokenFileError, ExtractionError
from extractor.limits import MAX_IMAGE_FILE_PIXELS, MAX_IMAGE_PIXELS, image_too_large, render_dpi

EXIF_ORIENTATION = 0x0112  # the EXIF tag of a photo's turn
OCR_DPI = 300  # rendering resolution for untrusted PDF pages: the digits bar is met at 200–300
A4_INCHES = (8.27, 11.69)
MIN_DPI, MAX_DPI = 72.0, 1200.0
STACKED_PAGES = 1.5  # an image this many times as long as an A4 page of its width: pages stacked


@dataclass
class PageImage:
    image: np.ndarray  # BGR, uint8
    dpi: float  # pixels per inch of the page as printed (declared by the file or estimated)
    dpi_estimated: bool = False


def render_pdf_page(path: str | Path, page_index: int, dpi: float = OCR_DPI) -> np.ndarray:
    """Render one PDF page (0-based index) to a BGR array at `dpi` (less for a huge page)."""
    return render_pdf_page_image(path, page_index, dpi).image


def render_pdf_page_image(path: str | Path, page_index: int, dpi: float = OCR_DPI) -> PageImage:
    """Render one PDF page, bounded by pixels rather than by the size the page claims.

    A page larger than A4 is rendered at a lower resolution so the bitmap stays within
    `MAX_RENDER_PIXELS` (`dpi` of the result says which); a page too large to read at
    any affordable resolution, or one pdfium cannot draw, raises a clear error.
    """
    import pypdfium2 as pdfium

    name = Path(path).name
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise BrokenFileError(_unrenderable(name, page_index, exc)) from exc
    try:
        page = pdf[page_index]
        try:
            width, height = page.get_size()
            dpi = render_dpi(width, height, dpi, name, page_index + 1)
            bitmap = page.render(scale=dpi / 72.0, rev_byteorder=False)
            array = bitmap.to_numpy()
            mode = bitmap.mode
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise BrokenFileError(_unrenderable(name, page_index, exc)) from exc
    finally:
        pdf.close()
    return PageImage(image=_to_bgr(array, mode), dpi=dpi)


def _unrenderable(name: str, page_index: int, exc: BaseException) -> str:
    return (f"{name}: page {page_index + 1} cannot be drawn ({exc}); the file may be "
            "damaged: re-download or re-export it")


def load_image_pages(path: str | Path) -> tuple[list[np.ndarray], float]:
    """Every page of an image file (PNG, JPEG, TIFF incl. multi-page), and the file's DPI.

    The DPI is the first page's (see `load_image_frames` for each page's own).
    """
    frames = load_image_frames(path)
    return [f.image for f in frames], (frames[0].dpi if frames else estimate_dpi(0, 0))


def load_image_frames(path: str | Path) -> list[PageImage]:
    """Every page of an image file with its own DPI.

    The DPI is the one the file declares when it is plausible, else estimated from the
    pixel size assuming the page is A4 (portrait or landscape).
    """
    name = Path(path).name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                _check_pixels(img, name)
                return [_frame_image(frame) for frame in ImageSequence.Iterator(img)]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise image_too_large(name, int(pixels.group(1)) if pixels else 0) from exc
    except (ExtractionError, MemoryError, FileNotFoundError, PermissionError):
        raise
    except Exception as exc:  # Pillow's decoders raise all kinds on damaged bytes
        raise BrokenFileError(
            f"{name} is an image that cannot be read (it may be truncated or damaged: {exc}); "
            "re-download it or scan it again"
        ) from exc


def _check_pixels(img: Image.Image, name: str) -> None:
    """Every frame's size from the headers alone, before any pixel is decoded."""
    total = 0
    for frame in ImageSequence.Iterator(img):
        pixels = frame.width * frame.height
        if pixels > MAX_IMAGE_PIXELS:
            raise image_too_large(name, pixels)
        total += pixels
        if total > MAX_IMAGE_FILE_PIXELS:
            raise image_too_large(name, total, MAX_IMAGE_FILE_PIXELS)
    img.seek(0)


def _frame_image(frame: Image.Image) -> PageImage:
    # Only a photo tagged as turned is transposed: the copy costs ~0.2 s on a long image.
    if frame.getexif().get(EXIF_ORIENTATION, 1) != 1:
        frame = ImageOps.exif_transpose(frame)
    declared = _declared_dpi(frame)
    rgb = np.asarray(frame if frame.mode == "RGB" else frame.convert("RGB"))
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)  # half the time of a numpy flip and copy
    dpi = declared or estimate_dpi(bgr.shape[1], bgr.shape[0])
    return PageImage(image=bgr, dpi=dpi, dpi_estimated=declared is None)


def estimate_dpi(width_px: int, height_px: int) -> float:
    """The DPI at which an A4 page has this pixel size (a photo or a file without metadata).

    An image much longer than a page is pages stacked (a report shared as one picture):
    its width is a page's, its length says nothing."""
    short_px, long_px = sorted((width_px, height_px))
    if long_px > short_px * A4_INCHES[1] / A4_INCHES[0] * STACKED_PAGES:
        guess = short_px / A4_INCHES[0]
    else:
        guess = (short_px / A4_INCHES[0] + long_px / A4_INCHES[1]) / 2
    return float(min(max(guess, MIN_DPI), MAX_DPI))


def _declared_dpi(frame: Image.Image) -> float | None:
    dpi = frame.info.get("dpi")
    if not dpi:
        return None
    try:
        value = float(dpi[0] if isinstance(dpi, tuple | list) else dpi)
    except (TypeError, ValueError):
        return None
    # 72 and 96 are the defaults many tools write without meaning it: check against A4.
    if not MIN_DPI <= value <= MAX_DPI:
        return None
    estimate = estimate_dpi(frame.width, frame.height)
    if value in (72.0, 96.0) and abs(estimate - value) / value > 0.25:
        return None
    return value


def _to_bgr(array: np.ndarray, mode: str) -> np.ndarray:
    if array.ndim == 2:
        return np.ascontiguousarray(np.repeat(array[:, :, None], 3, axis=2))
    if mode in ("BGRA", "BGRX"):
        return np.ascontiguousarray(array[:, :, :3])
    if mode in ("RGBA", "RGBX"):
        return np.ascontiguousarray(array[:, :, 2::-1])
    if mode == "RGB":
        return np.ascontiguousarray(array[:, :, ::-1])
    return np.ascontiguousarray(array[:, :, :3])  # BGR
