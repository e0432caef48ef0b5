"""Tables pasted as pictures: in a Word file, a web page (inline or saved beside it) and a
PDF exported from Word. Made from the real 洪泽区 2023 report the way agencies do it
(samples/pictures.py): every cell must come back as from the text PDF."""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from extractor.evaluate import score
from extractor.pipeline import extract_document
from extractor.sources.pictures import PICTURES_NOT_SAVED, decode_picture
from samples.pictures import page_blocks, picture_report, write_html
from tests.conftest import REAL, load_truth

HZQ = REAL / "hzq2023.pdf"
HZQ_TRUTH = load_truth(REAL / "hzq2023.json")
HZQ_SOURCE_ERROR_CELLS = 10  # the two source errors of table 四 flag ten cells


@pytest.fixture(scope="module")
def pictured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pictures")
    return picture_report(HZQ, HZQ_TRUTH, out, "hzq2023", make_pdf=False)


def _assert_like_the_text_pdf(path: Path, kind: str, extra_flags: int = 3) -> None:
    result = extract_document(path)
    assert result.status != "failed", result.error
    assert result.document.kind == kind
    truth = load_truth(path.with_suffix(".json"))
    s = score(result, truth)
    assert s.silent_errors == [] and s.missing_keys == [] and s.extra_keys == []
    assert s.correct >= 0.995 * s.cells, s.wrong
    assert s.missed_source_errors == []
    assert s.flagged <= HZQ_SOURCE_ERROR_CELLS + extra_flags
    assert result.report.agency == truth["agency"] and result.report.year == truth["year"]
    assert any(c.source == "ocr" for c in result.cells)


def test_generator_keeps_headings_and_tables_in_page_order() -> None:
    pages = page_blocks(HZQ, dpi=100)
    order = [("picture" if b.png else b.text[:2]) for page in pages for b in page]
    assert order.count("picture") >= 4
    # each table heading printed outside a frame comes just before a picture (its table);
    # 二's heading is inside the frame that holds the report's first sections
    for heading in ("三、", "四、"):
        at = next(i for i, b in enumerate(order) if b == heading)
        assert order[at + 1] == "picture"


def test_docx_pictures_are_read(pictured: dict[str, Path]) -> None:
    _assert_like_the_text_pdf(pictured["docx"], "docx")


def test_web_page_with_inline_pictures_is_read(pictured: dict[str, Path]) -> None:
    _assert_like_the_text_pdf(pictured["html"], "html")


@pytest.mark.slow
def test_web_page_saved_with_its_files_is_read(pictured: dict[str, Path]) -> None:
    _assert_like_the_text_pdf(pictured["html_files"], "html")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_pdf_exported_from_word_reads_its_pictures(tmp_path: Path) -> None:
    made = picture_report(HZQ, HZQ_TRUTH, tmp_path, "hzq2023", make_pdf=True)
    _assert_like_the_text_pdf(made["pdf"], "mixed")


def _one_table_picture(after: str = "三、", dpi: float = 150) -> bytes:
    """The picture of the table printed under the heading starting with `after`."""
    blocks = [b for page in page_blocks(HZQ, dpi=dpi) for b in page]
    at = next(i for i, b in enumerate(blocks) if b.text.startswith(after))
    return next(b.png for b in blocks[at:] if b.png)


def test_web_page_without_its_saved_pictures_says_so(tmp_path: Path) -> None:
    pages = page_blocks(HZQ, dpi=100)
    page = tmp_path / "report.html"
    write_html(pages, page, inline=False)
    shutil.rmtree(tmp_path / "report_files")  # saved as "HTML only"
    result = extract_document(page)
    assert result.status == "failed"
    assert PICTURES_NOT_SAVED in result.error
    assert "report_files/table1.png (missing)" in result.error


def test_web_page_never_reads_outside_its_folder_nor_the_web(tmp_path: Path) -> None:
    """A picture of a table one folder up, and one on the web, are both left alone."""
    (tmp_path / "secret.png").write_bytes(_one_table_picture())
    site = tmp_path / "site"
    site.mkdir()
    page = site / "report.html"
    page.write_text(
        "<html><body><p>二、主动公开政府信息情况</p>"
        '<img src="../secret.png"><img src="sub/../../secret.png">'
        '<img src="https://example.org/table.png"><img src="file:///etc/passwd">'
        "</body></html>", encoding="utf-8")
    result = extract_document(page)
    assert result.status == "failed"
    assert "outside the page's folder, not read" in result.error
    assert "not fetched" in result.error


def test_inline_picture_of_one_table(tmp_path: Path) -> None:
    """A data: URI picture is read where it stands, under its heading."""
    png = _one_table_picture()
    page = tmp_path / "one.html"
    page.write_text(
        "<html><body><p>三、收到和处理政府信息公开申请情况</p>"
        f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
        f'width="{round(Image.open(io.BytesIO(png)).width * 96 / 150)}">'
        "</body></html>", encoding="utf-8")
    result = extract_document(page)
    assert result.status != "failed", result.error
    cells = result.cell_map()
    got = {k: c.value for k, c in cells.items()
           if k.startswith("applications.") and not c.flagged and c.value is not None}
    assert len(got) >= 50, "table 三 not read from the picture"
    for key, value in got.items():
        assert value == HZQ_TRUTH["cells"][key], key


def test_small_or_broken_pictures_are_not_tables() -> None:
    icon = Image.fromarray(np.zeros((32, 32, 3), np.uint8))
    buffer = io.BytesIO()
    icon.save(buffer, format="PNG")
    assert decode_picture(buffer.getvalue()) is None
    assert decode_picture(b"not a picture") is None
    assert decode_picture(_one_table_picture()) is not None
