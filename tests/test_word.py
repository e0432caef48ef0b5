"""Reports saved as Word files: the same canonical cells as a PDF, read from the .docx."""

from __future__ import annotations

import zipfile

import pytest

from extractor.evaluate import score
from extractor.pipeline import extract_document
from samples.generate import random_jobs, run_job
from tests.conftest import SAMPLES, document_for, load_truth, truth_files

WORD_TRUTHS = truth_files(SAMPLES / "docx")


@pytest.mark.parametrize("truth_path", WORD_TRUTHS, ids=lambda p: p.stem)
def test_word_sample_every_cell(truth_path):
    truth = load_truth(truth_path)
    result = extract_document(document_for(truth_path))
    assert result.document.kind == "docx"
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == [] and s.missing_keys == []
    assert s.missed_source_errors == [] and s.unexpected_failed_checks == []
    assert all(c.source == "docx" for c in result.cells if c.raw)
    assert (result.report.agency, result.report.year) == (truth["agency"], truth["year"])


def test_fresh_word_reports(tmp_path):
    for job in random_jobs(4, "fresh-word", kinds=("docx",)):
        truth = run_job(job, tmp_path)
        s = score(extract_document(tmp_path / "docx" / truth["file"]), truth)
        assert (s.wrong, s.silent_errors, s.missed_source_errors) == ([], [], []), truth["file"]


def test_zip_that_is_not_a_word_file(tmp_path):
    archive = tmp_path / "reports.docx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "hello")
    result = extract_document(archive)
    assert result.status == "failed" and "not a Word" in result.error


def test_truncated_word_file(tmp_path):
    source = document_for(WORD_TRUTHS[0])
    broken = tmp_path / "broken.docx"
    broken.write_bytes(source.read_bytes()[:3000])
    result = extract_document(broken)
    assert result.status == "failed" and "broken.docx" in result.error
