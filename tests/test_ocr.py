"""The OCR path on real pages: hzq2023 rendered, degraded like a scan, read with tesseract.

The truth of each cell is the PDF's own text layer inside the cell (the same scoring the
bench uses), so no reconciler is needed to test digit accuracy and confidence honesty.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pytest

from bench.ocr_bench import is_value_truth, score_page, truth_text
from extractor.grid import Grid
from extractor.ocr import OCR_FLAG_THRESHOLD, available_engines, read_page_image
from extractor.ocr.cells import normalise_value
from extractor.ocr.lines import find_tables
from extractor.ocr.preprocess import prepare
from extractor.ocr.synth import SCAN_PRESETS, degrade
from extractor.sources.images import render_pdf_page

ROOT = Path(__file__).resolve().parent.parent
HZQ = ROOT / "samples" / "real" / "hzq2023.pdf"

pytestmark = [
    pytest.mark.skipif("tesseract" not in available_engines(), reason="tesseract not installed"),
]

# (rows, cols) of every ruled table on hzq2023's pages 2–4, as printed.
HZQ_TABLES = {
    2: [(8, 4)],  # table 二, first part
    3: [(6, 2), (17, 10)],  # table 二 rest; table 三 to 2.没有现成信息 (header 3 rows)
    4: [(9, 10), (4, 15)],  # table 三 rest; table 四 (3 header rows + 1 data row)
}


@pytest.fixture(scope="module")
def pdf() -> pdfplumber.PDF:
    with pdfplumber.open(HZQ) as doc:
        yield doc


@pytest.mark.parametrize("preset", ["clean", "photo"])
def test_grid_structure_at_150_dpi(preset: str) -> None:
    for page, shapes in HZQ_TABLES.items():
        image, _ = degrade(render_pdf_page(HZQ, page - 1, 150), SCAN_PRESETS[preset], 150)
        prepared = prepare(image, 150)
        tables = find_tables(prepared.binary, 150)
        assert [(len(t.ys) - 1, len(t.xs) - 1) for t in tables] == shapes, (page, preset)


def test_merged_cells_of_table_three(pdf: pdfplumber.PDF) -> None:
    page = read_page_image(render_pdf_page(HZQ, 2, 200), 3, 200, engine="tesseract",
                           verify=False)
    grid = page.grids[1]
    assert isinstance(grid, Grid) and grid.source == "ocr" and grid.page == 3
    corner = grid.at(0, 0)
    assert (corner.rowspan, corner.colspan) == (3, 3)  # the 勾稽关系 note over the header
    assert grid.at(5, 0).rowspan == 12  # 三、本年度办理结果, written vertically
    assert "收到和处理" in grid.context  # the heading printed above the table
    # Bboxes are PDF points: the value 21 of 一、本年新收 sits where the text layer has it.
    cell = grid.at(3, 3)
    assert normalise_value(truth_text(pdf.pages[2], cell.bbox)) == "21" == cell.text


def test_page_without_table_is_quick_and_empty() -> None:
    page = read_page_image(render_pdf_page(HZQ, 0, 200), 1, 200, engine="tesseract")
    assert page.grids == []
    assert page.timings["preprocess"] + page.timings["structure"] < 2.0
    assert "洪泽" in page.text or "政府信息公开" in page.text


@pytest.mark.parametrize(("dpi", "preset"), [(200, "hard"), (300, "mild")])
def test_value_cells_accurate_and_honest(pdf: pdfplumber.PDF, dpi: int, preset: str) -> None:
    score = score_page(pdf, str(HZQ), 2, dpi, preset, "tesseract")
    assert score.cells >= 100
    assert score.silent == 0, score.errors
    assert score.correct / score.cells >= 0.98, score.errors
    assert score.flagged / score.cells <= 0.06


def test_no_confident_wrong_value_at_150_dpi(pdf: pdfplumber.PDF) -> None:
    score = score_page(pdf, str(HZQ), 3, 150, "photo", "tesseract")
    assert score.silent == 0, score.errors


def test_blank_zero_and_dash_are_told_apart() -> None:
    image = render_pdf_page(HZQ, 3, 200)
    grid = read_page_image(image, 4, 200, engine="tesseract", verify=False,
                           read_text=False).grids[0]
    cell = grid.at(0, 4)  # a printed 0
    box = [int(v * 200 / 72) for v in cell.bbox]
    x0, y0, x1, y1 = box
    mid = (y0 + y1) // 2
    blank = image.copy()
    blank[y0 + 4:y1 - 4, x0 + 4:x1 - 4] = 255  # wipe the 0: a blank cell
    dash = blank.copy()
    cx = (x0 + x1) // 2
    dash[mid - 1:mid + 2, cx - 12:cx + 12] = 0  # a printed dash
    texts = []
    for img in (image, blank, dash):
        g = read_page_image(img, 4, 200, engine="tesseract", verify=False,
                            read_text=False).grids[0]
        texts.append((g.at(0, 4).text, g.at(0, 4).confidence >= OCR_FLAG_THRESHOLD))
    assert texts == [("0", True), ("", True), ("-", True)]


@pytest.mark.skipif("rapidocr" not in available_engines(), reason="rapidocr not installed")
def test_rapidocr_reads_values(pdf: pdfplumber.PDF) -> None:
    score = score_page(pdf, str(HZQ), 3, 200, "mild", "rapidocr", verify=False)
    assert score.silent == 0, score.errors
    assert score.correct / score.cells >= 0.98


@pytest.mark.slow
@pytest.mark.parametrize("dpi", [150, 200, 300])
@pytest.mark.parametrize("preset", ["clean", "mild", "hard", "photo"])
def test_bench_bar(pdf: pdfplumber.PDF, dpi: int, preset: str) -> None:
    cells = correct = flagged = silent = 0
    for index in (1, 2, 3):
        s = score_page(pdf, str(HZQ), index, dpi, preset, "tesseract")
        cells, correct = cells + s.cells, correct + s.correct
        flagged, silent = flagged + s.flagged, silent + s.silent
    assert silent == 0
    if dpi >= 200:
        assert correct / cells >= 0.995 and flagged / cells <= 0.05


def test_value_truth_helper() -> None:
    assert is_value_truth("") and is_value_truth("7730.28") and is_value_truth("－")
    assert not is_value_truth("行政许可")
    assert np.isclose(OCR_FLAG_THRESHOLD, OCR_FLAG_THRESHOLD)


def test_lone_zeros_doubted_in_a_batch_are_read_again_alone() -> None:
    """A table in a light serif typeface (a garbled reportlab report's page, OCR'd): its
    thin zeros read "0" at 0.79 batched with the table's other numbers (0.00 in the whole
    page's batch), at 0.87 alone. Each is read again alone, and the zeros are not flagged."""
    image = cv2.imread(str(Path(__file__).parent / "data" / "light_serif_zeros.png"),
                       cv2.IMREAD_GRAYSCALE)
    page = read_page_image(image, 1, 300, read_text=False)
    zeros = [c for g in page.grids for c in g.cells if c.text == "0"]
    assert len(zeros) >= 15
    assert all(c.confidence >= OCR_FLAG_THRESHOLD for c in zeros), [c.confidence for c in zeros]


