"""The numbers of a sample report: consistent by construction, then printed.

``true_values`` builds values that satisfy every arithmetic rule; ``inject_errors`` then
breaks some on purpose (the report's own errors); ``print_cells`` decides how each value is
printed (dashes, separators, full-width digits, units) and what the truth value of the printed
text is (``None`` for a blank or dash).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    ORG_COLUMNS,
    OTHER_ITEM_KEYS,
    SUBTOTAL_GROUPS,
    value_kind,
)
from samples.variant import LEVELS, Variant

Value = int | float | None

# Relative frequency of each outcome of an application (who knows, but roughly realistic).
RESULT_WEIGHTS: dict[str, float] = {
    "granted": 40,
    "partially_granted": 8,
    "denied.state_secret": 0.3,
    "denied.prohibited_by_law": 0.6,
    "denied.endangers_security": 0.3,
    "denied.third_party_rights": 1.5,
    "denied.internal_affairs": 1.2,
    "denied.process_information": 1.5,
    "denied.enforcement_case_file": 0.8,
    "denied.administrative_query": 1.5,
    "unavailable.not_held": 25,
    "unavailable.needs_creation": 3,
    "unavailable.still_unclear": 2,
    "not_processed.petition": 4,
    "not_processed.duplicate": 3,
    "not_processed.publication": 0.4,
    "not_processed.excessive": 1.0,
    "not_processed.confirmation": 1.0,
    "other.no_correction": 4,
    "other.unpaid_fee": 0.2,
    "other.other": 3,
}
APPLICANT_SHARES = {
    "natural_person": 86,
    "commercial": 8,
    "research": 0.4,
    "nonprofit": 0.6,
    "legal_service": 2.5,
    "other_org": 2.5,
}


def _split(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    """Spread ``n`` units over the keys of ``weights`` (a multinomial draw)."""
    out = dict.fromkeys(weights, 0)
    for key in rng.choices(list(weights), weights=list(weights.values()), k=n):
        out[key] += 1
    return out


def _app(row: str, col: str) -> str:
    return f"applications.{row}.{col}"


def _disclosure(rng: random.Random, v: Variant) -> dict[str, Value]:
    big = v.level in ("ministry", "province", "city")
    makes_rules = v.level in ("ministry", "province", "city")
    scale = {"township": 0.02, "bureau": 0.3, "county": 1.0}.get(v.level, 3.0)
    out: dict[str, Value] = {}

    def count(hi: float, zero_p: float = 0.3) -> int:
        if rng.random() < zero_p:
            return 0
        return int(rng.paretovariate(1.3) * hi * scale / 4) % int(max(hi * scale, 2))

    if v.format == "2021":
        for row, active in (("regulations", makes_rules), ("normative_documents", True)):
            issued = rng.randint(0, 12 if big else 4) if active else 0
            repealed = rng.randint(0, 6 if big else 3) if active else 0
            in_force = issued + rng.randint(0, 300 if big else 40) if active else 0
            out |= {
                f"disclosure.{row}.issued": issued,
                f"disclosure.{row}.repealed": repealed,
                f"disclosure.{row}.in_force": in_force,
            }
        out["disclosure.licensing.decisions"] = count(20000)
        out["disclosure.punishment.decisions"] = count(6000)
        out["disclosure.enforcement.decisions"] = count(400, 0.5)
        fee = 0.0 if rng.random() < 0.5 else rng.uniform(1, 9000) * scale
        out["disclosure.fees.amount"] = round(fee, 2)
        return out
    for row, active in (("regulations", makes_rules), ("normative_documents", True)):
        made = rng.randint(0, 12 if big else 5) if active else 0
        out |= {
            f"disclosure.{row}.made": made,
            f"disclosure.{row}.published": made if rng.random() < 0.8 else max(made - 1, 0),
            f"disclosure.{row}.total_public": made + (rng.randint(0, 250) if active else 0),
        }
    items = (("licensing", 300), ("other_services", 120), ("punishment", 900), ("enforcement", 60))
    for row, hi in items:
        previous = count(hi, 0.2)
        change = rng.randint(-min(previous, 15), 15) if previous else rng.randint(0, 3)
        out |= {
            f"disclosure.{row}.previous": previous,
            f"disclosure.{row}.change": change,
            f"disclosure.{row}.decisions": count(hi * 20, 0.3),
        }
    previous = rng.randint(0, 20) if rng.random() < 0.6 else 0
    out["disclosure.fees.previous"] = previous
    out["disclosure.fees.change"] = -rng.randint(0, previous) if previous else 0
    projects = count(150, 0.4)
    out["disclosure.procurement.projects"] = projects
    unit_factor = 10000 if v.amount_unit == "元" else 1
    amount = rng.uniform(3, 900) * projects * unit_factor if projects else 0.0
    out["disclosure.procurement.amount"] = round(amount, 2)
    return out


def _applications(rng: random.Random, v: Variant) -> dict[str, Value]:
    lo, hi = LEVELS[v.level]
    layout = v.layout
    rows = layout.application_row_keys()
    item_rows = [r.key for r in APPLICATION_ROWS if r.key in rows and r.key in RESULT_WEIGHTS]
    weights = {k: RESULT_WEIGHTS[k] for k in item_rows}
    if layout.other_single_row:
        weights["other.subtotal"] = sum(RESULT_WEIGHTS[k] for k in OTHER_ITEM_KEYS)
    n_new = int(lo + (hi - lo) * rng.random() ** 2)
    new = _split(rng, n_new, APPLICANT_SHARES)
    over = _split(rng, int(n_new * rng.choice([0, 0, 0.02, 0.05, 0.1])), APPLICANT_SHARES)
    out: dict[str, Value] = {}
    for col in APPLICANT_COLUMNS:
        available = new[col] + over[col]
        forward = min(available, int(available * rng.choice([0, 0, 0.03, 0.08]) + 0.5))
        results = _split(rng, available - forward, weights)
        out[_app("new_received", col)] = new[col]
        out[_app("carried_over", col)] = over[col]
        out[_app("carried_forward", col)] = forward
        out[_app("total", col)] = available - forward
        for key, n in results.items():
            out[_app(key, col)] = n
        for group in SUBTOTAL_GROUPS:
            if f"{group}.subtotal" in rows and f"{group}.subtotal" not in results:
                items = [k for k in item_rows if k.startswith(group + ".")]
                out[_app(f"{group}.subtotal", col)] = sum(results[k] for k in items)
    for row in rows:
        out[_app(row, "total")] = sum(out[_app(row, c)] or 0 for c in APPLICANT_COLUMNS)
        if layout.org_subtotal:
            out[_app(row, "org_subtotal")] = sum(out[_app(row, c)] or 0 for c in ORG_COLUMNS)
    return out


def _appeals(rng: random.Random, v: Variant) -> dict[str, Value]:
    lo, hi = LEVELS[v.level]
    out: dict[str, Value] = {}
    for group, share in zip(APPEAL_GROUPS, (0.08, 0.04, 0.02), strict=True):
        n = int(rng.random() ** 1.5 * hi * share) if rng.random() < 0.7 else 0
        parts = _split(rng, n, {"upheld": 70, "corrected": 8, "other": 12, "pending": 10})
        for col in APPEAL_COLUMNS[:-1]:
            out[f"appeals.{group.key}.{col.key}"] = parts[col.key]
        out[f"appeals.{group.key}.total"] = n
    return out


def true_values(rng: random.Random, v: Variant) -> dict[str, Value]:
    """Values for every key of the variant's layout, satisfying every arithmetic rule."""
    values = _disclosure(rng, v) | _applications(rng, v) | _appeals(rng, v)
    return {k: values[k] for k in v.layout_keys()}


