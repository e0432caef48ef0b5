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
- ``engines_disagree``: a second engine read the value differently;
- ``second_blank``: the second engine, asked to check, read nothing (PP-OCR often reads
  nothing in a lone narrow 0): no confirmation, unless the glyph's twins give one;
- ``second_reader``: the value shown is the second engine's reading (it fits the glyphs,
  the first did not or was unsure); the cell stays flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.ocr.components import components

DASHES = "-‐‑‒–—―－一_~"
VALUE_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?$|^-$|^/$")
UNIT_RE = re.compile(r"(?<=\d)(万元|元)$")  # an amount printed with its unit: 3115.48万元
CJK_RE = re.compile(r"[\u3400-\u9fff]")
STACKED_LINE = 1.25  # pieces within this many text heights, one above the other, are one line
CUT_PIECE = 0.8  # a line span this share of the cell's tallest line may be a glyph's piece
CUT_JOINED = 1.1  # ...and is one when it and its neighbour are no taller than that line
SEAL_STROKE_IN = 0.15  # a faint stroke at least this long (inches) is a gray seal's ink
FAINT_CONTRAST = 40  # a cell's darkest (smoothed) ink this much darker than its paper is print
DASH_THICK_IN = 0.05  # a dash's bar, blur included, is at most this thick (inches)
SLASH_THIN = 0.25  # a slash's width to its length, blur included (a photo's: 0.20–0.23)
DASH_HEIGHT = 0.35  # a solid mark at most this share of the table's text height is a dash
FAINT_CUT = 0.55  # pale print: ink is what is darker than this share of the way to the paper
STROKE_PIECE = 2.0  # a small piece this much longer than thick is a stroke's, not a speck
LOOSE_GAP = 0.5  # ...and a glyph's own when this near it (share of the glyph's height)
CROSSING_LONGER = 1.5  # a stroke from edge to edge this much taller/wider than the glyphs
TOUCHING_HEIGHT = (0.75, 1.25)  # ...but glyphs run together are about as tall as the others
TOUCHING_FILL = (0.6, 1.6)  # ...and about as full of ink
SQUARE_GLYPH = 0.85  # a glyph at least this share of its height wide: no single digit


@dataclass
class CellInk:
    """The ink of one cell's interior."""

    crop: np.ndarray | None  # grayscale crop of the ink with a white margin; None when blank
    line_crops: list[np.ndarray] = field(default_factory=list)  # one crop per text line
    glyphs: list[tuple[int, int]] = field(default_factory=list)  # x-runs of the main glyphs
    height: int = 0  # height of the main ink
    lines: int = 0  # text lines
    mark: str = ""  # "-" (one short horizontal stroke) or "/" (one thin diagonal stroke)
    small_marks: int = 0  # dots and commas beside the main glyphs
    rows: tuple[int, int] = (0, 0)  # the page rows its main ink spans (top, bottom)
    doubt: str = ""  # why its ink cannot be trusted to be the print: a flag reason, or ""

    @property
    def blank(self) -> bool:
        return self.crop is None

    @property
    def dash(self) -> bool:
        """The cell holds only a dash or a slash (a zero written as a mark)."""
        return bool(self.mark)


