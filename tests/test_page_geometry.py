"""The long ruled lines that set a scanned page's geometry (skew, a photo's keystone).

They are looked for on a page at 150 dpi and fitted at full size: the lines and their
placement must be those a search of the whole page at full size gives.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr.preprocess import _long_lines, estimate_rectification

DPI = 300


def _page(lines: list[tuple[float, float]], thickness: int = 3) -> np.ndarray:
    """A 300-dpi page (ink = 255) with long horizontal lines: (y at the left, y at the right)."""
    page = np.zeros((3300, 2550), np.uint8)
    for left, right in lines:
        cv2.line(page, (150, round(left)), (2400, round(right)), 255, thickness)
    return page


def test_two_close_lines_stay_two_and_are_placed_to_the_pixel() -> None:
    # A sheet's edge 8 px above a rule: one blot at 150 dpi, two lines at full size.
    page = _page([(300, 300), (308, 308), (1500, 1530)])
    found = _long_lines(page, DPI, horizontal=True)
    centre = page.shape[1] / 2
    assert len(found) == 3
    expected = [300, 308, 1500 + 30 * (centre - 150) / 2250]
    for (_, _, position, _), want in zip(found, expected, strict=True):
        assert abs(position - want) < 0.6


def test_a_skewed_page_is_straightened_by_its_lines() -> None:
    page = _page([(400, 420), (3000, 3020)])
    vertical = np.zeros_like(page)
    for x in (150, 2400):
        cv2.line(vertical, (x, 400 + round((x - 150) * 20 / 2250)),
                 (x - 23, 3000 + round((x - 150) * 20 / 2250)), 255, 3)
    homography = estimate_rectification(page | vertical, DPI)
    assert homography is not None
    # The top rule's ends come out level.
    ends = cv2.perspectiveTransform(np.float32([[[150, 400], [2400, 420]]]), homography)[0]
    assert abs(ends[0][1] - ends[1][1]) < 1.0
