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
