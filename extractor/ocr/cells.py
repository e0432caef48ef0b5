"""What is inside one table cell, judged from the image alone, and how far to trust a reading.

The image tells things the OCR engine cannot be trusted to say about itself: whether a
cell holds any ink at all (blank vs "0" vs a dash), how many glyphs a value has, whether
the ink is one line of text. Those facts are checked against what the engine read, and
every disagreement lowers the cell's confidence with a reason code:

- ``ink_in_blank``: the engine read nothing, but the cell holds ink;
- ``text_in_empty``: the engine read text from a cell with no ink;
- ``unexpected_chars``: a value cell read with characters outside digits and punctuation;
- ``glyph_count``: the number of digits read differs from the glyphs on the image;
- ``low_engine_confidence``: the engine itself was unsure;
- ``engines_disagree``: a second engine read the value differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cv2
import numpy as np

DASHES = "-‐‑‒–—―－一_~"
VALUE_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?$|^-$|^/$")
CJK_RE = re.compile(r"[\u3400-\u9fff]")


@dataclass
class CellInk:
    """The ink of one cell's interior."""

    crop: np.ndarray | None  # grayscale crop of the ink with a white margin; None when blank
    line_crops: list[np.ndarray] = field(default_factory=list)  # one crop per text line
    glyphs: list[tuple[int, int]] = field(default_factory=list)  # x-runs of the main glyphs
    height: int = 0  # height of the main ink
    lines: int = 0  # text lines
    dash: bool = False  # a single short horizontal stroke
    small_marks: int = 0  # dots and commas beside the main glyphs

    @property
    def blank(self) -> bool:
        return self.crop is None


def cell_ink(gray: np.ndarray, binary: np.ndarray, box: tuple[int, int, int, int],
             line_px: int, dpi: float) -> CellInk:
    """Locate the ink inside a cell, ignoring rule remnants at its edges and noise specks."""
    x0, y0, x1, y1 = box
    inset = line_px + max(2, int(dpi * 0.008))
    sub = binary[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
    if sub.size == 0 or sub.shape[0] < 3 or sub.shape[1] < 3:
        return CellInk(crop=None)
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    sh, sw = sub.shape
    significant = max(3, int(dpi * 0.035))  # ~2.5 pt: smaller is a dot or a speck
    main, small = [], []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        touches = x == 0 or y == 0 or x + w == sw or y + h == sh
        if touches and (h <= 2 * line_px + 2 and w > sw * 0.5
                        or w <= 2 * line_px + 2 and h > sh * 0.5):
            continue  # a piece of a rule
        if max(w, h) >= significant and area >= significant:
            main.append((x, y, w, h))
        elif area >= max(2, (dpi / 150) ** 2 * 2):
            small.append((x, y, w, h))
    if not main:
        return CellInk(crop=None)
    top = min(y for _, y, _, _ in main)
    bottom = max(y + h for _, y, _, h in main)
    # Dots and commas count only on the text line (a stray speck elsewhere is noise).
    small = [s for s in small if s[1] >= top - 2 and s[1] + s[3] <= bottom + (bottom - top) // 2]
    boxes = main + small
    left = min(x for x, _, _, _ in boxes)
    right = max(x + w for x, _, w, _ in boxes)
    bottom = max(bottom, max(y + h for _, y, _, h in boxes))
    margin = max(int(dpi * 0.02), 3)
    gy0, gx0 = y0 + inset, x0 + inset
    crop = gray[max(gy0 + top - margin, 0):gy0 + bottom + margin,
                max(gx0 + left - margin, 0):gx0 + right + margin]
    runs = _runs(main)
    height = max(h for _, _, _, h in main)
    line_spans = _line_spans(boxes)
    lines = len(line_spans)
    line_crops = [
        gray[max(gy0 + a - margin, 0):gy0 + b + margin,
             max(gx0 + left - margin, 0):gx0 + right + margin]
        for a, b in line_spans
    ]
    dash = (len(main) == 1 and not small and main[0][2] >= 2.0 * main[0][3]
            and main[0][3] <= dpi * 0.04)
    return CellInk(crop=crop, line_crops=line_crops, glyphs=runs, height=height, lines=lines,
                   dash=dash, small_marks=len(small))


def _runs(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """Horizontal extents of glyphs: boxes overlapping in x are one glyph."""
    spans = sorted((x, x + w) for x, _, w, _ in boxes)
    out: list[list[int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _line_spans(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """Vertical extents of text lines: boxes overlapping in y are one line."""
    spans = sorted((y, y + h) for _, y, _, h in boxes)
    out: list[list[int]] = []
    for a, b in spans:
        if out and a < out[-1][1] - 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def looks_like_value(text: str) -> bool:
    """A reading that is a number, a dash or a slash rather than a label."""
    return not CJK_RE.search(text) and bool(re.search(r"[\d\-/—－]", text))


def normalise_value(text: str) -> str:
    """Value text in a canonical spelling: ASCII digits, one dash, no spaces."""
    text = text.strip().replace(" ", "")
    text = text.translate(str.maketrans("０１２３４５６７８９．，／", "0123456789.,/"))
    text = re.sub(f"[{re.escape(DASHES)}]+", "-", text)
    text = text.replace("O", "0").replace("o", "0")
    return text


@dataclass
class Judgement:
    text: str
    confidence: float
    reasons: list[str]


def judge_value(text: str, engine_conf: float, ink: CellInk, dpi: float,
                second: str | None = None) -> Judgement:
    """Combine a value reading with the image evidence into text, confidence and reasons."""
    reasons: list[str] = []
    conf = engine_conf
    if ink.blank:
        if text:
            return Judgement(text="", confidence=0.3, reasons=["text_in_empty"])
        return Judgement(text="", confidence=0.99, reasons=[])
    if ink.dash and (not text or set(text) <= set("-/")):
        return Judgement(text="-", confidence=max(conf, 0.95), reasons=[])
    if not text:
        return Judgement(text="", confidence=0.1, reasons=["ink_in_blank"])
    if not VALUE_RE.match(text):
        reasons.append("unexpected_chars")
        conf = min(conf, 0.2)
    digits = sum(ch.isdigit() for ch in text)
    if digits and not _glyphs_fit(digits, ink):
        reasons.append("glyph_count")
        conf = min(conf, 0.3)
    if second is not None and normalise_value(second) != text:
        reasons.append("engines_disagree")
        conf = min(conf, 0.3)
    return Judgement(text=text, confidence=conf, reasons=reasons)


def _glyphs_fit(digits: int, ink: CellInk) -> bool:
    """Can the glyph runs on the image hold exactly `digits` digits?

    A run narrower than a digit is one glyph; touching digits (blur, low dpi) make one
    wider run, which may hold as many digits as its width allows.
    """
    if ink.lines > 1 or not ink.glyphs:
        return False
    h = max(ink.height, 1)
    low = high = 0
    for a, b in ink.glyphs:
        w = b - a
        low += max(1, int(w / (0.85 * h)))  # digits are at most ~0.8 of their height wide
        high += max(1, int(round(w / (0.3 * h))))  # and at least ~0.35 (a "1" in a serif font)
    return low <= digits <= high
