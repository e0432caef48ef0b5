"""Reading labels only as much as the decision needs (issue 12).

A wrapped label's first line, when it is the start of one known label alone and the
matcher is sure of it, spares reading the lines below; a doubted label has only its
doubted lines read again by the second engine. Both engines here are the real ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.ocr.cells import cell_ink
from extractor.ocr.preprocess import binarise
from extractor.ocr.reading import _read_label_lines, _recheck_labels
from extractor.reconcile import vocabulary
from extractor.reconcile.labels import best_match
from models.schema import APPLICATION_ROWS
from tests.engines import FONT, CountingEngine, skip_unless_ready

DPI = 200


@pytest.mark.parametrize("first_line, decides", [
    ("1.申请人无正", True),  # only 申请人无正当理由逾期不补正… starts so
    ("一、本年新收政府信息公开申请数", True),  # 量 is on the next line
    ("1.属于国家秘密", False),  # a whole label already: what follows must be read
    ("7.属于行政", False),  # 属于行政执法案卷 and 属于行政查询事项 both start so
    ("（二）部分公开〈区分处", True),  # 〈 is a bracket the engines read for （
    ("（二）部分公井区分处", False),  # a misread character the matcher is unsure past
    ("（本列数据的勾称关系为：第一项加第二项之和，等", True),  # the note, 稽 misread
    ("社会公", True),  # a column header wrapped after three characters: 社会公益组织
    ("结果", False),  # 结果维持 and 结果纠正 both start so
    ("（四）无法", False),  # too short to name a label alone
    ("政府信息公开", False),  # the start of one heading only, but too little to be sure of
])
def test_a_first_line_decides_only_when_it_alone_surely_names_one_label(
        first_line: str, decides: bool) -> None:
    assert vocabulary.start_names_one_label(first_line) is decides


def test_wherever_a_first_line_decides_the_matcher_names_the_same_row_from_it() -> None:
    """The reader stops at a first line only where every table's matcher, given that line
    alone, names the very row or column the whole label names: no row is swapped."""
    contexts = [vocabulary.disclosure_rows(), vocabulary.disclosure_columns("2021"),
                vocabulary.disclosure_columns("2019"), vocabulary.application_all_rows(),
                vocabulary.APPLICATION_GROUP_LABELS, vocabulary.APPLICATION_COLUMN_LABELS,
                vocabulary.APPEAL_GROUP_LABELS, vocabulary.APPEAL_COLUMN_LABELS,
                vocabulary.TABLE_HEADINGS,
                *(vocabulary.application_items(g) for g in {r.group for r in APPLICATION_ROWS})]
    decided = 0
    for candidates in contexts:
        for candidate in candidates:
            for label in candidate.labels:
                whole = best_match(label, candidates)
                for end in range(1, len(label)):
                    if not vocabulary.start_names_one_label(label[:end]):
                        continue
                    decided += 1
                    part = best_match(label[:end], candidates)
                    assert part is not None and whole is not None, label[:end]
                    assert part.key == whole.key and part.certainty >= 1.0, label[:end]
    assert decided > 100  # the rule is used, not vacuous


def _label_cells(*cells: list[str], cut_last_line: bool = False):
    """Cells of a table's label column, each with its lines of text: their ink.

    With `cut_last_line`, each cell's last line loses a band of ink across its middle,
    as a thin stroke does to blur or a light scan."""
    size = round(10.5 * DPI / 72)
    font = ImageFont.truetype(str(FONT), size)
    height = (size + 10) * 3
    img = Image.new("L", (size * 14, height * len(cells)), 255)
    draw = ImageDraw.Draw(img)
    boxes = []
    for n, lines in enumerate(cells):
        top = n * height
        for k, line in enumerate(lines):
            draw.text((10, top + 8 + k * (size + 8)), line, font=font, fill=0)
        if cut_last_line:
            middle = top + 8 + (len(lines) - 1) * (size + 8) + size // 2
            draw.rectangle((0, middle, img.width, middle + 1), fill=255)
        boxes.append((0, top, img.width, top + height))
    gray = np.asarray(img)
    binary = binarise(gray)
    return [cell_ink(gray, binary, box, 0, DPI) for box in boxes]


@pytest.fixture(autouse=True)
def _engines() -> None:
    skip_unless_ready("tesseract")


def test_a_wrapped_label_its_first_line_names_is_read_without_the_rest() -> None:
    inks = _label_cells(
        ["1.申请人无正当理由逾期", "不补正、行政机关不再处", "理其政府信息公开申请"],
        ["（四）无法", "提供"])
    assert [ink.lines for ink in inks] == [3, 2]
    reader = CountingEngine("tesseract")
    named, short = _read_label_lines(reader, inks, [0, 1], whole=False)
    # the two first lines; then the rest of the label they did not decide; never the
    # decided label's other two lines
    assert reader.crops == 3
    assert len(named) == 1 and named[0][0].startswith("1.申请人无正")
    assert vocabulary.start_names_one_label(named[0][0])
    assert "".join(text for text, _ in short) in ("（四）无法提供", "(四)无法提供")
    everything = CountingEngine("tesseract")
    _read_label_lines(everything, inks, [0, 1])  # whole: every line, as before
    assert everything.crops == 5


def test_a_glyph_cut_across_is_one_line_of_its_label_not_two() -> None:
    """织 with a thin stroke lost across its middle is a top and two legs: taken as two
    lines they read as 纪 and a scribble, and the column header is not known. Its label's
    lines are found as printed, as if it were whole; a real short line stays a line."""
    (cut,) = _label_cells(["社会公益组", "织"], cut_last_line=True)
    (whole,) = _label_cells(["社会公益组", "织"])
    assert whole.lines == 2 and cut.lines == 2
    assert [c.shape for c in cut.line_crops] == [c.shape for c in whole.line_crops]
    assert cut.rows == whole.rows
    (short,) = _label_cells(["社会公益组", "一"])
    assert short.lines == 2


def test_a_first_line_too_short_to_decide_is_read_only_with_its_label() -> None:
    inks = _label_cells(["结果", "维持"])  # 结果维持 and 结果纠正 both start so
    reader = CountingEngine("tesseract")
    (lines,) = _read_label_lines(reader, inks, [0], whole=False)
    assert reader.crops == 2  # each line once, in one batch
    assert "".join(text for text, _ in lines) == "结果维持"


def test_only_the_doubted_lines_of_a_doubted_label_are_read_again() -> None:
    skip_unless_ready("rapidocr")
    inks = _label_cells(["（四）无法提", "供"])
    # As the first engine read it: a sure first line, a second line it doubts.
    lines = {0: [("（四）无法提", 0.9), ("洪", 0.1)]}
    texts, confs = ["（四）无法提洪"], [0.1]
    second = CountingEngine("rapidocr")
    _recheck_labels(second, inks, texts, confs, lines)
    assert second.crops == 1
    assert texts == ["（四）无法提供"] and confs[0] >= 0.8
    # A label whose text is no longer the reading of its lines is read again whole.
    texts, confs = ["（四）无法提洪"], [0.3]
    again = CountingEngine("rapidocr")
    _recheck_labels(again, inks, texts, confs, {0: [("（四）无法提", 0.9), ("洪", 0.1)]})
    assert again.crops == 2


class AsRead:
    """The first engine's readings of a table's label lines as it gave them, line by line
    (the reading itself is not under test here: the decision taken on it is)."""

    name = "tesseract"

    def __init__(self, readings: dict[int, tuple[str, float]]) -> None:
        self.readings = readings  # by the crop's height, which tells the lines apart
        self.crops = 0

    def read(self, crops, kind):
        from extractor.ocr.engines import Reading

        self.crops += len(crops)
        return [Reading(*self.readings.get(crop.shape[0], ("", 0.0))) for crop in crops]


def test_a_long_exact_start_decides_at_any_confidence_a_short_one_does_not() -> None:
    """The least sure word sets a line's confidence: the template's small-print note reads
    at 0.0–0.4 for one misread character (勾稽 as 勾称). Six characters read exactly as a
    known label's start name it anyway; fewer, read doubted, do not."""
    inks = _label_cells(["（本列数据的勾稽关系为：第一项", "加第二项之和"],
                        ["（二）部分公开", "（区分处理的"])
    first = {ink.line_crops[0].shape[0] for ink in inks}
    assert len(first) == 1  # both first lines alike: give each cell its own crop heights
    note, part = inks
    part.line_crops[0] = part.line_crops[0][1:]  # one pixel shorter: told apart by height
    note_read = "（本列数据的勾称关系为：第一项加第二项之和，等于"  # as one wide cell prints it
    reader = AsRead({note.line_crops[0].shape[0]: (note_read, 0.1),
                     part.line_crops[0].shape[0]: ("（二）部分公井", 0.1)})
    named, doubted = _read_label_lines(reader, inks, [0, 1], whole=False)
    assert len(named) == 1  # the note: its second line is never read
    assert len(doubted) == 2  # the other, doubted and misread after 部分公: read on
    assert reader.crops == 2 + 1
    # A label its first line named is settled: the second engine does not read it again,
    # however doubted that line was; the doubted label's lines it does read.
    lines = {0: named, 1: doubted}
    texts = ["".join(t for t, _ in named), "".join(t for t, _ in doubted)]
    confs = [min(c for _, c in named), min(c for _, c in doubted)]
    second = AsRead({})
    _recheck_labels(second, inks, texts, confs, lines)
    assert second.crops == 2
