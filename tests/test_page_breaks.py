"""Table 三 broken over two pages the way Word and WPS break it.

- A row split by the page break: its label's first words and its values at the bottom of
  one page, the rest of its label over blank cells at the top of the next.
- A header repeated only in part on the next page (the 自然人 … 其他 row, not 总计).
- A number wrapped inside a cell too narrow for it (`1,1` over `48`).
Each PDF is drawn in the test (tests/pdf_tables.py); values are read back and compared.
"""

from __future__ import annotations

import pytest

from extractor.pipeline import extract_document
from tests.pdf_tables import (
    HEADER,
    PARTIAL_HEADER,
    ROWS,
    VALUE_COLUMNS,
    WIDTHS,
    TablePage,
    application_values,
    blank_row,
    draw,
    value_row,
)

HEADING = "三、收到和处理政府信息公开申请情况"


def _read(tmp_path, pages, widths=WIDTHS):
    result = extract_document(draw(tmp_path / "table.pdf", pages, widths))
    assert result.status != "failed", result.error
    return result.cell_map()


def _assert_rows(cells, values, keys=None):
    for key, value in values.items():
        if keys is not None and key not in keys:
            continue
        assert key in cells, f"{key} missing"
        assert cells[key].value == value, f"{key}: got {cells[key].value!r} want {value!r}"


def _index(key: str) -> int:
    return next(i for i, r in enumerate(ROWS) if r.key == key)


@pytest.mark.parametrize(("row_key", "cut"), [
    ("denied.endangers_security", 3),    # 3.危 | 及“三安全一稳定”
    ("denied.prohibited_by_law", 4),     # 2.其他 | 法律行政法规禁止公开 (its head reads as 3.其他)
    ("not_processed.confirmation", 15),  # 5.要求行政机关确认或重新出 | 具已获取信息
    ("unavailable.needs_creation", 5),   # 2.没有现 | 成信息需要另行制作 (its head alone is sure)
])
def test_row_split_by_page_break_keeps_its_values(tmp_path, row_key, cut):
    values = application_values()
    at = _index(row_key)
    label = ROWS[at].label
    first = [value_row(r.label, r.key, values) for r in ROWS[:at]]
    first.append(value_row(label[:cut], row_key, values))
    second = [blank_row(label[cut:])] + [value_row(r.label, r.key, values) for r in ROWS[at + 1:]]
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + first), TablePage("", second)])
    _assert_rows(cells, values)
    split = [cells[f"applications.{row_key}.{c}"] for c in VALUE_COLUMNS]
    assert not any(c.flagged for c in split), [c.reasons for c in split]


@pytest.mark.parametrize("row_key", ["not_processed.confirmation", "other.no_correction"])
def test_continued_table_without_a_rule_above_its_first_row_keeps_that_row(tmp_path, row_key):
    """A browser prints the rule between two rows once, on the page before the break: the
    first row of the next page has its column rules but none above it."""
    values = application_values()
    at = _index(row_key)
    first = [value_row(r.label, r.key, values) for r in ROWS[:at]]
    second = [value_row(r.label, r.key, values) for r in ROWS[at:]]
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + first),
                             TablePage("", second, open_top=True)])
    _assert_rows(cells, values)
    kept = [cells[f"applications.{row_key}.{c}"] for c in VALUE_COLUMNS]
    assert not any(c.flagged for c in kept), [c.reasons for c in kept]


@pytest.mark.parametrize("header_rows_first", [1, 2])
def test_header_broken_over_two_pages_is_one_header(tmp_path, header_rows_first):
    """Word breaks a table anywhere, inside its header too: 申请人情况 (and 自然人 … 总计) at
    the foot of one page, 商业企业 … 其他 and the data on the next."""
    values = application_values()
    rows = [value_row(r.label, r.key, values) for r in ROWS]
    cells = _read(tmp_path, [TablePage(HEADING, HEADER[:header_rows_first]),
                             TablePage("", HEADER[header_rows_first:] + rows)])
    _assert_rows(cells, values)
    assert not any(c.flagged for c in cells.values() if c.key.startswith("applications."))


