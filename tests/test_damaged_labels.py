"""Labels a reader could not make out: values still land on the right keys, flagged.

The real web report is edited the way OCR or a careless typist damages it, and the whole
pipeline runs on the edited file.
"""

from __future__ import annotations

import json

from extractor.evaluate import score
from extractor.pipeline import extract_document
from tests.conftest import REAL


def _edited(tmp_path, old: str, new: str):
    html = (REAL / "pingtan_2024.html").read_text(encoding="utf-8")
    assert html.count(old) == 1
    path = tmp_path / "edited.html"
    path.write_text(html.replace(old, new), encoding="utf-8")
    truth = json.loads((REAL / "pingtan_2024.json").read_text(encoding="utf-8"))
    return extract_document(path), truth


def test_unreadable_row_label_placed_by_position_and_confirmed_by_rules(tmp_path):
    result, truth = _edited(tmp_path, "重复申请", "厅丁TJ")
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == []
    cell = result.cell_map()["applications.not_processed.duplicate.natural_person"]
    assert cell.value == 1 and not cell.flagged  # the only row that fits, and the sums agree
    assert result.status == "ok"


def test_unreadable_row_label_stays_flagged_when_a_rule_fails(tmp_path):
    html = (REAL / "pingtan_2024.html").read_text(encoding="utf-8")
    at = html.index("重复申请")
    row = html[at:].replace(">1<", ">4<", 1)  # the row's first value, misprinted
    path = tmp_path / "edited.html"
    path.write_text(html[:at] + row.replace("重复申请", "厅丁TJ", 1), encoding="utf-8")
    result = extract_document(path)
    cell = result.cell_map()["applications.not_processed.duplicate.natural_person"]
    assert cell.value == 4
    assert cell.flagged and "placed_by_position" in cell.reasons
    assert any(not c.ok and cell.key in c.keys for c in result.checks)


def test_unreadable_column_header_of_a_one_column_row(tmp_path):
    result, truth = _edited(tmp_path, "本年收费金额（单位：万元）", "本年")
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == []
    assert result.cell_map()["disclosure.fees.amount"].value == truth["cells"][
        "disclosure.fees.amount"]


def test_misread_group_header_of_table_four(tmp_path):
    """The fifteen leaf columns in the template's order place the values, even when the
    group headers above them are unreadable."""
    result, truth = _edited(tmp_path, "未经复议直接起诉", "区")
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == []
    assert not any(c.flagged for c in result.cells if c.key.startswith("appeals."))


def test_unreadable_table_two_label_placed_by_position(tmp_path):
    result, truth = _edited(tmp_path, '<p style="text-indent: 0em;">规章</p>',
                            '<p style="text-indent: 0em;">规竟</p>')
    s = score(result, truth)
    assert s.wrong == [] and s.silent_errors == []
    cell = result.cell_map()["disclosure.regulations.in_force"]
    assert cell.flagged and cell.reasons == ["placed_by_position"]  # no rule can confirm it


def _table_three_with_header(tmp_path, total_label: str, values: dict):
    from tests.pdf_tables import HEADER, ROWS, WIDTHS, TablePage, draw, value_row

    header = [[(total_label if text == "总计" else text, span) for text, span in row]
              for row in HEADER]
    rows = [value_row(r.label, r.key, values) for r in ROWS]
    pdf = draw(tmp_path / "t.pdf", [TablePage("三、收到和处理政府信息公开申请情况", header + rows)],
               WIDTHS)
    return extract_document(pdf)


def test_unreadable_total_header_is_the_one_column_missing_where_it_stands(tmp_path):
    """总计 stacked in a narrow header cell, read as noise: the last column is still the
    总计 column (the one the template misses there), confirmed by the row totals."""
    from tests.pdf_tables import application_values

    values = application_values()
    result = _table_three_with_header(tmp_path, "痢忆计", values)
    cells = result.cell_map()
    totals = [k for k in values if k.endswith(".total")]
    assert all(cells[k].value == values[k] for k in totals)
    assert not any(cells[k].flagged for k in totals), [cells[k].reasons for k in totals]


def test_a_total_column_placed_by_position_stays_flagged_where_its_rule_fails(tmp_path):
    from tests.pdf_tables import application_values

    values = application_values()
    values["applications.granted.total"] += 1  # misprinted: the row no longer adds up
    result = _table_three_with_header(tmp_path, "痢忆计", values)
    cell = result.cell_map()["applications.granted.total"]
    assert cell.value == values["applications.granted.total"]
    assert cell.flagged and "placed_by_position" in cell.reasons
