"""Can a PDF page's text layer be trusted, or must the page go to OCR?

Runs on every page of every PDF, so it only looks at the characters pdfplumber already
parsed: no rendering, no layout analysis. Three verdicts:

- ``none``: (almost) no characters — an image-only (scanned) page;
- ``garbled``: characters that do not decode to Chinese text — CID codes such as
  ``(cid:123)``, private-use code points, control characters, or CJK that is mostly rare
  characters (a font without a usable ToUnicode map decodes to noise);
- ``good``: otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Literal, Protocol

TextTrust = Literal["good", "garbled", "none"]

MIN_CHARS = 20  # fewer meaningful characters than this: the page has no text layer to speak of
MIN_BAD = 3  # this many undecodable characters make even a near-empty page garbled
MAX_BAD_SHARE = 0.05  # CID / private-use / control characters tolerated among all characters
MIN_CJK_SHARE = 0.30  # of the letters (CJK + Latin), how many must be CJK in a Chinese report
MIN_COMMON_SHARE = 0.60  # of the CJK characters, how many must be common ones (GB2312 level 1
#                          or the template's own vocabulary)


class _HasChars(Protocol):
    chars: list[dict]


def classify_text_layer(page: _HasChars) -> TextTrust:
    """Whether `page` (a pdfplumber Page) has a usable text layer: good, garbled or none."""
    return classify_chars(c.get("text", "") for c in page.chars)


def classify_chars(texts: Iterable[str]) -> TextTrust:
    """The verdict for a page's character texts, in reading order or not."""
    total = bad = cjk = latin = common = 0
    for text in texts:
        if "(cid:" in text:
            total += 1
            bad += 1
            continue
        for ch in text:
            if ch.isspace():
                continue
            total += 1
            code = ord(ch)
            if _is_bad(code):
                bad += 1
            elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
                cjk += 1
                if _is_common(ch):
                    common += 1
            elif ch.isalpha():
                latin += 1
    if bad > MAX_BAD_SHARE * total and (bad >= MIN_BAD or total - bad >= MIN_CHARS):
        return "garbled"  # however short: a last page of a table's tail in a broken font
    if total - bad < MIN_CHARS:
        return "none"
    letters = cjk + latin
    if letters >= MIN_CHARS and cjk < MIN_CJK_SHARE * letters:
        return "garbled"
    if cjk >= MIN_CHARS and common < MIN_COMMON_SHARE * cjk:
        return "garbled"
    return "good"


def _is_bad(code: int) -> bool:
    return (
        code < 0x20
        or 0x7F <= code < 0xA0
        or 0xE000 <= code <= 0xF8FF  # private use area
        or code >= 0xF0000  # supplementary private use
        or code == 0xFFFD  # replacement character
    )


@lru_cache(maxsize=8192)
def _is_common(ch: str) -> bool:
    """A frequent hanzi: GB2312 level 1 (3,755 characters), or in the template's vocabulary."""
    if ch in _vocabulary():
        return True
    try:
        raw = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(raw) == 2 and 0xB0 <= raw[0] <= 0xD7


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every character of the canonical labels (some, like 涉, are outside GB2312 level 1)."""
    from models import schema

    chars: set[str] = set()
    for value in vars(schema).values():
        for text in _strings(value):
            chars.update(text)
    return frozenset(chars)


def _strings(value: object, depth: int = 0) -> Iterable[str]:
    if depth > 4:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v, depth + 1)
    elif isinstance(value, tuple | list):
        for v in value:
            yield from _strings(v, depth + 1)
    elif hasattr(value, "model_dump") and not isinstance(value, type):
        yield from _strings(value.model_dump(), depth + 1)