def inject_errors(rng: random.Random, v: Variant, values: dict[str, Value]) -> None:
    """Break rules the way real reports do (a wrong total, a cell off by one)."""
    cols = v.layout.application_column_keys()
    rows = v.layout.application_row_keys()
    for kind in v.errors:
        if kind == "appeals_total_zero":
            group = rng.choice(APPEAL_GROUPS).key
            if not values[f"appeals.{group}.total"]:
                values[f"appeals.{group}.upheld"] = rng.randint(1, 12)
                values[f"appeals.{group}.corrected"] = rng.randint(0, 2)
            values[f"appeals.{group}.total"] = 0
        elif kind == "row_total_off":
            row = rng.choice(rows)
            key = _app(row, "total")
            values[key] = (values[key] or 0) + rng.choice([1, 2, 10])
        elif kind == "column_total_off":
            col = rng.choice([c for c in cols if c != "total"])
            values[_app("total", col)] = (values[_app("total", col)] or 0) + 1
        elif kind == "carried_forward_off":
            key = _app("carried_forward", rng.choice(cols))
            values[key] = (values[key] or 0) + rng.randint(1, 3)
        elif kind == "item_off":
            item = rng.choice([r for r in rows if "." in r and not r.endswith("subtotal")])
            key = _app(item, rng.choice(list(APPLICANT_COLUMNS[:2])))
            values[key] = (values[key] or 0) + 1
        elif kind == "subtotal_off":
            subs = [r for r in rows if r.endswith(".subtotal")]
            row = rng.choice(subs) if subs else "total"
            values[_app(row, "natural_person")] = (values[_app(row, "natural_person")] or 0) + 1
        elif kind == "org_subtotal_off":
            col = "org_subtotal" if v.org_subtotal else "commercial"
            key = _app(rng.choice(["new_received", "granted", "total"]), col)
            values[key] = (values[key] or 0) + 2


FULLWIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")


@dataclass
class Printed:
    """A cell as printed: its text and the value that text stands for."""

    raw: str
    value: Value


def format_number(v: Variant, key: str, value: int | float, rng: random.Random) -> str:
    """The text a report prints for ``value`` in cell ``key``."""
    kind = value_kind(key, v.format)
    if kind == "decimal":
        text = f"{value:,.2f}" if v.thousands and value >= 1000 else f"{value:.2f}"
        if value == 0 and rng.random() < 0.5:
            text = "0"
        if v.amount_unit and value:
            text += v.amount_unit
    elif v.thousands and abs(value) >= 1000:
        text = f"{value:,}"
    else:
        text = str(value)
    if v.fullwidth and rng.random() < v.fullwidth:
        text = text.translate(FULLWIDTH)
    return text


def print_cells(rng: random.Random, v: Variant, values: dict[str, Value]) -> dict[str, Printed]:
    """How every cell is printed; zeros may become blanks or dashes (value ``None``)."""
    out: dict[str, Printed] = {}
    for key, value in values.items():
        table = key.split(".", 1)[0]
        style = v.zero_style[table]
        dashed = style != "0" and (not v.mixed_zeros or rng.random() < 0.6)
        if value is None or (value == 0 and dashed):
            out[key] = Printed(style if style != "0" else "", None)
            continue
        assert value is not None
        raw = format_number(v, key, value, rng)
        if isinstance(value, float):
            value = round(value, 2)
        out[key] = Printed(raw, value)
    return out
