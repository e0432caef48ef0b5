"""A PDF mixing a born-digital report with a scanned page (a signed, stamped last page)."""

from __future__ import annotations

import shutil
import subprocess

import pypdfium2
import pytest

from extractor.evaluate import score
from extractor.pipeline import extract_document
from tests.conftest import SAMPLES, document_for, load_truth

pytestmark = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf: make setup")


def test_text_report_with_a_scanned_page(tmp_path):
    truth_path = SAMPLES / "text" / "t03-province-2021-split.json"
    text_pdf = document_for(truth_path)
    first = pypdfium2.PdfDocument(text_pdf)[0].render(scale=150 / 72).to_pil().convert("RGB")
    scanned = tmp_path / "scanned_page.pdf"
    first.save(scanned, resolution=150.0)
    mixed = tmp_path / "mixed.pdf"
    subprocess.run(["qpdf", "--empty", "--pages", str(text_pdf), str(scanned), "--",
                    str(mixed)], check=True)

    result = extract_document(mixed)
    assert result.document.kind == "mixed"
    assert result.document.pages == load_truth(truth_path)["pages"] + 1
    s = score(result, load_truth(truth_path))
    assert s.wrong == [] and s.silent_errors == []
    assert any("no table" in w for w in result.warnings)  # the scanned page was looked at
