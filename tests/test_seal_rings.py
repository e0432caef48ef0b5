"""A seal printed black (a fax, a binarised scan): its ring is no rule of the table."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.lines import find_tables
from extractor.ocr.preprocess import Prepared
from extractor.ocr.rings import crossed_by_seal
from extractor.ocr.unruled import segments_off_seal

DPI = 200
COLUMN = 90  # px: fifteen columns as table 四's leaf row sets them
X0, Y0 = 100, 150
ROWS = [0, 48, 94, 186, 234]  # table 四's rows: two header rows, the leaf row, the data row


def _table_with_ring(centre_x: int) -> tuple[np.ndarray, list[int]]:
    """White-on-black ink mask (as `prepare` makes it) of a 15-column ruled table, and a
    seal's ring (radius 153 px, 7 px thick) centred on the leaf row at `centre_x`."""
    image = np.zeros((700, 1700), np.uint8)
    xs = [X0 + COLUMN * i for i in range(16)]
    for y in ROWS:
        cv2.line(image, (xs[0], Y0 + y), (xs[-1], Y0 + y), 255, 3)
    for x in xs:  # every column rule runs through all rows (merged cells do not matter here)
        cv2.line(image, (x, Y0), (x, Y0 + ROWS[-1]), 255, 3)
    cv2.circle(image, (centre_x, Y0 + 140), 153, 255, 7)
    return image, xs


def _found_columns(image: np.ndarray) -> list[int]:
    tables = find_tables(image, DPI)
    assert len(tables) == 1
    return tables[0].xs


def test_a_black_seals_ring_makes_no_column() -> None:
    """The ring's side runs almost upright over the tall leaf row, half a column from any
    rule: it used to be taken for a column rule, and cut a column in two."""
    image, xs = _table_with_ring(centre_x=X0 + COLUMN * 9)  # sides at 6.3 and 10.7 columns
    found = _found_columns(image)
    assert len(found) == len(xs)
    assert all(abs(a - b) <= 3 for a, b in zip(found, xs, strict=True))


def test_a_rule_the_ring_runs_along_is_still_a_rule() -> None:
    """The ring's side lies on a column rule over the leaf and data rows: the rule is
    still found, by its part off the ring."""
    image, xs = _table_with_ring(centre_x=X0 + COLUMN * 7 + 153)  # left side on rule 7
    found = _found_columns(image)
    assert len(found) == len(xs)
    assert all(abs(a - b) <= 3 for a, b in zip(found, xs, strict=True))


def test_a_box_around_one_cell_is_no_table() -> None:
    """A frame around a line of text, or two long rules a seal's ring joins (table 四's
    rules above and below its row of values, in a report that prints no column rules):
    one cell is no table. Read as one, a row of fifteen values came out as one string;
    left to the reader of tables without rules, its values stand in their columns."""
    frame = np.zeros((700, 1700), np.uint8)
    cv2.rectangle(frame, (X0, Y0), (X0 + 1400, Y0 + 60), 255, 3)
    joined = np.zeros((700, 1700), np.uint8)
    for y in (Y0, Y0 + 48):
        cv2.line(joined, (X0, y), (X0 + 1400, y), 255, 3)
    cv2.circle(joined, (X0 + 800, Y0 + 24), 153, 255, 7)
    for image in (frame, joined):
        for x in range(X0 + 30, X0 + 1400, 90):  # a value's digit in each column
            cv2.rectangle(image, (x, Y0 + 14), (x + 12, Y0 + 36), 255, 3)
        assert find_tables(image, DPI) == []


def test_words_a_black_seal_runs_through_are_kept_apart_and_doubted() -> None:
    """A table without rules under a black seal: its ring joins the header's words it
    runs through into one blot too big for a glyph, which was dropped with the words.
    Taken off the page first, the ring leaves the words as they were, and the ones it
    crossed are the ones to doubt."""
    def page(ring: bool) -> Prepared:
        ink = np.zeros((900, 1700), np.uint8)
        for row in range(6):
            y = 200 + row * 70
            for g in range(6):  # a label of six hanzi
                cv2.rectangle(ink, (X0 + g * 44, y), (X0 + 36 + g * 44, y + 40), 255, 4)
            for c in range(8):  # header words (first row) or two-digit values
                x = 600 + c * 130
                if row == 0:
                    for g in range(2):
                        cv2.rectangle(ink, (x + g * 44, y), (x + 36 + g * 44, y + 40), 255, 4)
                else:
                    for d in range(2):
                        cv2.rectangle(ink, (x + d * 26, y + 6), (x + 18 + d * 26, y + 40), 255, 4)
        if ring:
            cv2.circle(ink, (1120, 330), 150, 255, 8)
        return Prepared(gray=255 - ink, binary=ink, to_original=np.eye(3))

    def header(segments: list) -> list:
        return sorted(s.box for s in segments if s.box[1] < 260 and s.box[0] >= 560)

    plain, _, no_seal = segments_off_seal(page(ring=False), DPI)
    prepared = page(ring=True)
    sealed, _, seal = segments_off_seal(prepared, DPI)
    assert len(header(sealed)) == len(header(plain)) == 8
    assert no_seal is None and seal is not None
    crossed = crossed_by_seal(prepared.binary, seal, [s.box for s in sealed])
    ring_x = (1120 - 150, 1120 + 150)
    assert crossed and all(
        sealed[i].box[2] >= ring_x[0] - 10 and sealed[i].box[0] <= ring_x[1] + 10
        for i in crossed)
