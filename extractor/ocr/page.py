"""One page image in, table grids out: the OCR path's orchestration.

prepare (stamps, light, geometry) -> ruled tables (or, with none, tables set out by
alignment: unruled.py) -> each cell read (reading.py) -> `Grid`s in PDF points.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from extractor.grid import Grid, GridCell
from extractor.metadata import has_title
from extractor.ocr.cells import CJK_RE
from extractor.ocr.engines import OcrEngine, Reading, available_engines, get_engine
from extractor.ocr.lines import TableBox, find_tables
from extractor.ocr.orientation import along_lines, half_turn, reads_upside_down
from extractor.ocr.preprocess import Prepared, prepare
from extractor.ocr.reading import SEAL_CROSSED_CONFIDENCE, read_cells
from extractor.ocr.rings import crossed_by_seal
from extractor.ocr.unruled import read_unruled

DEFAULT_ENGINE = os.environ.get("EXTRACTOR_OCR_ENGINE", "tesseract")
TITLE_LINES = 4  # text lines read from the top of a page for agency/year detection...
TITLE_FIRST_LINES = 2  # ...the first of them, and the others only if the title is not whole
TITLE_RECHECK_BELOW = 0.8  # a title line read below this confidence is read by both engines
CONTEXT_IN = 0.9  # how far above a table (inches) its heading is looked for
A4_RATIO = 297 / 210
LONG_IMAGE_SHEETS = 1.6  # an image this many A4 sheets tall is pages stacked: read by sheet
SHEET_GAP_IN = 0.8  # ...and a blank run this tall in it is the margins between two sheets
# A page whose Chinese text (labels, title lines) reads at this median confidence over this
# many readings stands upright: upside down, the same crops read at ~0 (measured on the
# committed scans: upright medians 0.87-0.96, turned 0.00-0.09).
UPRIGHT_EVIDENCE = 3
UPRIGHT_CONFIDENCE = 0.5


@dataclass
class OcrPage:
    grids: list[Grid]
    text: str  # OCR'd text lines from the top of the page (title, agency, year)
    timings: dict[str, float] = field(default_factory=dict)
    engine: str = ""
    warnings: list[str] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)  # of the Chinese text read
    title_upright: bool = False  # a line read well as the report's whole title: upright

    @property
    def upright(self) -> bool:
        """Its own text proves the page upright: upside down, Chinese reads as noise at
        confidence ~0, and never as a title naming an agency and a year."""
        return self.title_upright or _reads_as_text(self.confidences)


def read_page_image(
    image: np.ndarray,
    page_number: int,
    dpi: float,
    engine: str | None = None,
    read_text: bool = True,
    verify: bool = True,
    orient: bool = True,
) -> OcrPage:
    """OCR one page image (BGR or grayscale numpy array) into grids with per-cell confidence.

    `page_number` is 1-based; `dpi` converts pixels to PDF points (72/dpi per pixel).
    `engine` names the primary reader ("tesseract" or "rapidocr"; default: tesseract);
    with `verify`, value cells of middling confidence (OCR_FLAG_THRESHOLD..VERIFY_BELOW)
    are read again by the other engine when it is installed, and a disagreement flags them.
    `read_text=False` skips the page-top title lines (later pages rarely carry them).
    With `orient`, a page fed sideways or upside down is first turned upright
    (orientation.py); boxes are then in the upright page's frame.
    """
    if not orient:
        return _read_upright(image, page_number, dpi, engine, read_text, verify)
    start = time.perf_counter()
    image, turned = along_lines(image, dpi)
    oriented = time.perf_counter() - start
    page = _read_upright(image, page_number, dpi, engine, read_text, verify)
    # Which end is up: the page's own labels, read well, say it stands upright (upside-down
    # Chinese reads as noise at confidence ~0). Only a page without that proof has a few of
    # its lines read both ways; a page with nothing to read needs no answer.
    if (page.grids or read_text) and not page.upright:
        mark = time.perf_counter()
        upside_down, turned.sense_gain = reads_upside_down(image, dpi,
                                                           get_engine(page.engine))
        oriented += time.perf_counter() - mark
        if upside_down:
            turned.turn = (turned.turn + 180) % 360
            page = _read_upright(half_turn(image), page_number, dpi, engine, read_text,
                                 verify)
    if turned.turn:
        page.warnings.insert(0, f"page {page_number} was turned {turned.turn}° to read it "
                                "upright")
    page.timings["orientation"] = oriented
    return page


def _reads_as_text(confidences: list[float]) -> bool:
    return (len(confidences) >= UPRIGHT_EVIDENCE
            and float(np.median(confidences)) >= UPRIGHT_CONFIDENCE)


def _read_upright(image: np.ndarray, page_number: int, dpi: float, engine: str | None,
                  read_text: bool, verify: bool) -> OcrPage:
    bands = page_bands(image, dpi)
    if len(bands) > 1:
        return _read_bands(image, bands, page_number, dpi, engine, read_text, verify)
    start = time.perf_counter()
    primary = get_engine(engine or DEFAULT_ENGINE)
    timings: dict[str, float] = {}
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
    title_upright = False
    confidences = [c.confidence for g in grids for c in g.cells if CJK_RE.search(c.text)]
    if read_text:
        top_limit = tables[0].box[1] if tables else prepared.binary.shape[0] // 3
        lines = _text_lines(prepared, 0, top_limit, dpi)[:TITLE_LINES]
        title: list[Reading] = []
        for batch in (lines[:TITLE_FIRST_LINES], lines[TITLE_FIRST_LINES:]):
            whole = has_title("\n".join(r.text for r in title))
            if whole and (_title_read_well(title) or _reads_as_text(confidences)):
                break  # the title is read and the page proven upright: the rest is prose
            read = primary.read(batch, "label")
            # A montage read sometimes drops a lone short line (报告 under the title).
            read = [r if r.text.strip() else primary.read_single(line, "label")
                    for line, r in zip(batch, read, strict=True)]
            confidences += [r.confidence for r in read if CJK_RE.search(r.text)]
            if page_number == 1 and not whole:
                read = _title_rechecked(batch, read, secondary)  # the report's title
            title += read
        text = "\n".join(r.text for r in title)
        title_upright = _title_read_well(title)
    timings["text"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    return OcrPage(grids=grids, text=text, timings=timings, engine=primary.name,
                   confidences=confidences, title_upright=title_upright)


def _title_read_well(lines: list[Reading]) -> bool:
    """The first lines hold the report's whole title, each read at a confidence upside-down
    text never reaches: that proves the page upright, without the prose under it."""
    for end in range(1, len(lines) + 1):
        if has_title("\n".join(r.text for r in lines[:end])):
            return min(r.confidence for r in lines[:end]) >= UPRIGHT_CONFIDENCE
    return False


def page_bands(image: np.ndarray, dpi: float) -> list[tuple[int, int]]:
    """Row ranges of the sheets in one long image of pages stacked (a report shared as one
    picture), or the whole image.

    Each sheet was scanned or photographed on its own, with its own skew, so each is
    prepared on its own. Sheets are cut apart through every blank run as tall as the
    margins between two sheets leave, whatever their size (a landscape page among portrait
    ones is shorter, and wider than they are); a stretch with no such run that is still
    longer than a sheet of the image's width (A4 portrait) is cut near where that sheet
    would end. Cuts are made only through rows free of ink: never across a table or a
    text line.
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
    gaps = _blank_runs(~ink)
    # Cut through the middle of a gap: a cut at its edge, right under a table's last rule,
    # takes the rule's blur from the table.
    margins = [int((a + b) / 2 * scale) for a, b in gaps
               if a > 0 and b < len(ink) - 1 and (b - a + 1) * scale >= dpi * SHEET_GAP_IN]
    edges = [0, *margins, h]
    bands: list[tuple[int, int]] = []
    for top, bottom in zip(edges, edges[1:], strict=False):
        bands += _sheets(top, bottom, gaps, sheet, scale)
    return bands


