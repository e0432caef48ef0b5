"""Turned pages: text PDFs with /Rotate or content drawn sideways, scans fed sideways or
upside down. Every page is turned upright before its tables are looked for."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from extractor.evaluate import score
from extractor.ocr.engines import get_engine
from extractor.ocr.orientation import upright
from extractor.pipeline import extract_document
from extractor.sources.images import render_pdf_page
from extractor.sources.upright import text_direction, upright_page
from tests.conftest import REAL, load_truth

HZQ = REAL / "hzq2023.pdf"
HZQ_TRUTH = load_truth(REAL / "hzq2023.json")
needs_qpdf = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")


def _rotated(tmp_path: Path, degrees: int, flatten: bool = False) -> Path:
    """hzq2023 with its table pages (2-4) rotated; flattened = drawn sideways, no /Rotate."""
    out = tmp_path / f"rot{degrees}.pdf"
    subprocess.run(["qpdf", str(HZQ), f"--rotate=+{degrees}:2-4", str(out)], check=True)
    if flatten:
        flat = tmp_path / f"flat{degrees}.pdf"
        subprocess.run(["qpdf", str(out), "--flatten-rotation", str(flat)], check=True)
        return flat
    return out


def _assert_all_right(result) -> None:
    assert result.status != "failed", result.error
    s = score(result, HZQ_TRUTH)
    assert s.wrong == [] and s.silent_errors == [] and s.missing_keys == []
    assert s.missed_source_errors == [] and s.unexpected_failed_checks == []
    assert s.flagged == 10  # the report's own two source errors, as on the upright file
    assert result.report.agency == HZQ_TRUTH["agency"]


@needs_qpdf
@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_text_pdf_with_page_rotation_reads_every_cell(tmp_path: Path, degrees: int) -> None:
    path = _rotated(tmp_path, degrees)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[2]
        assert page.rotation == degrees
        assert text_direction(page) == degrees
        turned = upright_page(page)
        assert text_direction(turned) == 0
        assert (turned.width, turned.height) == (pdf.pages[0].width, pdf.pages[0].height)
    result = extract_document(path)
    assert result.document.kind == "text"
    _assert_all_right(result)


@needs_qpdf
@pytest.mark.parametrize("degrees", [90, 270])
def test_text_pdf_drawn_sideways_reads_every_cell(tmp_path: Path, degrees: int) -> None:
    path = _rotated(tmp_path, degrees, flatten=True)
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[2].rotation == 0  # the turn is in the content, not the page
    _assert_all_right(extract_document(path))


def test_upright_text_pdf_is_left_as_it_is() -> None:
    with pdfplumber.open(HZQ) as pdf:
        assert all(upright_page(p) is p for p in pdf.pages)


@pytest.mark.parametrize("quarters", [0, 1, 2, 3])
def test_scan_page_turned_is_found_upright(quarters: int) -> None:
    page = render_pdf_page(HZQ, 2, 150)
    turned = np.ascontiguousarray(np.rot90(page, quarters))
    image, found = upright(turned, 150, get_engine("tesseract"))
    assert (found.turn // 90 + quarters) % 4 == 0
    assert np.array_equal(image, page)


def test_blank_page_is_not_turned() -> None:
    blank = np.full((1200, 850, 3), 255, np.uint8)
    image, found = upright(blank, 100, get_engine("tesseract"))
    assert found.turn == 0 and image is blank


@pytest.mark.slow
@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_scan_turned_reads_as_upright(tmp_path: Path, quarters: int) -> None:
    """The real report's pages scanned at 200 dpi and fed turned: every cell as upright."""
    frames = [Image.fromarray(np.rot90(render_pdf_page(HZQ, i, 200), quarters)[:, :, ::-1])
              for i in range(5)]
    path = tmp_path / f"turned{quarters * 90}.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(200, 200),
                   compression="tiff_lzw")
    result = extract_document(path)
    assert result.status != "failed", result.error
    s = score(result, HZQ_TRUTH)
    assert s.silent_errors == []
    assert s.correct >= 0.995 * s.cells
    assert s.flagged <= 0.05 * s.cells + 10  # beyond the report's own source errors
    assert any("turned" in w for w in result.warnings)
