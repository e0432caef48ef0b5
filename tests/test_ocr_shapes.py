"""Image-only judgements of the OCR path: marks by stroke shape, sheets of a long image,
curved would-be rules, the desk around a photographed sheet."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from extractor.ocr.cells import cell_ink, faint_level, stroke_mark, usual_text_height
from extractor.ocr.lines import find_tables
from extractor.ocr.page import page_bands
from extractor.ocr.preprocess import binarise, paper_mask


def _glyph(draw) -> np.ndarray:
    img = np.zeros((40, 40), np.uint8)
    draw(img)
    ys, xs = np.nonzero(img)
    return img[ys.min():ys.max() + 1, xs.min():xs.max() + 1] > 0


def test_dash_slash_and_one_by_shape() -> None:
    dash = _glyph(lambda i: cv2.line(i, (8, 20), (30, 20), 255, 3))
    slash = _glyph(lambda i: cv2.line(i, (28, 5), (14, 35), 255, 3))
    one = _glyph(lambda i: cv2.line(i, (20, 5), (20, 35), 255, 3))
    backslash = _glyph(lambda i: cv2.line(i, (14, 5), (28, 35), 255, 3))
    seven = _glyph(lambda i: (cv2.line(i, (10, 5), (28, 5), 255, 3),
                              cv2.line(i, (28, 5), (16, 35), 255, 3)))
    assert stroke_mark(dash, 200) == "-"
    assert stroke_mark(slash, 200) == "/"
    assert stroke_mark(one, 200) == ""
    assert stroke_mark(backslash, 200) == ""
    assert stroke_mark(seven, 200) == ""


def test_a_slash_thickened_by_a_photos_blur_is_still_a_slash() -> None:
    """A photographed page's blur widens a 7.5 pt slash to a fifth of its length or more:
    the second reader took it for a 1, and every zero of a report printing its zeros as
    slashes was flagged. A 1 stands upright and a 7 has its bar: neither is so thin and
    leaning."""
    slash = _glyph(lambda i: cv2.line(i, (25, 6), (16, 33), 255, 6))
    seven = _glyph(lambda i: (cv2.line(i, (12, 6), (27, 6), 255, 5),
                              cv2.line(i, (27, 6), (17, 33), 255, 5)))
    one = _glyph(lambda i: cv2.line(i, (22, 6), (19, 33), 255, 6))
    assert stroke_mark(slash, 200) == "/"
    assert stroke_mark(seven, 200) == ""
    assert stroke_mark(one, 200) == ""


def _cell(draw) -> tuple[np.ndarray, np.ndarray]:
    gray = np.full((90, 160), 255, np.uint8)
    draw(gray)
    return gray, np.where(gray < 128, 255, 0).astype(np.uint8)


def test_digit_broken_into_stacked_pieces_is_one_line() -> None:
    # A "5" whose faint middle dropped out: a top bar and a bowl, 3 px apart.
    def five(img):
        cv2.line(img, (70, 30), (86, 30), 0, 3)
        cv2.line(img, (70, 30), (70, 36), 0, 3)
        cv2.ellipse(img, (78, 52), (9, 8), 0, -120, 180, 0, 3)

    def two_lines(img):  # two lines of square glyphs, each as tall as a digit
        for y in (10, 50):
            for x in (40, 70, 100):
                cv2.rectangle(img, (x, y), (x + 22, y + 26), 0, 3)

    box = (0, 0, 160, 90)
    gray, binary = _cell(five)
    assert cell_ink(gray, binary, box, 2, 300).lines == 2
    ink = cell_ink(gray, binary, box, 2, 300, text_height=28.0)
    assert ink.lines == 1 and ink.height >= 30
    gray, binary = _cell(two_lines)
    assert cell_ink(gray, binary, box, 2, 300, text_height=28.0).lines == 2


def test_a_small_glyph_shows_the_reader_its_loose_top_bar() -> None:
    """A 5 in 8 pt on a fax: its thin top bar came loose from the bowl and is too small to
    count as a glyph. The reader must still see it: without it the 5 reads as 3, by both
    engines, and sure. A speck as far above is no part of the crop."""
    def five(img, bar):
        if bar:
            cv2.line(img, (76, 36), (81, 36), 0, 1)  # 6 x 1 px, 3 px above the bowl
        else:
            cv2.rectangle(img, (78, 35), (79, 36), 0, -1)  # a 2 x 2 speck
        cv2.ellipse(img, (79, 44), (4, 4), 0, -120, 180, 0, 1)
        cv2.line(img, (76, 40), (76, 43), 0, 1)

    box = (0, 0, 160, 90)
    gray, binary = _cell(lambda img: five(img, bar=True))
    ink = cell_ink(gray, binary, box, 2, 200)
    assert ink.rows[0] <= 36 and (ink.crop[:ink.crop.shape[0] // 2] < 128).sum() >= 6
    gray, binary = _cell(lambda img: five(img, bar=False))
    assert cell_ink(gray, binary, box, 2, 200).rows[0] >= 39


def test_usual_text_height_needs_enough_one_line_cells() -> None:
    def digit(img):
        cv2.line(img, (76, 30), (76, 58), 0, 3)
        cv2.line(img, (86, 30), (86, 58), 0, 3)

    gray, binary = _cell(digit)
    ink = cell_ink(gray, binary, (0, 0, 160, 90), 2, 300)
    assert usual_text_height([ink] * 4) is None
    assert usual_text_height([ink] * 5) == ink.height


def test_a_lines_crop_does_not_reach_into_the_next_line() -> None:
    """A Word table's label wrapped over two lines set tight (a committed Word scan,
    300 dpi): the first line's crop, padded below, took the top strokes of the second
    line's 量 under 一, and the reader read 二 (一、本年新收… as 二、…: its row flagged).
    Each line's crop reaches at most halfway to the next line."""
    gray = cv2.imread(str(Path(__file__).parent / "data" / "tight_two_line_label.png"),
                      cv2.IMREAD_GRAYSCALE)
    binary = binarise(gray)
    h, w = gray.shape
    ink = cell_ink(gray, binary, (4, 4, w - 4, h - 4), 0, 300, faint_level(gray, binary))
    assert ink.lines == 2 and len(ink.line_crops) == 2
    first, second = ink.line_crops
    assert first[-2:].min() > 100, "the next line's top strokes are in the first line's crop"
    assert second.min() < 100  # the second line keeps its own ink


