"""A text layer that looks right but says nothing: the pages are read again by OCR.

The PDF is drawn by the sample generator with a ToUnicode map that *permutes* each font
subset's own characters (a shuffled CMap as some PDF printers write): the text decodes to
common hanzi and digits, so `trust.py` trusts it, but no heading or label can be read.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from extractor.evaluate import score
from extractor.pipeline import extract_document
from extractor.sources.load import read_source

pytest.importorskip("extractor.ocr")

_BFCHAR = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{4})>")


class PermutedCMapFont(TTFont):
    """A TTFont whose ToUnicode maps each code to another character of the same subset."""

    def addObjects(self, doc) -> None:  # noqa: N802 (reportlab's name)
        before = set(doc.idToObject)
        super().addObjects(doc)
        for name in sorted(set(doc.idToObject) - before):
            if name.startswith("toUnicodeCMap:"):
                stream = doc.idToObject[name]
                entries = _BFCHAR.findall(stream.content)
                targets = [u for _, u in entries]
                random.Random(name).shuffle(targets)
                mapping = dict(zip((c for c, _ in entries), targets, strict=True))
                stream.content = _BFCHAR.sub(
                    lambda m, to=mapping: f"<{m.group(1)}> <{to[m.group(1)]}>", stream.content)


def _register_permuted() -> str:
    from samples import fonts

    prefix = "permuted-"
    for font_id, (path, index) in fonts.FONTS.items():
        name = prefix + font_id
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics._fonts[name] = PermutedCMapFont(
                name, str(fonts.FONT_DIR / path), subfontIndex=index, asciiReadable=False)
        fonts.register(font_id, prefix)
    return prefix


def _permuted_report(tmp_path: Path, seed: str, **pins) -> tuple[Path, dict]:
    from samples.generate import build, truth
    from samples.render import render_report

    v, cells = build(seed, pins)
    pdf = tmp_path / "permuted.pdf"
    pages = render_report(pdf, v, cells, random.Random(f"{seed}/render"),
                          font_prefix=_register_permuted())
    return pdf, truth(v, cells, pdf.name, "garbled", pages)


@pytest.fixture(scope="module")
def permuted_2019(tmp_path_factory) -> tuple[Path, dict]:
    return _permuted_report(tmp_path_factory.mktemp("permuted"), "ocr-fallback/2019",
                            year=2019, keep_tables_together=True)


def test_permuted_text_layer_is_trusted_yet_says_nothing(permuted_2019):
    """The premise: the text layer passes the trust check, and gives no table heading."""
    pdf, _ = permuted_2019
    source = read_source(pdf)
    assert source.kind == "text"
    assert "收到和处理政府信息公开申请" not in "".join(p.text for p in source.pages)


def test_trusted_text_layer_without_tables_is_read_by_ocr(permuted_2019):
    pdf, truth = permuted_2019
    result = extract_document(pdf)
    assert result.status != "failed", result.error
    assert result.document.kind in ("scan", "mixed")
    assert any("read by OCR" in w for w in result.warnings)
    s = score(result, truth)
    assert not s.silent_errors
    assert s.correct >= 0.995 * s.cells, s.wrong
    assert result.report.year == 2019 and result.report.format == "2019"


def test_only_pages_that_could_hold_a_table_are_read_again():
    """A long PDF with no table grid anywhere (minutes, a law) is not OCR'd page by page to
    find nothing; a short one is, and of a long one the pages with a grid and the title."""
    from extractor.grid import Grid
    from extractor.sources.base import PageContent, SourceDocument
    from extractor.sources.reread import MAX_PAGES_READ_WHOLE, pages_to_reread

    def document(pages: int, gridded: set[int] = frozenset()) -> SourceDocument:
        def grids(n: int) -> list[Grid]:  # every page has aligned text rows; some a ruled grid
            aligned = Grid(page=n, cells=[], n_rows=1, n_cols=1, method="aligned")
            ruled = Grid(page=n, cells=[], n_rows=0, n_cols=0, method="ruled")
            return [aligned, ruled] if n in gridded else [aligned]

        pages_ = [PageContent(number=n, grids=grids(n)) for n in range(1, pages + 1)]
        return SourceDocument(kind="text", pages=pages_, page_count=pages)

    long_prose = document(MAX_PAGES_READ_WHOLE + 1)
    assert pages_to_reread(long_prose, set(), tables_missing=True) == []
    short_prose = document(6)
    assert pages_to_reread(short_prose, set(), tables_missing=True) == [1, 2, 3, 4, 5, 6]
    long_with_grid = document(40, gridded={7, 9})
    assert pages_to_reread(long_with_grid, set(), tables_missing=True) == [1, 7, 9]
    found_some = document(8, gridded={3})
    assert pages_to_reread(found_some, {3}, tables_missing=True) == []
    assert pages_to_reread(document(8, gridded={4}), {3}, tables_missing=True) == [
        1, 2, 4, 5, 6, 7, 8]
    assert pages_to_reread(short_prose, set(), tables_missing=False) == []
