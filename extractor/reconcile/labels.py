"""Fuzzy matching of printed labels against the official ones.

Printed labels drift: wrapped over lines, spaced out (`三 、本 年 度办 理 结果`),
cut (`2.其他法律行政止公开`), abbreviated, numbered `1.` / `1、` / `（1）`, or
misread by OCR. We compare the label's *content* (numbering removed, width-folded,
punctuation dropped) and use the numbering only to break ties. 丶, a radical no label
uses, is taken for the 、 OCR engines read it for (二丶上年结转…), and the angle brackets
〈〉 for the round ones they read them for (〈二）部分公开).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

_CN_NUMERALS = "一二三四五六七八九十"
_NUMBERING = re.compile(
    r"^(?:"
    r"[(（〈]\s*(?P<paren>[0-9" + _CN_NUMERALS + r"]+)\s*[)）〉]"
    r"|(?P<plain>[0-9]+|[" + _CN_NUMERALS + r"]+)\s*[.．、丶,，]"
    r")\s*"
)
_DROP = re.compile(r"[\s\u3000.．、丶,，:：;；\"'“”‘’「」()（）〈〉\[\]【】<>《》/\\\-—_·•]+")


def fold(text: str) -> str:
    """Width-folded text without white space (keeps punctuation)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=16384)
def split_numbering(text: str) -> tuple[str | None, str]:
    """('三', '不予公开') from '（三）不予公开'; (None, text) where there is no numbering."""
    folded = fold(text)
    match = _NUMBERING.match(folded)
    if not match:
        return None, folded
    number = match.group("paren") or match.group("plain")
    return _arabic(number), folded[match.end():]


@lru_cache(maxsize=16384)
def content(text: str) -> str:
    """What a label says, for comparison: numbering and punctuation removed."""
    return _DROP.sub("", split_numbering(text)[1])


def _arabic(number: str) -> str:
    if number.isdigit():
        return str(int(number))
    if number in _CN_NUMERALS:
        return str(_CN_NUMERALS.index(number) + 1)
    return number


def similarity(a: str, b: str) -> float:
    """0..1 similarity of two label contents; a cut-short label still scores well."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    if min(len(a), len(b)) >= 3 and (a in b or b in a):
        ratio = max(ratio, 0.75 + 0.2 * min(len(a), len(b)) / max(len(a), len(b)))
    return ratio


@dataclass(frozen=True)
class Candidate:
    key: str
    labels: tuple[str, ...]  # official label first, then aliases


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    runner_up: float = 0.0  # the best score of any other key

    @property
    def certainty(self) -> float:
        """1.0 when the label is clearly this one: close to it, or far ahead of the rest."""
        if self.score >= SURE or (self.score >= 0.7 and self.score - self.runner_up >= 0.25):
            return 1.0
        return self.score


SURE = 0.85


def best_match(
    text: str, candidates: Iterable[Candidate], threshold: float = 0.6, margin: float = 0.05
) -> Match | None:
    """The candidate whose label the text most resembles, or None when unsure.

    None also when the runner-up scores within `margin`: a guess between two rows is
    worse than no match, because no match gets flagged.
    """
    return _best_match(text, tuple(candidates), threshold, margin)


@lru_cache(maxsize=16384)
def _best_match(
    text: str, candidates: tuple[Candidate, ...], threshold: float, margin: float
) -> Match | None:
    number, _ = split_numbering(text)
    mine = content(text)
    if not mine:
        return None
    scored: list[Match] = []
    for cand in candidates:
        best = 0.0
        for label in cand.labels:
            score = similarity(mine, content(label))
            cand_number, _ = split_numbering(label)
            if number and cand_number:
                score += 0.03 if number == cand_number else -0.1
            best = max(best, score)
        scored.append(Match(cand.key, best))
    if not scored:
        return None
    scored.sort(key=lambda m: m.score, reverse=True)
    top = scored[0]
    if top.score < threshold:
        return None
    runner_up = next((m.score for m in scored[1:] if m.key != top.key), 0.0)
    if top.score - runner_up < margin:
        return None
    if _names_two_rows(text, candidates, top.score, margin):
        return None
    return Match(top.key, min(top.score, 1.0), runner_up)


def _names_two_rows(text: str, candidates: tuple[Candidate, ...], whole: float,
                    margin: float) -> bool:
    """Two lines of one label cell that each name a different row at least as well as the
    whole cell names any (规章 / 规范性文件 read as one cell beside two rows' values): the
    cell is two rows' labels, and matching it as a whole would give one row's values to
    the other. (A label wrapped over lines names its row far better whole than a piece
    of it, 复申请, names another.)"""
    lines = [line for line in text.split("\n") if len(content(line)) >= 2]
    if len(lines) < 2:
        return False
    named = {m.key for line in lines
             if (m := _best_match(line, candidates, whole, margin)) is not None}
    return len(named) > 1