def cell_ink(gray: np.ndarray, binary: np.ndarray, box: tuple[int, int, int, int],
             line_px: int, dpi: float, faint: float | None = None,
             text_height: float | None = None) -> CellInk:
    """Locate the ink inside a cell, ignoring rule remnants at its edges and noise specks.

    With `text_height` (the table's usual one-line ink height, see `usual_text_height`),
    pieces of ink stacked within that height are one text line: a faint or seal-crossed
    digit broken into a top and a bottom piece is still one glyph, not two lines; and a
    blurred dash, a blot too fat to look like a stroke, is told by its low height.

    With `faint` (a gray level between print and paper, see `faint_level`), ink lighter
    than that and away from any darker ink is not print but a gray seal's ring or text in a
    grayscale scan: it is left out, and wiped from the crops the reader sees.
    """
    x0, y0, x1, y1 = box
    inset = line_px + max(2, int(dpi * 0.008))
    sub = binary[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
    if sub.size == 0 or sub.shape[0] < 3 or sub.shape[1] < 3:
        return CellInk(crop=None)
    tones = gray[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
    sub = _with_pale_print(sub, tones, dpi)
    wiped = None
    if faint is not None:
        # Print is dark at its core; a gray seal is faint all through. Ink pixels that are
        # faint and not beside a dark one are the seal's: they are dropped.
        dark = cv2.compare(tones, faint, cv2.CMP_LE) & sub
        reach = max(int(dpi * 0.01), 1) * 2 + 1
        kept = sub & cv2.dilate(dark, np.ones((reach, reach), np.uint8))
        # Only a long faint stroke (a ring, a seal's lettering) counts: the light tail of a
        # brush-style print stroke is short and stays.
        _, _, faint_stats, _ = components(sub & ~kept, 8)
        if len(faint_stats) > 1 and \
                faint_stats[1:, 2:4].max() >= dpi * SEAL_STROKE_IN:
            sub, wiped = kept, sub & ~kept
    n, labels, stats, _ = components(sub, 8)
    sh, sw = sub.shape
    significant = max(3, int(dpi * 0.035))  # ~2.5 pt: smaller is a dot or a speck
    main, small, main_ids = [], [], []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        # A piece of a rule lies along the edge it touches: a horizontal sliver at the top
        # or bottom, a vertical one at the left or right. (A digit cut by the inset touches
        # the top or bottom while being narrow and tall: that is ink, not a rule.)
        at_top_or_bottom = y == 0 or y + h == sh
        at_side = x == 0 or x + w == sw
        if (at_top_or_bottom and h <= 2 * line_px + 2 and (w > sw * 0.5 or w >= 2 * h)
                or at_side and w <= 2 * line_px + 2 and h > sh * 0.5):
            continue
        if max(w, h) >= significant and area >= significant:
            main.append((x, y, w, h))
            main_ids.append(i)
        elif area >= max(2, (dpi / 150) ** 2 * 2):
            small.append((x, y, w, h))
    if not main:
        return CellInk(crop=None)
    # A stroke from one edge of the cell to another, beside glyphs that do not,
    # crosses the cell (a seal's ring, a stroke of a stamp): it is not text.
    crossing = [k for k, (x, y, w, h) in enumerate(main)
                if (y == 0) + (y + h == sh) + (x == 0) + (x + w == sw) >= 2]
    if crossing and len(crossing) < len(main):
        # ... and is longer than the glyphs are: in a row no taller than its text (rules
        # erased, see lines.rule_pixels) a glyph touches the top and the bottom too.
        rest = [b for k, b in enumerate(main) if k not in crossing]
        tall = float(np.median([h for _, _, _, h in rest]))
        wide = float(np.median([w for _, _, w, _ in rest]))
        dense = float(np.median([stats[main_ids[k], 4] / (b[2] * b[3])
                                 for k, b in enumerate(main) if k not in crossing]))
        crossing = [k for k in crossing
                    if (main[k][3] > CROSSING_LONGER * tall or main[k][2] > CROSSING_LONGER * wide)
                    and not _touching_glyphs(main[k], stats[main_ids[k], 4], tall, dense)]
    else:
        crossing = []
    doubt = ""
    if crossing:
        dropped = [main_ids[k] for k in crossing]
        main = [b for k, b in enumerate(main) if k not in crossing]
        main_ids = [i for k, i in enumerate(main_ids) if k not in crossing]
        # A ring's arc is a thin stroke, less ink than the glyphs it crosses; more ink
        # than is kept is more likely print run together (pale print smoothed into one
        # piece, glyphs in a box drawn tight around them) than a seal.
        if stats[dropped, 4].sum() > stats[main_ids, 4].sum():
            doubt = "ink_left_out"
    else:
        dropped = []
    if len(main) >= 3:
        # A mark much taller than the glyphs beside it (a seal's ring crossing the cell, a
        # stroke from a neighbouring row) is not part of the text line.
        typical = float(np.median([max(h for x, _, w, h in main if x < b and x + w > a)
                                   for a, b in _runs(main)]))
        text_like = [(b, i) for b, i in zip(main, main_ids, strict=True)
                     if b[3] <= 1.8 * typical]
        if text_like:
            main = [b for b, _ in text_like]
            main_ids = [i for _, i in text_like]
    top = min(y for _, y, _, _ in main)
    bottom = max(y + h for _, y, _, h in main)
    loose = _loose_strokes(main, small)
    if loose:  # read with their glyphs (a 5 without its bar reads as 3)
        small = [b for b in small if b not in loose]
        top = min([top] + [y for _, y, _, _ in loose])
        bottom = max([bottom] + [y + h for _, y, _, h in loose])
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
    line_spans = _rejoined_cut_glyphs(_line_spans(boxes, text_height))
    lines = len(line_spans)
    if lines < len(_line_spans(boxes)):  # stacked pieces: a glyph is as tall as their stack
        height = max(height, max(b - a for a, b in
                                 _rejoined_cut_glyphs(_line_spans(main, text_height))))
    # Each line's crop reaches at most halfway to the next line: lines set tight (a Word
    # table's wrapped label) would put the next line's top strokes under 一 (read 二).
    reach = [(max(a - margin, (a + prev) // 2 + 1), min(b + margin, (b + after) // 2))
             for (a, b), prev, after in zip(
                 line_spans, [-(10 ** 6)] + [b for _, b in line_spans[:-1]],
                 [a for a, _ in line_spans[1:]] + [10 ** 6], strict=True)]
    line_crops = [
        gray[max(gy0 + a, 0):gy0 + b, max(gx0 + left - margin, 0):gx0 + right + margin]
        for a, b in reach
    ]
    if dropped:  # wipe the crossing strokes from what the reader sees
        stroke = cv2.dilate(np.isin(labels, dropped).astype(np.uint8), np.ones((3, 3), np.uint8))
        paper = np.full(gray.shape[:2], False)
        paper[gy0:gy0 + sh, gx0:gx0 + sw] = stroke > 0
        cy0, cx0 = max(gy0 + top - margin, 0), max(gx0 + left - margin, 0)
        crop = np.where(paper[cy0:cy0 + crop.shape[0], cx0:cx0 + crop.shape[1]], 255, crop)
        line_crops = [
            np.where(paper[max(gy0 + a, 0):max(gy0 + a, 0) + c.shape[0],
                           cx0:cx0 + c.shape[1]], 255, c).astype(np.uint8)
            for (a, _), c in zip(reach, line_crops, strict=True)
        ]
        crop = crop.astype(np.uint8)
    if wiped is not None:  # a faint mark crosses the cell: only print-dark pixels stay in the crops
        crop = np.where(crop > faint, 255, crop).astype(np.uint8)
        line_crops = [np.where(c > faint, 255, c).astype(np.uint8) for c in line_crops]
    if lines == 1:
        crop = _close_gaps(crop, [(a - left + margin, b - left + margin)
                                  for a, b in _runs(boxes)], height)
    mark = ""
    if len(main) == 1 and not small:
        x, y, w, h = main[0]
        # Values are centred in their cells: a low blot off the middle is a glyph's part.
        centred = text_height is not None and abs(y + h / 2 - sh / 2) <= 0.25 * text_height
        mark = stroke_mark(labels[y:y + h, x:x + w] == main_ids[0], dpi,
                           text_height if centred else None)
    if wiped is not None and _pale_print(wiped, sub, (left, top, right, bottom),
                                         max(height, text_height or 0, dpi * 0.08)):
        # The wipe took print, not a seal: the cell is read with all its ink, and doubted.
        unwiped = cell_ink(gray, binary, box, line_px, dpi, None, text_height)
        unwiped.doubt = unwiped.doubt or "pale_print"
        return unwiped
    return CellInk(crop=crop, line_crops=line_crops, glyphs=runs, height=height, lines=lines,
                   mark=mark, small_marks=len(small), rows=(gy0 + top, gy0 + bottom),
                   doubt=doubt)


def _pale_print(wiped: np.ndarray, kept: np.ndarray, box: tuple[int, int, int, int],
                reach: float) -> bool:
    """Did the gray-seal wipe take more ink beside the kept print than it kept?

    A seal's ring crossing a digit is a thin stroke, less ink than the digit. Print paler
    than the page's usual (a light typeface, a weak toner) loses its lighter strokes to the
    wipe and keeps a dark fragment, which may read as another digit or as a dash: the
    reading of what is left cannot be trusted.
    """
    left, top, right, bottom = box
    r = int(reach)
    y0, x0 = max(top - r, 0), max(left - r, 0)
    near = wiped[y0:bottom + r, x0:right + r]
    return cv2.countNonZero(near) > cv2.countNonZero(kept[top:bottom, left:right])


def _loose_strokes(main: list[tuple[int, int, int, int]],
                   small: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Small pieces shaped like a stroke (much longer than thick) just above or below a
    glyph and over it: a stroke of the glyph that came loose (a fax, a pale scan), like a
    5's top bar. They are part of the glyph, not specks: the reader must see them."""
    out = []
    for piece in small:
        x, y, w, h = piece
        if max(w, h) < STROKE_PIECE * min(w, h):
            continue
        for gx, gy, gw, gh in main:
            over = min(x + w, gx + gw) - max(x, gx) >= w / 2
            gap = max(gy - (y + h), y - (gy + gh))
            if over and 0 <= gap <= LOOSE_GAP * gh:
                out.append(piece)
                break
    return out


def _touching_glyphs(box: tuple[int, int, int, int], area: int, tall: float,
                     dense: float) -> bool:
    """Whether a wide piece from edge to edge is glyphs run together (pale print blurred
    into one blot in a tight crop, "29" beside a "2"), not a stroke crossing the cell: as
    tall as the glyphs beside it and as full of ink as they are. A seal's arc is taller
    or, crossing flat, much thinner; either way far emptier than print."""
    _, _, w, h = box
    fill = area / max(w * h, 1)
    return TOUCHING_HEIGHT[0] * tall <= h <= TOUCHING_HEIGHT[1] * tall and \
        TOUCHING_FILL[0] * dense <= fill <= TOUCHING_FILL[1] * dense


def _with_pale_print(sub: np.ndarray, tones: np.ndarray, dpi: float) -> np.ndarray:
    """The cell's ink mask, completed where the print is paler than the page's.

    The page threshold is set by its black rules and text; a pale digit (faded toner, a
    light typeface, a blurred low-resolution scan) keeps only its darkest stroke under it
    (a "2" becomes its base: a dash) or nothing at all. Judged against this cell's own
    paper and darkest ink, the whole glyph is ink again. Darkness is measured on a copy
    smoothed over about a stroke's width, where sensor noise averages out and print does
    not: a cell whose darkest spot is near its paper holds noise, not print.
    """
    edge = max(1, int(dpi * 0.01))
    if tones.shape[0] <= 4 * edge or tones.shape[1] <= 4 * edge:
        return sub
    smooth = cv2.GaussianBlur(tones, (0, 0), dpi * 0.004)
    core = smooth[edge:-edge, edge:-edge]
    k = min(core.size - 1, max(3, int((dpi / 100) ** 2)))  # a few pixels, not one speck
    darkest = float(np.partition(core.ravel(), k)[k])
    paper = percentile(tones, 90)
    if paper - darkest < FAINT_CONTRAST:
        return sub
    level = darkest + FAINT_CUT * (paper - darkest)
    return sub | np.where(smooth < level, 255, 0).astype(np.uint8)


def percentile(values: np.ndarray, q: float) -> float:
    """`np.percentile(values, q)` (its default, linear method), to the last bit: the two
    order statistics it interpolates, by partition. A cell's paper level is taken this
    way for every cell of a page; numpy's general path costs 14 times as much."""
    flat = values.ravel()
    at = q / 100 * (flat.size - 1)
    lo = int(np.floor(at))
    hi = min(lo + 1, flat.size - 1)
    part = np.partition(flat, [lo, hi] if hi != lo else lo)
    below, above = float(part[lo]), float(part[hi])
    t = at - lo
    # numpy's lerp, which interpolates from the nearer end
    return above - (above - below) * (1 - t) if t >= 0.5 else below + (above - below) * t


def faint_level(gray: np.ndarray, binary: np.ndarray) -> float | None:
    """A gray level lighter than any print core on the page, darker than a gray seal's ink.

    The core of print is the darker part of the ink pixels; the level sits well above it,
    towards the paper. None when the page has no ink.
    """
    ink = gray[binary > 0]
    if ink.size < 100:
        return None
    core = percentile(ink, 30)
    return core + max(60.0, (255.0 - core) * 0.45)


def stroke_mark(component: np.ndarray, dpi: float, text_height: float | None = None) -> str:
    """"-" or "/" when one glyph's ink is a single thin straight stroke, else "".

    A dash is a short horizontal bar; a slash a thin diagonal leaning right. Digits never
    are one straight stroke except "1", which stands (nearly) upright: its axis is steeper
    than a slash's and its box narrow. Judged from the pixels (principal axis and the spread
    across it), so the font and the size of the mark do not matter.
    """
    ys, xs = np.nonzero(component)
    h, w = component.shape
    if len(xs) < 6:
        return ""
    if w >= 2.0 * h and h <= dpi * DASH_THICK_IN:
        return "-"
    if w >= 1.6 * h and h <= dpi * DASH_THICK_IN and len(xs) >= 0.7 * w * h:
        return "-"  # a short bar thickened by blur: still solid, unlike any digit
    if text_height and h <= DASH_HEIGHT * text_height and w >= 1.2 * h \
            and len(xs) >= 0.6 * w * h:
        return "-"  # a solid blot far lower than the table's text: no digit is
    cov = np.cov(np.vstack([xs, ys]).astype(np.float64))
    evals, evecs = np.linalg.eigh(cov)
    major, minor = float(evals[1]), float(max(evals[0], 0.0))
    if major <= 0:
        return ""
    dx, dy = evecs[0, 1], evecs[1, 1]
    angle = np.degrees(np.arctan2(abs(dy), abs(dx)))  # 0 = horizontal, 90 = upright
    thin = np.sqrt(minor / major)  # ~ stroke width / stroke length for a straight bar
    if angle <= 12 and thin < 0.2 and w >= 1.5 * h and h <= dpi * DASH_THICK_IN:
        return "-"  # (a line of small bold type blurred into one bar is thicker)
    # Leaning right: x falls as y (downwards) grows.
    if 45 <= angle <= 78 and thin < SLASH_THIN and dx * dy < 0 and w >= 0.3 * h:
        return "/"
    return ""


def _close_gaps(crop: np.ndarray, runs: list[tuple[int, int]], height: int) -> np.ndarray:
    """The crop with wide blank gaps between glyphs narrowed to a normal letter gap.

    Values spread across their cell (justified, or with letter spacing) read as separate
    words, and a reader then drops or doubles digits; closed up, they read as one number.
    """
    wide = max(int(height * 0.45), 3)
    keep = max(int(height * 0.2), 2)
    if len(runs) < 2 or all(b2 - a1 <= wide for (_, a1), (b2, _) in
                            zip(runs, runs[1:], strict=False)):
        return crop
    pieces = [crop[:, :runs[0][0]]]
    for (a, b), nxt in zip(runs, runs[1:] + [None], strict=False):
        pieces.append(crop[:, a:b])
        if nxt is None:
            pieces.append(crop[:, b:])
        elif nxt[0] - b > wide:
            pieces.append(crop[:, b:b + keep])
        else:
            pieces.append(crop[:, b:nxt[0]])
    return np.ascontiguousarray(np.hstack(pieces))


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


def _line_spans(boxes: list[tuple[int, int, int, int]],
                text_height: float | None = None) -> list[tuple[int, int]]:
    """Vertical extents of text lines: boxes overlapping in y are one line (a sliver of a
    glyph that starts with it or lies within it too), and so are pieces stacked no taller
    together than one line of text (`text_height`, with slack)."""
    spans = sorted((y, y + h) for _, y, _, h in boxes)
    out: list[list[int]] = []
    for a, b in spans:
        if out and (a < out[-1][1] - 1 or b <= out[-1][1] or a <= out[-1][0]
                    or text_height is not None
                    and max(b, out[-1][1]) - out[-1][0] <= STACKED_LINE * text_height):
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _rejoined_cut_glyphs(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Line spans with the pieces of a glyph cut across (a thin stroke lost to blur or a
    light scan: 织's top and its two legs) joined again into one line.

    A span much shorter than the cell's tallest line that, with its nearer neighbour, is
    no taller than that line, is a piece of one: a real short line (一, a row of digits)
    is a line gap away from its neighbours, and the two together are far taller.
    """
    out = list(spans)
    while len(out) > 1:
        tallest = max(b - a for a, b in out)
        joins = [(max(out[k + 1][1], out[k][1]) - out[k][0], k) for k in range(len(out) - 1)
                 if min(out[k][1] - out[k][0], out[k + 1][1] - out[k + 1][0])
                 < CUT_PIECE * tallest]
        joins = [(h, k) for h, k in joins if h <= CUT_JOINED * tallest]
        if not joins:
            break
        _, k = min(joins)
        out[k:k + 2] = [(out[k][0], max(out[k][1], out[k + 1][1]))]
    return out


def usual_text_height(inks: list[CellInk]) -> float | None:
    """The median ink height of a table's one-line value-like cells (None when too few)."""
    heights = [ink.height for ink in inks
               if ink.lines == 1 and not ink.mark and ink.glyphs
               and max(b - a for a, b in ink.glyphs) <= ink.height]
    return float(np.median(heights)) if len(heights) >= 5 else None


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
    if ink.doubt:
        return Judgement(text=ink.mark or text, confidence=min(conf, 0.3), reasons=[ink.doubt])
    if ink.mark:  # a dash or a slash by its shape: no digit is one thin straight stroke
        return Judgement(text=ink.mark, confidence=max(conf, 0.95), reasons=[])
    if not text:
        return Judgement(text="", confidence=0.1, reasons=["ink_in_blank"])
    if not VALUE_RE.match(without_unit(text)):
        reasons.append("unexpected_chars")
        conf = min(conf, 0.2)
    if not glyphs_fit(text, ink):
        reasons.append("glyph_count")
        conf = min(conf, 0.3)
    if second is not None and not normalise_value(second):
        reasons.append("second_blank")
        conf = min(conf, 0.3)
    elif second is not None and normalise_value(second) != text:
        reasons.append("engines_disagree")
        conf = min(conf, 0.3)
    return Judgement(text=text, confidence=conf, reasons=reasons)


def without_unit(text: str) -> str:
    """The number of an amount read with its unit (3115.48万元 → 3115.48)."""
    return UNIT_RE.sub("", text)


def ends_square(ink: CellInk) -> bool:
    """The cell's last glyph is as wide as it is tall: a hanzi (a unit after an amount),
    or two digits run together."""
    if ink.lines != 1 or len(ink.glyphs) < 2:
        return False
    a, b = ink.glyphs[-1]
    return b - a >= SQUARE_GLYPH * max(ink.height, 1)


def glyphs_fit(text: str, ink: CellInk) -> bool:
    """Can the digits of `text` be the glyphs on the image?

    A reading without digits (a dash, a slash) fits a single glyph only: a row label of
    narrow glyphs read as "-" does not. Empty text fits anything (nothing was claimed).
    """
    units = len(text) - len(without_unit(text))  # a hanzi is one glyph
    text = without_unit(text)
    digits = sum(ch.isdigit() for ch in text)
    if not digits:
        return not text.strip() or len(ink.glyphs) <= 1
    # A minus sign is a glyph of its own; a comma or a point may be one or may have been
    # dropped as a speck, so it counts towards the glyphs the image may hold, not must.
    signs = text.count("-")
    marks = text.count(",") + text.count(".")
    return _glyphs_fit(digits + signs + units, digits + signs + marks + units, ink)


def _glyphs_fit(least: int, most: int, ink: CellInk) -> bool:
    """Can the glyph runs on the image be between `least` and `most` glyphs?

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
    return low <= most and least <= high
