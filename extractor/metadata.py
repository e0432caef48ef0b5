"""The reporting agency and year, from the report's title on its first page."""

from __future__ import annotations

import re
from dataclasses import dataclass

# 报告's last character is sometimes lost at a line's end by OCR (`…年度报` over noise)
_TITLE_END = r"(?:政府信息公开|政务公开)(?:工作)?(?:年度)?(?:情况)?(?:年度)?报告?"
_YEAR = r"(?P<year>(?:19|20)\d{2})\s*年度?"
_AGENCY = r"(?P<agency>[\u4e00-\u9fff（）()·]{2,40}?)"
_AGENCY_THEN_YEAR = re.compile(_AGENCY + r"\s*" + _YEAR + r"\s*(?:度)?\s*" + _TITLE_END)
_YEAR_THEN_AGENCY = re.compile(_YEAR + r"\s*" + _AGENCY + r"\s*" + _TITLE_END)
_PERIOD = re.compile(r"(?:统计期限|统计期|数据统计)[^。\n]{0,10}?((?:19|20)\d{2})\s*年")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_LEADING_NOISE = re.compile(r"^(?:关于|的|政府信息公开(?:工作)?(?:年度)?(?:年报|报告)?|首页)+")


@dataclass
class ReportMeta:
    agency: str | None
    year: int | None


def find_metadata(first_text: str) -> ReportMeta:
    """Read the title from the text of the first page(s); the agency stays None if unsure."""
    lines = [re.sub(r"\s+", "", line) for line in first_text.splitlines()]
    lines = [line for line in lines if line][:80]
    # a title split over lines (agency / year / 政府信息公开工作年度报告, each in large type
    # on a line of its own): the fewest lines that make a whole title, so a line above it
    # (a site's breadcrumb, a 文号) does not run into the agency
    windows = [*lines, *("".join(lines[i : i + 2]) for i in range(len(lines) - 1)),
               *("".join(lines[i : i + 3]) for i in range(len(lines) - 2)),
               *("".join(lines[i : i + 4]) for i in range(len(lines) - 3))]
    for window in windows:
        for pattern in (_AGENCY_THEN_YEAR, _YEAR_THEN_AGENCY):
            match = pattern.search(window)
            if match:
                agency = _LEADING_NOISE.sub("", match.group("agency")) or None
                return ReportMeta(agency=agency, year=int(match.group("year")))
    joined = "".join(lines)
    period = _PERIOD.search(joined) or _ANY_YEAR.search(joined)
    return ReportMeta(agency=None, year=int(period.group(1)) if period else None)


def has_title(text: str) -> bool:
    """The text holds the report's whole title (agency, year, 政府信息公开工作年度报告): the
    lines after it, and the next page's top, need not be read for it."""
    return find_metadata(text).agency is not None