def test_blank_row_at_the_top_of_a_page_stays_a_row_of_its_own(tmp_path):
    """A whole label at the bottom of a page and an all-blank row after the break: two rows."""
    values = application_values()
    at = _index("denied.prohibited_by_law")
    for column in VALUE_COLUMNS:
        values[f"applications.denied.prohibited_by_law.{column}"] = None
    first = [value_row(r.label, r.key, values) for r in ROWS[:at]]
    second = [blank_row(ROWS[at].label)] + [value_row(r.label, r.key, values)
                                             for r in ROWS[at + 1:]]
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + first), TablePage("", second)])
    _assert_rows(cells, values)


def test_partial_repeated_header_keeps_the_total_column(tmp_path):
    values = application_values()
    at = _index("denied.third_party_rights")
    first = [value_row(r.label, r.key, values) for r in ROWS[:at]]
    second = [value_row(r.label, r.key, values) for r in ROWS[at:]]
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + first),
                             TablePage("", PARTIAL_HEADER + second)])
    _assert_rows(cells, values)
    totals = [k for k in values if k.endswith(".total")]
    assert not any(cells[k].flagged for k in totals)


def test_number_wrapped_in_a_narrow_cell_is_one_number(tmp_path):
    values = application_values()
    delta = 1148 - values["applications.new_received.natural_person"]
    for row in ("new_received", "carried_forward"):  # the balance still holds
        for column in ("natural_person", "total"):
            values[f"applications.{row}.{column}"] += delta
    rows = [value_row(r.label, r.key, values) for r in ROWS]
    rows[0] = [(c[0].replace("1148", "1,1\n48"), c[1]) for c in rows[0]]
    narrow = [WIDTHS[0], 20.0, *WIDTHS[2:]]  # 1,148 does not fit in the 自然人 column
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + rows)], narrow)
    assert cells["applications.new_received.natural_person"].value == 1148
    assert not cells["applications.new_received.natural_person"].flagged


def test_two_numbers_stacked_in_a_wide_cell_stay_doubtful(tmp_path):
    values = application_values()
    rows = [value_row(r.label, r.key, values) for r in ROWS]
    rows[0] = [rows[0][0], ("3\n5", 1), *rows[0][2:]]
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + rows)])
    cell = cells["applications.new_received.natural_person"]
    assert cell.flagged and cell.value != 35


def test_a_cut_label_naming_a_row_that_cannot_stand_there_is_placed_by_position(tmp_path):
    """`2.其他` (the rest of 2.其他法律行政法规禁止公开 lost) reads as the row 3.其他 of
    （六）其他处理, which cannot stand between 1.属于国家秘密 and 3.危及…: it is the only row
    that can, so it takes that row's place, and every rule over it holds (no flag)."""
    values = application_values()
    rows = [value_row(r.label, r.key, values) for r in ROWS]
    at = _index("denied.prohibited_by_law")
    rows[at] = [("2.其他", 1), *rows[at][1:]]
    result = extract_document(draw(tmp_path / "table.pdf", [TablePage(HEADING, HEADER + rows)],
                                   WIDTHS))
    cells = result.cell_map()
    _assert_rows(cells, values)
    for column in VALUE_COLUMNS:
        assert not cells[f"applications.other.other.{column}"].flagged


def test_a_misplaced_row_whose_rules_fail_stays_flagged(tmp_path):
    """The same row placed by position, but its values break the row total: flagged."""
    values = application_values()
    values["applications.denied.prohibited_by_law.total"] += 5
    rows = [value_row(r.label, r.key, values) for r in ROWS]
    at = _index("denied.prohibited_by_law")
    rows[at] = [("2.其他", 1), *rows[at][1:]]
    result = extract_document(draw(tmp_path / "table.pdf", [TablePage(HEADING, HEADER + rows)],
                                   WIDTHS))
    placed = result.cell_map()["applications.denied.prohibited_by_law.natural_person"]
    assert placed.flagged and "placed_by_position" in placed.reasons


OTHER_ITEMS = [r.key for r in ROWS if r.key.startswith("other.")]


def _without_other_items(values: dict) -> dict:
    """The values of a report whose （六）其他处理 has no items: theirs leave the totals."""
    out = dict(values)
    for item in OTHER_ITEMS:
        for column in VALUE_COLUMNS:
            value = out.pop(f"applications.{item}.{column}")
            out[f"applications.total.{column}"] -= value
            out[f"applications.new_received.{column}"] -= value
    return out


