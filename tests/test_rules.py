"""Each arithmetic rule, on hand-made values."""

from extractor.reconcile.rules import run_rules
from models.schema import Layout, layout_keys


def consistent(layout: Layout) -> dict:
    """All zeros: every rule holds."""
    return dict.fromkeys(layout_keys(layout), 0)


def failed(values: dict) -> set[tuple[str, str]]:
    return {(c.rule, c.scope) for c in run_rules(values) if not c.ok}


def test_all_zero_report_passes_every_rule():
    checks = run_rules(consistent(Layout()))
    assert checks and all(c.ok for c in checks)
    rules = {c.rule for c in checks}
    assert rules == {"applications.balance", "applications.results_sum",
                     "applications.row_total", "appeals.group_total"}


def test_balance_per_column():
    v = consistent(Layout())
    v["applications.new_received.natural_person"] = 3
    v["applications.new_received.total"] = 3
    v["applications.total.natural_person"] = 2
    v["applications.total.total"] = 2
    v["applications.granted.natural_person"] = 2
    v["applications.granted.total"] = 2
    v["applications.carried_forward.natural_person"] = 0
    assert failed(v) == {("applications.balance", "natural_person"),
                         ("applications.balance", "total")}


def test_results_sum_uses_subtotal_where_items_are_absent():
    layout = Layout(other_single_row=True)
    v = consistent(layout)
    v["applications.other.subtotal.research"] = 1
    v["applications.other.subtotal.total"] = 1
    v["applications.total.research"] = 1
    v["applications.total.total"] = 1
    v["applications.new_received.research"] = 1
    v["applications.new_received.total"] = 1
    assert failed(v) == set()
    v["applications.total.research"] = 2
    assert ("applications.results_sum", "research") in failed(v)


def test_subtotal_rule_and_scope():
    layout = Layout(subtotal_groups=("denied",))
    v = consistent(layout)
    v["applications.denied.subtotal.commercial"] = 1
    assert ("applications.subtotal", "denied.commercial") in failed(v)


def test_row_total_and_org_subtotal():
    layout = Layout(org_subtotal=True)
    v = consistent(layout)
    v["applications.granted.commercial"] = 1
    got = failed(v)
    assert ("applications.row_total", "granted") in got
    checks = [c for c in run_rules(v) if c.rule == "applications.row_total"
              and c.scope == "granted" and not c.ok]
    assert len(checks) == 2  # the total and the org_subtotal both disagree


def test_appeals_group_total():
    v = consistent(Layout())
    v["appeals.review.upheld"] = 10
    v["appeals.review.corrected"] = 1
    checks = [c for c in run_rules(v) if c.rule == "appeals.group_total" and not c.ok]
    assert [(c.scope, c.expected, c.actual) for c in checks] == [("review", 11, 0)]


def test_null_counts_as_zero():
    v = consistent(Layout())
    v["appeals.review.upheld"] = None
    assert failed(v) == set()