def test_long_image_is_cut_between_sheets_only() -> None:
    w = 400
    sheet = int(w * 297 / 210)
    image = np.full((sheet * 3, w, 3), 235, np.uint8)
    for k in range(3):
        y = k * sheet
        cv2.rectangle(image, (40, y + 40), (w - 40, y + sheet - 40), (0, 0, 0), 2)
    bands = page_bands(image, 50)
    assert len(bands) == 3
    for (a, b), k in zip(bands, range(3), strict=True):
        assert a <= k * sheet + 40 and b >= (k + 1) * sheet - 40
    assert page_bands(image[:sheet], 50) == [(0, sheet)]


def test_long_image_is_cut_through_the_middle_of_the_gap_not_under_a_rule() -> None:
    """Sheets taller than A4 at the image's width (a long image stitched with margins and a
    seam): where an A4 sheet would end, a table still runs, and its last rule ends just
    past it. The cut goes through the middle of the gap after it, not right under the
    rule, whose blur the table needs to keep its last row (a Word long image lost a row)."""
    dpi, w = 150, 1240
    sheet = int(w * 297 / 210)
    image = np.full((int(sheet * 2.2), w, 3), 240, np.uint8)
    rule = sheet + 200
    for y in range(200, rule, 60):  # the table's rows, past where an A4 sheet would end
        cv2.line(image, (100, y), (w - 100, y), (0, 0, 0), 3)
    cv2.line(image, (100, rule), (w - 100, rule), (0, 0, 0), 3)
    for x in (100, 600, w - 100):
        cv2.line(image, (x, 200), (x, rule), (0, 0, 0), 3)
    next_sheet = rule + 500
    cv2.rectangle(image, (100, next_sheet), (w - 100, next_sheet + 400), (0, 0, 0), 3)
    (_, cut), _ = page_bands(image, dpi)
    assert rule + 0.4 * dpi <= cut <= next_sheet - 0.4 * dpi, cut


