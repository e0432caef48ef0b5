"""Which way up a page image is (0, 90, 180 or 270 degrees), found before anything else.

Scans are fed sideways or upside down. Deskew (preprocess.py) only straightens a few
degrees, so a turned page is turned upright here first, by mechanism and cheaply:

- the axis (0/180 against 90/270): printed text runs in lines. With the long rules taken
  out, closing the ink along the text's direction by a fraction of a glyph joins each
  line's glyphs into one long run, while across the lines the gaps stay open. Whichever
  direction makes the longer runs is the direction of the lines.
- the sense (0 against 180): a few of the widest text lines are read by the OCR engine as
  they stand and turned half round, in one batch; upside-down Chinese reads as noise with
  low confidence. A table page with no wide text line keeps its sense.

tesseract's own orientation detection (`--psm 0`, osd.traineddata) gives the same answers
on our pages but costs 4-5 s a page; this costs ~0.1 s (see `bench.orientation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractor.ocr.components import components
from extractor.ocr.engines import OcrEngine

WORK_DPI = 75.0  # the axis is judged on a small copy: lines are still lines at 75 dpi
MIN_RUNS = 6  # fewer text runs than this and the page is left as it is (a blank page)
AXIS_MARGIN = 1.3  # one direction's run length must beat the other's by this factor
SENSE_LINES = 3  # text lines read both ways to tell upright from upside down
SENSE_GLYPHS = 12  # each of them cut to this many glyphs: enough to judge, short to read
SENSE_MARGIN = 0.08  # mean confidence gained by turning before a page is turned half round
SENSE_SURE = 0.6  # ...and a turned line must read as text (not a seal or a smudge)


@dataclass
class Orientation:
    turn: int  # degrees counter-clockwise the image was turned to stand upright (0/90/180/270)
    axis_ratio: float  # horizontal / vertical text-run length (>1: lines run across)
    sense_gain: float  # confidence of the lines turned half round minus as they stood


def upright(image: np.ndarray, dpi: float, engine: OcrEngine | None) -> tuple[np.ndarray,
                                                                                Orientation]:
    """The page turned so its text reads left to right, top to bottom, and how it was turned.

    `engine` reads the few lines that decide between 0 and 180 degrees; without one, only
    sideways pages are turned (to the side the axis cannot tell, which the sense check
    then settles).
    """
    image, found = along_lines(image, dpi)
    if engine is not None:
        upside_down, found.sense_gain = reads_upside_down(image, dpi, engine)
        if upside_down:
            image, found.turn = half_turn(image), (found.turn + 180) % 360
    return image, found


def along_lines(image: np.ndarray, dpi: float) -> tuple[np.ndarray, Orientation]:
    """The page turned a quarter if its text lines run down it (the axis alone: no reading).

    Which end is up is left to `reads_upside_down`, or to the reading of the page itself
    (ocr/page.py): well-read labels are proof enough that it stands upright.
    """
    _, small, _ = _gray_and_small(image, dpi)
    across, down = _run_lengths(_text_ink(small))
    ratio = (across + 1.0) / (down + 1.0)
    turn = 0
    if ratio < 1 / AXIS_MARGIN:
        turn = 90  # lines run down the page: turn it a quarter counter-clockwise
        image = _rot(image, 1)
    return image, Orientation(turn=turn, axis_ratio=round(ratio, 3), sense_gain=0.0)


def reads_upside_down(image: np.ndarray, dpi: float, engine: OcrEngine) -> tuple[bool, float]:
    """Whether a page whose lines run across reads better turned half round, and by how
    much (mean confidence of its widest lines turned, minus as they stand)."""
    gray, small, scale = _gray_and_small(image, dpi)
    lines = _widest_lines(_text_ink(small), gray, 1.0 / scale)
    if not lines:
        return False, 0.0
    flipped = [half_turn(c) for c in lines]
    readings = engine.read([*lines, *flipped], "label")
    as_is = [r.confidence for r in readings[:len(lines)]]
    turned = [r.confidence for r in readings[len(lines):]]
    gain = float(np.mean(turned) - np.mean(as_is))
    return gain > SENSE_MARGIN and max(turned) >= SENSE_SURE, round(gain, 3)


def _gray_and_small(image: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The page in gray, its copy at WORK_DPI (where lines are judged), and the scale."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(WORK_DPI / dpi, 1.0)
    return gray, cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def half_turn(image: np.ndarray) -> np.ndarray:
    return _rot(image, 2)


def _rot(image: np.ndarray, quarters: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image, quarters))


def _text_ink(small: np.ndarray) -> np.ndarray:
    """Binary ink of the small page with long rules (table lines, borders) taken out."""
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    long = max(int(WORK_DPI * 0.5), 8)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long), np.uint8))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((long, 1), np.uint8))
    return cv2.subtract(ink, cv2.dilate(rules, np.ones((3, 3), np.uint8)))


def glyph_size(ink: np.ndarray, max_px: float = WORK_DPI * 0.4) -> int:
    """The median size (px) of the ink's glyph-sized pieces; 0 when there are none."""
    n, _, stats, _ = components(ink, 8)
    sizes = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    sizes = sizes[(sizes >= 3) & (sizes <= max_px)]
    return int(np.median(sizes)) if len(sizes) else 0


def _run_lengths(ink: np.ndarray) -> tuple[float, float]:
    """Total length of the text runs made by closing along rows, and along columns."""
    glyph = glyph_size(ink)
    if glyph == 0:
        return 0.0, 0.0
    k = max(int(round(glyph * 0.6)), 2)
    totals = []
    for kernel in (np.ones((1, k), np.uint8), np.ones((k, 1), np.uint8)):
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel)
        n, _, stats, _ = components(closed, 8)
        w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
        along, across = (w, h) if kernel.shape[0] == 1 else (h, w)
        runs = (along >= 3 * glyph) & (across <= 2.5 * glyph)
        totals.append(float(along[runs].sum()) if runs.sum() >= MIN_RUNS else 0.0)
    return totals[0], totals[1]


def _widest_lines(ink: np.ndarray, gray: np.ndarray, up: float) -> list[np.ndarray]:
    """Full-resolution crops of the widest text runs of an upright-axis page."""
    glyph = glyph_size(ink)
    if glyph == 0:
        return []
    k = max(int(round(glyph * 0.6)), 2)
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8))
    n, _, stats, _ = components(closed, 8)
    boxes = [tuple(int(v) for v in s[:4]) for s in stats[1:]
             if s[2] >= 4 * glyph and glyph * 0.6 <= s[3] <= 2 * glyph]
    boxes.sort(key=lambda b: -b[2])
    crops = []
    pad = max(int(glyph * 0.3 * up), 2)
    for x, y, w, h in boxes[:SENSE_LINES]:
        x0, y0 = max(int(x * up) - pad, 0), max(int(y * up) - pad, 0)
        w = min(w, glyph * SENSE_GLYPHS)
        x1, y1 = int((x + w) * up) + pad, int((y + h) * up) + pad
        crops.append(np.ascontiguousarray(gray[y0:y1, x0:x1]))
    return crops
