"""A seal printed black (a fax, a binarised scan): its ring is no rule of the table."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.lines import find_tables

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
