"""Lines of text a table printed alike, read once.

A table prints the same words again and again in one font at one size: table 四's five
column headers under each of its three groups (结果/维持, 尚未/审结, 总计), 信息内容 over
each part of table 二, 无 in every empty cell of a report that writes its zeros so. Their
images are twins, pixel for pixel but for the scan's noise, and so are their readings: a
reader that reads one of them has read them all. Labels are most of a scan's OCR time,
and about a quarter of their lines are such repeats.

Twins are judged strictly, stretch by stretch along the line (each half a line's height
wide: a digit, half a hanzi), so that two labels alike but for one character (结果维持,
结果纠正; 第二十条第(五)项, 第二十条第(一)项) are never taken for one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import cv2
import numpy as np

from extractor.ocr.engines import CropKind, OcrEngine, Reading

SIZE_SLACK = 0.06  # twins' ink is as tall and as wide, to this share (and 2 px)
INK_SLACK = 0.15  # ...and have as much ink, to this share
STRETCH = 0.5  # lines are compared stretch by stretch, this many line heights wide (a digit)
LINE_TWIN_MATCH = 0.92  # every stretch of two twin lines correlates at least this well
SMALL_CLASS = 3  # this many twins or fewer: one is read, and its reading is theirs if sure
SURE_TWIN = 0.9  # ...at least this sure
SAMPLED = 2  # twins of a larger class read before the rest may take their reading...
SAMPLE_PER = 8  # ...and one more for every this many twins
AGREEMENT = 0.6  # the share of a class's samples that must read alike (and two at least)


class Look:
    """A line's ink as compared: its darkness (0 paper, 1 ink) within its ink's box, as
    printed: twins are the same size on the page, so they are compared unscaled (scaled,
    a pixel more or less of a small glyph's edge moves every stroke)."""

    def __init__(self, crop: np.ndarray) -> None:
        level, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        ys, xs = np.nonzero(crop < level)
        self.size = (0, 0)
        self.image: np.ndarray | None = None
        self.ink = 0.0
        if len(xs) == 0:
            return
        tight = crop[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        self.size = tight.shape
        self.image = 1.0 - tight.astype(np.float32) / 255.0
        self.ink = float(self.image.sum())

    def may_be_twin(self, other: Look) -> bool:
        """As big on the page, with about as much ink: what twins are before they are
        compared at all (most lines of a table are told apart so, cheaply)."""
        return self.image is not None and other.image is not None and all(
            abs(a - b) <= max(2, SIZE_SLACK * max(a, b))
            for a, b in zip(self.size, other.size, strict=True)) and \
            abs(self.ink - other.ink) <= INK_SLACK * max(self.ink, other.ink)


def likeness(a: Look, b: Look) -> float:
    """How alike two lines' ink is: the least correlation of any stretch along them, laid
    one on the other as they fit best (shifted by a pixel or two); 0 when they differ in
    size, and the whole lines' correlation when that is already too low."""
    if not a.may_be_twin(b):
        return 0.0
    assert a.image is not None and b.image is not None
    h = max(a.size[0], b.size[0]) + 2
    w = max(a.size[1], b.size[1]) + 4
    x = np.zeros((h, w), np.float32)  # a, with paper around it for b's shifts
    x[1:1 + a.size[0], 2:2 + a.size[1]] = a.image
    y = np.zeros((h + 2, w + 4), np.float32)
    y[2:2 + b.size[0], 4:4 + b.size[1]] = b.image
    shifts = [y[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(5)]
    y = max(shifts, key=lambda shifted: float(np.vdot(x, shifted)))
    whole = float(_correlations(x, y, [0])[0])
    if whole < LINE_TWIN_MATCH:
        return whole
    step = max(int(STRETCH * h), 4)
    starts = [s for s in range(0, w, step) if s == 0 or w - s >= step // 2]
    return min(whole, float(_correlations(x, y, starts).min()))


def _correlations(x: np.ndarray, y: np.ndarray, starts: list[int]) -> np.ndarray:
    """The correlation of x and y in each stretch of columns from each start to the next
    (the last to the end); a blank stretch is like another blank one only."""
    n = x.shape[0] * np.diff(starts + [x.shape[1]]).astype(np.float64)
    sx, sy = np.add.reduceat(x.sum(axis=0), starts), np.add.reduceat(y.sum(axis=0), starts)
    sxx = np.add.reduceat((x * x).sum(axis=0), starts)
    syy = np.add.reduceat((y * y).sum(axis=0), starts)
    sxy = np.add.reduceat((x * y).sum(axis=0), starts)
    vx, vy = sxx - sx * sx / n, syy - sy * sy / n
    blank_x, blank_y = vx < 1e-6, vy < 1e-6
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (sxy - sx * sy / n) / np.sqrt(vx * vy)
    return np.where(blank_x | blank_y, (blank_x & blank_y).astype(np.float64), out)


def twin_classes(crops: Sequence[np.ndarray]) -> list[int]:
    """For each crop, the first crop it is a twin of (itself when it is the first)."""
    looks = [Look(crop) for crop in crops]
    firsts: list[int] = []
    out: list[int] = []
    for i, look in enumerate(looks):
        twin = next((f for f in firsts
                     if likeness(look, looks[f]) >= LINE_TWIN_MATCH), None)
        if twin is None:
            firsts.append(i)
            twin = i
        out.append(twin)
    return out


def read_once(engine: OcrEngine, crops: Sequence[np.ndarray], kind: CropKind) -> list[Reading]:
    """The engine's reading of each crop, twins read as few times as agreement allows.

    A reader misreads one image of many now and then (无 as 5, 光 or 丰 on a fax), so one
    twin's reading is not taken for all: a few of each class of twins are read, spread
    over the table, and only where most of them read the same text do all the twins take
    that reading (with the least sure of its confidences): the few that read otherwise
    are the same print misread, as `reading._settle_by_twins` finds for one-glyph cells.
    Where they differ more, or read nothing, every twin is read. A small class (table 四's
    three 结果/维持) is read once, and that reading taken where it is sure: twins read
    surely never read differently on the committed scans (thousands of pairs).
    """
    classes: dict[int, list[int]] = {}
    for i, first in enumerate(twin_classes(crops)):
        classes.setdefault(first, []).append(i)
    samples = {first: _spread(members, _samples(len(members)))
               for first, members in classes.items()}
    reads: dict[int, Reading] = {}
    todo = sorted(i for sampled in samples.values() for i in sampled)
    reads.update(_read(engine, crops, todo, kind))
    rest = []
    for first, members in classes.items():
        votes = Counter(reads[i].text for i in samples[first])
        text, agreed = votes.most_common(1)[0]
        sure = len(samples[first]) == 1 and reads[samples[first][0]].confidence >= SURE_TWIN
        if text and (sure or agreed >= max(2, AGREEMENT * len(samples[first]))):
            least = min((reads[i] for i in samples[first] if reads[i].text == text),
                        key=lambda r: r.confidence)
            reads.update((i, least) for i in members)
        else:
            rest += [i for i in members if i not in reads]
    reads.update(_read(engine, crops, sorted(rest), kind))
    return [reads[i] for i in range(len(crops))]


def _samples(twins: int) -> int:
    """How many of a class of twins are read first."""
    return 1 if twins <= SMALL_CLASS else min(twins, SAMPLED + twins // SAMPLE_PER)


def _read(engine: OcrEngine, crops: Sequence[np.ndarray], idx: list[int],
          kind: CropKind) -> dict[int, Reading]:
    if not idx:
        return {}
    return dict(zip(idx, engine.read([crops[i] for i in idx], kind), strict=True))


def _spread(members: list[int], count: int) -> list[int]:
    """`count` of `members`, evenly spread from the first to the last."""
    if count >= len(members):
        return list(members)
    step = (len(members) - 1) / max(count - 1, 1)
    return sorted({members[round(k * step)] for k in range(count)})
