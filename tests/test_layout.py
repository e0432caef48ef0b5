"""Template and variant detection from what the walker read."""

from extractor.reconcile.layout import detect_layout
from extractor.reconcile.reading import Reading, ReadValue


def reading(keys: list[str], votes: dict | None = None) -> Reading:
    r = Reading()
    for key in keys:
        r.values[key] = ReadValue(key, "0", 1, None, 1.0, "text")
    r.format_votes.update(votes or {})
    return r


def test_header_votes_decide_the_format():
    assert detect_layout(reading([], {"2019": 3}), 2023).format == "2019"
    assert detect_layout(reading([], {"2021": 3}), 2019).format == "2021"


def test_rows_only_2019_has():
    keys = ["disclosure.procurement.projects", "disclosure.other_services.decisions"]
    assert detect_layout(reading(keys), None).format == "2019"


def test_year_breaks_a_tie():
    assert detect_layout(reading([]), 2020).format == "2019"
    assert detect_layout(reading([]), 2022).format == "2021"


def test_single_other_row_and_subtotals():
    keys = ["applications.other.subtotal.total", "applications.denied.subtotal.total",
            "applications.denied.state_secret.total", "applications.granted.org_subtotal"]
    layout = detect_layout(reading(keys), 2023)
    assert layout.other_single_row
    assert layout.subtotal_groups == ("denied",)
    assert layout.org_subtotal


def test_other_items_with_subtotal_is_not_single_row():
    keys = ["applications.other.subtotal.total", "applications.other.other.total"]
    layout = detect_layout(reading(keys), 2023)
    assert not layout.other_single_row and layout.subtotal_groups == ("other",)


def test_group_header_over_two_groups_leaves_its_columns_unsure() -> None:
    """The rule between 未经复议直接起诉 and 复议后起诉 lost (a seal over it): one group label
    owns ten leaf columns, two of each name. Which is which cannot be told from the header,
    so every one of those columns is taken as unsure (its cells get flagged)."""
    from extractor.grid import GridCell
    from extractor.reconcile.headers import appeal_spans

    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells = [GridCell(0, 0, "行政复议", rowspan=2, colspan=5),
             GridCell(0, 5, "行政诉讼", colspan=10),
             GridCell(1, 5, "直所兴折|复议后起诉", colspan=10)]
    cells += [GridCell(2, c, leaves[c % 5]) for c in range(15) if c != 10]
    cells[-6].colspan = 2  # 总计 of the first litigation group merged with the next 结果维持
    spans = appeal_spans(cells)
    review = [s for s in spans if s.key.startswith("review.")]
    litigation = [s for s in spans if not s.key.startswith("review.")]
    assert len(review) == 5 and all(s.score == 1.0 for s in review)
    assert litigation and all(s.score < 0.8 for s in litigation)


def _ruled_header_three(other: str) -> list:
    """Table 三's ruled three-row header as grid cells (nine columns), `other` as read."""
    from extractor.grid import GridCell

    header = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", other]
    cells = [GridCell(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                      rowspan=3, colspan=2),
             GridCell(0, 2, "申请人情况", colspan=7),
             GridCell(1, 2, "自然人", rowspan=2), GridCell(1, 3, "法人或其他组织", colspan=5),
             GridCell(1, 8, "总计", rowspan=2)]
    return cells + [GridCell(2, 3 + i, text) for i, text in enumerate(header)]


