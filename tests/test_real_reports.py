"""End to end over the published reports in samples/real, every cell against its truth."""

from __future__ import annotations

import pytest

from extractor.evaluate import score
from extractor.pipeline import extract_document
from tests.conftest import REAL, document_for, load_truth, truth_files

REAL_TRUTHS = truth_files(REAL)


@pytest.mark.parametrize("truth_path", REAL_TRUTHS, ids=lambda p: p.stem)
def test_real_report_every_cell(truth_path):
    truth = load_truth(truth_path)
    result = extract_document(document_for(truth_path))
    assert result.status != "failed", result.error
    s = score(result, truth)
    assert s.extra_keys == [] and s.missing_keys == []
    assert s.wrong == []
    assert s.silent_errors == []
    assert s.missed_source_errors == []
    assert s.unexpected_failed_checks == []
    assert result.report.format == truth["format"]
    assert result.report.year == truth["year"]
    assert result.report.agency == truth["agency"]
    assert result.document.kind == truth["kind"]
    if not truth["source_errors"]:
        assert result.status == "ok"
        assert s.flagged == 0


def test_hzq2023_review_total_is_a_source_error(real_dir):
    result = extract_document(real_dir / "hzq2023.pdf")
    review = [c for c in result.checks if c.rule == "appeals.group_total" and c.scope == "review"]
    assert len(review) == 1
    check = review[0]
    assert not check.ok and check.blame == "source"
    assert (check.expected, check.actual) == (11, 0)
    cells = result.cell_map()
    assert cells["appeals.review.total"].value == 0  # reported as printed, never repaired
    assert cells["appeals.review.total"].flagged
    assert "rule:appeals.group_total" in cells["appeals.review.total"].reasons
    assert result.status == "needs_review"


def test_hzq2023_cells_carry_page_and_bbox(real_dir):
    result = extract_document(real_dir / "hzq2023.pdf")
    cells = result.cell_map()
    fee = cells["disclosure.fees.amount"]
    assert fee.value == 7730.28 and fee.page == 3 and fee.source == "text"
    assert fee.bbox is not None and fee.bbox[0] < fee.bbox[2] and fee.bbox[1] < fee.bbox[3]
    carried = cells["applications.unavailable.still_unclear.natural_person"]
    assert carried.page == 4  # the table continues on the next page without a header
