"""Units printed in amount cells: which are the column's own, which are flagged."""

from __future__ import annotations

from extractor.reconcile.cells import build_cells
from extractor.reconcile.reading import Reading, ReadValue
from models.schema import Layout


def _cells(raw: dict[str, str], fmt: str) -> dict:
    reading = Reading(values={k: ReadValue(key=k, raw=v, page=1, bbox=None, confidence=1.0,
                                           source="text") for k, v in raw.items()})
    cells, _ = build_cells(reading, Layout(format=fmt))
    return {c.key: c for c in cells}


def test_yuan_in_the_procurement_total_is_the_reports_own_unit():
    procurement = _cells({"disclosure.procurement.amount": "184,017,839.80元"}, "2019")[
        "disclosure.procurement.amount"]
    assert procurement.value == 184017839.8 and not procurement.flagged
    # the fees column's header says 万元: 元 there is doubtful
    fees = _cells({"disclosure.fees.amount": "1200元"}, "2021")["disclosure.fees.amount"]
    assert fees.flagged and "unexpected_unit" in fees.reasons