def test_long_image_of_portrait_and_landscape_pages_is_cut_at_every_sheet() -> None:
    """Pages of two sizes stacked (table 三 printed landscape amid portrait pages): the
    image is as wide as the landscape pages, so an A4 sheet of its width is taller than
    any of its pages, and cuts made near where such sheets would end left two pages, with
    their own skews, in one band. The margins between two sheets are cut through wherever
    they stand."""
    dpi = 100
    portrait, landscape = (1169, 827), (827, 1169)  # (height, width) at 100 dpi
    pages = [portrait, landscape, landscape, portrait]
    width = max(w for _, w in pages)
    image = np.full((sum(h for h, _ in pages), width, 3), 200, np.uint8)  # gray beside
    tops, y = [], 0
    for h, w in pages:
        image[y:y + h, :w] = 240
        cv2.rectangle(image, (100, y + 100), (w - 100, y + h - 100), (0, 0, 0), 2)
        tops.append(y)
        y += h
    bands = page_bands(image, dpi)
    for top, (h, _) in zip(tops, pages, strict=True):
        table = (top + 100, top + h - 100)
        inside = [(a, b) for a, b in bands if a <= table[0] and table[1] <= b]
        assert len(inside) == 1
        a, b = inside[0]
        assert a > top - 100 and b < top + h + 100  # no other page's table in its band


def test_arc_crossing_a_table_is_not_a_column_rule() -> None:
    dpi = 150
    binary = np.zeros((600, 900), np.uint8)
    for y in (100, 200, 300, 400):
        cv2.line(binary, (100, y), (800, y), 255, 2)
    for x in (100, 450, 800):
        cv2.line(binary, (x, 100), (x, 400), 255, 2)
    cv2.circle(binary, (800, 250), 180, 255, 3)  # a seal's ring: its left arc in the table
    (table,) = find_tables(binary, dpi)
    assert len(table.xs) == 3 and len(table.ys) == 4


def test_desk_around_a_photographed_sheet_is_masked() -> None:
    gray = np.full((1000, 800), 70, np.uint8)
    cv2.fillConvexPoly(gray, np.int32([[120, 90], [700, 110], [690, 930], [100, 900]]), 225)
    mask = paper_mask(gray, 100)
    assert mask is not None and mask[500, 400] == 255 and mask[20, 20] == 0
    assert paper_mask(np.full((1000, 800), 230, np.uint8), 100) is None


def _grey_sealed_table(ring_x: int = 700) -> tuple[np.ndarray, list[int], list[int]]:
    """A ruled table in a grayscale scan with a gray seal (thick ring, star) over it, the
    ring's side running along a column rule; print darker than the seal where they cross."""
    gray = np.full((900, 1400), 250, np.uint8)
    xs, ys = [100, 400, 700, 1000, 1300], [200, 320, 440, 560]
    ink = np.zeros_like(gray)
    for y in ys:
        cv2.line(ink, (xs[0], y), (xs[-1], y), 255, 3)
    for x in xs:
        cv2.line(ink, (x, ys[0]), (x, ys[-1]), 255, 3)
    for x in xs[:-1]:
        cv2.putText(ink, "27", (x + 110, 400), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 255, 3)
    seal = np.zeros_like(gray)
    cv2.circle(seal, (ring_x + 240, 380), 248, 255, 15)  # its left side runs down at ring_x
    star = np.array([(940 + 70 * np.cos(a) * (1 if k % 2 == 0 else 0.4),
                      380 + 70 * np.sin(a) * (1 if k % 2 == 0 else 0.4))
                     for k, a in enumerate(np.linspace(-np.pi / 2, 1.5 * np.pi, 10,
                                                       endpoint=False))], np.int32)
    cv2.fillPoly(seal, [star], 255)
    out = gray.astype(np.float32)
    out[seal > 0] *= 0.62  # the seal: mid-gray, about as light as faint print
    out[ink > 0] = np.minimum(out[ink > 0], 60)  # print stays dark where it crosses the seal
    out = cv2.GaussianBlur(out, (0, 0), 1.2)
    return np.clip(out, 0, 255).astype(np.uint8), xs, ys


def test_grey_seal_is_flattened_and_keeps_rules_and_cells() -> None:
    from extractor.ocr.preprocess import binarise, flatten_thick_ink

    gray, xs, ys = _grey_sealed_table()
    flat = flatten_thick_ink(gray, 300)
    binary = binarise(flat)
    assert binary[380, 940] == 0  # the star's centre is paper now
    assert binary[380, 700 + 240 + 248] == 0  # so is the ring's right side
    assert binary[ys[1], 900] == 255  # the rule crossing the seal stays
    (table,) = find_tables(binary, 300)
    assert len(table.xs) == len(xs) and len(table.ys) == len(ys)
    assert len(table.cells) == (len(xs) - 1) * (len(ys) - 1)  # no cell merged or split


