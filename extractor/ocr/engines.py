"""OCR engines behind one small interface.

An engine reads a batch of single-line crops (one table cell or one heading line each)
and returns one text and one confidence (0..1) per crop. Batching matters: tesseract
costs a process per call, so it reads a whole batch as one montage image; RapidOCR's
recogniser takes the crops as one tensor batch. Neither ever downloads a model:
tesseract uses the Debian language packs, RapidOCR the PP-OCR models inside its wheel.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import cv2
import numpy as np

from extractor.ocr import libtesseract

# tesseract starts an OpenMP thread per core for every small image it is given; on short
# crops the threads only fight (measured: a table page 9.2 s → 2.1 s with one thread).
# A caller who wants otherwise sets the variable first.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

CropKind = Literal["label", "value"]
VALUE_CHARS = "0123456789.,-/"  # the value whitelist (dashes are normalised to "-")


@dataclass
class Reading:
    text: str
    confidence: float  # 0..1, the engine's own


class OcrEngine(Protocol):
    name: str

    def read(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        """One reading per crop (grayscale, dark text on white, one line of text each)."""
        ...

    def read_single(self, crop: np.ndarray, kind: CropKind) -> Reading:
        """A second, careful look at one crop that the batch read returned empty."""
        ...


def available_engines() -> list[str]:
    names = []
    if _tesseract_ok() or libtesseract.available():
        names.append("tesseract")
    if _rapidocr_ok():
        names.append("rapidocr")
    return names


def get_engine(name: str) -> OcrEngine:
    if name == "tesseract":
        return TesseractEngine()
    if name in ("tesseract/api", "tesseract/cli"):  # one way of calling it, for the bench
        return TesseractEngine(backend=name.split("/")[1])  # type: ignore[arg-type]
    if name == "rapidocr":
        return _rapid_singleton()
    raise ValueError(f"unknown OCR engine {name!r}; available: {available_engines()}")


# --- tesseract ------------------------------------------------------------------------

TESS_LINE_PX = 40  # text height tesseract reads best (its LSTM models are trained ~30–40 px)
TessBackend = Literal["api", "cli"]


class TesseractEngine:
    """tesseract: `chi_sim` for labels, a digit whitelist for values.

    Crops are scaled to a common text height and stacked into one montage, read in one
    call with page segmentation mode 6 (a uniform block: one cell per line); words are
    assigned back to crops by their vertical position.

    Two ways to call the same library, giving the same words and confidences: `api`, the
    system's libtesseract loaded once per (language, mode, whitelist) for the life of the
    thread (libtesseract.py), the default; `cli`, pytesseract's subprocess per call, which
    loads `chi_sim` again every time (≈ 0.25 s a call): the fallback where the library
    cannot be loaded, or by choice (`EXTRACTOR_TESSERACT=cli`).
    """

    name = "tesseract"

    def __init__(self, backend: TessBackend | None = None) -> None:
        if backend is None:
            wanted = os.environ.get("EXTRACTOR_TESSERACT", "api")
            backend = "api" if wanted == "api" and libtesseract.available() else "cli"
        self.backend: TessBackend = backend

    def read(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        if not crops:
            return []
        montage, spans = _montage(crops, TESS_LINE_PX)
        if kind == "value":
            data = self._data(montage, "eng", 6, VALUE_CHARS)
        else:
            data = self._data(montage, "chi_sim", 6, None)
        words: list[list[tuple[int, str, float]]] = [[] for _ in crops]
        for text, conf, left, top, height in zip(
            data["text"], data["conf"], data["left"], data["top"], data["height"], strict=True
        ):
            text = text.strip()
            if not text or float(conf) < 0:
                continue
            centre = top + height / 2
            for i, (y0, y1) in enumerate(spans):
                if y0 <= centre < y1:
                    words[i].append((left, text, float(conf) / 100.0))
                    break
        out = []
        for found in words:
            found.sort()
            text = "".join(t for _, t, _ in found)
            conf = min((c for _, _, c in found), default=0.0)
            out.append(Reading(text=text, confidence=conf))
        return out

    def read_single(self, crop: np.ndarray, kind: CropKind) -> Reading:
        """One crop as one text line (psm 7): for the rare crop a montage read dropped."""
        montage, _ = _montage([crop], TESS_LINE_PX)
        if kind == "value":
            data = self._data(montage, "eng", 7, VALUE_CHARS)
        else:
            data = self._data(montage, "chi_sim", 7, None)
        found = [(left, t.strip(), float(c) / 100.0)
                 for t, c, left in zip(data["text"], data["conf"], data["left"], strict=True)
                 if t.strip() and float(c) >= 0]
        found.sort()
        return Reading(text="".join(t for _, t, _ in found),
                       confidence=min((c for _, _, c in found), default=0.0))

    def _data(self, image: np.ndarray, lang: str, psm: int,
              whitelist: str | None) -> dict[str, list]:
        """tesseract's words (text, conf 0..100, left, top, height) on a grayscale image."""
        if self.backend == "api":
            return _api_data(image, lang, psm, whitelist)
        import pytesseract

        config = f"--psm {psm}"
        if whitelist:
            config += f" -c tessedit_char_whitelist={whitelist}"
        elif lang == "chi_sim":
            config += " -c preserve_interword_spaces=1"
        return pytesseract.image_to_data(image, lang=lang, config=config,
                                         output_type=pytesseract.Output.DICT)


