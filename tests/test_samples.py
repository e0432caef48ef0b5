"""The sample generator: deterministic, truth files consistent with their layout and with the
arithmetic rules, and text layers that carry the truth's numbers."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from models.schema import Layout, layout_keys
from samples import rules
from samples.generate import Job, build, run_job, truth
from samples.presets import committed_jobs

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "samples" / "generated"
REAL = ROOT / "samples" / "real"


def _truths(kind_dir: str | None = None) -> list[Path]:
    dirs = [kind_dir] if kind_dir else ["text", "garbled", "scan"]
    return sorted(p for d in dirs for p in (GENERATED / d).glob("*.json"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _as_set(failures: list[dict]) -> set[tuple]:
    return {(f["rule"], f["scope"], tuple(f["keys"])) for f in failures}


ALL = _truths()


def test_committed_set_is_present() -> None:
    assert len(_truths("text")) >= 16
    assert len(_truths("garbled")) >= 3
    assert len(_truths("scan")) >= 10
    for path in ALL:
        assert (path.parent / _load(path)["file"]).is_file()


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_truth_keys_equal_layout_keys(path: Path) -> None:
    t = _load(path)
    v = t["variant"]
    layout = Layout(
        format=t["format"],
        other_single_row=v["other_single_row"],
        subtotal_groups=tuple(v["subtotal_groups"]),
        org_subtotal=v["org_subtotal"],
    )
    assert list(t["cells"]) == layout_keys(layout)
    for key, value in t["cells"].items():
        assert value is None or isinstance(value, int | float), key
        if isinstance(value, float):
            assert round(value, 2) == value


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_values_break_exactly_the_recorded_rules(path: Path) -> None:
    t = _load(path)
    assert _as_set(rules.check(t["cells"])) == _as_set(t["source_errors"])
    assert bool(t["source_errors"]) == bool(t["variant"]["errors"])


def test_rule_check_agrees_with_real_truth_files() -> None:
    """The checker, written from the spec alone, finds what people found in real reports."""
    paths = sorted(REAL.glob("*.json")) if REAL.is_dir() else []
    assert paths, "samples/real holds the real reports"
    for path in paths:
        t = _load(path)
        assert _as_set(rules.check(t["cells"])) == _as_set(t["source_errors"]), path.name


def test_rule_check_finds_a_broken_total() -> None:
    t = _load(_truths("text")[0])
    cells = dict(t["cells"])
    assert not rules.check(cells)
    key = "applications.total.natural_person"
    cells[key] = (cells[key] or 0) + 1
    found = {(f["rule"], f["scope"]) for f in rules.check(cells)}
    assert found == {
        ("applications.balance", "natural_person"),
        ("applications.results_sum", "natural_person"),
        ("applications.row_total", "total"),
    }


def test_committed_set_covers_the_variants() -> None:
    text = [_load(p) for p in _truths("text")]
    variants = [t["variant"] for t in text]
    assert {t["format"] for t in text} == {"2019", "2021"}
    assert sum(bool(t["source_errors"]) for t in text) >= 3
    assert sum(v["rules"] == "none" for v in variants) >= 2
    splits = [tb for v in variants for tb in v["tables"].values() if tb["split"]]
    assert len({id(v) for v in variants if any(tb["split"] for tb in v["tables"].values())}) >= 3
    assert {tb["repeated_header"] for tb in splits} == {True, False}
    assert any(v["landscape_applications"] for v in variants)
    assert any(t["format"] == "2021" and t["variant"]["other_single_row"] for t in text)
    assert any(t["format"] == "2021" and not t["variant"]["other_single_row"] for t in text)
    assert {g for v in variants for g in v["subtotal_groups"]} == {
        "denied",
        "unavailable",
        "not_processed",
        "other",
    }
    assert {v["subtotal_position"] for v in variants if v["subtotal_groups"]} >= {
        "after",
        "before",
        "label_row",
    }
    assert any(v["org_subtotal"] for v in variants)
    styles = {s for v in variants for s in v["zero_style"].values()}
    assert styles >= {"0", "", "-", "—", "/", "－", "无"}
    assert {v["level"] for v in variants} == {
        "ministry",
        "province",
        "city",
        "county",
        "township",
        "bureau",
    }
    assert {t["year"] for t in text} == set(range(2019, 2026))
    assert {v["label_noise"] for v in variants} == {"none", "spaces", "cut"}
    assert {v["numbering"] for v in variants} >= {"1.", "1、", "（1）"}
    assert any(v["fullwidth"] for v in variants) and any(v["thousands"] for v in variants)
    assert {v["amount_unit"] for v in variants} == {"", "万元", "元"}
    assert any((t["cells"].get(k) or 0) < 0 for t in text for k in t["cells"] if "change" in k)
    scans = [_load(p) for p in _truths("scan")]
    assert {s["dpi"] for s in scans} == {150, 200, 300}
    assert {s["variant"]["scan"]["format"] for s in scans} == {"pdf", "tiff", "png", "jpeg"}
    garbled = [_load(p) for p in _truths("garbled")]
    assert {g["variant"]["garble"] for g in garbled} == {"shuffled", "private", "missing"}
    # reports as agencies make them: exported from Word, printed by a browser, and scans of them
    assert {t["maker"] for t in text} == {"reportlab", "word", "browser"}
    assert {s["maker"] for s in scans} == {"reportlab", "word", "browser"}


_FULLWIDTH = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _numbers_in(pdf: Path) -> Counter:
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    text = text.translate(_FULLWIDTH)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return Counter(round(float(n), 2) for n in _NUMBER.findall(text))


@pytest.mark.parametrize("path", _truths("text"), ids=lambda p: p.stem)
def test_text_layer_holds_the_truth_numbers(path: Path) -> None:
    t = _load(path)
    found = _numbers_in(path.parent / t["file"])
    wanted = Counter(round(float(v), 2) for v in t["cells"].values() if v is not None)
    missing = {n: c for n, c in wanted.items() if found[n] < c}
    assert not missing


def test_garbled_text_layer_is_nonsense() -> None:
    for path in _truths("garbled"):
        t = _load(path)
        with pdfplumber.open(path.parent / t["file"]) as doc:
            text = "".join(page.extract_text() or "" for page in doc.pages)
            assert doc.pages[0].chars, "the glyphs must still be there"
        for word in ("政府信息", "行政许可", "总计", str(t["year"])):
            assert word not in text, (path.name, word)


def _small_jobs() -> list[Job]:
    by_kind = {}
    for job in committed_jobs():
        by_kind.setdefault(job.kind, job)
    scan = Job("scan", "det-scan", "det/scan", {"year": 2022}, {"dpi": 150, "profile": "poor"})
    return [by_kind["text"], by_kind["garbled"], scan]


def test_generation_is_deterministic(tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        for job in _small_jobs():
            run_job(job, out)
        outputs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 6


def test_committed_text_truths_are_up_to_date(tmp_path: Path) -> None:
    for job in committed_jobs():
        if job.kind != "text":
            continue
        if job.maker != "reportlab":  # the truth does not depend on the maker: no LibreOffice
            v, cells = build(job.seed, job.overrides)
            fresh = truth(v, cells, "", "text", 0)
        else:
            fresh = run_job(job, tmp_path)
        committed = _load(GENERATED / "text" / f"{job.name}.json")
        assert fresh["cells"] == committed["cells"], job.name
        assert fresh["source_errors"] == committed["source_errors"], job.name
