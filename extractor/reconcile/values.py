"""Normalising printed values: the text as printed in, a number (or null) out."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from models.schema import ValueKind

NULL_MARKS = {"", "-", "—", "–", "/", "－", "一", "无", "--", "——", "\\", "／", "x", "×"}
_UNITS = re.compile(r"(万元|元|件|个|项|条|次|宗|人次)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class ParsedValue:
    value: int | float | None
    ok: bool  # False: the text could not be read as a value of this kind
    unit: str | None = None
    note: str | None = None  # why it is doubtful, a reason code


def parse_value(raw: str, kind: ValueKind) -> ParsedValue:
    """Parse one cell. Blank and dash cells are null; anything odd is not ok."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if re.search(r"\d\s+\d", text):
        return ParsedValue(None, False, None, "two_values")  # two numbers in one cell?
    text = re.sub(r"\s+", "", text).replace("，", ",")
    text = text.replace("−", "-").replace("－", "-")
    if text in NULL_MARKS or raw.strip() in NULL_MARKS:
        return ParsedValue(None, True)
    unit = None
    match = _UNITS.search(text)
    if match:
        unit = match.group(1)
        text = text[: match.start()]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return ParsedValue(None, False, unit, "unparsed")
    if kind == "decimal":
        number = float(text)
        return ParsedValue(round(number, 6), number >= 0, unit, None if number >= 0 else "negative")
    if "." in text:
        whole, frac = text.split(".")
        if set(frac) != {"0"}:
            return ParsedValue(None, False, unit, "not_integer")
        text = whole
    number = int(text)
    if number < 0 and kind == "count":
        return ParsedValue(number, False, unit, "negative")
    return ParsedValue(number, True, unit)
