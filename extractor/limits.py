"""What one document may cost: pixels to render, bytes to unpack, memory for its worker.

A hostile or broken file must fail as that file, not take the machine with it. The
sources check these bounds before they allocate (a PDF page's claimed size, an image's
header, a zip's directory); `cap_process_memory` is the last line, set in the worker
process that extracts (never in the batch or watch parent), so an allocation nothing
foresaw ends as a `MemoryError` the pipeline turns into a failed result.
"""

from __future__ import annotations

import os
import resource
import zipfile
from pathlib import Path

from extractor.errors import BrokenFileError, ExtractionError

# A page rendered for OCR: A4 at 600 dpi is 35 Mpx (105 MB as BGR); OCR copies it a few times.
MAX_RENDER_PIXELS = 40_000_000
# Below this a page's print is too small to read (the samples' OCR bar is met from 150 dpi).
MIN_RENDER_DPI = 100.0
# One image file's page (a long screenshot of several A4 sheets at 200 dpi is ~20 Mpx).
MAX_IMAGE_PIXELS = 60_000_000
# All pages of one image file together (a multi-page TIFF): 20 A4 pages at 300 dpi.
MAX_IMAGE_FILE_PIXELS = 180_000_000
# A Word file unpacked: a report with pictures is a few MB; python-docx reads every part.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
# Grid positions one web-page table may cover (rowspan × colspan): a report table has ~300.
MAX_TABLE_CELLS = 1_000_000
# Memory of the worker process that extracts one document (address space, bytes).
DEFAULT_WORKER_MEMORY = 3 * 1024**3
MEMORY_ENV = "EXTRACTOR_MAX_MEMORY_MB"


class TooLargeError(ExtractionError):
    """The file asks for more pixels, bytes or memory than a report can need."""


def render_dpi(width_pt: float, height_pt: float, dpi: float, name: str, page: int) -> float:
    """The resolution to render a page at: `dpi`, or less when the page is huge.

    Raises TooLargeError when even the lowest readable resolution would exceed the budget.
    """
    width_in, height_in = max(width_pt, 1.0) / 72.0, max(height_pt, 1.0) / 72.0
    if width_in * height_in * dpi * dpi <= MAX_RENDER_PIXELS:
        return dpi
    fitted = (MAX_RENDER_PIXELS / (width_in * height_in)) ** 0.5
    if fitted < MIN_RENDER_DPI:
        raise TooLargeError(
            f"{name}: page {page} is {width_in:.0f} × {height_in:.0f} inches (a report page "
            f"is A4, 8.3 × 11.7); at a readable resolution it would take more than "
            f"{MAX_RENDER_PIXELS:,} pixels. Re-export or re-scan the report at A4 size"
        )
    return fitted


def image_too_large(name: str, pixels: int, limit: int = MAX_IMAGE_PIXELS) -> TooLargeError:
    return TooLargeError(
        f"{name}: image too large ({pixels:,} pixels; the limit is {limit:,}, about "
        f"{limit // 8_700_000} A4 pages at 300 dpi). Scan or export it again at 200–300 dpi"
    )


def check_zip_size(path: Path) -> list[str]:
    """Refuse a zip (a .docx) whose directory says it unpacks to more than a report can be;
    the names of its entries otherwise.

    Read from the zip's central directory only, before anything is decompressed.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            total = sum(max(info.file_size, 0) for info in entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise BrokenFileError(damaged_word(path.name, exc)) from exc
    if total > MAX_UNZIPPED_BYTES:
        raise TooLargeError(
            f"{path.name}: the Word file unpacks to {total / 1024**2:,.0f} MB (the limit is "
            f"{MAX_UNZIPPED_BYTES // 1024**2} MB; a report is a few MB): it is not a plain "
            "report, or it is a zip bomb. Open it in Word/WPS and export it as PDF"
        )
    return [info.filename for info in entries]


def damaged_word(name: str, exc: BaseException) -> str:
    detail = str(exc) or type(exc).__name__
    detail = detail if len(detail) < 100 else detail[:97] + "…"
    return (
        f"{name}: the Word file is damaged ({detail}); open it in Word/WPS and save it "
        "again, or export it as PDF"
    )


def worker_memory_limit() -> int | None:
    """Bytes of address space a worker may use (`EXTRACTOR_MAX_MEMORY_MB`, 0 for none)."""
    text = os.environ.get(MEMORY_ENV, "")
    if text.strip():
        megabytes = int(text)
        return megabytes * 1024 * 1024 if megabytes > 0 else None
    return DEFAULT_WORKER_MEMORY


def cap_process_memory(limit: int | None = None) -> int | None:
    """Cap this process's address space (RLIMIT_AS); past it allocations raise MemoryError.

    Call it in a worker process only: the cap is for the whole process and cannot be
    raised again. Returns the cap set (None: no cap).
    """
    limit = worker_memory_limit() if limit is None else limit
    if not limit:
        return None
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def out_of_memory(name: str) -> str:
    limit = _current_cap()
    cap = f" (the limit is {limit / 1024**3:.1f} GB)" if limit else ""
    return (
        f"{name} needs more memory than one document may use{cap}; it is not a plain report "
        "(a huge page, image or table). Re-export it as a normal PDF, or split it"
    )


_NATIVE_OOM = ("insufficient memory", "failed to allocate", "bad_alloc", "out of memory",
               "cannot allocate memory")


def is_out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or a native library's (OpenCV, onnxruntime, a fork) way to say it."""
    if isinstance(exc, MemoryError) or getattr(exc, "errno", None) == 12:  # ENOMEM
        return True
    text = str(exc).lower()
    return any(marker in text for marker in _NATIVE_OOM)


def _current_cap() -> int | None:
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft
