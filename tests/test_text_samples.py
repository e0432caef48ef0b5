"""End to end over every generated born-digital sample: every cell against its truth."""

from __future__ import annotations

import pytest

from extractor.evaluate import score
from extractor.pipeline import extract_document
from tests.conftest import SAMPLES, document_for, load_truth, truth_files

TEXT_TRUTHS = truth_files(SAMPLES / "text")


def test_there_are_text_samples():
    assert len(TEXT_TRUTHS) >= 16


@pytest.mark.parametrize("truth_path", TEXT_TRUTHS, ids=lambda p: p.stem)
def test_text_sample_every_cell(truth_path):
    truth = load_truth(truth_path)
    result = extract_document(document_for(truth_path))
    assert result.status != "failed", result.error
    assert result.document.kind == "text"
    s = score(result, truth)
    assert s.missing_keys == [] and s.extra_keys == []
    assert s.wrong == []
    assert s.silent_errors == []
    # every deliberate error is reported with its rule and scope, and nothing else fails
    assert s.missed_source_errors == []
    assert s.unexpected_failed_checks == []
    for check in result.checks:
        if not check.ok:
            assert check.blame == "source"
    assert result.report.format == truth["format"]
    assert result.report.year == truth["year"]
    assert result.report.agency == truth["agency"]
    if not truth["source_errors"]:
        assert s.flagged_fraction < 0.02
