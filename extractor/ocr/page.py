"""One page image in, table grids out: the OCR path's orchestration.

prepare (stamps, light, geometry) -> ruled tables -> per-cell ink -> OCR in batches
(value-looking cells with the digit reader, the rest with the label reader) -> each cell's
confidence from the engine and the image evidence -> `Grid`s in PDF points.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.grid import Grid, GridCell
from extractor.ocr.cells import (
    CJK_RE,
    DASH_HEIGHT,
    VALUE_RE,
    CellInk,
    cell_ink,
    faint_level,
    glyphs_fit,
    judge_value,
    looks_like_value,
    normalise_value,
    usual_text_height,
)
from extractor.ocr.engines import OcrEngine, available_engines, get_engine
from extractor.ocr.lines import TableBox, find_tables
from extractor.ocr.preprocess import Prepared, prepare
from extractor.ocr.unruled import read_unruled

# A cell whose confidence is below this must be flagged by the reconciler. Chosen on the
# bench (bench/ocr_bench.py): every wrong value read there scored below it.
OCR_FLAG_THRESHOLD = 0.80
DEFAULT_ENGINE = os.environ.get("EXTRACTOR_OCR_ENGINE", "tesseract")
# Values read with a confidence between the threshold and this are read again by the other
# engine (when installed): on the bench every wrong value scored below it.
VERIFY_BELOW = 0.95
# A printed "none" that both engines read alike is taken with this confidence.
AGREED_CONFIDENCE = 0.9
NULL_WORDS = {"无"}  # value cells printed as a word, read by the label reader
MAX_SINGLE_READS = 8  # one-by-one re-reads per table: bounds what a bad page costs
MAX_SECOND_READS = 60  # doubted values per table read by the second engine
SECOND_SURE = 0.9  # the second engine's confidence needed for its reading to count
TITLE_LINES = 4  # text lines read from the top of a page for agency/year detection
CONTEXT_IN = 0.9  # how far above a table (inches) its heading is looked for
A4_RATIO = 297 / 210
LONG_IMAGE_SHEETS = 1.6  # an image this many A4 sheets tall is pages stacked: read by sheet


@dataclass
class OcrPage:
    grids: list[Grid]
    text: str  # OCR'd text lines from the top of the page (title, agency, year)
    timings: dict[str, float] = field(default_factory=dict)
    engine: str = ""
    warnings: list[str] = field(default_factory=list)


def read_page_image(
    image: np.ndarray,
    page_number: int,
    dpi: float,
    engine: str | None = None,
    read_text: bool = True,
    verify: bool = True,
) -> OcrPage:
    """OCR one page image (BGR or grayscale numpy array) into grids with per-cell confidence.

    `page_number` is 1-based; `dpi` converts pixels to PDF points (72/dpi per pixel).
    `engine` names the primary reader ("tesseract" or "rapidocr"; default: tesseract);
    with `verify`, value cells of middling confidence (OCR_FLAG_THRESHOLD..VERIFY_BELOW)
    are read again by the other engine when it is installed, and a disagreement flags them.
    `read_text=False` skips the page-top title lines (later pages rarely carry them).
    """
    bands = page_bands(image, dpi)
    if len(bands) > 1:
        return _read_bands(image, bands, page_number, dpi, engine, read_text, verify)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    primary = get_engine(engine or DEFAULT_ENGINE)
    secondary = _second_engine(primary.name) if verify else None
    prepared = prepare(image, dpi)
    timings["preprocess"] = time.perf_counter() - start

    mark = time.perf_counter()
    tables = find_tables(prepared.binary, dpi, prepared.stamp)
    timings["structure"] = time.perf_counter() - mark

    mark = time.perf_counter()
    grids = [
        _read_table(prepared, table, page_number, dpi, primary, secondary, tables[:i])
        for i, table in enumerate(tables)
    ]
    if not grids:  # no ruled table: maybe one set out by alignment alone
        grids = read_unruled(prepared, page_number, dpi, primary, secondary)
    timings["cells"] = time.perf_counter() - mark

    mark = time.perf_counter()
    text = ""
    if read_text:
        top_limit = tables[0].box[1] if tables else prepared.binary.shape[0] // 3
        lines = _text_lines(prepared, 0, top_limit, dpi)[:TITLE_LINES]
        text = "\n".join(r.text for r in primary.read(lines, "label"))
    timings["text"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    return OcrPage(grids=grids, text=text, timings=timings, engine=primary.name)


def page_bands(image: np.ndarray, dpi: float) -> list[tuple[int, int]]:
    """Row ranges of the sheets in one long image of pages stacked (a report shared as one
    picture), or the whole image.

    Each sheet was scanned or photographed on its own, with its own skew, so each is
    prepared on its own. Cuts are made only through rows free of ink, near where a sheet of
    the image's width (A4 portrait) would end: a cut never crosses a table or a text line.
    """
    h, w = image.shape[:2]
    sheet = w * A4_RATIO
    if h < sheet * LONG_IMAGE_SHEETS:
        return [(0, h)]
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = max(dpi / 50.0, 1.0)
    small = cv2.resize(gray, (max(int(w / scale), 1), max(int(h / scale), 1)),
                       interpolation=cv2.INTER_AREA)
    # Ink: clearly darker than the paper around it (a gray seam between sheets is not ink).
    paper = cv2.dilate(small, np.ones((9, 9), np.uint8))
    ink = (small.astype(np.int16) < paper.astype(np.int16) - 60).any(axis=1)
    blank = np.nonzero(~ink)[0]
    cuts: list[int] = []
    target = sheet
    while target < h - sheet * 0.5:
        lo, hi = (target - sheet * 0.3) / scale, (target + sheet * 0.3) / scale
        near = blank[(blank >= lo) & (blank <= hi)]
        if len(near) == 0:
            target += sheet
            continue
        best = near[np.argmin(np.abs(near - target / scale))]
        cut = int(best * scale)
        if not cuts or cut - cuts[-1] > sheet * 0.5:
            cuts.append(cut)
        target = cut + sheet
    edges = [0] + cuts + [h]
    return list(zip(edges, edges[1:], strict=False))


def _read_bands(image: np.ndarray, bands: list[tuple[int, int]], page_number: int,
                dpi: float, engine: str | None, read_text: bool, verify: bool) -> OcrPage:
    """Each sheet of a long image read on its own; boxes shifted back into the image."""
    grids: list[Grid] = []
    texts: list[str] = []
    timings: dict[str, float] = {}
    warnings: list[str] = []
    used = ""
    for n, (y0, y1) in enumerate(bands):
        part = read_page_image(image[y0:y1], page_number, dpi, engine,
                               read_text=read_text and n == 0, verify=verify)
        shift = y0 * 72.0 / dpi
        for grid in part.grids:
            grid.bbox = _shifted(grid.bbox, shift)
            for cell in grid.cells:
                cell.bbox = _shifted(cell.bbox, shift)
        grids += part.grids
        texts.append(part.text)
        warnings += part.warnings
        used = part.engine
        for key, value in part.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    return OcrPage(grids=grids, text="\n".join(t for t in texts if t), timings=timings,
                   engine=used, warnings=warnings)


def _shifted(box: tuple[float, float, float, float] | None,
             dy: float) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    x0, y0, x1, y1 = box
    return (x0, round(y0 + dy, 2), x1, round(y1 + dy, 2))


def _second_engine(primary: str) -> OcrEngine | None:
    others = [name for name in available_engines() if name != primary]
    return get_engine(others[0]) if others else None


def _read_table(
    prepared: Prepared, table: TableBox, page_number: int, dpi: float,
    primary: OcrEngine, secondary: OcrEngine | None, above: list[TableBox],
) -> Grid:
    texts, confs, reasons = read_cells(prepared, [c.box for c in table.cells], table.line_px,
                                       dpi, primary, secondary)
    scale = 72.0 / dpi
    cells = [
        GridCell(
            row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan, text=texts[i],
            bbox=to_points(c.box, prepared.to_original, scale), confidence=round(confs[i], 3),
            source="ocr", reasons=reasons[i],
        )
        for i, c in enumerate(table.cells)
    ]
    return Grid(
        page=page_number, cells=cells, n_rows=len(table.ys) - 1, n_cols=len(table.xs) - 1,
        source="ocr", bbox=to_points(table.box, prepared.to_original, scale),
        context=_context(prepared, table, above, dpi, primary),
    )


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
    label_reads = dict(zip(label_idx + retry,
                           _read_labels(primary, inks, label_idx + retry), strict=True))
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
    # A montage read sometimes drops a lone short line: look at those crops one by one.
    empty = [i for i in sorted(value_reads) if not value_reads[i][0]][:MAX_SINGLE_READS]
    for i in empty:
        reading = primary.read_single(inks[i].crop, "value")
        value_reads[i] = (normalise_value(reading.text), reading.confidence)
    for i in sorted(value_reads):  # neither a value nor CJK: keep the label reading, doubted
        if not VALUE_RE.match(value_reads[i][0]) and not looks_like_value(value_reads[i][0]):
            label_text = label_reads.get(i, ("", 0.0))[0]
            if label_text:
                texts[i], confs[i] = label_text, min(label_reads[i][1], 0.3)
                reasons[i].append("unreadable")
                value_reads.pop(i)

    if secondary is not None:
        _verify_null_words(secondary, inks, texts, confs, reasons)

    value_cells = sorted(value_reads)
    checks: dict[int, str] = {}
    to_check = [i for i in value_cells
                if not inks[i].dash and OCR_FLAG_THRESHOLD <= value_reads[i][1] < VERIFY_BELOW]
    if secondary is not None and to_check:
        second = _read_values(secondary, inks, to_check)
        checks = {i: text for i, (text, _) in zip(to_check, second, strict=True)}
    for i in value_cells:
        text, conf = value_reads[i]
        verdict = judge_value(text, conf, inks[i], dpi, checks.get(i))
        texts[i], confs[i], reasons[i] = verdict.text, verdict.confidence, verdict.reasons
    if secondary is not None:
        doubted = [i for i in value_cells if not inks[i].blank and not inks[i].mark
                   and not inks[i].dash and confs[i] < OCR_FLAG_THRESHOLD]
        # Value-shaped cells that only the label reader made something (doubtful) of.
        unreadable = [i for i in value_idx if i not in value_reads
                      and confs[i] < OCR_FLAG_THRESHOLD and texts[i] not in NULL_WORDS]
        _second_opinion(secondary, inks, sorted(doubted + unreadable), texts, confs, reasons)
    for i, ink in enumerate(inks):
        if ink.blank:
            texts[i], confs[i] = "", 0.99
        if confs[i] < OCR_FLAG_THRESHOLD and "low_confidence" not in reasons[i]:
            reasons[i].append("low_confidence")

    return texts, confs, reasons


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
    crops, owner = [], []
    for n, i in enumerate(idx):
        for crop in inks[i].line_crops or [inks[i].crop]:
            crops.append(crop)
            owner.append(n)
    reads = engine.read(crops, "label")
    texts: list[list[str]] = [[] for _ in idx]
    confs: list[list[float]] = [[] for _ in idx]
    for n, r in zip(owner, reads, strict=True):
        texts[n].append(r.text.replace(" ", ""))
        confs[n].append(r.confidence)
    return [("".join(t), min(c) if c else 0.0) for t, c in zip(texts, confs, strict=True)]


def _context(prepared: Prepared, table: TableBox, above: list[TableBox], dpi: float,
             engine: OcrEngine) -> str:
    """The text line(s) printed just above the table: usually its heading."""
    top = table.box[1]
    floor = max([t.box[3] for t in above] + [top - int(dpi * CONTEXT_IN), 0])
    lines = _text_lines(prepared, floor, top - max(table.line_px, 2) * 2, dpi)[-2:]
    return "\n".join(r.text.replace(" ", "") for r in engine.read(lines, "label")).strip()


def _text_lines(prepared: Prepared, y0: int, y1: int, dpi: float) -> list[np.ndarray]:
    """Crops of the text lines between two heights, top to bottom (noise rows dropped)."""
    if y1 - y0 < dpi * 0.05:
        return []
    band = prepared.binary[y0:y1]
    band = cv2.morphologyEx(band, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    rows = np.nonzero((band > 0).sum(axis=1) >= 2)[0]
    if len(rows) == 0:
        return []
    spans: list[list[int]] = [[int(rows[0]), int(rows[0])]]
    gap = max(int(dpi * 0.03), 2)
    for r in rows[1:]:
        if r - spans[-1][1] <= gap:
            spans[-1][1] = int(r)
        else:
            spans.append([int(r), int(r)])
    crops = []
    margin = max(int(dpi * 0.02), 2)
    for a, b in spans:
        if b - a < dpi * 0.06 or b - a > dpi * 0.6:
            continue
        cols = np.nonzero(band[a:b + 1].any(axis=0))[0]
        x0, x1 = int(cols[0]), int(cols[-1])
        crops.append(prepared.gray[max(y0 + a - margin, 0):y0 + b + margin,
                                   max(x0 - margin, 0):x1 + margin])
    return crops


def to_points(box: tuple[int, int, int, int], to_original: np.ndarray,
               scale: float) -> tuple[float, float, float, float]:
    """A prepared-image box as PDF points on the original page (through the rectification)."""
    x0, y0, x1, y1 = box
    corners = np.float32([[[x0, y0]], [[x1, y0]], [[x1, y1]], [[x0, y1]]])
    mapped = cv2.perspectiveTransform(corners, to_original)[:, 0, :]
    return (
        round(float(mapped[:, 0].min()) * scale, 2), round(float(mapped[:, 1].min()) * scale, 2),
        round(float(mapped[:, 0].max()) * scale, 2), round(float(mapped[:, 1].max()) * scale, 2),
    )
