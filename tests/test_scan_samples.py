"""End to end over the committed scanned, photographed and garbled samples (the OCR path).

Each document goes through the whole pipeline and is scored cell by cell against its
truth. The issue's bar is asserted as a user would check it: no wrong value unflagged at
any resolution; at 200–300 dpi at least 99.5% of cells right and at most 5% flagged on
reports whose own arithmetic holds; garbled text layers read by OCR, never as nonsense.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from extractor.evaluate import Score, score
from extractor.ocr import available_engines
from extractor.pipeline import extract_document
from models.result import DocumentResult
from tests.conftest import SAMPLES, cases, document_for, load_truth, truth_files

SCAN_TRUTHS = truth_files(SAMPLES / "scan")
GARBLED_TRUTHS = truth_files(SAMPLES / "garbled")

# Committed samples the extractor does not read to the bar yet (issue 9), by failure class:
# strict xfails, so the fix flips them — then delete the entry.
KNOWN_FAILURES: dict[str, str] = {}


def _made_by_reportlab(truth_path: Path) -> bool:
    return load_truth(truth_path).get("maker", "reportlab") == "reportlab"

pytestmark = pytest.mark.skipif("tesseract" not in available_engines(),
                                reason="tesseract with chi_sim is not installed")


@cache
def extracted(truth_path: Path) -> tuple[DocumentResult, Score, dict]:
    truth = load_truth(truth_path)
    result = extract_document(document_for(truth_path))
    return result, score(result, truth), truth


@pytest.mark.parametrize("truth_path", cases(SCAN_TRUTHS + GARBLED_TRUTHS, KNOWN_FAILURES))
def test_no_wrong_value_is_left_unflagged(truth_path: Path) -> None:
    result, s, truth = extracted(truth_path)
    assert result.status != "failed", result.error
    assert s.silent_errors == []
    assert s.missed_source_errors == []  # a deliberate error in the report is still reported
    assert result.report.format == truth["format"]


@pytest.mark.parametrize("truth_path", SCAN_TRUTHS, ids=lambda p: p.stem)
def test_scans_are_read_as_images(truth_path: Path) -> None:
    result, _, truth = extracted(truth_path)
    assert result.document.kind == ("scan" if truth["file"].endswith(".pdf") else "image")
    assert all(c.source == "ocr" for c in result.cells if c.page is not None)


@pytest.mark.parametrize("truth_path", GARBLED_TRUTHS, ids=lambda p: p.stem)
def test_garbled_text_is_read_by_ocr_not_returned_as_nonsense(truth_path: Path) -> None:
    result, s, _ = extracted(truth_path)
    assert result.document.kind == "scan"  # every page's text layer was distrusted
    assert all(c.source == "ocr" for c in result.cells if c.page is not None)
    assert s.correct / s.cells >= 0.99


def _ruled(truth: dict) -> bool:
    return truth["variant"]["rules"] == "grid"


def _bar_at_200_to_300_dpi(truth_paths: list[Path], min_cells: int) -> None:
    cells = correct = flagged_clean = cells_clean = 0
    for truth_path in truth_paths:
        _, s, truth = extracted(truth_path)
        if truth["dpi"] < 200 or not _ruled(truth):
            continue
        cells, correct = cells + s.cells, correct + s.correct
        if not truth["source_errors"]:
            cells_clean, flagged_clean = cells_clean + s.cells, flagged_clean + s.flagged
    assert cells > min_cells
    assert correct / cells >= 0.995
    assert flagged_clean / cells_clean <= 0.05


def test_bar_at_200_to_300_dpi() -> None:
    """The issue's bar, over the scans of ruled tables (the national template's form) drawn
    by reportlab. Tables printed without rules are held to no silent error (above) and below."""
    _bar_at_200_to_300_dpi([p for p in SCAN_TRUTHS if _made_by_reportlab(p)], 1000)


def test_bar_at_200_to_300_dpi_on_word_and_browser_scans() -> None:
    """The same bar over the committed scans of Word- and browser-made reports (issue 9)."""
    _bar_at_200_to_300_dpi([p for p in SCAN_TRUTHS if not _made_by_reportlab(p)], 300)


@pytest.mark.parametrize("truth_path", [p for p in SCAN_TRUTHS if not _ruled(load_truth(p))],
                         ids=lambda p: p.stem)
def test_unruled_scans_are_read_by_alignment(truth_path: Path) -> None:
    """A scanned table without inner rules is laid out from its text, not given up on:
    the document is not failed, its grids come from OCR, and nine cells in ten are read
    right (what is not is flagged: see the first test)."""
    result, s, _ = extracted(truth_path)
    assert result.status != "failed", result.error
    assert all(c.source == "ocr" for c in result.cells if c.page is not None)
    assert s.correct / s.cells >= 0.9
