"""Values read at middling confidence (OCR_FLAG_THRESHOLD..VERIFY_BELOW) are checked before
they are trusted: a lone digit by its likeness to the digits the same table printed and
the reader read surely (its twins), anything else by the second engine (issue 12: the
second engine's checks were a tenth of a scan's time, and it only ever agreed there)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.ocr.engines import Reading
from extractor.ocr.preprocess import prepare
from extractor.ocr.reading import OCR_FLAG_THRESHOLD, read_cells
from tests.engines import FONT, CountingEngine, skip_unless_ready

DPI = 300


def _table_of_zeros(last: str) -> tuple:
    """One row of twelve cells printing 0, and a last one printing `last`."""
    size = 42  # 10 pt at 300 dpi
    font = ImageFont.truetype(str(FONT), size)
    img = Image.new("L", (13 * 120 + 40, 160), 250)
    draw = ImageDraw.Draw(img)
    boxes = []
    for k, text in enumerate(["0"] * 12 + [last]):
        x = 20 + k * 120
        boxes.append((x, 30, x + 110, 130))
        draw.text((x + 42, 55), text, font=font, fill=20)
    return prepare(np.asarray(img.convert("RGB"))[:, :, ::-1].copy(), DPI), boxes


class Scripted:
    """The first reader as it reads such a row: every cell "0", surely, but the last at 0.85.
    (Its readings are given; what read_cells does with them is under test.)"""

    name = "tesseract"

    def read(self, crops, kind):
        if kind != "value":
            return [Reading("", 0.0) for _ in crops]
        return [Reading("0", 0.85 if n == len(crops) - 1 else 0.99)
                for n in range(len(crops))]

    def read_single(self, crop, kind):
        return Reading("0", 0.85)


@pytest.fixture(autouse=True)
def _needs() -> None:
    skip_unless_ready("rapidocr")


def test_a_doubted_zero_its_twins_confirm_is_not_read_again() -> None:
    prepared, boxes = _table_of_zeros("0")
    second = CountingEngine("rapidocr")
    texts, confs, _ = read_cells(prepared, boxes, 0, DPI, Scripted(), second)
    assert second.of_kind["value"] == 0
    assert texts[-1] == "0" and confs[-1] >= OCR_FLAG_THRESHOLD


def test_a_digit_misread_as_its_neighbours_is_no_twin_and_is_checked() -> None:
    """An 8 the first reader took for a 0 does not look like the row's zeros: the second
    engine reads it, disagrees, and the cell is flagged."""
    prepared, boxes = _table_of_zeros("8")
    second = CountingEngine("rapidocr")
    texts, confs, reasons = read_cells(prepared, boxes, 0, DPI, Scripted(), second)
    assert second.of_kind["value"] >= 1  # checked (and, flagged, read once more for a better guess)
    assert confs[-1] < OCR_FLAG_THRESHOLD and "engines_disagree" in reasons[-1]
    assert all(t == "0" and c >= OCR_FLAG_THRESHOLD for t, c in zip(texts[:-1], confs[:-1],
                                                                     strict=True))


class AllMiddling(Scripted):
    """The first reader as it reads some scans' zeros: every one at 0.85, none surely."""

    def read(self, crops, kind):
        if kind != "value":
            return [Reading("", 0.0) for _ in crops]
        return [Reading("0", 0.85) for _ in crops]


def test_with_no_sure_twin_the_second_engine_reads_a_few_and_its_agreements_are_the_twins(
) -> None:
    from extractor.ocr.reading import TWIN_SEEDS

    prepared, boxes = _table_of_zeros("8")  # twelve 0s, and an 8 the reader took for 0
    second = CountingEngine("rapidocr")
    texts, confs, reasons = read_cells(prepared, boxes, 0, DPI, AllMiddling(), second)
    # a few zeros read by the second engine, the 8 (no twin of theirs) too, and once more
    # when flagged; the other zeros are checked by their likeness to the agreed ones
    assert TWIN_SEEDS + 1 <= second.of_kind["value"] <= TWIN_SEEDS + 2
    assert all(t == "0" and c >= OCR_FLAG_THRESHOLD for t, c in zip(texts[:-1], confs[:-1],
                                                                     strict=True))
    assert confs[-1] < OCR_FLAG_THRESHOLD and "engines_disagree" in reasons[-1]
