"""Tables printed without rules, on a page image: segments of text found from the ink,
and the page levelled by its text lines when it has no ruled line to go by."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from extractor.evaluate import score
from extractor.ocr.preprocess import estimate_text_rotation
from extractor.ocr.unruled import (
    Segment,
    _join_spaced_digits,
    _join_stacked_strokes,
    _looks_tabular,
    text_segments,
)
from extractor.pipeline import extract_document
from samples.generate import Job, run_job

H = 40.0  # text height in pixels


def _table_page(rows: int = 6) -> np.ndarray:
    """Ink of an unruled table: a label of square glyphs, then numbers set in columns."""
    page = np.zeros((1400, 1600), np.uint8)
    for r in range(rows):
        y = 200 + r * 90
        for g in range(6):  # the label: six hanzi-like squares, close together
            cv2.rectangle(page, (100 + g * 44, y), (136 + g * 44, y + 40), 255, 4)
        for c in range(5):  # numbers: two narrow digits each, columns far apart
            for d in range(2):
                x = 600 + c * 180 + d * 26
                cv2.rectangle(page, (x, y + 6), (x + 18, y + 40), 255, 4)
    return page


def test_spaced_digits_join_into_one_number_but_columns_stay_apart() -> None:
    digits = [Segment((100 + i * 30, 0, 120 + i * 30, 40), True) for i in range(3)]
    other_column = Segment((300, 0, 320, 40), True)
    joined = _join_spaced_digits(digits + [other_column], H)
    assert sorted(s.box for s in joined) == [(100, 0, 180, 40), (300, 0, 320, 40)]


def test_spaced_hanzi_are_not_joined_as_digits() -> None:
    words = [Segment((100, 0, 140, 40), False), Segment((160, 0, 200, 40), False)]
    assert len(_join_spaced_digits(words, H)) == 2


def test_strokes_of_er_are_one_glyph_but_a_dash_under_a_value_is_not() -> None:
    er = [Segment((100, 10, 130, 14), True), Segment((96, 30, 134, 35), True)]
    (glyph,) = _join_stacked_strokes(er, H)
    assert glyph.box == (96, 10, 134, 35) and not glyph.numeric
    # A dash one table row (a line and a half) below a number stays a value of its own.
    column = [Segment((100, 0, 120, 40), True), Segment((102, 78, 118, 82), True)]
    assert len(_join_stacked_strokes(column, H)) == 2


def test_prose_is_not_a_table_and_a_table_is() -> None:
    prose = [Segment((100, y, 1500, y + 40), False) for y in range(0, 800, 60)]
    prose += [Segment((700, 600, 712, 605), True)]  # a dash in a sentence
    assert not _looks_tabular(prose, H)
    segments, height = text_segments(_table_page(), 300)
    assert 30 <= height <= 45
    assert _looks_tabular(segments, height)
    numbers = [s for s in segments if s.numeric]
    assert len(numbers) == 6 * 5  # each two-digit number one segment, each column apart


def test_table_four_single_row_is_a_table() -> None:
    row = [Segment((100 + 90 * i, 0, 112 + 90 * i, 34), True) for i in range(15)]
    assert _looks_tabular(row, H)


def test_a_page_without_rules_is_levelled_by_its_text() -> None:
    page = _table_page()
    matrix = cv2.getRotationMatrix2D((800, 700), 1.5, 1.0)
    tilted = cv2.warpAffine(page, matrix, (1600, 1400))
    homography = estimate_text_rotation(tilted, 300)
    assert homography is not None
    # The correction undoes the tilt to within a few hundredths of a degree.
    undone = np.degrees(np.arctan2(homography[1, 0], homography[0, 0]))
    assert abs(undone - 1.5) <= 0.05
    assert estimate_text_rotation(page, 300) is None  # level already: left alone


def test_bracketed_numbering_stays_with_its_label() -> None:
    """"(2) 其他法律…": a digit in brackets set a little apart before a label is the
    label's numbering, not a value at the head of the row; a bare number that far from
    words stays a number."""
    page = np.zeros((300, 1400), np.uint8)
    cv2.line(page, (100, 100), (100, 150), 255, 3)  # (
    cv2.rectangle(page, (112, 110), (128, 146), 255, 3)  # 2
    cv2.line(page, (140, 100), (140, 150), 255, 3)  # )
    for g in range(5):  # the label's hanzi, 1.5 text heights after the bracket
        cv2.rectangle(page, (200 + g * 46, 104), (240 + g * 46, 146), 255, 4)
    for c in range(6):  # the row's values, far to the right
        cv2.rectangle(page, (700 + c * 110, 110), (718 + c * 110, 146), 255, 4)
    segments, height = text_segments(page, 300)
    label = [s for s in segments if not s.numeric]
    assert len(label) == 1 and label[0].box[0] <= 100  # the numbering joined the label
    assert len([s for s in segments if s.numeric]) == 6


def test_numbering_joins_its_label_at_the_labels_type_size() -> None:
    """"5、属于三类内…" in a serif type: after the 、 the label starts most of an em away,
    more than the page's usual text height when the table's many digits set that height.
    The gap is judged in the label's own size, so the numbering is not a row of its own."""
    page = np.zeros((500, 1600), np.uint8)
    for r in range(6):  # rows of values: their digits set the usual text height
        for c in range(6):
            x, y = 700 + c * 130, 40 + r * 55
            cv2.rectangle(page, (x, y), (x + 16, y + 30), 255, 3)
    y = 400
    cv2.rectangle(page, (100, y + 8), (116, y + 38), 255, 3)  # 5
    cv2.line(page, (124, y + 34), (130, y + 40), 255, 3)  # 、
    for g in range(5):  # hanzi 46 px tall, their ink 40 px after the 、's
        cv2.rectangle(page, (174 + g * 48, y), (214 + g * 48, y + 42), 255, 4)
    segments, height = text_segments(page, 300)
    assert height < 40
    label = [s for s in segments if not s.numeric and s.box[1] >= y - 5]
    assert len(label) == 1 and label[0].box[0] <= 100  # the numbering joined the label
    assert not [s for s in segments if s.numeric and s.box[1] >= y - 5]