def test_thick_black_print_is_not_flattened() -> None:
    from extractor.ocr.preprocess import flatten_thick_ink

    gray = np.full((600, 600), 250, np.uint8)
    cv2.rectangle(gray, (100, 100), (300, 140), 20, -1)  # a black bar, e.g. a bold title
    assert (flatten_thick_ink(gray, 300) == gray).all()


def test_red_seal_that_took_the_rules_with_it_keeps_the_grid() -> None:
    """Thin rules under a red seal's ring come out red and are lifted with the seal; the
    grid is still one table with every cell, judged by the rules around the ring."""
    from extractor.ocr.preprocess import prepare

    dpi = 150
    image = np.full((700, 1200, 3), 250, np.uint8)
    xs, ys = [100, 250, 400, 550, 700, 850, 1000], [200, 260, 320, 380]
    for y in ys:
        cv2.line(image, (xs[0], y), (xs[-1], y), (30, 30, 30), 1)
    for x in xs:
        cv2.line(image, (x, ys[0]), (x, ys[-1]), (30, 30, 30), 1)
    # The ring is drawn over the rules in opaque red: where it crosses them, no print is left.
    cv2.circle(image, (560, 290), 110, (40, 30, 205), 12)
    prepared = prepare(image, dpi)
    assert prepared.stamp is not None
    (table,) = find_tables(prepared.binary, dpi, prepared.stamp)
    assert len(table.xs) == len(xs) and len(table.ys) == len(ys)
    assert len(table.cells) == (len(xs) - 1) * (len(ys) - 1)  # no cell merged under the ring


