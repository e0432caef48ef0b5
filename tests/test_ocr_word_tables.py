"""Word-made tables on a scan: rows no taller than their text (Word's cells have no padding
above and below), so glyphs touch the rules and a glyph's upright stroke runs from rule to
rule like a column rule does."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.ocr.lines import find_tables
from extractor.ocr.preprocess import prepare

FONT = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
DPI = 150
PT = 10.5  # Word's 五号
LABELS = ["行政规范性文件", "行政许可", "本年制发件数"]


def _word_table() -> tuple[np.ndarray, list[int], list[int]]:
    """A table like Word's Table Grid at 10.5 pt: a row of a cell merged over the column
    rules below it ("第二十条第（五）项", whose 十 stands on a rule's line), then rows of a
    narrow label column and value columns; rows as tall as the text plus a pixel or two."""
    size = round(PT * DPI / 72)
    font = ImageFont.truetype(str(FONT), size)
    row = size + 3
    xs = [40, 260, 400, 540, 680]
    ys = [40 + i * row for i in range(5)]
    img = Image.new("L", (760, ys[-1] + 60), 250)
    draw = ImageDraw.Draw(img)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=20, width=2)
    for x in (xs[0], xs[-1]):
        draw.line([(x, ys[0]), (x, ys[-1])], fill=20, width=2)
    for x in xs[1:-1]:
        draw.line([(x, ys[1]), (x, ys[-1])], fill=20, width=2)
    # the merged top row: its text centred so that 十 stands where a column rule runs below
    head = "第二十条第（五）项"
    x_shi = xs[2] - int(2.5 * size)
    draw.text((x_shi, ys[0] + 1), head, font=font, fill=30)
    for r, label in enumerate(LABELS, start=1):
        draw.text((xs[0] + 11, ys[r] + 1), label, font=font, fill=30)  # Word's 0.19 cm margin
        for c in range(1, 4):
            draw.text((xs[c] + 60, ys[r] + 1), str(r * c), font=font, fill=30)
    return np.asarray(img.convert("RGB"))[:, :, ::-1].copy(), xs, ys


@pytest.fixture(scope="module")
def word_table() -> tuple[np.ndarray, list[int], list[int]]:
    if not FONT.exists():
        pytest.skip("AR PL UMing (fonts-arphic-uming) not installed")
    return _word_table()


def test_glyph_stems_in_rows_as_tall_as_their_text_are_not_column_rules(word_table) -> None:
    image, xs, ys = word_table
    prepared = prepare(image, DPI)
    (table,) = find_tables(prepared.binary, DPI, prepared.stamp)
    assert len(table.xs) == len(xs) and len(table.ys) == len(ys)
    top = [c for c in table.cells if c.row == 0]
    assert len(top) == 1 and top[0].colspan == len(xs) - 1  # not split at 十's stem
    assert len(table.cells) == 1 + 3 * (len(xs) - 1)


def test_text_touching_the_rules_is_read_whole(word_table) -> None:
    from extractor.ocr.engines import get_engine
    from extractor.ocr.page import _read_table

    image, _, _ = word_table
    prepared = prepare(image, DPI)
    (table,) = find_tables(prepared.binary, DPI, prepared.stamp)
    grid = _read_table(prepared, table, 1, DPI, get_engine("tesseract"), None, [])
    labels = [grid.at(r, 0).text for r in range(1, 4)]
    assert labels == LABELS
    assert grid.at(0, 0).text.replace("(", "（").replace(")", "）") == "第二十条第（五）项"
    values = [[grid.at(r, c).text for c in range(1, 4)] for r in range(1, 4)]
    assert values == [[str(r * c) for c in range(1, 4)] for r in range(1, 4)]


def test_a_seal_arc_crossing_a_cell_is_still_left_out() -> None:
    """The glyph-height test for edge-to-edge strokes keeps a seal's arc out of the text."""
    from extractor.ocr.cells import cell_ink

    gray = np.full((120, 200), 255, np.uint8)
    cv2.line(gray, (20, 119), (70, 0), 110, 10)
    cv2.putText(gray, "2", (110, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
    binary = np.where(gray < 160, 255, 0).astype(np.uint8)
    ink = cell_ink(gray, binary, (0, 0, 200, 120), 0, 300)
    assert len(ink.glyphs) == 1 and ink.glyphs[0][0] > 80


def _printed_cell(text: str, shift: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    img = Image.new("L", (60, 30), 250)
    ImageDraw.Draw(img).text((20 + shift, 4), text, font=ImageFont.truetype(str(FONT), 20),
                             fill=30)
    noisy = cv2.GaussianBlur(np.asarray(img).astype(np.float32), (0, 0), 0.6)
    noisy += np.random.default_rng(seed).normal(0, 4, noisy.shape)
    gray = np.clip(noisy, 0, 255).astype(np.uint8)
    return gray, np.where(gray < 150, 255, 0).astype(np.uint8)


def test_a_misread_zero_is_settled_by_its_twins_and_nothing_else_is() -> None:
    """Zeros printed as 无 or 0 all over a table: the few the reader got wrong (无 read as
    天, 0 read as ".0") match the surely read ones and take their reading, unflagged; a
    cell that truly holds another character does not, however it was read."""
    from extractor.ocr.cells import cell_ink
    from extractor.ocr.reading import OCR_FLAG_THRESHOLD, _settle_by_twins

    if not FONT.exists():
        pytest.skip("AR PL UMing (fonts-arphic-uming) not installed")
    printed = ["无", "无", "无", "0", "0", "0", "无", "天", "0", "8"]
    read = ["无", "无", "无", "0", "0", "0", "天", "天", ".0", ".0"]
    confs = [0.97, 0.97, 0.97, 0.97, 0.97, 0.97, 0.85, 0.85, 0.5, 0.5]
    inks = []
    for n, text in enumerate(printed):
        gray, binary = _printed_cell(text, n % 3, n)
        inks.append(cell_ink(gray, binary, (0, 0, 60, 30), 0, DPI))
    texts, reasons = list(read), [[] for _ in read]
    _settle_by_twins(inks, texts, confs, reasons)
    assert texts[6] == "无" and confs[6] >= OCR_FLAG_THRESHOLD
    assert texts[8] == "0" and confs[8] >= OCR_FLAG_THRESHOLD
    assert texts[7] == "天"  # a true 天 is no 无: left as read (the reconciler flags it)
    assert texts[9] == ".0" and confs[9] < OCR_FLAG_THRESHOLD  # an 8 is no 0


def test_a_stroke_crossing_a_rule_in_a_tall_row_leaves_the_rule() -> None:
    """A seal's stroke crossing a column rule (ink joined on both of its sides) in a row
    taller than one line of text: no glyph's stem reaches from rule to rule there, so the
    rule stays and the cells stay apart."""
    dpi = 300
    binary = np.zeros((500, 900), np.uint8)
    xs, ys = [100, 450, 800], [100, 220, 340]  # rows of 0.4 in
    for y in ys:
        cv2.line(binary, (xs[0], y), (xs[-1], y), 255, 3)
    for x in xs:
        cv2.line(binary, (x, ys[0]), (x, ys[-1]), 255, 3)
    cv2.line(binary, (380, 150), (520, 190), 255, 3)  # crossing the middle rule
    (table,) = find_tables(binary, dpi)
    assert len(table.xs) == 3 and len(table.cells) == 4


def test_an_amount_printed_with_its_unit_is_read_with_it() -> None:
    """3115.48万元 in a value cell: the value reader knows no hanzi and makes 万元 two more
    digits (3115.4856); the cell ends in a square glyph, so the label reader reads it too,
    and the amount comes out with its unit, sure where both readers agree on the number."""
    from extractor.ocr.engines import get_engine
    from extractor.ocr.page import _read_table
    from extractor.ocr.reading import OCR_FLAG_THRESHOLD
    from extractor.reconcile.values import parse_value

    if not FONT.exists():
        pytest.skip("AR PL UMing (fonts-arphic-uming) not installed")
    dpi = 200
    font = ImageFont.truetype(str(FONT), round(10.5 * dpi / 72))
    printed = ["3115.48万元", "96.50万元", "3115.48", "2406.5元", "17", "208", "5", "36"]
    xs, ys = [40, 300, 620], [40 + i * 60 for i in range(len(printed) + 1)]
    img = Image.new("L", (660, ys[-1] + 40), 250)
    draw = ImageDraw.Draw(img)
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=20, width=2)
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=20, width=2)
    for r, text in enumerate(printed):
        draw.text((xs[0] + 20, ys[r] + 18), "收费金额", font=font, fill=30)
        draw.text((xs[1] + 40, ys[r] + 18), text, font=font, fill=30)
    image = np.asarray(img.convert("RGB"))[:, :, ::-1].copy()
    prepared = prepare(image, dpi)
    (table,) = find_tables(prepared.binary, dpi, prepared.stamp)
    grid = _read_table(prepared, table, 1, dpi, get_engine("tesseract"), None, [])
    cells = [grid.at(r, 1) for r in range(len(printed))]
    assert [c.text for c in cells] == printed
    assert all(c.confidence >= OCR_FLAG_THRESHOLD for c in cells), [c.confidence for c in cells]
    assert [parse_value(c.text, "decimal").value for c in cells][:4] == [
        3115.48, 96.5, 3115.48, 2406.5]


def test_a_rule_drifting_with_the_scans_tilt_still_separates_its_cells() -> None:
    """A page scanned with a little skew left in it: a column rule that only some rows have
    (a Word table's rows with their own cell widths) drifts by several pixels from the
    top row to the bottom one. Every row it runs through keeps its cells apart; before,
    the rows where it stood furthest from its average position were merged with the
    group cell on their left, and their labels were lost."""
    dpi = 300
    binary = np.zeros((1300, 1000), np.uint8)
    xs, ys = [100, 300, 600, 900], [100 + 150 * i for i in range(8)]
    for y in ys:  # the group cell (column 0) is merged down all rows: its rules stop at 300
        cv2.line(binary, (xs[1] + 12 - (y - ys[0]) * 24 // 1050, y), (xs[-1], y), 255, 4)
    cv2.line(binary, (xs[0], ys[0]), (xs[1], ys[0]), 255, 4)
    cv2.line(binary, (xs[0], ys[-1]), (xs[1], ys[-1]), 255, 4)
    for x in (xs[0], xs[2], xs[3]):
        cv2.line(binary, (x, ys[0]), (x, ys[-1]), 255, 4)
    # the label column's left rule: 12 px right of its average position at the top, 12 px
    # left at the bottom (0.5° of tilt)
    cv2.line(binary, (xs[1] + 12, ys[0]), (xs[1] - 12, ys[-1]), 255, 4)
    (table,) = find_tables(binary, dpi)
    labels = [c for c in table.cells if abs(c.box[0] - xs[1]) <= 4 and c.colspan == 1]
    assert len(table.xs) == 4
    assert len(labels) == len(ys) - 1
    assert all(c.rowspan == 1 for c in labels)


def test_a_zero_the_second_engine_cannot_read_is_confirmed_by_its_twins() -> None:
    """Zeros of a fax (200 dpi, two-toned): PP-OCR reads nothing in most of these lone
    narrow 0s. No reading is no contradiction: a 0 whose glyph matches the table's surely
    read 0s (a little less closely than a clean print's twins do) is confirmed by them.
    The same glyph where the second engine read another digit stays doubted."""
    from extractor.ocr.cells import cell_ink
    from extractor.ocr.reading import OCR_FLAG_THRESHOLD, _settle_by_twins

    folder = Path(__file__).parent / "data" / "fax_zeros"
    sure = sorted(folder.glob("sure-*.png"))
    unconfirmed = sorted(folder.glob("unconfirmed-*.png"))
    inks = []
    for path in sure + unconfirmed + unconfirmed:
        crop = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        gray = cv2.copyMakeBorder(crop, 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255)
        binary = np.where(gray < 128, 255, 0).astype(np.uint8)
        inks.append(cell_ink(gray, binary, (0, 0, gray.shape[1], gray.shape[0]), 0, 200))
    n, k = len(sure), len(unconfirmed)
    texts = ["0"] * len(inks)
    confs = [0.96] * n + [0.3] * (2 * k)
    reasons = [[] for _ in range(n)] + [["second_blank", "low_confidence"]] * k + [
        ["engines_disagree", "low_confidence"]] * k
    reasons = [list(r) for r in reasons]
    _settle_by_twins(inks, texts, confs, reasons)
    assert all(c >= OCR_FLAG_THRESHOLD for c in confs[n:n + k])
    assert all(r == [] for r in reasons[n:n + k])
    assert all(c < OCR_FLAG_THRESHOLD for c in confs[n + k:])
