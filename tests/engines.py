"""What the OCR tests that print their own crops share: the font they print with, a skip
when it or an engine is missing, and a real engine that counts the crops it is given
(tests of how much is read, where the reading itself must stay the real one)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extractor.ocr import available_engines
from extractor.ocr.engines import get_engine

FONT = Path("/usr/share/fonts/truetype/arphic/uming.ttc")  # AR PL UMing, a Song face


def skip_unless_ready(*engines: str) -> None:
    """Skip the test when the font or one of the named engines is not installed."""
    if not FONT.exists():
        pytest.skip("AR PL UMing (fonts-arphic-uming) not installed")
    for name in engines:
        if name not in available_engines():
            pytest.skip(f"{name} not installed")


class CountingEngine:
    """A real engine (by name), counting the crops it is given: all, and of each kind."""

    def __init__(self, name: str) -> None:
        self.engine = get_engine(name)
        self.name = self.engine.name
        self.crops = 0
        self.of_kind: Counter[str] = Counter()

    def read(self, crops, kind):  # noqa: ANN001, ANN201 - the OcrEngine protocol's
        self.crops += len(crops)
        self.of_kind[kind] += len(crops)
        return self.engine.read(crops, kind)
