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


def _ocr_cells(values: dict, unread: set[str]) -> list:
    from models.result import Cell

    return [Cell(key=k, value=None if k in unread else v, raw="" if k in unread else str(v),
                 confidence=0.0 if k in unread else 0.95, flagged=k in unread,
                 reasons=["missing"] if k in unread else [], source="ocr")
            for k, v in values.items()]


def _results_column(natural_person: dict[str, int]) -> dict:
    """A consistent report whose 自然人 column holds the given rows (totals follow)."""
    v = consistent(Layout())
    for row, n in natural_person.items():
        v[f"applications.{row}.natural_person"] = n
        v[f"applications.{row}.total"] = n
    results = sum(n for row, n in natural_person.items() if row not in ("new_received",))
    for col in ("natural_person", "total"):
        v[f"applications.total.{col}"] = results
        v[f"applications.new_received.{col}"] = results
    return v


def test_a_rule_an_unread_cell_breaks_flags_it_not_the_cells_other_rules_confirm():
    """The 予以公开 and 部分公开 rows could not be read: the 自然人 column no longer adds
    up. The gap is the unread cells' (counts are never negative), and every other cell of
    the column is vouched for by its row's total: only the unread cells carry the rule
    (they flagged the whole column before: a flood on every scan that lost a row)."""
    from extractor.reconcile.flags import judge_failed_checks

    v = _results_column({"granted": 5, "partially_granted": 2, "denied.state_secret": 1})
    unread = {f"applications.{row}.{col}" for row in ("granted", "partially_granted")
              for col in ("natural_person", "total")}
    cells = _ocr_cells(v, unread)
    checks = run_rules({c.key: c.value for c in cells})
    judge_failed_checks(cells, checks)
    assert {c.key for c in cells if c.flagged} == unread
    by_key = {c.key: c for c in cells}
    assert "rule:applications.results_sum" in by_key["applications.granted.natural_person"].reasons


def test_a_gap_the_unread_cells_cannot_explain_keeps_every_cell_suspect():
    """Read parts above the read total: no unread part can make up for that (and an
    unread total is not in this rule), so the read cells stay flagged."""
    from extractor.reconcile.flags import judge_failed_checks

    v = _results_column({"granted": 5, "partially_granted": 2, "denied.state_secret": 1})
    v["applications.partially_granted.natural_person"] = 9  # misread, its row total too
    v["applications.partially_granted.total"] = 9
    cells = _ocr_cells(v, {"applications.denied.internal_affairs.natural_person"})
    judge_failed_checks(cells, run_rules({c.key: c.value for c in cells}))
    by_key = {c.key: c for c in cells}
    assert by_key["applications.partially_granted.natural_person"].flagged


def test_a_misread_is_looked_for_among_the_cells_no_other_rule_vouches_for():
    """One OCR'd cell misread (44 read as 4): its column's sum and its row's total both
    fail. The other cells of the column are each vouched for by their own row's total,
    so they are not flagged; the misread and its row, which its rule cannot clear, are."""
    from extractor.reconcile.flags import judge_failed_checks

    v = _results_column({"granted": 5, "partially_granted": 44, "denied.state_secret": 1})
    v["applications.partially_granted.natural_person"] = 4  # misread; its row total read right
    cells = _ocr_cells(v, set())
    judge_failed_checks(cells, run_rules({c.key: c.value for c in cells}))
    flagged = {c.key for c in cells if c.flagged}
    assert "applications.partially_granted.natural_person" in flagged
    assert "applications.granted.natural_person" not in flagged
    assert "applications.denied.state_secret.natural_person" not in flagged