def test_blank_single_other_row_in_an_unruled_table_is_the_other_subtotal(tmp_path):
    """2019 style without rules: （六）其他处理 is one row, printed all blank. It is that
    row (other.subtotal, null), not the heading of three items that are missing."""
    values = _without_other_items(application_values())
    rows = [value_row(r.label, r.key, values) for r in ROWS if r.key not in OTHER_ITEMS]
    at = next(i for i, r in enumerate(rows) if r[0][0] == "（七）总计")
    rows.insert(at, blank_row("（六）其他处理"))
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + rows, ruled=False)])
    _assert_rows(cells, values)
    assert not any(k.startswith(f"applications.{i}.") for i in OTHER_ITEMS for k in cells)
    other = [cells[f"applications.other.subtotal.{c}"] for c in VALUE_COLUMNS]
    assert all(c.value is None and not c.flagged for c in other), [c.reasons for c in other]


def test_blank_other_heading_before_its_items_in_an_unruled_table_is_no_row(tmp_path):
    values = application_values()
    rows = [value_row(r.label, r.key, values) for r in ROWS]
    at = next(i for i, r in enumerate(ROWS) if r.key == OTHER_ITEMS[0])
    rows.insert(at, blank_row("（六）其他处理"))
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + rows, ruled=False)])
    _assert_rows(cells, values)
    assert not any(k.startswith("applications.other.subtotal.") for k in cells)


def _with_single_other_row(numbers: list[int]) -> dict:
    """A 2019-style report whose one （六）其他处理 row holds `numbers` (its total last)."""
    values = _without_other_items(application_values())
    parts = VALUE_COLUMNS[:-1]
    row = dict(zip(parts, numbers, strict=True))
    row[VALUE_COLUMNS[-1]] = sum(numbers)
    for column, value in row.items():
        values[f"applications.other.subtotal.{column}"] = value
        values[f"applications.total.{column}"] += value
        values[f"applications.new_received.{column}"] += value
    return values


def _other_label_below_its_values(values: dict) -> list:
    """（六）其他处理 set lower than its numbers and read as two lines without rules: the
    numbers beside an unreadable piece of the label, 其他处理 alone on the line below."""
    rows = [value_row(r.label, r.key, values) for r in ROWS if r.key not in OTHER_ITEMS]
    at = next(i for i, r in enumerate(rows) if r[0][0] == "（七）总计")
    rows.insert(at, value_row("／", "other.subtotal", values))
    rows.insert(at + 1, blank_row("其他处理"))
    return rows


def test_a_label_read_below_its_values_takes_them(tmp_path):
    """The numbers whose label was not read, with no free row by position, beside a label
    alone on its line, are that label's row; every rule over them holds: no flag."""
    values = _with_single_other_row([4, 1, 0, 2, 0, 1])
    rows = _other_label_below_its_values(values)
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + rows, ruled=False)])
    _assert_rows(cells, values)
    other = [cells[f"applications.other.subtotal.{c}"] for c in VALUE_COLUMNS]
    assert not any(c.flagged for c in other), [c.reasons for c in other]


def test_a_label_read_below_values_that_break_its_rules_stays_flagged(tmp_path):
    values = _with_single_other_row([4, 1, 0, 2, 0, 1])
    values["applications.other.subtotal.natural_person"] += 3  # the row total fails
    rows = _other_label_below_its_values(values)
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + rows, ruled=False)])
    placed = cells["applications.other.subtotal.natural_person"]
    assert placed.value == 7 and placed.flagged and "placed_by_position" in placed.reasons


def test_zeros_read_beside_a_label_below_them_stay_flagged(tmp_path):
    """All zeros fit any rule: their placement is never taken as confirmed."""
    values = _with_single_other_row([0, 0, 0, 0, 0, 0])
    cells = _read(tmp_path, [TablePage(HEADING, HEADER + _other_label_below_its_values(values),
                                       ruled=False)])
    other = [cells[f"applications.other.subtotal.{c}"] for c in VALUE_COLUMNS]
    assert all(c.value == 0 and c.flagged for c in other)
