"""From what was read to the result's cells: one per key of the layout, values normalised."""

from __future__ import annotations

from extractor.reconcile.reading import Reading, ReadValue
from extractor.reconcile.values import parse_value
from models.result import Cell
from models.schema import Layout, layout_keys, value_kind

FLAG_BELOW = 0.8  # a cell less sure than this is flagged `low_confidence`
_UNIT_OK = {
    "decimal": {"万元"},
    "count": {"件", "个", "项", "条", "次"},
    "signed": {"件", "个", "项"},
}
# 采购总金额's header names no unit (table 二's fees column says 万元): 元 is the report's
# own choice there, printed and kept as is, not a misplaced unit
_UNIT_OK_FOR_KEY = {"disclosure.procurement.amount": {"万元", "元"}}


def build_cells(reading: Reading, layout: Layout) -> tuple[list[Cell], list[str]]:
    """Cells in schema order, and warnings for values read under keys the layout lacks."""
    keys = layout_keys(layout)
    wanted = set(keys)
    cells = [_cell(key, reading.values.get(key), layout) for key in keys]
    stray = sorted(k for k in reading.values if k not in wanted)
    warnings = []
    if stray:
        shown = ", ".join(stray[:5]) + (" …" if len(stray) > 5 else "")
        warnings.append(f"values read under keys the {layout.format} layout lacks: {shown}")
    return cells, warnings


def _cell(key: str, found: ReadValue | None, layout: Layout) -> Cell:
    if found is None:
        cell = Cell(key=key, value=None, raw="", confidence=0.0)
        cell.flag("missing")
        return cell
    kind = value_kind(key, layout.format)
    parsed = parse_value(found.raw, kind)
    confidence = found.confidence
    reasons = list(found.reasons)
    if not parsed.ok:
        confidence = 0.0
        reasons.append(parsed.note or "unparsed")
    elif parsed.unit and parsed.unit not in _UNIT_OK_FOR_KEY.get(key, _UNIT_OK[kind]):
        confidence = min(confidence, 0.5)
        reasons.append("unexpected_unit")
    cell = Cell(
        key=key,
        value=parsed.value if parsed.ok else None,
        raw=found.raw,
        confidence=round(confidence, 3),
        page=found.page or None,
        bbox=tuple(round(v, 1) for v in found.bbox) if found.bbox else None,
        source=found.source,  # type: ignore[arg-type]
    )
    for reason in reasons:
        cell.flag(reason)
    if confidence < FLAG_BELOW:
        cell.flag("low_confidence")
    return cell
