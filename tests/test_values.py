import pytest

from extractor.reconcile.values import parse_value


@pytest.mark.parametrize(
    "raw, kind, value",
    [
        ("21", "count", 21), ("1,234", "count", 1234), ("２１", "count", 21),
        ("1，234", "count", 1234), (" 7 ", "count", 7), ("12件", "count", 12),
        ("7730.28万元", "decimal", 7730.28), ("0.5", "decimal", 0.5),
        ("1,200.50", "decimal", 1200.5),
        ("-3", "signed", -3), ("－12", "signed", -12), ("+4", "signed", 4), ("5.0", "count", 5),
    ],
)
def test_numbers(raw, kind, value):
    parsed = parse_value(raw, kind)
    assert parsed.ok and parsed.value == value and type(parsed.value) is type(value)


@pytest.mark.parametrize("raw", ["", "-", "—", "/", "－", "无", "  "])
def test_blank_and_dash_are_null(raw):
    parsed = parse_value(raw, "count")
    assert parsed.ok and parsed.value is None


@pytest.mark.parametrize("raw, kind", [("abc", "count"), ("1.5", "count"), ("-3", "count"),
                                       ("12a", "count"), ("1 2", "count")])
def test_doubtful_values_are_not_ok(raw, kind):
    assert not parse_value(raw, kind).ok
