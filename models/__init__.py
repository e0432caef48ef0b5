"""Pydantic models: the canonical schema (as data) and the result contract."""

from models.result import Cell, Check, DocumentInfo, DocumentResult, ReportInfo
from models.schema import Layout, layout_keys

__all__ = [
    "Cell",
    "Check",
    "DocumentInfo",
    "DocumentResult",
    "Layout",
    "ReportInfo",
    "layout_keys",
]
