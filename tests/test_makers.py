"""The three makers of samples/makers.py: each PDF carries the truth's printed values inside
its tables, the truth is the same for every maker and every run, the web page parses.

Real programs: LibreOffice headless and Debian Chromium (skipped where not installed).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest

from samples.garble import garble_pdf
from samples.generate import Job, build, run_job
from samples.makers import MAKERS

# pinned so each run covers a landscape table 三 (Word), a repeated header and 2019 tables
OVERRIDES = {"year": 2020, "landscape_applications": True, "repeat_header": True,
             "keep_tables_together": False, "errors": []}
SEED = "test-makers/1"
_NEEDS = {"word": "soffice", "browser": "chromium"}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def _installed(maker: str) -> bool:
    return maker not in _NEEDS or shutil.which(_NEEDS[maker]) is not None


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    out = tmp_path_factory.mktemp("makers")
    docs = {}
    for maker in MAKERS:
        if not _installed(maker):
            continue
        record = run_job(Job("text", f"doc-{maker}", SEED, OVERRIDES, maker=maker), out)
        docs[maker] = (out / "text" / record["file"], record)
    return docs


def _numbers(text: str) -> Counter:
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.translate(_FULLWIDTH))
    return Counter(round(float(n), 2) for n in _NUMBER.findall(text))


def _table_text(pdf: Path, record: dict) -> str:
    """The text inside the boxes where the truth says the tables are."""
    parts = []
    with pdfplumber.open(pdf) as doc:
        for info in record["variant"]["tables"].values():
            for page, x0, top, x1, bottom in info["boxes"]:
                region = doc.pages[int(page) - 1].crop((x0 - 1, top - 1, x1 + 1, bottom + 1))
                parts.append(region.extract_text() or "")
    return "\n".join(parts)


@pytest.mark.parametrize("maker", MAKERS)
def test_every_printed_value_is_in_the_tables_text(made, maker: str) -> None:
    if maker not in made:
        pytest.skip(f"{_NEEDS[maker]} is not installed")
    pdf, record = made[maker]
    assert record["maker"] == maker and record["variant"]["maker"] == maker
    found = _numbers(_table_text(pdf, record))
    wanted = Counter(round(float(v), 2) for v in record["cells"].values() if v is not None)
    assert sum(wanted.values()) > 20
    missing = {n: c - found[n] for n, c in wanted.items() if found[n] < c}
    assert not missing, f"{maker}: values not printed inside the tables: {missing}"
    # the three tables were found where they are, table 三 over more than one page
    assert set(record["variant"]["tables"]) == {"disclosure", "applications", "appeals"}


def test_same_report_whoever_makes_it(made) -> None:
    records = [record for _, record in made.values()]
    assert len(records) >= 1
    v, cells = build(SEED, OVERRIDES)
    for record in records:
        assert record["cells"] == {k: cells[k].value for k in v.layout_keys()}
        assert record["agency"] == v.agency and record["year"] == v.year
        assert record["source_errors"] == records[0]["source_errors"]


def test_truth_and_sources_are_deterministic(tmp_path: Path) -> None:
    """Same seed, same truth; the .docx and .html the makers print are byte-identical."""
    runs = []
    for run in ("a", "b"):
        out = tmp_path / run
        html = run_job(Job("html", "page", SEED, OVERRIDES, maker="browser"), out)
        docx = run_job(Job("docx", "word", SEED, OVERRIDES, maker="word"), out)
        runs.append((html, docx, (out / "html" / "page.html").read_bytes(),
                     (out / "docx" / "word.docx").read_bytes()))
    assert runs[0] == runs[1]
    html, docx = runs[0][0], runs[0][1]
    assert html["cells"] == docx["cells"] and html["maker"] == "browser"
    assert docx["maker"] == "word" and docx["variant"]["docx_style"] == "word"


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).replace("\xa0", "").strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_html_sample_parses(tmp_path: Path) -> None:
    record = run_job(Job("html", "page", SEED, OVERRIDES, maker="browser"), tmp_path)
    parser = _Tables()
    parser.feed((tmp_path / "html" / record["file"]).read_text(encoding="utf-8"))
    assert len(parser.tables) == 3
    cells = [c for table in parser.tables for row in table for c in row]
    found = _numbers("\n".join(cells))
    wanted = Counter(round(float(v), 2) for v in record["cells"].values() if v is not None)
    assert not {n for n, c in wanted.items() if found[n] < c}
    assert parser.tables[1][0][0].startswith("（本列数据的勾稽关系为")


@pytest.mark.parametrize("maker", ["word", "browser"])
def test_garbled_pdf_of_another_maker_reads_as_nonsense(made, maker: str, tmp_path) -> None:
    if maker not in made:
        pytest.skip(f"{_NEEDS[maker]} is not installed")
    pdf, record = made[maker]
    for mode in ("shuffled", "private"):  # "missing" is "private" for these makers
        copy = tmp_path / f"{mode}.pdf"
        shutil.copyfile(pdf, copy)
        garble_pdf(copy, mode)
        with pdfplumber.open(copy) as doc:
            assert doc.pages[0].chars, "the glyphs must still be there"
            text = "".join(page.extract_text() or "" for page in doc.pages)
        for word in ("政府信息", "总计", str(record["year"])):
            assert word not in text, (maker, mode, word)
