"""One spelling per agency, so reports of the same body in different years match.

Printed names differ in spacing, full/half-width forms, brackets and the odd
abbreviation; they never differ in the words that tell two bodies apart
(人民政府 vs 人民政府办公室), so only the former are normalised.
"""

from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = (("管委会", "管理委员会"),)
_YEAR_PREFIX = re.compile(r"^\d{4}年度?")


def normalise_agency(name: str | None) -> str | None:
    """``" 平潭综合实验区（管委会） "`` → ``"平潭综合实验区管理委员会"``; None stays None."""
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not _is_noise(ch))
    text = _YEAR_PREFIX.sub("", text)
    for short, full in _ABBREVIATIONS:
        text = text.replace(short, full)
    return text or None


def _is_noise(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch.isspace() or category.startswith("P") or category in ("Cc", "Cf", "Zs")
