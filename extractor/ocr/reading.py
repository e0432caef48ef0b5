"""Reading cells: the ink of each box read as a value or a label, with a confidence.

A box is a ruled table's cell or a segment of unruled text. Value-looking ink goes to the
digit reader and the rest to the label reader, in batches; a reading the image contradicts
is doubted; where a second engine is installed it re-reads the doubted values, and its
sure reading confirms a cell or replaces its text (still flagged).
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from extractor.ocr.cells import (
    CJK_RE,
    DASH_HEIGHT,
    UNIT_RE,
    VALUE_RE,
    CellInk,
    cell_ink,
    ends_square,
    faint_level,
    glyphs_fit,
    judge_value,
    looks_like_value,
    normalise_value,
    usual_text_height,
    without_unit,
)
from extractor.ocr.engines import OcrEngine
from extractor.ocr.preprocess import Prepared
from extractor.ocr.twins import read_once
from extractor.reconcile.vocabulary import known_start, start_names_one_label

# A cell whose confidence is below this must be flagged by the reconciler. Chosen on the
# bench (bench/ocr_bench.py): every wrong value read there scored below it.
OCR_FLAG_THRESHOLD = 0.80
# Values read with a confidence between the threshold and this are read again by the other
# engine (when installed): on the bench every wrong value scored below it.
VERIFY_BELOW = 0.95
# A printed "none" that both engines read alike is taken with this confidence.
AGREED_CONFIDENCE = 0.9
DASH_OFF_LINE = 0.3  # a bar this many text heights above or below its row's line is no dash
LABEL_RECHECK_BELOW = 0.5  # a label read below this confidence is read by both engines...
SURE_LABEL = 0.8  # ...and the second reading is kept when it is at least this sure
# A wrapped label's first line that starts with this many characters exactly as a known
# label does names it whatever its confidence (the least sure word's, often a misread
# character further on: the template's small-print note reads at 0.0–0.4).
EXACT_START_DECIDES = 6
# A first line narrower than this many times its height holds fewer characters than a
# decision needs (two hanzi, as 结果 over 维持, measure 1.6–2.1; three 2.5 and more): it
# is read only with the rest of its label.
DECIDING_LINE_WIDTH = 2.3
NULL_WORDS = {"无"}  # value cells printed as a word, read by the label reader
SEAL_CROSSED_CONFIDENCE = 0.5  # a cell whose print a black seal's ring crosses is doubted
UNSURE_UNIT = 0.3  # an amount with its unit that only the label reader saw so
MAX_SINGLE_READS = 8  # one-by-one re-reads per table: bounds what a bad page costs
MAX_LONE_READS = 120  # one-digit cells re-read alone per table (a few ms each, loaded)
MAX_SECOND_READS = 60  # doubted values per table read by the second engine
SECOND_SURE = 0.9  # the second engine's confidence needed for its reading to count
TWIN_MATCH = 0.9  # correlation of two glyph images that are one character in one print
TWIN_CONFIRMS = 0.8  # ...enough to confirm a reading the second engine could not check
TWIN_LEAD = 0.1  # ...and by how much it must beat every other character's
TWIN_SIZE = 24  # side (pixels) glyph images are compared at
MIN_TWINS = 2  # surely read cells of one character needed before others are matched to it
TWIN_SEEDS = 4  # cells of a digit with no sure twin that the second engine reads first


def read_cells(
    prepared: Prepared, boxes: list[tuple[int, int, int, int]], line_px: int, dpi: float,
    primary: OcrEngine, secondary: OcrEngine | None,
) -> tuple[list[str], list[float], list[list[str]]]:
    """Text, confidence and reasons of each box's ink (a cell within its rules, or a
    segment of unruled text with a margin around it), read as a value or as a label."""
    faint = faint_level(prepared.gray, prepared.binary)
    inks = [cell_ink(prepared.gray, prepared.binary, box, line_px, dpi, faint)
            for box in boxes]
    # A faint digit broken into stacked pieces looks like two text lines: judged again
    # against the table's usual text height, it is one. (Only a cell whose ink all fits
    # one line is taken so; a label of several lines keeps its lines as printed.)
    usual = usual_text_height(inks)
    if usual is not None:
        for i, (box, ink) in enumerate(zip(boxes, inks, strict=True)):
            if len(ink.glyphs) == 1 and not ink.mark and ink.height <= DASH_HEIGHT * usual:
                inks[i] = cell_ink(prepared.gray, prepared.binary, box, line_px, dpi,
                                   faint, usual)
            elif ink.lines > 1:
                again = cell_ink(prepared.gray, prepared.binary, box, line_px, dpi,
                                 faint, usual)
                if again.lines == 1:
                    inks[i] = again
    if usual is not None:
        _undash_bars_off_the_line(boxes, inks, usual)
    texts: list[str] = [""] * len(inks)
    confs: list[float] = [0.99] * len(inks)
    reasons: list[list[str]] = [[] for _ in inks]

    value_idx = [i for i, ink in enumerate(inks) if not ink.blank and _value_shaped(ink)]
    label_idx = [i for i, ink in enumerate(inks) if not ink.blank and i not in set(value_idx)]
    value_reads = dict(zip(value_idx, _read_values(primary, inks, value_idx), strict=True))
    # A value-shaped cell that did not read as a value is read again as a label, and a
    # label cell that reads as a number is read again as a value.
    # So is one whose digits cannot be the glyphs on the image (a label of narrow hanzi).
    misfit = {i for i in value_idx if VALUE_RE.match(value_reads[i][0])
              and not inks[i].dash and not glyphs_fit(value_reads[i][0], inks[i])}
    retry = [i for i in value_idx if not VALUE_RE.match(value_reads[i][0]) or i in misfit]
    label_lines = dict(zip(label_idx + retry,
                           _read_label_lines(primary, inks, label_idx + retry, whole=False),
                           strict=True))
    label_reads = {i: _joined(lines) for i, lines in label_lines.items()}
    reread: list[int] = []
    for i in label_idx + retry:
        text, conf = label_reads[i]
        if i in misfit and len(CJK_RE.findall(text)) < 2:
            continue  # a number that read badly, not a label: keep the value reading
        if CJK_RE.search(text):
            texts[i], confs[i] = text, conf
            value_reads.pop(i, None)
        elif i not in value_reads or not VALUE_RE.match(value_reads[i][0]):
            reread.append(i)
    value_reads.update(zip(reread, _read_values(primary, inks, reread), strict=True))
    _read_units(primary, inks, value_reads, label_reads)
    # A montage read sometimes drops a lone short line: look at those crops one by one.
    empty = [i for i in sorted(value_reads) if not value_reads[i][0]][:MAX_SINGLE_READS]
    for i in empty:
        reading = primary.read_single(inks[i].crop, "value")
        value_reads[i] = (normalise_value(reading.text), reading.confidence)
    _read_lone_digits(primary, inks, value_reads)
    for i in sorted(value_reads):  # neither a value nor CJK: keep the label reading, doubted
        text = without_unit(value_reads[i][0])
        if not VALUE_RE.match(text) and not looks_like_value(text):
            label_text = label_reads.get(i, ("", 0.0))[0]
            if label_text:
                texts[i], confs[i] = label_text, min(label_reads[i][1], 0.3)
                reasons[i].append("unreadable")
                value_reads.pop(i)

    if secondary is not None:
        _verify_null_words(secondary, inks, texts, confs, reasons)
        _recheck_labels(secondary, inks, texts, confs, label_lines)

    value_cells = sorted(value_reads)
    checks: dict[int, str] = {}
    to_check = [i for i in value_cells
                if not inks[i].dash and OCR_FLAG_THRESHOLD <= value_reads[i][1] < VERIFY_BELOW]
    if secondary is not None and to_check:
        checks = _checked_values(secondary, inks, value_reads, to_check)
    for i in value_cells:
        text, conf = value_reads[i]
        verdict = judge_value(text, conf, inks[i], dpi, checks.get(i))
        texts[i], confs[i], reasons[i] = verdict.text, verdict.confidence, verdict.reasons
    if secondary is not None:
        doubted = [i for i in value_cells if not inks[i].blank and not inks[i].mark
                   and not inks[i].dash and not inks[i].doubt
                   and confs[i] < OCR_FLAG_THRESHOLD]
        # Value-shaped cells that only the label reader made something (doubtful) of.
        unreadable = [i for i in value_idx if i not in value_reads
                      and confs[i] < OCR_FLAG_THRESHOLD and texts[i] not in NULL_WORDS]
        _second_opinion(secondary, inks, sorted(doubted + unreadable), texts, confs, reasons)
    _settle_by_twins(inks, texts, confs, reasons)
    for i, ink in enumerate(inks):
        if ink.blank:
            texts[i], confs[i] = "", 0.99
        if confs[i] < OCR_FLAG_THRESHOLD and "low_confidence" not in reasons[i]:
            reasons[i].append("low_confidence")

    return texts, confs, reasons


def _checked_values(secondary: OcrEngine, inks: list[CellInk],
                    value_reads: dict[int, tuple[str, float]],
                    to_check: list[int]) -> dict[int, str]:
    """A second reading of each value read at middling confidence: its twin's, or the
    second engine's.

    A lone digit whose image is the twin of the digits the same table printed and the
    first engine read surely is checked by that likeness: the second engine only ever
    agreed there (692 of 696 checks on the committed scans agreed; the twins confirmed
    none it contradicted). Where many lone digits alike have no such twin (a table that
    read its zeros at middling confidence, or surely only where they looked otherwise),
    the second engine reads a few of them first, and those it agrees on become their
    digit's twins too.
    """
    checks: dict[int, str] = {}
    templates = _twin_templates(inks, [(i, *value_reads[i]) for i in value_reads])

    def twinned(todo: list[int]) -> list[int]:
        """Check the cells of `todo` that are twins of a template; return the others."""
        rest = []
        for i in todo:
            if _twin_of(inks[i], templates, TWIN_MATCH) == value_reads[i][0]:
                checks[i] = value_reads[i][0]
            else:
                rest.append(i)
        return rest

    rest = twinned(to_check)
    alike: dict[str, list[int]] = {}
    for i in rest:
        if re.fullmatch(r"\d", value_reads[i][0]) and _one_glyph(inks[i]):
            alike.setdefault(value_reads[i][0], []).append(i)
    seeds = [i for found in alike.values() if len(found) > 2 * TWIN_SEEDS
             for i in found[:TWIN_SEEDS]]
    if seeds:
        for i, (text, _) in zip(seeds, _read_values(secondary, inks, seeds), strict=True):
            checks[i] = text
        agreed = [(i, checks[i], 1.0) for i in seeds if checks[i] == value_reads[i][0]]
        for text, looks in _twin_templates(inks, agreed).items():
            templates.setdefault(text, []).extend(looks)
        rest = twinned([i for i in rest if i not in checks])
    for i, (text, _) in zip(rest, _read_values(secondary, inks, rest), strict=True):
        checks[i] = text
    return checks


def _read_lone_digits(engine: OcrEngine, inks: list[CellInk],
                      value_reads: dict[int, tuple[str, float]]) -> None:
    """One-digit values the batch doubts, read again alone.

    In a batched read a lone glyph's confidence swings with the other crops of the batch:
    a thin 0 in a light typeface reads "0" at 0.00 among a table's numbers, 0.79 among
    zeros only, 0.87 alone. The lone reading's confidence is taken where it reads the
    same digit (a different digit leaves the doubt as it was); above the flag threshold it
    is still checked by the second engine like any other (VERIFY_BELOW).
    """
    lone = [i for i in sorted(value_reads)
            if value_reads[i][1] < OCR_FLAG_THRESHOLD and re.fullmatch(r"\d", value_reads[i][0])
            and len(inks[i].glyphs) == 1 and not inks[i].dash][:MAX_LONE_READS]
    for i in lone:
        again = engine.read_single(inks[i].crop, "value")
        text, conf = value_reads[i]
        if normalise_value(again.text) == text:
            value_reads[i] = (text, max(conf, again.confidence))


def _settle_by_twins(inks: list[CellInk], texts: list[str], confs: list[float],
                     reasons: list[list[str]]) -> None:
    """One-glyph cells the readers got wrong or doubt, read as the surely read cells of the
    same table whose glyph image they match.

    A table prints its zeros (0, 无) dozens of times in one font at one size; the reader,
    fed one small crop at a time, reads a few of them as another character (无 as 天, a 0
    with a speck as ".0"). Their images still match the surely read ones pixel for pixel,
    and that settles them: a doubted reading is replaced only where its own digits agree
    with the match (".0" → "0") or where it is a character no value cell holds (a hanzi
    other than 无), and only when the match is close and clearly the best.
    """
    single = [i for i, ink in enumerate(inks) if _one_glyph(ink)]
    if len(single) < MIN_TWINS + 1:
        return
    templates = _twin_templates(inks, [(i, texts[i], confs[i]) for i in single])
    if not templates:
        return
    for i in single:
        text = texts[i]
        digits = re.sub(r"[.,]", "", text)
        foreign = bool(CJK_RE.fullmatch(text)) and text not in NULL_WORDS
        if not foreign and not (confs[i] < OCR_FLAG_THRESHOLD and digits in templates):
            continue
        # Only unconfirmed (the second engine read nothing), not contradicted: the twins
        # may confirm it on a looser match (a fax's ragged edges cost a few hundredths).
        unconfirmed = set(reasons[i]) <= {"second_blank", "low_confidence"}
        match = _twin_of(inks[i], templates, TWIN_CONFIRMS if unconfirmed else TWIN_MATCH)
        if match is None or not foreign and match != digits:
            continue
        texts[i], confs[i] = match, AGREED_CONFIDENCE
        reasons[i] = [r for r in reasons[i] if r not in (
            "low_confidence", "unexpected_chars", "glyph_count", "unreadable", "second_blank")]


def _one_glyph(ink: CellInk) -> bool:
    return (not ink.blank and not ink.mark and not ink.doubt and ink.lines == 1
            and len(ink.glyphs) == 1 and ink.crop is not None)


def _twin_templates(inks: list[CellInk],
                    reads: list[tuple[int, str, float]]) -> dict[str, list[np.ndarray]]:
    """How this table prints each digit (or 无) read surely, alone, in MIN_TWINS cells or
    more: the mean of their glyph images. `reads`: (cell, text, confidence)."""
    images: dict[str, list[np.ndarray]] = {}
    for i, text, conf in reads:
        if conf >= VERIFY_BELOW and (text in NULL_WORDS or re.fullmatch(r"\d", text)) \
                and _one_glyph(inks[i]):
            images.setdefault(text, []).append(_glyph_image(inks[i]))
    return {text: [_unit(np.mean(found, axis=0))] for text, found in images.items()
            if len(found) >= MIN_TWINS}


def _twin_of(ink: CellInk, templates: dict[str, list[np.ndarray]],
             match: float) -> str | None:
    """What a one-glyph cell's image is the twin of: at least `match` like one look of
    that character, and by TWIN_LEAD more than like any other character; else None."""
    if not templates or not _one_glyph(ink):
        return None
    image = _glyph_image(ink)
    scores = sorted(((max(_likeness(image, t) for t in looks), k)
                     for k, looks in templates.items()), reverse=True)
    best, found = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else -1.0
    return found if best >= match and best - runner_up >= TWIN_LEAD else None


def _likeness(image: np.ndarray, template: np.ndarray) -> float:
    """Correlation of a glyph image with a template, at the best of the shifts by a pixel:
    a glyph of 10 px drawn at TWIN_SIZE moves by a pixel with where its edge pixels fell."""
    return max(float((np.roll(image, (dy, dx), axis=(0, 1)) * template).sum())
               for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def _glyph_image(ink: CellInk) -> np.ndarray:
    """The glyph's ink (dark = 1) in a square of TWIN_SIZE, centred, zero mean, unit norm."""
    crop = ink.crop
    assert crop is not None
    level, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(crop < level)
    if len(xs):
        crop = crop[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = crop.shape
    side = max(h, w)
    square = np.full((side, side), 255, np.uint8)
    square[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = crop
    small = cv2.resize(square, (TWIN_SIZE, TWIN_SIZE), interpolation=cv2.INTER_AREA)
    return _unit(1.0 - small.astype(np.float64) / 255.0)


def _unit(image: np.ndarray) -> np.ndarray:
    centred = image - image.mean()
    norm = float(np.sqrt((centred ** 2).sum()))
    return centred / norm if norm else centred


def _verify_null_words(secondary: OcrEngine, inks: list[CellInk], texts: list[str],
                       confs: list[float], reasons: list[list[str]]) -> None:
    """Cells that read as a printed "none" (无) at middling confidence, read by the other
    engine too: agreement confirms them, a different reading flags them.

    A batched tesseract read gives such one-glyph cells a confidence that depends on the
    other crops in the batch (0.7–0.95 for the same glyph), so the engine's own number is
    not evidence enough either way; a second, independent reader is.
    """
    doubtful = [i for i, text in enumerate(texts)
                if text in NULL_WORDS and confs[i] < VERIFY_BELOW]
    if not doubtful:
        return
    second = _read_labels(secondary, inks, doubtful)
    for i, (text, _) in zip(doubtful, second, strict=True):
        if text.strip() == texts[i]:
            confs[i] = max(confs[i], AGREED_CONFIDENCE)
        else:
            confs[i] = min(confs[i], 0.3)
            reasons[i].append("engines_disagree")


def _recheck_labels(secondary: OcrEngine, inks: list[CellInk], texts: list[str],
                    confs: list[float], lines: dict[int, list[tuple[str, float]]]) -> None:
    """The lines of labels the first engine doubts, read by the other one too; its reading
    of a line is kept where it is sure (two doubtful readings of a line under a seal are
    both noise).

    tesseract reads a Word table's small, wrapped labels on a scan at confidences near 0
    where RapidOCR is sure; a label read well is what lets its row be placed without a
    flag. Only the doubtful lines are read twice (`lines`: each label's lines as the first
    engine read them): RapidOCR is the slower reader of labels.
    """
    doubtful = [i for i, text in enumerate(texts)
                if CJK_RE.search(text) and text not in NULL_WORDS
                and confs[i] < LABEL_RECHECK_BELOW]
    todo, whole = [], set()
    for i in doubtful:
        crops = inks[i].line_crops or [inks[i].crop]
        first = lines.get(i)
        as_read = first is not None and _joined(first) == (texts[i], confs[i])
        if as_read and len(first) < len(crops):
            continue  # its first line named it (see _read_label_lines): nothing to settle
        if not as_read or len(first) != len(crops):
            # Not (or no longer) the label reading as it was read: every line again, and
            # kept only if every line is sure.
            whole.add(i)
            lines[i] = first = [("", 0.0)] * len(crops)
        todo += [(i, k, crop) for k, crop in enumerate(crops)
                 if first[k][1] < LABEL_RECHECK_BELOW]
    second = read_once(secondary, [crop for _, _, crop in todo], "label")
    for (i, k, _), reading in zip(todo, second, strict=True):
        text = reading.text.replace(" ", "")
        if text and reading.confidence >= SURE_LABEL:  # sure, where tesseract was not
            lines[i][k] = (text, reading.confidence)
    for i in doubtful:
        text, conf = _joined(lines[i])
        if CJK_RE.search(text) and (i not in whole or conf >= SURE_LABEL):
            texts[i], confs[i] = text, conf


def _second_opinion(secondary: OcrEngine, inks: list[CellInk], idx: list[int],
                    texts: list[str], confs: list[float], reasons: list[list[str]]) -> None:
    """Values the primary reader doubts, read by the other engine.

    Where that engine reads a number that fits the glyphs on the image and is sure of it,
    its number is the better guess: an agreement lifts the cell to AGREED_CONFIDENCE, a
    different number replaces the text but leaves the cell flagged (`second_reader`), so
    a person still looks at it.
    """
    idx = idx[:MAX_SECOND_READS]
    if not idx:
        return
    for i, (text, conf) in zip(idx, _read_values(secondary, inks, idx), strict=True):
        if not VALUE_RE.match(text) or not glyphs_fit(text, inks[i]):
            continue
        if conf < SECOND_SURE and glyphs_fit(texts[i], inks[i]):
            continue  # two unsure readings, the first no worse than the second
        if text == texts[i]:
            confs[i] = max(confs[i], AGREED_CONFIDENCE)
            reasons[i] = [r for r in reasons[i] if r != "low_confidence"]
        else:
            texts[i] = text
            confs[i] = min(confs[i], OCR_FLAG_THRESHOLD / 2)
            reasons[i] = [r for r in reasons[i]
                          if r not in ("glyph_count", "unexpected_chars", "unreadable")]
            reasons[i].append("second_reader")


def _read_units(engine: OcrEngine, inks: list[CellInk], value_reads: dict[int, tuple[str, float]],
                label_reads: dict[int, tuple[str, float]]) -> None:
    """Amounts printed with their unit (3115.48万元). The value reader knows no hanzi and
    reads 万元 as two more digits; the label reader, given such a cell for its shape,
    reads the number less surely. So both read it: a value cell that ends in a square
    glyph is read as a label too, and a cell the label reader read as a number and a unit
    as a value too. The amount with its unit is taken, sure where the value reader's
    digits begin with the same number."""
    labels = [i for i, (text, _) in label_reads.items()
              if i not in value_reads and _amount_with_unit(normalise_value(text))]
    value_reads.update(zip(labels, _read_values(engine, inks, labels), strict=True))
    todo = [i for i in sorted(value_reads) if not inks[i].dash and ends_square(inks[i])
            and i not in label_reads]
    label_reads.update(zip(todo, _read_labels(engine, inks, todo), strict=True))
    for i in labels + todo:
        text, conf = label_reads[i]
        text = normalise_value(text)
        if not _amount_with_unit(text):
            continue
        number = without_unit(text).replace(",", "")
        digits, value_conf = value_reads[i]
        if digits.replace(",", "").startswith(number):
            value_reads[i] = (text, max(conf, value_conf))
        else:
            value_reads[i] = (text, min(conf, UNSURE_UNIT))


def _amount_with_unit(text: str) -> bool:
    return bool(UNIT_RE.search(text)) and bool(VALUE_RE.match(without_unit(text)))


def _undash_bars_off_the_line(boxes: list[tuple[int, int, int, int]], inks: list[CellInk],
                              usual: float) -> None:
    """A bar standing at the top or the bottom of its row's line of values is no dash but
    what is left of a digit in pale print (a 5's or a 7's top stroke, a 2's foot): it is
    read as a value then, not taken for a zero. A dash stands mid-line, as high as the
    middle of the digits beside it."""
    digits = [(boxes[j], other.rows) for j, other in enumerate(inks)
              if not other.blank and not other.mark and other.lines == 1 and _value_shaped(other)]
    for i, ink in enumerate(inks):
        if ink.mark != "-":
            continue
        y0, y1 = boxes[i][1], boxes[i][3]
        beside = [rows for box, rows in digits  # in its row (not a merged cell)
                  if box[1] < y1 and box[3] > y0 and box[3] - box[1] <= 1.5 * (y1 - y0)]
        if not beside:
            continue
        line = float(np.median([(top + bottom) / 2 for top, bottom in beside]))
        if abs((ink.rows[0] + ink.rows[1]) / 2 - line) > DASH_OFF_LINE * usual:
            ink.mark = ""


def _value_shaped(ink: CellInk) -> bool:
    """One line of narrow glyphs (digits are about half as wide as tall; hanzi are square)."""
    if ink.dash:
        return True
    if ink.lines != 1 or not ink.glyphs or len(ink.glyphs) > 16:
        return False
    h = max(ink.height, 1)
    widths = [b - a for a, b in ink.glyphs]
    return max(widths) <= 1.6 * h and sum(widths) / len(widths) <= 0.8 * h


def _read_values(engine: OcrEngine, inks: list[CellInk],
                 idx: list[int]) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = [("", 0.0)] * len(idx)
    crops = [(n, inks[i].crop) for n, i in enumerate(idx) if not inks[i].dash]
    for n, i in enumerate(idx):
        if inks[i].dash:
            out[n] = (inks[i].mark, 0.95)
    reads = engine.read([c for _, c in crops], "value")
    for (n, _), r in zip(crops, reads, strict=True):
        out[n] = (normalise_value(r.text), r.confidence)
    return out


def _read_labels(engine: OcrEngine, inks: list[CellInk],
                 idx: list[int]) -> list[tuple[str, float]]:
    """Each cell's lines read and joined, with the least sure line's confidence."""
    return [_joined(lines) for lines in _read_label_lines(engine, inks, idx)]


def _joined(lines: list[tuple[str, float]]) -> tuple[str, float]:
    return "".join(t for t, _ in lines), min((c for _, c in lines), default=0.0)


def _read_label_lines(engine: OcrEngine, inks: list[CellInk], idx: list[int],
                      whole: bool = True) -> list[list[tuple[str, float]]]:
    """Each cell's lines as read: (text without spaces, confidence) per line.

    With `whole=False` the first lines of wrapped labels are read first; a label whose first
    line names one known label alone (see `start_names_one_label`), read undoubted or
    starting exactly as that label does for EXACT_START_DECIDES characters, is not read
    further: the long wrapped labels of table 三 are a third of the label lines a scan's
    tables have, and reading labels is most of its OCR time.
    """
    lines = [inks[i].line_crops or [inks[i].crop] for i in idx]
    out: list[list[tuple[str, float]]] = [[] for _ in idx]

    def read(todo: list[tuple[int, np.ndarray]]) -> None:
        for (n, _), r in zip(todo, read_once(engine, [c for _, c in todo], "label"),
                             strict=True):
            out[n].append((r.text.replace(" ", ""), r.confidence))

    decided: set[int] = set()
    if not whole:
        wrapped = [n for n, crops in enumerate(lines) if len(crops) > 1
                   and crops[0].shape[1] >= DECIDING_LINE_WIDTH * crops[0].shape[0]]
        read([(n, lines[n][0]) for n in wrapped])
        decided = {n for n in wrapped if start_names_one_label(out[n][0][0])
                   and (out[n][0][1] >= LABEL_RECHECK_BELOW
                        or len(known_start(out[n][0][0])) >= EXACT_START_DECIDES)}
    # The rest in one batch: every line no first line decided, the lines already read
    # kept (measured against reading them again with the rest, as a whole reading does:
    # on three sets of scans one cell more right, one fewer, and none different).
    read([(n, crop) for n, crops in enumerate(lines) if n not in decided
          for crop in crops[len(out[n]):]])
    return out
