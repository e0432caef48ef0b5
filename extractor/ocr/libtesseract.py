"""tesseract kept loaded: the system's libtesseract through its C API (ctypes).

The `tesseract` command loads `chi_sim` again on every call (≈ 0.25 s); a loaded engine
reads a montage of cells for a fraction of that. This binds the very library the Debian
`tesseract` command links (`libtesseract.so.5`, installed with it), so a loaded engine reads
exactly what the command line reads: the same line finding, words and confidences. A
Python wheel (tesserocr) bundles its own, newer libtesseract, whose line finding differs
(on a 150-dpi scan it dropped a header line the command line reads), so it is not used.

Only the handful of calls the reader needs are bound: create, init, page mode, variables,
set image, TSV text, clear, delete (tesseract's `capi.h`, stable across 4.x and 5.x).
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import weakref
from functools import lru_cache

import numpy as np

LIBRARY_NAMES = ("libtesseract.so.5", "libtesseract.so.4", "libtesseract.so")
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata")


class TesseractUnavailable(RuntimeError):
    """The library or a language pack is missing: the caller falls back to the command."""


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    names = list(LIBRARY_NAMES)
    found = ctypes.util.find_library("tesseract")
    if found:
        names.append(found)
    for name in names:
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        _declare(lib)
        return lib
    raise TesseractUnavailable("libtesseract is not installed (apt-get install tesseract-ocr)")


def _declare(lib: ctypes.CDLL) -> None:
    handle = ctypes.c_void_p
    lib.TessBaseAPICreate.restype = handle
    lib.TessBaseAPICreate.argtypes = []
    lib.TessBaseAPIInit3.restype = ctypes.c_int
    lib.TessBaseAPIInit3.argtypes = [handle, ctypes.c_char_p, ctypes.c_char_p]
    lib.TessBaseAPISetPageSegMode.restype = None
    lib.TessBaseAPISetPageSegMode.argtypes = [handle, ctypes.c_int]
    lib.TessBaseAPISetVariable.restype = ctypes.c_int
    lib.TessBaseAPISetVariable.argtypes = [handle, ctypes.c_char_p, ctypes.c_char_p]
    lib.TessBaseAPISetImage.restype = None
    lib.TessBaseAPISetImage.argtypes = [handle, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                        ctypes.c_int, ctypes.c_int]
    lib.TessBaseAPIGetTsvText.restype = ctypes.c_void_p  # freed with TessDeleteText
    lib.TessBaseAPIGetTsvText.argtypes = [handle, ctypes.c_int]
    lib.TessDeleteText.restype = None
    lib.TessDeleteText.argtypes = [ctypes.c_void_p]
    lib.TessBaseAPIClear.restype = None
    lib.TessBaseAPIClear.argtypes = [handle]
    lib.TessBaseAPIDelete.restype = None
    lib.TessBaseAPIDelete.argtypes = [handle]


@lru_cache(maxsize=1)
def tessdata_dir() -> str:
    """Where the installed language packs are (the ones the command line reads)."""
    for candidate in (os.environ.get("TESSDATA_PREFIX"), *TESSDATA_DIRS):
        if candidate and os.path.exists(os.path.join(candidate, "eng.traineddata")):
            return candidate.rstrip("/") + "/"
    raise TesseractUnavailable("no tesseract language data found (apt-get install "
                               "tesseract-ocr-chi-sim)")


def available(languages: tuple[str, ...] = ("eng", "chi_sim")) -> bool:
    try:
        _library()
        folder = tessdata_dir()
    except TesseractUnavailable:
        return False
    return all(os.path.exists(os.path.join(folder, f"{lang}.traineddata")) for lang in languages)


_loaded: weakref.WeakSet[LoadedTesseract] = weakref.WeakSet()


@atexit.register
def _unload_all() -> None:
    """Free every engine before the library's own caches are torn down at exit (else
    tesseract prints a "LEAK!" warning per language model still in use)."""
    for engine in list(_loaded):
        engine.close()


class LoadedTesseract:
    """One initialised engine: a language, a page segmentation mode and its variables.

    Not safe to share between threads (tesseract's own rule); keep one per thread.
    """

    def __init__(self, lang: str, psm: int, variables: dict[str, str] | None = None) -> None:
        self._lib = _library()
        self._handle = self._lib.TessBaseAPICreate()
        if self._lib.TessBaseAPIInit3(self._handle, tessdata_dir().encode(), lang.encode()):
            self._lib.TessBaseAPIDelete(self._handle)
            self._handle = None
            raise TesseractUnavailable(f"tesseract could not load language {lang!r}")
        self._lib.TessBaseAPISetPageSegMode(self._handle, psm)
        for name, value in (variables or {}).items():
            if not self._lib.TessBaseAPISetVariable(self._handle, name.encode(), value.encode()):
                raise ValueError(f"tesseract has no variable {name!r}")
        _loaded.add(self)

    def tsv(self, image: np.ndarray) -> str:
        """tesseract's TSV (as `tesseract IMAGE - tsv` prints it) for a grayscale image."""
        image = np.ascontiguousarray(image, dtype=np.uint8)
        h, w = image.shape
        lib = self._lib
        lib.TessBaseAPISetImage(self._handle, image.ctypes.data, w, h, 1, w)
        pointer = lib.TessBaseAPIGetTsvText(self._handle, 0)
        try:
            return ctypes.string_at(pointer).decode("utf-8") if pointer else ""
        finally:
            if pointer:
                lib.TessDeleteText(pointer)
            lib.TessBaseAPIClear(self._handle)

    def close(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            self._handle = None
            self._lib.TessBaseAPIDelete(handle)

    __del__ = close