def test_a_misread_column_label_does_not_end_the_header() -> None:
    """上其他 (其他 with a speck read as 上) in table 三's header is as near to the column
    其他 as to the row 3.其他: unnumbered, it stays a header label, so every column of
    the header is found and the rows below are read."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.mapping import read_tables

    cells = _ruled_header_three("上其他")
    values = ["7", "1", "0", "0", "2", "3", "13"]
    cells += [GridCell(3, 0, "一、本年新收政府信息公开申请数量", colspan=2)]
    cells += [GridCell(3, 2 + i, v) for i, v in enumerate(values)]
    grid = Grid(page=1, cells=cells, n_rows=4, n_cols=9, source="ocr",
                context="三、收到和处理政府信息公开申请情况")
    reading = read_tables([grid])
    got = {k: v.raw for k, v in reading.values.items() if k.startswith("applications.new_")}
    assert got["applications.new_received.other_org"] == "3"
    assert got["applications.new_received.total"] == "13"


def _aligned_table_three(value_cells: list[tuple[str, float, float]]):
    """Table 三's header and its first row, printed without rules (boxes in points)."""
    from extractor.grid import Grid, GridCell

    columns = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    cells = [GridCell(0, i, text, bbox=(200 + 40 * i, 100, 230 + 40 * i, 110))
             for i, text in enumerate(columns)]
    cells += [GridCell(1, 0, "一、本年新收政府信息公开申请数量", bbox=(60, 120, 190, 130))]
    cells += [GridCell(1, 1 + i, text, bbox=(x0, 120, x1, 130))
              for i, (text, x0, x1) in enumerate(value_cells)]
    return Grid(page=1, cells=cells, n_rows=2, n_cols=1 + len(value_cells), source="ocr",
                method="aligned", context="三、收到和处理政府信息公开申请情况")


def test_a_number_under_no_column_casts_doubt_on_its_row() -> None:
    """Without rules, a number that stands between the columns (a letter-spaced number cut
    in two, a value shifted off its column) means the row's values cannot be trusted to
    be where they seem: each is flagged `stray_value`; a clean row is not."""
    from extractor.reconcile.mapping import read_tables

    clean = [(str(v), 210 + 40 * i, 220 + 40 * i) for i, v in enumerate([5, 1, 0, 0, 2, 3, 11])]
    reading = read_tables([_aligned_table_three(clean)])
    assert not any("stray_value" in v.reasons for v in reading.values.values())
    split = clean + [("8", 233, 237)]  # a digit between 自然人 and 商业企业
    reading = read_tables([_aligned_table_three(split)])
    row = [v for k, v in reading.values.items() if k.startswith("applications.new_received.")]
    assert row and all("stray_value" in v.reasons for v in row if v.raw)


def test_an_unread_row_keeps_every_subtotal_in_the_key_set() -> None:
    """A table 三 row whose label could not be read may be a 小计 row: its keys stay in the
    result (missing, flagged) instead of vanishing from the layout. A row with no values
    whose label could not be read loses nothing, and changes nothing."""
    from extractor.grid import GridCell

    keys = ["applications.denied.state_secret.total", "applications.other.other.total"]
    assert detect_layout(reading(keys), 2023).subtotal_groups == ()
    nothing = reading(keys)
    nothing.application_rows.append((None, [(None, GridCell(0, 1, ""))], False))
    assert detect_layout(nothing, 2023).subtotal_groups == ()
    unsure = reading(keys)
    unsure.application_rows.append((None, [(None, GridCell(0, 1, "5"))], False))
    layout = detect_layout(unsure, 2023)
    assert set(layout.subtotal_groups) == {"denied", "unavailable", "not_processed", "other"}
    assert layout.org_subtotal


def test_two_rows_read_under_one_key_keep_every_subtotal_in_the_key_set() -> None:
    """Two rows of values read under one key: one of them is some other row, maybe a 小计
    the layout would otherwise drop without a word. A label read apart from its values
    (a row without values under the same key) is no second row."""
    from extractor.grid import GridCell

    keys = ["applications.unavailable.not_held.total", "applications.other.other.total"]
    row = [(None, GridCell(0, 1, "5"))]
    label_only = [(None, GridCell(0, 1, ""))]
    apart = reading(keys)
    apart.application_rows += [("unavailable.subtotal", row, True),
                               ("unavailable.subtotal", label_only, True)]
    assert "not_processed" not in detect_layout(apart, 2023).subtotal_groups
    twice = reading(keys)
    twice.application_rows += [("unavailable.subtotal", row, True),
                               ("unavailable.subtotal", row, True)]
    assert set(detect_layout(twice, 2023).subtotal_groups) == {
        "denied", "unavailable", "not_processed", "other"}