def test_a_bar_at_the_top_of_the_line_is_no_dash() -> None:
    """Pale print on a gray scan: of a light 5 only its top stroke, the darkest, is left in
    the ink. A bar standing at the top of its row's line of digits is no dash (a dash
    stands mid-line): it is read as a value and doubted, never taken for a sure zero. A
    dash that stands mid-line in the next row stays a dash."""
    from PIL import Image, ImageDraw, ImageFont

    from extractor.ocr.engines import get_engine
    from extractor.ocr.reading import read_cells

    dpi, size = 300, 42  # 10 pt at 300 dpi
    # AR PL UMing: installed by the Makefile (fonts-arphic-uming)
    font = ImageFont.truetype("/usr/share/fonts/truetype/arphic/uming.ttc", size)
    img = Image.new("L", (900, 360), 245)
    draw = ImageDraw.Draw(img)
    boxes = []
    rows = [("8", "top bar", "292"), ("3", "dash", "28"), ("12", "4", "9")]
    for r, row in enumerate(rows):
        y = 40 + r * 100
        _, cap, _, base = draw.textbbox((0, y), "8", font=font)
        for k, text in enumerate(row):
            x = 60 + k * 280
            boxes.append((x, y - 20, x + 240, y + size + 20))
            if text == "top bar":  # what is left of a pale 5
                draw.rectangle((x + 100, cap + 1, x + 124, cap + 4), fill=25)
            elif text == "dash":
                mid = (cap + base) // 2
                draw.rectangle((x + 100, mid - 1, x + 124, mid + 2), fill=25)
            else:
                draw.text((x + 100, y), text, font=font, fill=25)
    prepared = prepare(np.asarray(img.convert("RGB"))[:, :, ::-1].copy(), dpi)
    texts, confs, _ = read_cells(prepared, boxes, 2, dpi, get_engine("tesseract"), None)
    assert not (texts[1] == "-" and confs[1] >= OCR_FLAG_THRESHOLD), (texts[1], confs[1])
    assert texts[4] == "-" and confs[4] >= OCR_FLAG_THRESHOLD
    assert [texts[i] for i in (0, 2, 3, 5, 6, 7, 8)] == ["8", "292", "3", "28", "12", "4", "9"]


def test_a_label_tesseract_doubts_is_read_by_the_other_engine_too() -> None:
    """Lines of a generated scan read in one batch by tesseract as the cell reader reads
    labels: the agency's name comes out as 金了有具人民政府, doubted. Read again by
    RapidOCR, the surer reading (金宁县人民政府) is kept; lines tesseract read surely
    are not read again."""
    from extractor.ocr.cells import CellInk
    from extractor.ocr.engines import get_engine
    from extractor.ocr.reading import LABEL_RECHECK_BELOW, _recheck_labels

    if "rapidocr" not in available_engines():
        pytest.skip("RapidOCR not installed")
    folder = Path(__file__).parent / "data" / "title_lines"
    lines = [cv2.imread(str(folder / f"{i}.png"), cv2.IMREAD_GRAYSCALE) for i in range(4)]
    first = get_engine("tesseract").read(lines, "label")
    texts, confs = [r.text for r in first], [r.confidence for r in first]
    inks = [CellInk(crop=line, line_crops=[line]) for line in lines]
    as_read = {i: [(r.text, r.confidence)] for i, r in enumerate(first)}  # one line each
    _recheck_labels(get_engine("rapidocr"), inks, texts, confs, as_read)
    assert texts[0] == "金宁县人民政府"
    assert all(t == r.text for t, r in zip(texts, first, strict=True)
               if r.confidence >= LABEL_RECHECK_BELOW)
