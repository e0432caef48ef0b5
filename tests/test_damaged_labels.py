"""Labels a reader could not make out: values still land on the right keys, flagged.

The real web report is edited the way OCR or a careless typist damages it, and the whole
pipeline runs on the edited file.
"""

from __future__ import annotations

import json

import pytest

from extractor.evaluate import score
from extractor.pipeline import extract_document
from tests.conftest import REAL

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not present")


def _edited(tmp_path, old: str, new: str):
    html = (REAL / "pingtan_2024.html").read_text(encoding="utf-8")
    assert html.count(old) == 1
    path = tmp_path / "edited.html"
    path.write_text(html.replace(old, new), encoding="utf-8")
    truth = json.loads((REAL / "pingtan_2024.json").read_text(encoding="utf-8"))
    return extract_document(path), truth


def test_unreadable_row_label_is_placed_by_position_and_flagged(tmp_path):
    result, truth = _edited(tmp_path, "重复申请", "厅丁TJ")
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == []
    cell = result.cell_map()["applications.not_processed.duplicate.natural_person"]
    assert cell.flagged and "uncertain_label" in cell.reasons
    assert result.status == "needs_review"


def test_unreadable_column_header_of_a_one_column_row(tmp_path):
    result, truth = _edited(tmp_path, "本年收费金额（单位：万元）", "本年")
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == []
    assert result.cell_map()["disclosure.fees.amount"].value == truth["cells"][
        "disclosure.fees.amount"]
