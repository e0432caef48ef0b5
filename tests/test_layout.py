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
