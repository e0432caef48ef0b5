"""Page images for OCR: PDF pages rendered with pdfium, and image files read with Pillow.

pypdfium2 renders in-process (about 20 ms per A4 page at 200 dpi); poppler's pdftoppm
costs a process, a file round trip and ~60 ms per page at the same resolution, so pdfium
is used. Images are returned as numpy BGR arrays (OpenCV's order).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, ImageSequence

OCR_DPI = 300  # rendering resolution for untrusted PDF pages: the digits bar is met at 200–300
A4_INCHES = (8.27, 11.69)
MIN_DPI, MAX_DPI = 72.0, 1200.0


@dataclass
class PageImage:
    image: np.ndarray  # BGR, uint8
    dpi: float  # pixels per inch of the page as printed (declared by the file or estimated)
    dpi_estimated: bool = False


def render_pdf_page(path: str | Path, page_index: int, dpi: float = OCR_DPI) -> np.ndarray:
    """Render one PDF page (0-based index) to a BGR array at `dpi`."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[page_index]
        bitmap = page.render(scale=dpi / 72.0, rev_byteorder=False)
        array = bitmap.to_numpy()
        mode = bitmap.mode
        page.close()
    finally:
        pdf.close()
    return _to_bgr(array, mode)


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
    pages: list[PageImage] = []
    with Image.open(path) as img:
        for frame in ImageSequence.Iterator(img):
            frame = ImageOps.exif_transpose(frame)
            declared = _declared_dpi(frame)
            rgb = np.asarray(frame.convert("RGB"))
            bgr = np.ascontiguousarray(rgb[:, :, ::-1])
            dpi = declared or estimate_dpi(bgr.shape[1], bgr.shape[0])
            pages.append(PageImage(image=bgr, dpi=dpi, dpi_estimated=declared is None))
    return pages


def estimate_dpi(width_px: int, height_px: int) -> float:
    """The DPI at which an A4 page has this pixel size (a photo or a file without metadata)."""
    short_px, long_px = sorted((width_px, height_px))
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