def _sheets(top: int, bottom: int, gaps: list[tuple[int, int]], sheet: float,
            scale: float) -> list[tuple[int, int]]:
    """Rows top..bottom cut into sheets of about `sheet` rows, each cut through the
    middle of the blank run (`gaps`, at 1/`scale`) nearest where a sheet would end."""
    cuts: list[int] = []
    target = top + sheet
    while target < bottom - sheet * 0.5:
        lo = max(target - sheet * 0.3, top) / scale
        hi = min(target + sheet * 0.3, bottom) / scale
        near = [(max(a, lo), min(b, hi)) for a, b in gaps if b >= lo and a <= hi]
        if not near:
            target += sheet
            continue
        at = target / scale
        a, b = min(near, key=lambda g: max(g[0] - at, 0.0, at - g[1]))
        cut = int((a + b) / 2 * scale)
        if cut - (cuts[-1] if cuts else top) > sheet * 0.5:
            cuts.append(cut)
        target = cut + sheet
    edges = [top, *cuts, bottom]
    return list(zip(edges, edges[1:], strict=False))


def _blank_runs(blank: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in a 1-D mask."""
    edges = np.diff(np.concatenate([[0], blank.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0].tolist(),
                    (np.nonzero(edges == -1)[0] - 1).tolist(), strict=True))


def _read_bands(image: np.ndarray, bands: list[tuple[int, int]], page_number: int,
                dpi: float, engine: str | None, read_text: bool, verify: bool) -> OcrPage:
    """Each sheet of a long image read on its own; boxes shifted back into the image."""
    grids: list[Grid] = []
    texts: list[str] = []
    timings: dict[str, float] = {}
    warnings: list[str] = []
    confidences: list[float] = []
    title_upright = False
    used = ""
    for n, (y0, y1) in enumerate(bands):
        part = read_page_image(image[y0:y1], page_number, dpi, engine,
                               read_text=read_text and n == 0, verify=verify, orient=False)
        shift = y0 * 72.0 / dpi
        for grid in part.grids:
            grid.shift(0.0, shift)
        grids += part.grids
        texts.append(part.text)
        confidences += part.confidences
        title_upright = title_upright or part.title_upright
        warnings += part.warnings
        used = part.engine
        for key, value in part.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    return OcrPage(grids=grids, text="\n".join(t for t in texts if t), timings=timings,
                   engine=used, warnings=warnings, confidences=confidences,
                   title_upright=title_upright)


def _title_rechecked(lines: list[np.ndarray], title: list[Reading],
                     secondary: OcrEngine | None) -> list[Reading]:
    """The title's lines, each doubtful one read again by the other engine, whose reading
    is kept where it is sure: the agency's name is in large, often bold type, where
    tesseract mistakes 县 for 具 or adds a stroke as a character (金宁县 read as 金了有具)."""
    doubtful = [i for i, r in enumerate(title)
                if CJK_RE.search(r.text) and r.confidence < TITLE_RECHECK_BELOW]
    if secondary is None or not doubtful:
        return title
    title = list(title)
    for i, again in zip(doubtful, secondary.read([lines[i] for i in doubtful], "label"),
                        strict=True):
        if again.text.strip() and again.confidence >= TITLE_RECHECK_BELOW:
            title[i] = again
    return title


def _second_engine(primary: str) -> OcrEngine | None:
    others = [name for name in available_engines() if name != primary]
    return get_engine(others[0]) if others else None


def _read_table(
    prepared: Prepared, table: TableBox, page_number: int, dpi: float,
    primary: OcrEngine, secondary: OcrEngine | None, above: list[TableBox],
) -> Grid:
    # The rules are erased and the cells read to their edges: text touching a rule keeps
    # its strokes (see lines.rule_pixels).
    inside = prepared.erased(table.rules, table.box[:2])
    texts, confs, reasons = read_cells(inside, [c.box for c in table.cells],
                                       0 if table.rules is not None else table.line_px,
                                       dpi, primary, secondary)
    for i in _crossed_by_seal(prepared, table):
        confs[i] = min(confs[i], SEAL_CROSSED_CONFIDENCE)
        reasons[i].append("under_seal")
    cells = [
        GridCell(
            row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan, text=texts[i],
            bbox=prepared.to_points(c.box, dpi), confidence=round(confs[i], 3),
            source="ocr", reasons=reasons[i],
        )
        for i, c in enumerate(table.cells)
    ]
    return Grid(
        page=page_number, cells=cells, n_rows=len(table.ys) - 1, n_cols=len(table.xs) - 1,
        source="ocr", bbox=prepared.to_points(table.box, dpi),
        context=_context(prepared, table, above, dpi, primary),
    )


def _crossed_by_seal(prepared: Prepared, table: TableBox) -> list[int]:
    """The cells whose print a black seal's ring runs through (rings.crossed_by_seal)."""
    if table.seal is None:
        return []
    x0, y0 = table.box[:2]
    ink = prepared.binary[y0:y0 + table.seal.shape[0], x0:x0 + table.seal.shape[1]]
    h, w = ink.shape  # the table's box may run a pixel past the image's edge
    rules = table.rules[:h, :w] if table.rules is not None else None
    return crossed_by_seal(ink, table.seal[:h, :w],
                           [(cx0 - x0, cy0 - y0, cx1 - x0, cy1 - y0)
                            for cx0, cy0, cx1, cy1 in (c.box for c in table.cells)], rules)


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
