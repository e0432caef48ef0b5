"""Exports read back (pandas, openpyxl, json) equal the database, with the right types."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from extractor.cli_batch import main as cli
from extractor.crosscheck import run_cross_checks
from extractor.export import FLAGGED_FILL, REVIEWED_FILL, canonical_key_order, export
from extractor.store import Store
from tests.test_store import truth_result

REVIEWED_KEY = "applications.granted.natural_person"


@pytest.fixture
def db(db_url: str) -> str:
    """Three real reports (one with source errors), a continuity break, a review; on SQLite
    and on a real PostgreSQL server."""
    path = db_url
    later = truth_result("pingtan_2025", **{"applications.carried_over.total": 5})
    with Store(path) as store:
        store.save_result(truth_result("hzq2023"), ["in/hzq2023.pdf", "in/copy.pdf"])
        store.save_result(truth_result("pingtan_2024"))
        store.save_result(later)
        run_cross_checks(store)
        store.add_review(later.document.sha256, REVIEWED_KEY, 77, "alice", "recount")
    return path


def expected_values(db: str) -> dict[tuple[str, str], int | float | None]:
    with Store(db) as store:
        return {
            (d.sha256, cell.key): cell.value
            for d in store.load_documents()
            for cell, _ in d.effective_cells()
        }


def _same(a: object, b: object) -> bool:
    if b is None:
        return a is None or pd.isna(a)
    return a == b and type(a) is type(b)


def test_csv_round_trip(db: str, tmp_path: Path) -> None:
    long_path, wide_path = export(db, tmp_path / "out.csv", "csv")
    truth = expected_values(db)
    long = pd.read_csv(long_path, dtype_backend="numpy_nullable", dtype={"value": "string"})
    assert len(long) == len(truth)
    for row in long.itertuples():
        want = truth[(row.sha256, row.key)]
        text = row.value
        assert (None if pd.isna(text) else (float(text) if "." in text else int(text))) == want
        if isinstance(want, int):
            assert "." not in text  # an integer is written as one
    wide = pd.read_csv(wide_path, dtype_backend="numpy_nullable")
    assert str(wide["applications.new_received.total"].dtype) == "Int64"
    assert str(wide["disclosure.fees.amount"].dtype) == "Float64"
    for row in wide.to_dict("records"):
        for key in canonical_key_order():
            if (row["sha256"], key) in truth:
                want = truth[(row["sha256"], key)]
                got = row[key]
                assert pd.isna(got) if want is None else got == want, key


def test_parquet_round_trip_with_nullable_ints(db: str, tmp_path: Path) -> None:
    long_path, wide_path = export(db, tmp_path / "out.parquet", "parquet")
    truth = expected_values(db)
    wide = pd.read_parquet(wide_path)
    count_column = wide["applications.total.total"]
    assert str(count_column.dtype) == "Int64"
    assert str(wide["disclosure.fees.amount"].dtype) == "Float64"
    for row in wide.to_dict("records"):
        for key in wide.columns:
            if (row["sha256"], key) in truth:
                want = truth[(row["sha256"], key)]
                got = row[key]
                assert pd.isna(got) if want is None else got == want, key
    long = pd.read_parquet(long_path)
    assert str(long["value_int"].dtype) == "Int64"
    for row in long.to_dict("records"):
        want = truth[(row["sha256"], row["key"])]
        if isinstance(want, int):
            assert row["value_int"] == want
        elif want is None:
            assert pd.isna(row["value"])
        else:
            assert row["value"] == want and pd.isna(row["value_int"])
    reviewed = long[long["reviewed_by"].notna()].iloc[0]
    assert (reviewed["key"], reviewed["value_int"], reviewed["source"]) == (
        REVIEWED_KEY,
        77,
        "review",
    )
    assert reviewed["original_value"] != 77


def test_xlsx_types_highlights_and_checks_sheet(db: str, tmp_path: Path) -> None:
    (path,) = export(db, tmp_path / "out.xlsx", "xlsx")
    truth = expected_values(db)
    book = load_workbook(path)
    assert book.sheetnames == ["wide", "long", "checks"]
    wide = book["wide"]
    header = [c.value for c in wide[1]]
    sha_col = header.index("sha256")
    fills: dict[str, set[str]] = {"flagged": set(), "reviewed": set()}
    for row in wide.iter_rows(min_row=2):
        sha = row[sha_col].value
        for name, cell in zip(header, row, strict=True):
            if (sha, name) not in truth:
                continue
            want = truth[(sha, name)]
            assert cell.value == want and type(cell.value) is type(want), name  # None stays empty
            colour = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
            if colour and colour.endswith(FLAGGED_FILL):
                fills["flagged"].add(name)
            if colour and colour.endswith(REVIEWED_FILL):
                fills["reviewed"].add(name)
    assert fills["reviewed"] == {REVIEWED_KEY}
    assert "applications.carried_over.total" in fills["flagged"]  # the continuity break
    assert "appeals.review.total" in fills["flagged"]  # hzq2023's real source error
    checks = list(book["checks"].iter_rows(values_only=True))
    rules = {row[4] for row in checks[1:]}
    assert rules == {"appeals.group_total", "applications.carryover_continuity"}
    continuity = next(r for r in checks[1:] if r[4] == "applications.carryover_continuity")
    assert continuity[-1] == "in/pingtan_2024.html"  # compared with last year's report
    long_rows = list(book["long"].iter_rows(min_row=2, values_only=True))
    assert len(long_rows) == len(truth)


def test_jsonl_follows_the_result_contract_with_review_provenance(db: str, tmp_path: Path) -> None:
    (path,) = export(db, tmp_path / "out.jsonl", "jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3
    for doc in lines:
        assert set(doc) >= {"document", "report", "status", "error", "cells", "checks"}
    pingtan = next(d for d in lines if d["report"]["year"] == 2025)
    cell = next(c for c in pingtan["cells"] if c["key"] == REVIEWED_KEY)
    assert cell["value"] == 77 and cell["source"] == "review"
    assert cell["review"]["reviewer"] == "alice" and cell["review"]["original_source"] == "html"
    hzq = next(d for d in lines if d["report"]["year"] == 2023)
    assert hzq["document"]["paths"] == ["in/hzq2023.pdf", "in/copy.pdf"]
    amount = next(c for c in hzq["cells"] if c["key"] == "disclosure.fees.amount")
    assert amount["value"] == 7730.28


def test_filters_and_the_command_line(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "f.jsonl"
    for args, years in (
        (["--year", "2024"], {2024}),
        (["--agency", "平潭"], {2024, 2025}),
        (["--status", "needs_review"], {2023, 2025}),
    ):
        result = runner.invoke(
            cli, ["export", "--db", str(db), "--format", "jsonl", "--out", str(out), *args]
        )
        assert result.exit_code == 0, result.output
        lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        assert {d["report"]["year"] for d in lines} == years, args
