"""Reports as web pages (the browser maker's HTML, samples/generated/html): every cell."""

from __future__ import annotations

import pytest

from extractor.evaluate import score
from extractor.pipeline import extract_document
from tests.conftest import SAMPLES, document_for, load_truth, truth_files

HTML_TRUTHS = truth_files(SAMPLES / "html")


def test_there_are_html_samples():
    assert len(HTML_TRUTHS) >= 2


@pytest.mark.parametrize("truth_path", HTML_TRUTHS, ids=lambda p: p.stem)
def test_html_sample_every_cell(truth_path):
    truth = load_truth(truth_path)
    result = extract_document(document_for(truth_path))
    assert result.status != "failed", result.error
    assert result.document.kind == "html"
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == [] and s.missing_keys == []
    assert s.missed_source_errors == [] and s.unexpected_failed_checks == []
    assert (result.report.agency, result.report.year, result.report.format) == (
        truth["agency"], truth["year"], truth["format"])
