"""Image-only judgements of the OCR path: marks by stroke shape, sheets of a long image,
curved would-be rules, the desk around a photographed sheet."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.cells import stroke_mark
from extractor.ocr.lines import find_tables
from extractor.ocr.page import page_bands
from extractor.ocr.preprocess import paper_mask


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