def test_stroke_crossing_a_cell_is_not_a_glyph() -> None:
    """A seal's arc crossing a cell from edge to edge is left out of the text and wiped
    from the crop the reader sees; the digit beside it stays."""
    gray = np.full((120, 200), 255, np.uint8)
    cv2.rectangle(gray, (0, 0), (199, 119), 0, 2)
    cv2.line(gray, (20, 118), (70, 0), 110, 10)  # the arc: bottom edge to top edge
    cv2.putText(gray, "2", (110, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
    binary = np.where(gray < 160, 255, 0).astype(np.uint8)
    ink = cell_ink(gray, binary, (0, 0, 200, 120), 2, 300)
    assert ink.lines == 1 and len(ink.glyphs) == 1
    assert ink.glyphs[0][0] > 80  # the digit, not the arc
    assert ink.crop.min() < 100 and (ink.crop < 200).mean() < 0.5


def test_minus_sign_and_comma_count_in_the_glyph_fit() -> None:
    from extractor.ocr.cells import glyphs_fit

    gray = np.full((100, 300), 255, np.uint8)
    cv2.putText(gray, "-13", (60, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
    binary = np.where(gray < 128, 255, 0).astype(np.uint8)
    ink = cell_ink(gray, binary, (0, 0, 300, 100), 2, 300)
    assert len(ink.glyphs) == 3  # the minus sign is a glyph of its own
    assert glyphs_fit("-13", ink)
    assert not glyphs_fit("1", ink)


def _printed_number(text: str) -> tuple[np.ndarray, np.ndarray]:
    gray = np.full((120, 260), 255, np.uint8)
    cv2.putText(gray, text, (70, 80), cv2.FONT_HERSHEY_DUPLEX, 1.5, 0, 2)
    return gray, np.where(gray < 128, 255, 0).astype(np.uint8)


def test_second_engine_confirms_or_replaces_a_doubted_value() -> None:
    """tesseract's doubted reading goes to RapidOCR: the same number lifts the cell above
    the flag threshold; a different number that fits the glyphs replaces the text, and
    the cell stays flagged for a person."""
    import pytest

    from extractor.ocr.engines import available_engines, get_engine
    from extractor.ocr.reading import OCR_FLAG_THRESHOLD, _second_opinion

    if "rapidocr" not in available_engines():
        pytest.skip("RapidOCR not installed")
    gray, binary = _printed_number("54")
    ink = cell_ink(gray, binary, (0, 0, 260, 120), 2, 300)
    texts, confs, reasons = ["54", "34"], [0.6, 0.3], [["low_confidence"], ["low_confidence"]]
    _second_opinion(get_engine("rapidocr"), [ink, ink], [0, 1], texts, confs, reasons)
    assert texts[0] == "54" and confs[0] >= OCR_FLAG_THRESHOLD and reasons[0] == []
    assert texts[1] == "54" and confs[1] < OCR_FLAG_THRESHOLD and "second_reader" in reasons[1]


def test_pale_digit_is_completed_not_cut_to_a_dash() -> None:
    """A pale, blurred "2" of which the page threshold keeps only the base (a dash, were
    it judged alone) is ink again when judged against its own cell: one glyph as tall as
    the digit, no mark."""
    gray = np.full((90, 200), 252, np.uint8)
    cv2.rectangle(gray, (0, 0), (199, 89), 20, 3)  # black rules set the page threshold
    cv2.putText(gray, "2", (85, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.3, 185, 2)
    cv2.line(gray, (88, 63), (110, 63), 120, 3)  # its base prints darker
    gray = cv2.GaussianBlur(gray, (0, 0), 1.0)
    binary = np.where(gray < 150, 255, 0).astype(np.uint8)
    ink = cell_ink(gray, binary, (0, 0, 200, 90), 3, 300)
    assert not ink.blank and not ink.mark
    assert ink.height >= 25 and len(ink.glyphs) == 1


def test_pale_digit_the_page_threshold_lost_is_not_blank() -> None:
    gray = np.full((90, 200), 252, np.uint8)
    cv2.rectangle(gray, (0, 0), (199, 89), 20, 3)
    cv2.putText(gray, "7", (85, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.3, 190, 2)
    gray = cv2.GaussianBlur(gray, (0, 0), 1.0)
    binary = np.where(gray < 150, 255, 0).astype(np.uint8)
    assert not cell_ink(gray, binary, (0, 0, 200, 90), 3, 300).blank
    # Paper noise alone stays blank.
    rng = np.random.default_rng(1)
    noisy = np.clip(np.full((90, 200), 245.0) + rng.normal(0, 6, (90, 200)), 0, 255)
    noisy = noisy.astype(np.uint8)
    cv2.rectangle(noisy, (0, 0), (199, 89), 20, 3)
    binary = np.where(noisy < 150, 255, 0).astype(np.uint8)
    assert cell_ink(noisy, binary, (0, 0, 200, 90), 3, 300).blank


def test_blurred_short_dash_is_a_dash_but_a_digit_top_bar_is_not() -> None:
    """A short dash blurred into a fat blot is still a dash, told by its low height against
    the table's text and its place in the middle of the cell; the same blot at the top
    of where a digit would stand is a glyph's part, not a dash."""
    def blot(y: int) -> tuple[np.ndarray, np.ndarray]:
        gray = np.full((80, 160), 255, np.uint8)
        cv2.rectangle(gray, (72, y), (82, y + 6), 0, -1)
        return gray, np.where(gray < 128, 255, 0).astype(np.uint8)

    box = (0, 0, 160, 80)
    gray, binary = blot(37)
    assert cell_ink(gray, binary, box, 2, 300).mark == ""  # too fat for a stroke alone
    assert cell_ink(gray, binary, box, 2, 300, text_height=32.0).mark == "-"
    gray, binary = blot(22)
    assert cell_ink(gray, binary, box, 2, 300, text_height=32.0).mark == ""


def test_a_dash_reading_fits_one_glyph_only() -> None:
    from extractor.ocr.cells import glyphs_fit

    gray = np.full((100, 400), 255, np.uint8)
    for x in (40, 90, 140, 190, 240):  # a label of five narrow glyphs
        cv2.rectangle(gray, (x, 30), (x + 20, 70), 0, 3)
    binary = np.where(gray < 128, 255, 0).astype(np.uint8)
    ink = cell_ink(gray, binary, (0, 0, 400, 100), 2, 300)
    assert not glyphs_fit("-", ink)
    assert glyphs_fit("", ink)


def test_pale_print_under_a_pale_seal_stays() -> None:
    """A grey digit under a light red seal darkens the seal's own channel: it is print
    under the stamp and stays; the seal alone turns to paper."""
    from extractor.ocr.preprocess import suppress_colour

    image = np.full((200, 300, 3), 250, np.uint8)
    cv2.circle(image, (150, 100), 80, (150, 140, 225), -1)  # a pale red seal
    digit = np.full((200, 300), 255, np.uint8)
    cv2.putText(digit, "4", (130, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 170, 4)
    image = (image.astype(np.float32) * (digit[:, :, None] / 255.0)).astype(np.uint8)
    gray = suppress_colour(image)
    assert gray[digit < 200].mean() < 200  # the digit under the seal
    assert np.median(gray[40:60, 100:120]) == 255  # the seal where no print is


def test_pale_digits_run_together_in_a_tight_crop_are_not_a_crossing_stroke() -> None:
    """A cell of an unruled scanned table (a segment with a thin margin): "292" whose pale
    "29" the pale-print pass joins into one blot touching the crop's edges. That blot is
    as tall and as full of ink as the "2" beside it: glyphs, not a seal's stroke, and the
    reader must see all three digits (dropped, "2" was read, sure and wrong).
    The crop is from a generated 300-dpi scan (gray | binary, side by side)."""
    pair = cv2.imread(str(Path(__file__).parent / "data" / "pale_digits_run_together.png"),
                      cv2.IMREAD_GRAYSCALE)
    width = pair.shape[1] // 2
    gray, binary = pair[:, :width].copy(), pair[:, width:].copy()
    ink = cell_ink(gray, binary, (0, 0, width, pair.shape[0]), 0, 300, faint=143.35)
    assert ink.glyphs[0][0] < 5 and len(ink.glyphs) >= 2  # the "29" stays
    assert ink.crop.shape[1] > 0.8 * width


def test_a_line_of_small_bold_type_blurred_into_one_bar_is_no_dash() -> None:
    """A table 二 header (本年新制作数量) in small bold type on a 150-dpi scan runs together
    into one long bar of ink. Long and thin as a dash, but far thicker than a dash's
    stroke: it is text for the label reader, not a zero written as "-"."""
    import pytest
    from PIL import Image, ImageDraw, ImageFont

    font_path = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
    if not font_path.exists():
        pytest.skip("AR PL UMing (fonts-arphic-uming) not installed")
    img = Image.new("L", (160, 40), 255)
    font = ImageFont.truetype(str(font_path), 14)
    ImageDraw.Draw(img).text((10, 12), "本年新制作数量", font=font, fill=0, stroke_width=1,
                             stroke_fill=0)
    gray = cv2.GaussianBlur(np.asarray(img), (0, 0), 1.6)
    binary = np.where(gray < 170, 255, 0).astype(np.uint8)
    assert cv2.connectedComponents(binary)[0] == 2  # one bar of ink
    assert cell_ink(gray, binary, (0, 0, 160, 40), 0, 150).mark == ""
    dash = np.zeros((40, 160), np.uint8)
    dash[19:22, 70:90] = 255  # a printed dash at the same resolution still is one
    assert cell_ink(255 - dash, dash, (0, 0, 160, 40), 0, 150).mark == "-"


def test_print_paler_than_the_page_is_not_wiped_as_a_seal_down_to_its_dark_part() -> None:
    """A "50" in pale toner whose 5 has a darker top bar, in a grayscale scan with a gray
    seal elsewhere (the page's faint level set between print and seal). The wipe that
    removes a seal's faint strokes would leave only the bar, a dash by its shape, sure and
    wrong. More faint ink than kept print is print: the cell is read whole, and doubted."""
    from extractor.ocr.cells import judge_value

    gray = np.full((90, 200), 250, np.uint8)
    cv2.rectangle(gray, (0, 0), (199, 89), 20, 3)
    cv2.putText(gray, "50", (60, 65), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 170, 3)
    cv2.line(gray, (64, 32), (84, 32), 100, 3)  # the 5's bar, darker
    cv2.line(gray, (82, 60), (100, 60), 170, 4)  # the pale strokes run together
    gray = cv2.GaussianBlur(gray, (0, 0), 0.8)
    binary = np.where(gray < 200, 255, 0).astype(np.uint8)
    ink = cell_ink(gray, binary, (0, 0, 200, 90), 3, 300, faint=140.0)
    assert not ink.mark and ink.height >= 30 and ink.glyphs[0][1] - ink.glyphs[0][0] >= 45
    verdict = judge_value("50", 0.96, ink, 300)
    assert verdict.confidence < 0.5 and verdict.reasons == ["pale_print"]


def test_a_glyph_blot_outweighing_what_is_kept_doubts_the_cell() -> None:
    """A pale "50" in an unruled 300-dpi scan (holdout9), its segment's crop tight around
    it: the pale-print pass joins 5's body and the 0 into one blot touching two edges,
    beside the 5's darker bar. Taken for a stroke crossing the cell, the blot was dropped
    and the bar alone read as a sure dash. The dropped ink outweighs the kept: doubted.
    (gray | binary, side by side)"""
    from extractor.ocr.cells import judge_value

    pair = cv2.imread(str(Path(__file__).parent / "data" / "pale_fifty_beside_its_dark_bar.png"),
                      cv2.IMREAD_GRAYSCALE)
    width = pair.shape[1] // 2
    gray, binary = pair[:, :width].copy(), pair[:, width:].copy()
    ink = cell_ink(gray, binary, (0, 0, width, pair.shape[0]), 0, 300, faint=175.8)
    assert ink.doubt == "ink_left_out"
    verdict = judge_value("-", 0.95, ink, 300)
    assert verdict.confidence < 0.5 and "ink_left_out" in verdict.reasons
    # A ring's thin arc across a cell, beside a digit it does not outweigh, is still
    # dropped without doubt.
    cell = np.full((60, 120), 255, np.uint8)
    cv2.putText(cell, "8", (45, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    cv2.ellipse(cell, (60, 140), (120, 120), 0, 180, 360, 0, 1)
    ink = cell_ink(cell, np.where(cell < 128, 255, 0).astype(np.uint8), (0, 0, 120, 60), 0, 300)
    assert ink.doubt == "" and len(ink.glyphs) == 1


def test_a_rule_missed_beside_one_item_does_not_swallow_the_others() -> None:
    """A group label (（三）不予公开) over four items, the rule between them broken beside
    the third item (a faint stretch on a scan). The group's cell and that item are joined,
    but their bounding box is no cell: it would cover every item beside the group label,
    and their labels would be read as one. The group, each item and each value keep a
    cell of their own."""
    from extractor.ocr.lines import _merge_cells

    xs, ys = [0, 100, 200, 300], [0, 50, 100, 150, 200]
    horizontal = np.zeros((201, 301), np.uint8)
    vertical = np.zeros((201, 301), np.uint8)
    for y in ys:  # the item and value columns are ruled between rows; the group is not
        horizontal[max(y - 1, 0):y + 2, 100 if 0 < y < 200 else 0:] = 255
    for x in xs:
        vertical[:, max(x - 1, 0):x + 2] = 255
    vertical[105:145, 99:102] = 0  # beside the third item, the group's rule is lost
    cells = {(c.row, c.col): (c.rowspan, c.colspan) for c in _merge_cells(
        horizontal, vertical, xs, ys, 2)}
    assert cells[(0, 0)] == (4, 1)  # the group label, over its four items
    assert all(cells.get((r, 1)) == (1, 1) for r in range(4)), cells
    assert all(cells.get((r, 2)) == (1, 1) for r in range(4)), cells


def test_a_glyph_stem_through_one_tight_header_row_is_no_column_rule() -> None:
    """Word sets a leaf header row (其他 | 小计) as tall as its text: 小's stem runs from the
    rule above to the rule below, its two dots free of it, so it passes for a rule that
    splits 小计 in two (a column with no header over the 小计 values, every row of table
    三 unrecognised on holdout10's scan-word-16). A column rule runs on into other rows;
    a stroke through one row alone, amid a table's rows, is not one. In a table's first
    or last row (cut from its other rows by a page break) such a stroke stays a rule."""
    from extractor.ocr.lines import find_tables

    def page(rows: list[int]) -> np.ndarray:
        gray = np.full((600, 900), 255, np.uint8)
        for y in rows:
            cv2.line(gray, (100, y), (800, y), 0, 3)
        for x in (100, 450, 800):
            cv2.line(gray, (x, rows[0]), (x, rows[-1]), 0, 3)
        top, bottom = rows[1], rows[2]  # 小 in the second row, touching both its rules
        cv2.line(gray, (620, top), (620, bottom - 4), 0, 4)
        cv2.line(gray, (620, bottom - 4), (612, bottom), 0, 3)
        cv2.line(gray, (600, top + 14), (592, top + 28), 0, 4)
        cv2.line(gray, (640, top + 14), (650, top + 28), 0, 4)
        return np.where(gray < 128, 255, 0).astype(np.uint8)

    tables = find_tables(page([60, 100, 140, 220, 300, 380]), 300)
    assert len(tables) == 1 and len(tables[0].xs) == 3, tables[0].xs
    # The last row of a table (cut from its other rows by a page break): may be a rule.
    tables = find_tables(page([60, 100, 140]), 300)
    assert tables and len(tables[0].xs) == 4, tables[0].xs if tables else None
