"""Lines a table printed alike are read once (extractor/ocr/twins.py, issue 12).

The twins are judged on real renders of the template's labels with a scanner's noise;
the reading is done by the real tesseract, and, where the point is what happens when a
reader misreads some twins, by a scripted reader standing in for it.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.ocr.engines import Reading, get_engine
from extractor.ocr.twins import read_once, twin_classes
from tests.engines import FONT, CountingEngine, skip_unless_ready

DPI = 200


def _line(text: str, seed: int) -> np.ndarray:
    """A label line as a 200-dpi scan gives it: blurred, noisy, placed a pixel off."""
    size = round(10.5 * DPI / 72)
    img = Image.new("L", (size * (len(text) + 2), size * 2), 250)
    shift = seed % 3
    ImageDraw.Draw(img).text((size // 2 + shift, size // 3 + shift), text,
                             font=ImageFont.truetype(str(FONT), size), fill=30)
    noisy = cv2.GaussianBlur(np.asarray(img).astype(np.float32), (0, 0), 0.7)
    noisy += np.random.default_rng(seed).normal(0, 6, noisy.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


@pytest.fixture(autouse=True)
def _font() -> None:
    skip_unless_ready()


def test_the_same_words_are_twins_and_words_one_character_apart_are_not() -> None:
    texts = ["结果维持", "结果纠正", "结果维持", "其他结果", "尚未审结", "结果维持",
             "信息内容", "无", "无", "元", "1.属于国家秘密", "7.属于国家秘密"]
    classes = twin_classes([_line(t, n) for n, t in enumerate(texts)])
    for i, a in enumerate(texts):
        for j, b in enumerate(texts):
            assert (classes[i] == classes[j]) is (a == b), (a, b)


class Scripted:
    """A reader that reads each crop as the script says, in the order it is given them,
    and counts them."""

    name = "scripted"

    def __init__(self, *texts: str, confidence: float = 0.9) -> None:
        self.texts = list(texts)
        self.confidence = confidence
        self.crops = 0

    def read(self, crops, kind):
        self.crops += len(crops)
        return [Reading(self.texts.pop(0), self.confidence) for _ in crops]


def test_twins_take_the_reading_most_of_their_samples_agree_on() -> None:
    crops = [_line("无", n) for n in range(16)]  # 4 of them read first
    reader = Scripted("无", "光", "无", "无")
    readings = read_once(reader, crops, "label")
    assert reader.crops == 4
    texts = [r.text for r in readings]
    assert texts == ["无"] * 16  # the dissenter too: the same print, misread


def test_twins_whose_samples_disagree_are_all_read() -> None:
    crops = [_line("无", n) for n in range(16)]
    reader = Scripted("无", "光", "丰", "无", *["无"] * 12)
    readings = read_once(reader, crops, "label")
    assert reader.crops == 16
    texts = [r.text for r in readings]
    assert texts.count("光") == texts.count("丰") == 1 and texts.count("无") == 14


@pytest.mark.parametrize("confidence, read", [(0.95, 1), (0.6, 3)])
def test_a_few_twins_take_one_reading_only_where_it_is_sure(confidence: float,
                                                            read: int) -> None:
    crops = [_line("结果", n) for n in range(3)]  # table 四's three 结果 over 维持
    reader = Scripted("结果", "结果", "结果", confidence=confidence)
    readings = read_once(reader, crops, "label")
    assert reader.crops == read
    assert [r.text for r in readings] == ["结果"] * 3


def test_twins_that_read_as_nothing_are_all_read() -> None:
    crops = [_line("无", n) for n in range(8)]
    reader = Scripted("", "", "", *["无"] * 5)
    texts = [r.text for r in read_once(reader, crops, "label")]
    assert reader.crops == 8 and texts.count("") == 3 and texts.count("无") == 5


def test_a_table_s_repeated_headers_read_once_read_as_each_alone() -> None:
    skip_unless_ready("tesseract")
    texts = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3 + ["无"] * 12
    crops = [_line(t, n) for n, t in enumerate(texts)]

    reader = CountingEngine("tesseract")
    once = [r.text.replace(" ", "") for r in read_once(reader, crops, "label")]
    each = [r.text.replace(" ", "") for r in get_engine("tesseract").read(crops, "label")]
    assert reader.crops < len(crops) - 10
    assert once == each == texts
