"""Tables printed without ruled lines (or with only a frame), on a page image.

The text path lays such tables out from where their characters stand
(`extractor.sources.text_alignment`). On an image the same arrangement is found from the
ink: glyphs closer than half a text height are one segment (a label, a number, a line of
prose), each segment is read as a table cell is (`read_cells`: values and labels told by
their shapes, doubted values read by the second engine), and the segments, placed in PDF
points, go through the text path's alignment rules. One layout logic serves both paths,
and every cell keeps the confidence its reading earned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from extractor.grid import Grid, boxes_meet
from extractor.ocr.cells import DASH_HEIGHT
from extractor.ocr.components import component_labels, components
from extractor.ocr.engines import OcrEngine
from extractor.ocr.preprocess import Prepared, estimate_text_rotation
from extractor.ocr.reading import SEAL_CROSSED_CONFIDENCE, read_cells
from extractor.ocr.rings import black_seal, crossed_by_seal
from extractor.sources.text_alignment import SEGMENT_GAP, unruled_grids

MIN_VALUE_ROWS = 3  # fewer lines of spaced-out numbers than this on a page: not a table
LONG_ROW = 6  # ...unless one line holds this many (table 四 has a single row)
MIN_VALUE_LINES = 4  # ...or this many lines hold a number set apart (table 二's rows)
MAX_NUMBER = 6.0  # a number is at most this many text heights wide
APART = 1.2  # a value stands at least this many text heights from other text on its line
NUMBERING_GAP = 1.0  # a number this close (in text heights) before words is their numbering
BRACKETED_GAP = 2.5  # ...and a number in brackets this close
BRACKET_WIDTH = 0.35  # a bracket is at most this share of its segment's height wide
STROKE_GAP = 0.6  # strokes of one glyph stacked this close (in text heights) are joined
LINE_JOIN = 0.2  # parts of one glyph (二, 三) this many text heights apart stack into one
PUNCTUATION = 0.5  # a mark smaller than this many text heights may be punctuation
RULE_IN = 0.5  # a straight run of ink this long (inches) is a rule, not a glyph stroke
DIGIT_WIDTH = 0.8  # a glyph at most this share of its segment's height wide is a digit's
SPACED_DIGITS = 0.9  # digits this many text heights apart (or closer) are one number
INK_GLYPH = 0.3  # ink at least this many text heights across may be a glyph
AFTER_COMMA = 1.2  # text this many of its line's heights after a comma goes on from it
PALE_INK = 40  # gray levels below the paper: ink, however pale (print the threshold dropped)


@dataclass
class Segment:
    box: tuple[int, int, int, int]  # prepared-image pixels
    numeric: bool  # only digit-shaped glyphs, or a dash: may be a value
    bracketed: bool = False  # a number in brackets: a label's numbering, never a value
    comma_end: bool = False  # ends in a small mark low on its line (，、): its text goes on


def text_segments(binary: np.ndarray, dpi: float) -> tuple[list[Segment], float]:
    """The page's text segments and the usual text height (prepared-image pixels).

    Rules (a frame, the lines above and below a header) are taken out first; what is
    left is grouped by closeness, as characters are on a text layer.
    """
    ink = _without_rules(binary, dpi)
    _, pieces, stats, _ = components(ink, 8)
    speck = max(2, int(dpi * 0.015))
    # Specks are noise: they would join segments across a gap. Each is wiped in its box
    # (a few hundred small boxes, not a pass over the page).
    kept = stats[:, 2:4].max(axis=1) >= speck
    for k in np.nonzero(~kept[1:])[0] + 1:
        x, y, w, h = (int(v) for v in stats[k, :4])
        box = ink[y:y + h, x:x + w]
        box[pieces[y:y + h, x:x + w] == k] = 0
    heights = [h for _, _, w, h, _ in stats[1:] if dpi * 0.04 <= h <= dpi * 0.4 and w <= 2 * h]
    if len(heights) < 5:
        return [], 0.0
    height = float(np.median(heights))
    kernel = np.ones((max(1, int(LINE_JOIN * height)), int(SEGMENT_GAP * height) + 1), np.uint8)
    n, labels = component_labels(cv2.dilate(ink, kernel), 8)
    ys, xs = np.nonzero(ink)
    owner = labels[ys, xs]
    x0 = np.full(n, np.iinfo(np.int32).max)
    y0 = np.full(n, np.iinfo(np.int32).max)
    x1 = np.full(n, -1)
    y1 = np.full(n, -1)
    np.minimum.at(x0, owner, xs)
    np.minimum.at(y0, owner, ys)
    np.maximum.at(x1, owner, xs)
    np.maximum.at(y1, owner, ys)
    # Which segments are numbers: glyphs side by side, each narrow and nearly as tall as
    # the segment (a hanzi's parts are stacked, or short, or wide), commas and points aside.
    # Each glyph piece belongs to the segment its pixels fall in (its box's centre may
    # be the paper inside a 口 or a 0).
    piece_owner = np.zeros(len(stats), np.int64)
    piece_owner[pieces[ys, xs]] = owner
    parts: dict[int, list[tuple[int, int, int, int]]] = {}
    for k, (gx, gy, gw, gh, _) in enumerate(stats[1:], start=1):
        if max(gw, gh) >= speck:
            parts.setdefault(int(piece_owner[k]), []).append((gx, gw, gh, gy))
    segments = []
    for i in range(1, n):
        if x1[i] < 0:
            continue
        w, h = x1[i] - x0[i] + 1, y1[i] - y0[i] + 1
        if h > 4 * height:  # a picture, a seal
            continue
        glyphs = sorted((gx, gw, gh) for gx, gw, gh, _ in parts.get(i, [])
                        if gh >= PUNCTUATION * h)
        # "(3)": digits between two thin strokes the segment's full height: numbering.
        bracketed = len(glyphs) >= 3 and all(
            gw <= BRACKET_WIDTH * h and gh >= 0.9 * h for _, gw, gh in (glyphs[0], glyphs[-1]))
        inner = glyphs[1:-1] if bracketed else glyphs
        digits = bool(inner) and w <= MAX_NUMBER * height and all(
            gh >= (0.6 if bracketed else 0.7) * h and gw <= DIGIT_WIDTH * h
            for _, gw, gh in inner)
        bracketed = bracketed and digits
        dash = h <= DASH_HEIGHT * height and h <= w <= 1.5 * height
        segments.append(Segment((int(x0[i]), int(y0[i]), int(x1[i]) + 1, int(y1[i]) + 1),
                                digits or dash, bracketed,
                                _ends_in_comma(parts.get(i, []), y0[i], h)))
    segments = _join_stacked_strokes(segments, height)
    segments = _join_spaced_digits(segments, height)
    segments = _join_numbering(segments, height)
    segments = _join_after_commas(segments)
    return _without_punctuation(segments, height), height


def _without_rules(ink: np.ndarray, dpi: float) -> np.ndarray:
    """The ink without its rules (straight runs of ink longer than any glyph's stroke)."""
    length = max(int(dpi * RULE_IN), 20)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    return cv2.subtract(ink, cv2.dilate(rules, np.ones((3, 3), np.uint8)))


def _ends_in_comma(glyphs: list[tuple[int, int, int, int]], top: int, height: int) -> bool:
    """Whether a segment's last glyph is a small mark in the lower part of its line: a
    full-width ，or 、, after which a label's text goes on (past the mark's wide gap)."""
    if len(glyphs) < 2:
        return False
    *before, (gx, gw, gh, gy) = sorted(glyphs, key=lambda g: g[0] + g[1])
    # It stands clear of the glyphs before it: the dots at the foot of 只 stand under
    # the glyph's own top, and are no comma.
    clear = all(gx >= x + w - 1 for x, w, _, _ in before)
    return clear and max(gw, gh) < PUNCTUATION * height and gy - top >= 0.4 * height


def _join_after_commas(segments: list[Segment]) -> list[Segment]:
    """Words after a comma are the same text as the words before it: "（区分处理的，只计
    这一情形，不计其他情形）" is one label, though the gap after each comma (most of an em)
    is wider than the gap that joins glyphs into a segment. Only text that ends in a
    comma is continued, so cells set close together (a header's) stay apart.

    So are digits after a number's separator: full-width figures ("２５，３８４", "０．００")
    set their comma or point in an em of its own, and a value never ends in one."""
    out = sorted(segments, key=lambda s: s.box[0])
    changed = True
    while changed:
        changed = False
        for seg in out:
            if not seg.comma_end:
                continue
            x0, y0, x1, y1 = seg.box
            line = y1 - y0
            after = [o for o in out if o is not seg and o.numeric == seg.numeric
                     and 0 <= o.box[0] - x1 <= AFTER_COMMA * line
                     and min(o.box[3], y1) - max(o.box[1], y0)
                     > 0.5 * min(o.box[3] - o.box[1], line)]
            if not after:
                continue
            more = min(after, key=lambda o: o.box[0])
            a0, b0, a1, b1 = more.box
            seg.box = (x0, min(y0, b0), max(x1, a1), max(y1, b1))
            seg.comma_end = more.comma_end
            out.remove(more)
            changed = True
            break
    return out


def _join_numbering(segments: list[Segment], height: float) -> list[Segment]:
    """A number or a stroke just left of a label's text is its numbering (一、 1. (三)),
    not a value: no value in a table has words set that close after it."""
    out = sorted(segments, key=lambda s: s.box[0])
    for seg in [s for s in out if s.numeric]:
        x0, y0, x1, y1 = seg.box
        beside = [o for o in out if not o.numeric and o is not seg
                  and 0 <= o.box[0] - x1 <= _numbering_reach(seg, o, height)
                  and min(o.box[3], y1) - max(o.box[1], y0) > 0.3 * (y1 - y0)]
        if beside:
            label = min(beside, key=lambda o: o.box[0])
            a0, b0, a1, b1 = label.box
            label.box = (min(a0, x0), min(b0, y0), a1, max(b1, y1))
            out.remove(seg)
    return out


def _numbering_reach(number: Segment, label: Segment, height: float) -> float:
    """How far after its numbering a label's text may start: in the label's own type
    size, since after a full-width 、 the gap is most of an em, more than the page's
    usual text height where the table's digits set that height."""
    gap = BRACKETED_GAP if number.bracketed else NUMBERING_GAP
    return gap * max(height, min(label.box[3] - label.box[1], 2 * height))


def _join_stacked_strokes(segments: list[Segment], height: float) -> list[Segment]:
    """The strokes of 二 and 三 stand apart, one above the other, each a dash by its shape:
    a flat stroke with ink straight above or below it, closer than a line's spacing, is
    part of that glyph. (A dash in a table has a row's spacing around it.)"""
    def stacked(upper: Segment, lower: Segment) -> bool:
        a0, b0, a1, b1 = upper.box
        x0, y0, x1, y1 = lower.box
        flat = min(b1 - b0, y1 - y0) <= DASH_HEIGHT * height
        across = min(a1, x1) - max(a0, x0)
        return flat and across >= 0.6 * min(a1 - a0, x1 - x0) \
            and 0 <= y0 - b1 <= STROKE_GAP * height

    return _merged(segments, lambda s: s.box[1], stacked, numeric=False)


def _join_spaced_digits(segments: list[Segment], height: float) -> list[Segment]:
    """Digits set with spaces between them ("2 5 8") are one number, as the spaces between
    them say on a text layer; two numbers in neighbouring columns stand further apart."""
    def spaced(left: Segment, right: Segment) -> bool:
        a0, b0, a1, b1 = left.box
        x0, y0, x1, y1 = right.box
        overlap = min(b1, y1) - max(b0, y0)
        return left.numeric and right.numeric \
            and overlap >= 0.6 * min(b1 - b0, y1 - y0) \
            and 0 <= x0 - a1 <= SPACED_DIGITS * height

    return _merged(segments, lambda s: s.box[0], spaced, numeric=True)


def _merged(segments: list[Segment], order: Callable[[Segment], int],
            joins: Callable[[Segment, Segment], bool], numeric: bool) -> list[Segment]:
    """Each segment, in `order`, joined into the first earlier one it `joins`; a joined
    segment is a number only if `numeric` (and both parts were)."""
    out: list[Segment] = []
    for seg in sorted(segments, key=order):
        into = next((kept for kept in out if joins(kept, seg)), None)
        if into is None:
            out.append(Segment(seg.box, seg.numeric, seg.bracketed, seg.comma_end))
            continue
        a0, b0, a1, b1 = into.box
        x0, y0, x1, y1 = seg.box
        into.box = (min(a0, x0), min(b0, y0), max(a1, x1), max(b1, y1))
        into.numeric = numeric and into.numeric and seg.numeric
        if x1 >= a1:  # what the joined text ends in is what its right part ends in
            into.comma_end = seg.comma_end
    return out


def _looks_tabular(segments: list[Segment], height: float) -> bool:
    """Some text lines hold numbers set apart from each other: the rows of a table (or
    table 四's one long row, or table 二's rows of one number after a label). Prose runs
    its words together, its digits beside hanzi."""
    numbers = sorted((s.box for s in segments if s.numeric and _stands_apart(s, segments,
                                                                              height)),
                     key=lambda b: (b[1] + b[3]) / 2)
    lines: list[int] = []
    centre = None
    for _, y0, _, y1 in numbers:
        middle = (y0 + y1) / 2
        if centre is not None and abs(middle - centre) <= 0.4 * height:
            lines[-1] += 1
        else:
            lines.append(1)
            centre = middle
    rows = [count for count in lines if count >= 2]
    return (len(rows) >= MIN_VALUE_ROWS or len(lines) >= MIN_VALUE_LINES
            or max(rows, default=0) >= LONG_ROW)


def _stands_apart(seg: Segment, segments: list[Segment], height: float) -> bool:
    """No other text close beside it on its line: a table cell's, not a word in prose."""
    x0, y0, x1, y1 = seg.box
    for other in segments:
        a0, b0, a1, b1 = other.box
        if other is seg or min(b1, y1) - max(b0, y0) < 0.5 * min(b1 - b0, y1 - y0):
            continue
        if max(a0 - x1, x0 - a1) < APART * height:
            return False
    return True


def _without_punctuation(segments: list[Segment], height: float) -> list[Segment]:
    """Drop the small marks that sit on the baseline of a line of text beside them.

    A full-width comma or full stop leaves a wide gap after it, so it stands alone as a
    segment; read alone it comes out as a digit and would make prose look like a row of
    values. A dash sits at mid-height, and a value cell's digit is no small mark.
    """
    kept = []
    for seg in segments:
        x0, y0, x1, y1 = seg.box
        if max(x1 - x0, y1 - y0) >= PUNCTUATION * height:
            kept.append(seg)
            continue
        centre = (y0 + y1) / 2
        on_baseline = any(
            b[1] <= centre <= b[3] and centre >= b[1] + 0.6 * (b[3] - b[1])
            and (b[3] - b[1]) >= 0.8 * height
            and min(abs(b[2] - x0), abs(x1 - b[0])) <= height
            for b in (other.box for other in segments if other is not seg)
        )
        if not on_baseline:
            kept.append(seg)
    return kept


def segments_off_seal(prepared: Prepared,
                      dpi: float) -> tuple[list[Segment], float, np.ndarray | None]:
    """The page's text segments and usual text height (`text_segments`), found with any
    black seal's ring and star (returned: 255 on them, or None) taken off the page."""
    seal = black_seal(prepared.binary, dpi)
    segments, height = text_segments(prepared.erased(seal, (0, 0)).binary, dpi)
    return segments, height, seal


def read_unruled(prepared: Prepared, page_number: int, dpi: float, primary: OcrEngine,
                 secondary: OcrEngine | None) -> list[Grid]:
    """Grids of a page whose tables have no inner rules; [] when it holds none.

    A black seal's ring and star (a fax, a binarised scan) are taken off the page before
    its text is found: the ring would join the words it runs through into one blot too
    big for a glyph, and a header under it would be lost. Text it crossed is doubted."""
    segments, height, seal = segments_off_seal(prepared, dpi)
    if not _looks_tabular(segments, height):
        return []  # prose, a title page, a signature: skipped without reading
    # With no ruled line to straighten it by, the page is levelled by its lines of text.
    unstraightened = np.allclose(prepared.to_original, np.eye(3))
    rotation = estimate_text_rotation(prepared.binary, dpi) if unstraightened else None
    if rotation is not None:
        prepared = prepared.warped(rotation)
        segments, height, seal = segments_off_seal(prepared, dpi)
    boxes = [s.box for s in segments]
    pad = max(2, int(dpi * 0.008)) + max(2, int(dpi * 0.006))  # cell_ink's inset, and air
    h, w = prepared.binary.shape
    padded = [(max(x0 - pad, 0), max(y0 - pad, 0), min(x1 + pad, w), min(y1 + pad, h))
              for x0, y0, x1, y1 in boxes]
    texts, confs, reasons = read_cells(prepared.erased(seal, (0, 0)), padded, 0, dpi,
                                       primary, secondary)
    if seal is not None:
        for i in crossed_by_seal(prepared.binary, seal, padded):
            confs[i] = min(confs[i], SEAL_CROSSED_CONFIDENCE)
            reasons[i].append("under_seal")
    # Laid out in the rectified image, where rows are level; placed on the page after.
    scale = 72.0 / dpi
    chars, readings = [], []
    for box, text, conf, why in zip(boxes, texts, confs, reasons, strict=True):
        text = text.replace(" ", "")
        if not text:
            continue
        # A character's box on a text layer is its font's height whatever its ink: a dash
        # or a digit is placed on its line by its centre, as tall as the line's text.
        x0, top, x1, bottom = box
        middle, half = (top + bottom) / 2, max(bottom - top, height) / 2
        x0, top, x1, bottom = x0 * scale, (middle - half) * scale, x1 * scale, \
            (middle + half) * scale
        chars.append({"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom})
        readings.append(((x0 + x1) / 2, (top + bottom) / 2, conf, why))
    grids = unruled_grids(page_number, chars)
    ink = [_on_page(tuple(v * scale for v in box), prepared, dpi)
           for box in _ink_boxes(prepared, height, dpi)] if grids else []
    for grid in grids:
        grid.source = "ocr"
        for cell in grid.cells:
            cell.source = "ocr"
            if cell.bbox is None:
                continue
            x0, top, x1, bottom = cell.bbox
            mine = [(conf, why) for cx, cy, conf, why in readings
                    if x0 <= cx <= x1 and top <= cy <= bottom]
            if mine:
                cell.confidence = round(min(conf for conf, _ in mine), 3)
                cell.reasons = sorted({r for _, why in mine for r in why})
            cell.bbox = _on_page(cell.bbox, prepared, dpi)
        if grid.bbox is not None:
            grid.bbox = _on_page(grid.bbox, prepared, dpi)
            grid.ink = [box for box in ink if boxes_meet(box, grid.bbox)]
    return grids


def _ink_boxes(prepared: Prepared, height: float, dpi: float) -> list[tuple[int, int, int, int]]:
    """Boxes (prepared-image pixels) of the page's glyph-sized ink, pale print the
    binarisation dropped included, and of the seals flattened to paper.

    Without rules there is no cell to look inside for ink, so a column with nothing read
    under it is a sure blank only where the page shows no ink there.
    """
    paper = float(np.median(prepared.gray[::4, ::4]))
    ink = _without_rules(
        prepared.binary | cv2.compare(prepared.gray, paper - PALE_INK, cv2.CMP_LT), dpi)
    _, _, stats, _ = components(ink, 8)
    least = max(2, INK_GLYPH * height)
    found = [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:]
             if max(w, h) >= least]
    if prepared.stamp is not None:
        _, _, stats, _ = components(prepared.stamp, 8)
        found += [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:]]
    return found


def _on_page(box: tuple[float, float, float, float], prepared: Prepared,
             dpi: float) -> tuple[float, float, float, float]:
    """A box in rectified-image points as points on the page as printed."""
    x0, y0, x1, y1 = (int(round(v * dpi / 72.0)) for v in box)
    return prepared.to_points((x0, y0, x1, y1), dpi)