def test_rows_placed_by_position_keep_their_groups_subtotal_in_view():
    """Unreadable labels placed by position alone: had one of them been the group's 小计,
    the values would have slid down one row. So the 小计 stays among the keys (missing,
    flagged) for a person to check, in that group only."""
    keys = [f"applications.denied.{row}.total" for row in ("state_secret", "prohibited_by_law")]
    r = reading(keys)
    assert detect_layout(r, 2023).subtotal_groups == ()
    r.placed_groups.add("denied")
    assert detect_layout(r, 2023).subtotal_groups == ("denied",)


def _assert_fifteen_columns_read(header: list) -> None:
    """Table 四's header cells (rows 0-2) over a data row 0..14: every column is found."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.mapping import read_tables
    from models.schema import APPEAL_COLUMNS, APPEAL_GROUPS

    keys = [f"appeals.{g.key}.{c.key}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS]
    cells = header + [GridCell(3, i, str(i)) for i in range(15)]
    grid = Grid(page=1, cells=cells, n_rows=4, n_cols=15, source="ocr",
                context="四、政府信息公开行政复议、行政诉讼情况")
    reading = read_tables([grid])
    assert not any("header row was not understood" in w for w in reading.warnings)
    assert {k: reading.values[k].raw for k in keys if k in reading.values} == {
        k: str(i) for i, k in enumerate(keys)}


def test_a_number_misread_in_a_header_row_leaves_it_a_header() -> None:
    """A Word table 四 on a scan: 行政复议's five labels two rows tall, 复议后起诉 cut in two
    by a stray stroke and its first piece read as "4". The row is still the header (its
    other labels say so), and all fifteen columns are read."""
    from extractor.grid import GridCell
    from models.schema import APPEAL_COLUMNS

    leaves = [c.label for c in APPEAL_COLUMNS]
    cells = [GridCell(0, 0, "行政复议", colspan=5), GridCell(0, 5, "行政诉讼", colspan=10)]
    cells += [GridCell(1, i, label, rowspan=2) for i, label in enumerate(leaves)]
    cells += [GridCell(1, 5, "未经复议直接起诉", colspan=5), GridCell(1, 10, "4", colspan=2),
              GridCell(1, 12, "'议后起诉", colspan=3)]
    cells += [GridCell(2, 5 + i, label) for i, label in enumerate(leaves * 2)]
    _assert_fifteen_columns_read(cells)


def test_numbers_misread_under_a_seal_in_the_leaf_header_row_leave_it_a_header() -> None:
    """A seal over table 四's litigation leaves: 结果维持 read as "4" twice and two labels as
    noise. The row's other five labels outweigh the two numbers, and the header above it
    is open, so it goes on with the header and the fifteen columns are read; before, the
    row was taken for data and the header was not understood."""
    from extractor.grid import GridCell
    from models.schema import APPEAL_COLUMNS

    leaves = [c.label for c in APPEAL_COLUMNS]
    cells = [GridCell(0, 0, "行政复议", colspan=5), GridCell(0, 5, "行政诉讼", colspan=10)]
    cells += [GridCell(1, i, label, rowspan=2) for i, label in enumerate(leaves)]
    cells += [GridCell(1, 5, "未经复议直接起诉", colspan=5),
              GridCell(1, 10, "复议后起诉", colspan=5)]
    litigation = ["4", leaves[1], leaves[2], "同", "Ar", "2", "和结果5潮正"] + leaves[2:]
    cells += [GridCell(2, 5 + i, label) for i, label in enumerate(litigation)]
    _assert_fifteen_columns_read(cells)


def test_a_lone_number_amid_an_unruled_header_does_not_end_it() -> None:
    """A three-line table (rules above and below the header only, read by alignment): the
    header's labels stand on two lines (自然人 and 总计 centred beside the two-line labels),
    and the note in the label column (……等于第三项加第四项之和) left a piece read as "4"
    between them. A lone number is no data row: the header goes on, and all seven
    columns are found (they were four, and the table's rows were lost)."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.mapping import read_tables

    def at(row: int, col: int, text: str, x: float, y: float) -> GridCell:
        return GridCell(row, col, text, bbox=(x, y, x + 30, y + 10))

    cells = [at(0, 0, "自然人", 200, 100), at(0, 1, "社会公益", 320, 100),
             at(0, 2, "法律服务", 360, 100), at(0, 3, "总计", 440, 100),
             at(1, 0, "4", 60, 106),
             at(2, 0, "商业企业", 240, 112), at(2, 1, "科研机构", 280, 112),
             at(2, 2, "其他", 400, 112),
             at(3, 0, "组织", 320, 124), at(3, 1, "机构", 360, 124)]
    values = ["7", "1", "0", "2", "4", "3", "17"]
    cells += [at(4, 0, "一、本年新收政府信息公开申请数量", 60, 140)]
    cells += [at(4, 1 + i, v, 200 + 40 * i, 140) for i, v in enumerate(values)]
    grid = Grid(page=1, cells=cells, n_rows=5, n_cols=8, source="ocr", method="aligned",
                context="三、收到和处理政府信息公开申请情况")
    reading = read_tables([grid])
    got = {k.rsplit(".", 1)[1]: v.raw for k, v in reading.values.items()
           if k.startswith("applications.new_received.")}
    assert got == dict(zip(["natural_person", "commercial", "research", "nonprofit",
                            "legal_service", "other_org", "total"], values, strict=True))


def test_a_misread_first_column_label_is_the_missing_column_where_it_stands() -> None:
    """A fax TIFF's table 三: 自然人 read as 和让然人. Left of every column read stands the
    row labels' header (the note on the rules) too, so there a cell is taken for the one
    missing column only if it also resembles that column's label; the note is not."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.mapping import read_tables

    header = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]

    def table(first_column_label: str) -> Grid:
        note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        cells = [GridCell(0, 0, note, rowspan=3, colspan=2),
                 GridCell(0, 2, "申请人情况", colspan=7),
                 GridCell(1, 2, first_column_label, rowspan=2),
                 GridCell(1, 3, "法人或其他组织", colspan=5), GridCell(1, 8, "总计", rowspan=2)]
        cells += [GridCell(2, 3 + i, text) for i, text in enumerate(header)]
        cells += [GridCell(3, 0, "一、本年新收政府信息公开申请数量", colspan=2)]
        cells += [GridCell(3, 2 + i, v) for i, v in enumerate(["7", "1", "0", "0", "2", "3", "13"])]
        return Grid(page=1, cells=cells, n_rows=4, n_cols=9, source="ocr",
                    context="三、收到和处理政府信息公开申请情况")

    got = read_tables([table("和让然人")]).values
    assert got["applications.new_received.natural_person"].raw == "7"
    assert got["applications.new_received.total"].raw == "13"
    noise = read_tables([table("巛")]).values  # nothing like 自然人: no column is guessed
    assert "applications.new_received.natural_person" not in noise


def test_table_four_columns_by_order_on_a_tilted_scan() -> None:
    """A scan left 1.4° askew: the leaf header row's far end sits 12 pt lower than its near
    end, more than half a header cell. The row is still the grid's lowest row, so its
    fifteen labels in the template's order give the columns, even where a seal over 复议后起诉
    left its group label unread and a stroke of it made a blank sliver of a column."""
    from extractor.grid import GridCell
    from extractor.reconcile.headers import appeal_spans

    leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

    def box(x0: float, x1: float, top: float, bottom: float) -> tuple:
        drop = 0.025 * x0  # the tilt
        return (x0, top + drop, x1, bottom + drop)

    cells = [GridCell(0, 0, "行政复议", rowspan=2, colspan=5, bbox=box(60, 210, 696, 720)),
             GridCell(0, 5, "行政诉讼", colspan=11, bbox=box(210, 515, 696, 708)),
             GridCell(1, 5, "未经复议直接起诉", colspan=6, bbox=box(210, 364, 708, 720)),
             GridCell(1, 11, "", colspan=2, bbox=box(364, 424, 708, 720)),
             GridCell(1, 13, "议后起诉", colspan=3, bbox=box(424, 515, 708, 720))]
    x = 60.0
    for c in range(16):
        width = 2.5 if c == 8 else 30.0  # the sliver
        text = "" if c == 8 else leaves[(c if c < 8 else c - 1) % 5]
        cells.append(GridCell(2, c, text, bbox=box(x, x + width, 720, 740)))
        x += width
    for cell in cells:
        cell.page = 2
    spans = appeal_spans(cells)
    keys = [s.key for s in sorted(spans, key=lambda s: s.x0)]
    assert len(keys) == 15 and all(s.score == 1.0 for s in spans)
    assert keys[10:] == [f"litigation_after_review.{k}"
                         for k in ("upheld", "corrected", "other", "pending", "total")]


def test_a_second_subtotal_under_a_misread_group_label_opens_the_next_group() -> None:
    """(四)无法提供 小计 … then (五)不予处理 with its label misread as 不巴处理, beside
    its own 小计: a group has one 小计, so the second one is 不予处理's, not a conflicting
    second reading of 无法提供's that drops a row from the result without a word."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.cells import build_cells
    from extractor.reconcile.mapping import read_tables
    from extractor.reconcile.placement import place_unlabelled_rows

    columns = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    cells = [GridCell(0, 2 + i, text) for i, text in enumerate(columns)]
    rows = [("（四）无法提供", "小计", 5), ("", "1.本机关不掌握相关政府信息", 3),
            ("", "2.没有现成信息需要另行制作", 2), ("（五）不巴处理", "小计", 4),
            ("", "1.信访举报投诉类申请", 1), ("", "2.重复申请", 3)]
    for r, (group, item, value) in enumerate(rows, start=1):
        cells += [GridCell(r, 0, group), GridCell(r, 1, item)]
        cells += [GridCell(r, 2 + i, str(value if i in (0, 6) else 0)) for i in range(7)]
    grid = Grid(page=1, cells=cells, n_rows=len(rows) + 1, n_cols=9, source="ocr",
                context="三、收到和处理政府信息公开申请情况")
    reading = read_tables([grid])
    place_unlabelled_rows(reading)
    built, _ = build_cells(reading, detect_layout(reading, 2023))
    got = {c.key: c for c in built}
    assert got["applications.unavailable.subtotal.natural_person"].value == 5
    subtotal = got["applications.not_processed.subtotal.natural_person"]
    assert subtotal.value == 4 and not subtotal.flagged  # it adds up to 不予处理's items


def test_a_blank_without_rules_is_doubted_only_where_the_page_shows_ink() -> None:
    """Table 三 printed without rules and read by OCR: a column with nothing read under
    it is a blank where the page shows no ink there, and doubted (`blank_unruled`) where
    a glyph stands in its place, on a row with values or on a row printed all blank,
    whose values may stand half a line off its label's line."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.mapping import read_tables

    values = [(str(v), 210 + 40 * i, 220 + 40 * i) for i, v in enumerate([5, 1, 0, 0, 2, 3])]
    values = values[:2] + values[3:]  # nothing read under 科研机构

    def doubted(ink: list[tuple[float, float, float, float]]) -> set[str]:
        first = _aligned_table_three(values)
        blank_row = GridCell(2, 0, "二、上年结转政府信息公开申请数量", bbox=(60, 140, 190, 150))
        cells = first.cells + [blank_row]
        for cell in cells:
            cell.source = "ocr"
        grid = Grid(page=1, cells=cells, n_rows=3, n_cols=first.n_cols, source="ocr",
                    method="aligned", context=first.context, ink=ink)
        got = read_tables([grid]).values
        assert got["applications.new_received.research"].raw == ""
        assert got["applications.carried_over.natural_person"].raw == ""
        return {k for k, v in got.items() if "blank_unruled" in v.reasons}

    assert doubted([]) == set()
    assert doubted([(292, 121, 298, 129)]) == {"applications.new_received.research"}
    # a glyph under 自然人 half a line below the all-blank row's label line
    assert doubted([(212, 149, 218, 157)]) == {"applications.carried_over.natural_person"}
    assert doubted([(212, 162, 218, 170)]) == set()  # the next line's: not this row's


def test_a_row_of_numbers_under_no_column_leaves_the_blank_rows_unsure() -> None:
    """Without rules, a row's numbers may all stand off the header's columns (shifted, on
    a line below their wrapped label). They cannot be placed; before, they vanished, and
    the all-blank row their label's first line made was trusted: silent blanks where the
    numbers were. Now the lost row is reported and the blank rows are doubted."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.mapping import read_tables

    values = [(str(v), 210 + 40 * i, 220 + 40 * i) for i, v in enumerate([5, 1, 0, 0, 2, 3, 11])]
    first = _aligned_table_three(values)

    def read(lost: bool):
        label = GridCell(2, 0, "二、上年结转政府信息公开申请数量", bbox=(60, 140, 190, 150))
        cells = [*first.cells, label]
        if lost:  # its numbers, a line below, off every column (between them)
            cells += [GridCell(3, 1 + i, str(v), bbox=(233 + 40 * i, 155, 237 + 40 * i, 165))
                      for i, v in enumerate([30, 1, 0, 0, 0, 1, 32])]
        for cell in cells:
            cell.source = "ocr"
        grid = Grid(page=1, cells=cells, n_rows=4 if lost else 3, n_cols=first.n_cols,
                    source="ocr", method="aligned", context=first.context)
        return read_tables([grid])

    sure = read(lost=False)
    assert sure.values["applications.carried_over.natural_person"].reasons == []
    unsure = read(lost=True)
    assert "uncertain_label" in unsure.values["applications.carried_over.natural_person"].reasons
    assert any("under none of the columns" in w for w in unsure.warnings)


def test_one_label_cell_beside_several_rows_of_values_names_none_of_them() -> None:
    """A scanned Word table whose column of item labels was lost (its rules too faint): the
    group's cell, read as one label over its three rows of values, names 1.属于国家秘密
    among its words. It cannot say which row is that one: none is taken as sure (the last
    row's values were, under 1.属于国家秘密's key, unflagged). A label merged over two
    lines beside values merged the same way is still one row, read surely."""
    from extractor.grid import Grid, GridCell
    from extractor.reconcile.mapping import read_tables

    cells = _ruled_header_three("其他")
    # 一、本年新收…, its label and its values each merged over two lines of the grid
    cells += [GridCell(3, 0, "一、本年新收政府信息公开申请数量", rowspan=2, colspan=2)]
    cells += [GridCell(3, 2 + i, v, rowspan=2) for i, v in enumerate(
        ["7", "1", "0", "0", "2", "3", "13"])]
    cells += [GridCell(5, 0, "三、本年度办理结果", rowspan=3),
              GridCell(5, 1, "[1属于国家秘密[过其他法律行政法|规禁止公开[3“三危及安全一|稳定”"
                             "[未保护第三方合法5全|信息[了属于行政执法案|着[属于行政查询事|项",
                       rowspan=3)]  # as read on holdout9's scan-word-16
    rows = [["1", "0", "0", "0", "0", "0", "1"], ["2", "1", "0", "0", "0", "0", "3"],
            ["0", "0", "0", "0", "0", "0", "0"]]
    for r, values in enumerate(rows):
        cells += [GridCell(5 + r, 2 + i, v) for i, v in enumerate(values)]
    grid = Grid(page=1, cells=cells, n_rows=8, n_cols=9, source="ocr",
                context="三、收到和处理政府信息公开申请情况")
    reading = read_tables([grid])
    first = {k: v for k, v in reading.values.items() if k.startswith("applications.new_")}
    assert first["applications.new_received.total"].raw == "13"
    assert not first["applications.new_received.total"].reasons
    secret = [v for k, v in reading.values.items() if ".state_secret." in k]
    assert all({"placed_by_position", "uncertain_label"} & set(v.reasons) for v in secret), \
        [(v.key, v.raw, v.reasons) for v in secret]
    assert any("not recognised" in w for w in reading.warnings)


def _aligned_rows(rows: list[list[tuple[str, float, float]]], page: int = 1,
                  context: str = ""):
    """A grid printed without rules: each row's cells as (text, x0, x1) in points."""
    from extractor.grid import Grid, GridCell

    cells = [GridCell(r, c, text, bbox=(x0, 100 + 20 * r, x1, 110 + 20 * r), page=page)
             for r, row in enumerate(rows) for c, (text, x0, x1) in enumerate(row)]
    return Grid(page=page, cells=cells, n_rows=len(rows), n_cols=max(map(len, rows)),
                source="ocr", method="aligned", context=context)


def test_a_unit_note_set_apart_from_its_label_is_part_of_its_column() -> None:
    """"本年收费金额（单位：万元）" without rules: a full-width bracket's em is blank on its
    open side, so the note may stand as a cell of its own. The amount, centred under the
    whole header, stands half under each piece: it is still the fees' amount."""
    from extractor.reconcile.mapping import read_tables

    grid = _aligned_rows([
        [("第二十条第（八）项", 60, 140)],
        [("信息内容", 112, 144), ("本年收费金额", 306, 354), ("（单位：万元）", 359, 405)],
        [("行政事业性收费", 55, 110), ("660.53", 344, 371)],
    ], context="二、主动公开政府信息情况")
    found = read_tables([grid]).values.get("disclosure.fees.amount")
    assert found is not None and found.raw == "660.53"


def test_table_two_rows_before_any_header_take_the_templates_columns_doubted() -> None:
    """Table 二 went on from a page where neither its heading nor its header was found (a
    header without rules, alone at a page's foot, holds no number and looks like no
    table). Rows its label surely names still give their values, in the template's
    column order, every one flagged; a row printing fewer values than its columns gives
    none; rows after a header read are placed by it, not doubted."""
    from extractor.reconcile.mapping import read_tables

    grid = _aligned_rows([
        [("规章", 60, 80), ("0", 230, 236), ("0", 330, 336), ("0", 430, 436)],
        [("行政规范性文件", 60, 120), ("2", 230, 236), ("2", 330, 336), ("28", 428, 438)],
        [("第二十条第（五）项", 60, 140)],
        [("信息内容", 112, 144), ("本年处理决定数量", 300, 360)],
        [("行政许可", 60, 90), ("7267", 318, 342)],
    ], page=2)
    values = read_tables([grid]).values
    got = {k: (v.raw, "uncertain_label" in v.reasons) for k, v in values.items()}
    assert got == {
        "disclosure.regulations.issued": ("0", True),
        "disclosure.regulations.repealed": ("0", True),
        "disclosure.regulations.in_force": ("0", True),
        "disclosure.normative_documents.issued": ("2", True),
        "disclosure.normative_documents.repealed": ("2", True),
        "disclosure.normative_documents.in_force": ("28", True),
        "disclosure.licensing.decisions": ("7267", False),
    }
    short = _aligned_rows([[("规章", 60, 80), ("0", 230, 236), ("0", 330, 336)]], page=2)
    assert not read_tables([short]).values


def test_a_label_printed_with_spaces_inside_is_one_label_again() -> None:
    """"（一）予以 公开", "4.保护第三方 合 法权 益": a label with spaces inside it, printed
    without rules, is read in pieces. Together the pieces surely name their row, so the
    row is placed by its label (not by position, not flagged)."""
    from dataclasses import replace

    from extractor.grid import GridCell
    from extractor.reconcile.mapping import _joined_pieces, read_tables

    values = [(str(v), 210 + 40 * i, 216 + 40 * i) for i, v in enumerate([5, 1, 0, 0, 2, 3, 11])]
    grid = _aligned_table_three(values)

    def row(r: int, pieces: list[tuple[str, float, float]]) -> list[GridCell]:
        y = 120 + 20 * r
        cells = [GridCell(r, c, text, bbox=(x0, y, x1, y + 10))
                 for c, (text, x0, x1) in enumerate(pieces)]
        cells += [GridCell(r, len(pieces) + i, text, bbox=(x0, y, x1, y + 10))
                  for i, (text, x0, x1) in enumerate(values)]
        return cells

    cells = grid.cells + row(2, [("三、本年度办理结果", 20, 58), ("（一）予以", 84, 118),
                                 ("公", 123, 130), ("开", 135, 142)])
    grid = replace(grid, cells=cells, n_rows=3, n_cols=11)
    reading = read_tables([grid])
    granted = [v for k, v in reading.values.items() if k.startswith("applications.granted.")]
    assert len(granted) == 7
    assert all(not {"uncertain_label", "placed_by_position"} & set(v.reasons) for v in granted)
    # Pieces a column's gap apart are two cells' text, not one label's.
    apart = [GridCell(4, 0, "（一）予以", bbox=(84, 200, 118, 210)),
             GridCell(4, 1, "公开", bbox=(140, 200, 154, 210))]
    assert _joined_pieces(apart) == apart
