"""The agency and year from a report's title, however the title is set on its first page."""

from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from extractor.metadata import find_metadata
from extractor.pipeline import _title_text
from extractor.sources.load import read_source

BODY = ("本报告由本机关办公室根据《中华人民共和国政府信息公开条例》编制。报告中所列数据统计"
        "期限自{year}年1月1日起至{year}年12月31日止。")


def _first_page(path, lines: list[tuple[str, float]]):
    from samples import fonts

    font = fonts.register("uming")
    c = Canvas(str(path), pagesize=A4, invariant=1)
    y = A4[1] - 60
    for text, size in lines:
        c.setFont(font, size)
        c.drawCentredString(A4[0] / 2, y, text)
        y -= size * 1.8
    c.showPage()
    c.save()
    return find_metadata(_title_text(read_source(path)))


@pytest.mark.parametrize("title", [
    # a site's breadcrumb above a title whose agency is on a line of its own
    [("首页>政府信息公开>政府信息公开年报", 9), ("泰岭市人民政府", 22),
     ("2020年政府信息公开工作年度报告", 22)],
    # agency, year and the rest of the title each on its own line in large type
    [("泰岭市人民政府", 26), ("2020年度", 26), ("政府信息公开工作", 26), ("年度报告", 26)],
    # year first, the agency on the next line
    [("2020年", 24), ("泰岭市人民政府", 24), ("政府信息公开工作年度报告", 24)],
])
def test_agency_from_a_title_split_over_lines(tmp_path, title):
    meta = _first_page(tmp_path / "title.pdf", [*title, (BODY.format(year=2020), 10.5)])
    assert (meta.agency, meta.year) == ("泰岭市人民政府", 2020)


def test_title_whose_last_character_ocr_lost():
    """OCR of a photographed title: 告 lost at the line's end, noise on the next line."""
    text = ("2024年中原省人民政府政府信息公开工作年度报\n上秒品\n"
            "本报告由中原省人民政府办公打根据《中华人民共和国政府信息公开条例》编制。")
    meta = find_metadata(text)
    assert (meta.agency, meta.year) == ("中原省人民政府", 2024)


def test_a_title_line_tesseract_doubts_is_read_by_the_other_engine_too() -> None:
    """The top lines of a scanned report's first page (large bold title, from a generated
    scan), read in one batch as the pipeline reads them: tesseract makes 金了有具 of 金宁县
    and doubts it. The line is read again by RapidOCR and the surer reading is kept, so
    the agency is right."""
    from pathlib import Path

    import cv2

    from extractor.ocr.engines import available_engines, get_engine
    from extractor.ocr.page import _title_rechecked

    if not {"tesseract", "rapidocr"} <= set(available_engines()):
        pytest.skip("both OCR engines are needed")
    folder = Path(__file__).parent / "data" / "title_lines"
    lines = [cv2.imread(str(folder / f"{i}.png"), cv2.IMREAD_GRAYSCALE) for i in range(4)]
    title = get_engine("tesseract").read(lines, "label")
    rechecked = _title_rechecked(lines, title, get_engine("rapidocr"))
    meta = find_metadata("\n".join(r.text for r in rechecked))
    assert (meta.agency, meta.year) == ("金宁县人民政府", 2021)
    # a line read surely is left as tesseract read it
    assert [r.text for r, t in zip(rechecked, title, strict=True) if t.confidence >= 0.8] == \
        [t.text for t in title if t.confidence >= 0.8]


def test_the_title_found_spares_reading_the_prose_under_it_and_the_next_pages_top(
        monkeypatch) -> None:
    """A scanned report whose first page carries its whole title: the title's lines are
    read, not the body text under them (its tables prove the page upright), and the second
    page's top is not read for a title at all. The agency and year are right."""
    import json
    from pathlib import Path

    from extractor.ocr import page as ocr_page
    from extractor.ocr.engines import TesseractEngine, available_engines
    from extractor.pipeline import extract_document

    if "tesseract" not in available_engines():
        pytest.skip("tesseract is needed")
    scan = Path(__file__).parent.parent / "samples" / "generated" / "scan" / \
        "m02-city-2020-word-landscape-errors-scan300-grey.pdf"
    truth = json.loads(scan.with_suffix(".json").read_text(encoding="utf-8"))
    tops: list[list] = []  # per page whose top is looked at: its lines (kept: ids stay theirs)
    read: list = []  # the crops tesseract was given (kept, as the lines are)
    text_lines, tesseract_read = ocr_page._text_lines, TesseractEngine.read

    def lines_seen(prepared, y0, y1, dpi):  # the real functions, their use recorded
        lines = text_lines(prepared, y0, y1, dpi)
        if y0 == 0:
            tops.append(list(lines))
        return lines

    def crops_seen(self, crops, kind):
        read.extend(crops)
        return tesseract_read(self, crops, kind)

    monkeypatch.setattr(ocr_page, "_text_lines", lines_seen)
    monkeypatch.setattr(TesseractEngine, "read", crops_seen)
    result = extract_document(scan)
    assert (result.report.agency, result.report.year) == (truth["agency"], truth["year"])
    assert len(tops) == 1  # the first page's top only
    assert len(tops[0]) >= 4  # title, 报告, and the body text under them
    given = {id(crop) for crop in read}
    assert [id(line) in given for line in tops[0][:4]] == [True, True, False, False]