_api_local = threading.local()


def _api(lang: str, psm: int, whitelist: str | None) -> libtesseract.LoadedTesseract:
    """This thread's loaded tesseract for (language, mode, whitelist): loaded once, kept.

    An engine is not safe to share between threads; batch workers are processes, so in
    practice one per process. Loading `chi_sim` costs ≈ 0.2 s; reading a montage of short
    crops costs far less than that.
    """
    cache = getattr(_api_local, "apis", None)
    if cache is None:
        cache = _api_local.apis = {}
    key = (lang, psm, whitelist)
    api = cache.get(key)
    if api is None:
        variables = ({"tessedit_char_whitelist": whitelist} if whitelist else
                     {"preserve_interword_spaces": "1"} if lang == "chi_sim" else {})
        api = cache[key] = libtesseract.LoadedTesseract(lang, psm, variables)
    return api


def _api_data(image: np.ndarray, lang: str, psm: int, whitelist: str | None) -> dict[str, list]:
    """The same words the command line prints (`image_to_data`), from the loaded engine."""
    image = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    data: dict[str, list] = {"text": [], "conf": [], "left": [], "top": [], "height": []}
    for row in _api(lang, psm, whitelist).tsv(image).splitlines():
        parts = row.split("\t")
        if len(parts) < 12:
            continue
        data["left"].append(int(parts[6]))
        data["top"].append(int(parts[7]))
        data["height"].append(int(parts[9]))
        # Whole percents, as pytesseract's `image_to_data` gives them.
        data["conf"].append(int(float(parts[10])))
        data["text"].append(parts[11])
    return data


def warm_up() -> None:
    """Load the engines a scan needs now (a batch worker's start), not on its first page."""
    if TesseractEngine().backend == "api":
        for lang, whitelist in (("eng", VALUE_CHARS), ("chi_sim", None)):
            _api(lang, 6, whitelist)
    if _rapidocr_ok():
        _rapid_singleton()


def _montage(crops: Sequence[np.ndarray], line_px: int) -> tuple[np.ndarray, list[tuple]]:
    """Crops scaled to `line_px` text height, stacked with white gaps; each crop's y-span."""
    scaled = []
    for crop in crops:
        h, w = crop.shape[:2]
        f = line_px / max(h, 1)
        scaled.append(cv2.resize(crop, (max(int(w * f), 1), line_px),
                                 interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC))
    gap = line_px
    width = max(s.shape[1] for s in scaled) + 2 * gap
    height = gap + len(scaled) * (line_px + gap)
    montage = np.full((height, width), 255, np.uint8)
    spans = []
    y = gap
    for s in scaled:
        montage[y:y + line_px, gap:gap + s.shape[1]] = s
        spans.append((y - gap // 2, y + line_px + gap // 2))
        y += line_px + gap
    return montage, spans


@lru_cache(maxsize=1)
def _tesseract_ok() -> bool:
    try:
        import pytesseract

        langs = pytesseract.get_languages(config="")
    except Exception:
        return False
    return "chi_sim" in langs and "eng" in langs


# --- RapidOCR -------------------------------------------------------------------------

RAPID_LINE_PX = 48  # PP-OCR's recogniser input height


class RapidOcrEngine:
    """RapidOCR's PP-OCRv4 recogniser alone (no detection: the grid already located text).

    It reads Chinese and digits with one model; for value crops characters outside the
    whitelist are left in place, so the caller can see them and lower its confidence.
    """

    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        # One thread (the bar is per core; the batch runner parallelises across pages), a
        # narrow minimum input width (value crops are short: padding them to 320 px wastes
        # most of the recogniser's time), and one crop a run: a batch is padded to its
        # widest crop, which made 53 label lines of a scan take 2.0 s instead of 1.0 s,
        # and made a crop's reading depend on the others in its batch.
        self._ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
        self._ocr.text_rec.rec_image_shape = [3, RAPID_LINE_PX, 96]
        self._ocr.text_rec.rec_batch_num = 1

    def read(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        if not crops:
            return []
        batch = []
        for crop in crops:
            h, w = crop.shape[:2]
            pad = max(h // 4, 2)
            crop = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
            batch.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 else crop)
        results, _ = self._ocr.text_rec(batch)
        return [Reading(text=text.strip(), confidence=float(score)) for text, score in results]

    def read_single(self, crop: np.ndarray, kind: CropKind) -> Reading:
        return self.read([crop], kind)[0]


@lru_cache(maxsize=1)
def _rapid_singleton() -> RapidOcrEngine:
    return RapidOcrEngine()


@lru_cache(maxsize=1)
def _rapidocr_ok() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:
        return False
    return True