def test_words_after_a_comma_go_on_with_the_label_but_close_cells_stay_apart() -> None:
    """"（区分处理的，只计这一情形，…）": the gap after a full-width comma is most of an em,
    wider than the gap that joins glyphs, yet the words after it are the same label. Two
    header cells set as close, with no comma between, stay two cells."""
    page = _table_page()
    y = 900
    for g in range(5):  # 区分处理的
        cv2.rectangle(page, (100 + g * 44, y), (136 + g * 44, y + 40), 255, 4)
    cv2.circle(page, (330, y + 36), 4, 255, -1)  # ，low on the line, right after them
    for g in range(4):  # 只计这一, most of an em after the comma
        cv2.rectangle(page, (372 + g * 44, y), (408 + g * 44, y + 40), 255, 4)
    y = 1000
    for x0 in (100, 372):  # two header cells the same distance apart, no comma
        for g in range(4):
            cv2.rectangle(page, (x0 + g * 44, y), (x0 + 36 + g * 44, y + 40), 255, 4)
    segments, _ = text_segments(page, 300)
    first = [s.box for s in segments if 880 <= s.box[1] < 960]
    second = [s.box for s in segments if 980 <= s.box[1] < 1060]
    assert len(first) == 1 and first[0][0] <= 100 and first[0][2] >= 540
    assert len(second) == 2


def test_full_width_figures_go_on_after_their_separator_but_columns_stay_apart() -> None:
    """"２５，３８４" and "０．００": full-width figures, each in an em of its own, the comma
    or point too, so the gap after the separator is wider than the gap that joins glyphs
    (and than the gap between spaced digits). A value never ends in a separator: the
    figures after it are the same number. Two values as far apart, with no separator
    between them, stay two cells."""
    page = _table_page()
    em = 44
    for y, text in ((900, "25,384"), (1000, "0.00"), (1100, "12 34")):
        x = 600
        for ch in text:
            if ch.isdigit():
                cv2.rectangle(page, (x + 10, y + 4), (x + 30, y + 40), 255, 4)
            elif ch in ",.":
                cv2.circle(page, (x + 8, y + 36), 4, 255, -1)  # low, at the em's left
            x += em if ch != " " else 2 * em
    segments, _ = text_segments(page, 300)
    for y, cells in ((900, 1), (1000, 1), (1100, 2)):
        found = [s for s in segments if y - 20 <= s.box[1] < y + 60]
        assert len(found) == cells, (y, [s.box for s in found])
        assert all(s.numeric for s in found)


def test_a_blank_is_doubted_only_where_the_page_shows_ink_there(tmp_path) -> None:
    """A report printing its zeros as blanks, in tables without rules, scanned: the blanks
    are taken as blanks, not each flagged, because the page shows no ink there. A value
    printed too pale for the reading, where a blank would be, is flagged, not taken for
    a blank."""
    blank_zeros = {"disclosure": "", "applications": "", "appeals": ""}
    job = Job("scan", "unruled-blanks", "unruled-blanks/1",
              {"rules": "none", "zero_style": blank_zeros, "mixed_zeros": False},
              {"dpi": 200, "format": "png", "profile": "clean"}, "reportlab")
    truth = run_job(job, tmp_path)
    path = tmp_path / "scan" / truth["file"]
    result = extract_document(path)
    s = score(result, truth)
    assert s.silent_errors == []
    blanks = [c for c in result.cells if c.key in truth["cells"]
              and truth["cells"][c.key] is None and c.value is None]
    assert len(blanks) >= 50
    assert sum(c.flagged for c in blanks) <= 0.1 * len(blanks)

    # A pale 7 where an unflagged blank of table 三 is: on a row with values, and on a
    # row printed all blank (where the row's only value may be the one lost).
    def row_read(cell) -> bool:
        row = cell.key.rsplit(".", 1)[0]
        return any(c.value is not None for c in result.cells if c.key.startswith(row + "."))

    unflagged = [c for c in blanks if c.key.startswith("applications.") and not c.flagged
                 and c.bbox is not None and c.page == 1]
    targets = [next(c for c in unflagged if row_read(c)),
               next(c for c in unflagged if not row_read(c))]
    image = Image.open(path)
    dpi = image.info["dpi"][0]
    pixels = np.array(image.convert("L"))
    for target in targets:
        x0, y0, x1, y1 = (int(v * dpi / 72) for v in target.bbox)
        size = max(y1 - y0, 20)
        cv2.putText(pixels, "7", ((x0 + x1) // 2 - size // 3, (y0 + y1) // 2 + size // 2),
                    cv2.FONT_HERSHEY_SIMPLEX, size / 25, 185, max(2, size // 10), cv2.LINE_AA)
    pale = tmp_path / "pale.png"
    Image.fromarray(pixels).save(pale, dpi=(dpi, dpi))
    again = {c.key: c for c in extract_document(pale).cells}
    assert [again[t.key].flagged for t in targets] == [True, True]
