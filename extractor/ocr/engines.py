"""OCR engines behind one small interface.

An engine reads a batch of single-line crops (one table cell or one heading line each)
and returns one text and one confidence (0..1) per crop. Batching matters: tesseract
costs a process per call, so it reads a whole batch as one montage image; RapidOCR's
recogniser takes the crops as one tensor batch. Neither ever downloads a model:
tesseract uses the Debian language packs, RapidOCR the PP-OCR models inside its wheel.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import cv2
import numpy as np

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
    if _tesseract_ok():
        names.append("tesseract")
    if _rapidocr_ok():
        names.append("rapidocr")
    return names


def get_engine(name: str) -> OcrEngine:
    if name == "tesseract":
        return TesseractEngine()
    if name == "rapidocr":
        return _rapid_singleton()
    raise ValueError(f"unknown OCR engine {name!r}; available: {available_engines()}")


# --- tesseract ------------------------------------------------------------------------

TESS_LINE_PX = 40  # text height tesseract reads best (its LSTM models are trained ~30–40 px)


class TesseractEngine:
    """tesseract through pytesseract: `chi_sim` for labels, a digit whitelist for values.

    Crops are scaled to a common text height and stacked into one montage, read in one
    call with page segmentation mode 6 (a uniform block: one cell per line); words are
    assigned back to crops by their vertical position.
    """

    name = "tesseract"

    def read(self, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
        import pytesseract

        if not crops:
            return []
        montage, spans = _montage(crops, TESS_LINE_PX)
        if kind == "value":
            config = f"--psm 6 -c tessedit_char_whitelist={VALUE_CHARS}"
            lang = "eng"
        else:
            config = "--psm 6 -c preserve_interword_spaces=1"
            lang = "chi_sim"
        data = pytesseract.image_to_data(
            montage, lang=lang, config=config, output_type=pytesseract.Output.DICT
        )
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
        if kind == "value":
            config = f"--psm 7 -c tessedit_char_whitelist={VALUE_CHARS}"
            return self._read_single(crop, "eng", config)
        return self._read_single(crop, "chi_sim", "--psm 7")

    def _read_single(self, crop: np.ndarray, lang: str, config: str) -> Reading:
        import pytesseract

        montage, _ = _montage([crop], TESS_LINE_PX)
        data = pytesseract.image_to_data(
            montage, lang=lang, config=config, output_type=pytesseract.Output.DICT
        )
        found = [(left, t.strip(), float(c) / 100.0)
                 for t, c, left in zip(data["text"], data["conf"], data["left"], strict=True)
                 if t.strip() and float(c) >= 0]
        found.sort()
        return Reading(text="".join(t for _, t, _ in found),
                       confidence=min((c for _, _, c in found), default=0.0))


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

        # One thread (the bar is per core; the batch runner parallelises across pages), and a
        # narrow minimum input width: value crops are short, padding them to 320 px wastes
        # most of the recogniser's time.
        self._ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
        self._ocr.text_rec.rec_image_shape = [3, RAPID_LINE_PX, 96]
        self._ocr.text_rec.rec_batch_num = 16

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
