"""The results database: exact values, one transaction per document, versions, continuity."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from extractor.crosscheck import REASON, RULE, run_cross_checks
from extractor.store import LATEST_VERSION, Store, normalise_agency
from extractor.store import tables as t
from extractor.store.migrations import SchemaTooNewError, migrate
from models.result import Cell, Check, DocumentInfo, DocumentResult, ReportInfo
from tests.servers import query

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "samples" / "real"


def truth_result(name: str, **changes: object) -> DocumentResult:
    """A DocumentResult holding a real report's true values (what a perfect extractor gives).

    `changes` overrides cell values by key, to make a report disagree with another.
    """
    truth = json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))
    values = {**truth["cells"], **changes}
    cells = [
        Cell(
            key=key,
            value=value,
            raw="" if value is None else str(value),
            confidence=0.97,
            page=1,
            bbox=(1.5, 2.25, 30.0, 40.125),
            source="html" if truth["kind"] == "html" else "text",
        )
        for key, value in values.items()
    ]
    checks = [
        Check(
            rule=e["rule"],
            scope=e["scope"],
            ok=False,
            expected=11,
            actual=0,
            keys=e["keys"],
            blame="source",
        )
        for e in truth["source_errors"]
    ]
    for check in checks:
        for cell in cells:
            if cell.key in check.keys:
                cell.flag(f"rule:{check.rule}")
    sha = hashlib.sha256(json.dumps([name, sorted(changes.items())]).encode()).hexdigest()
    return DocumentResult(
        document=DocumentInfo(path=f"in/{truth['file']}", sha256=sha, pages=5, kind=truth["kind"]),
        report=ReportInfo(agency=truth["agency"], year=truth["year"], format=truth["format"]),
        status="needs_review" if checks else "ok",
        cells=cells,
        checks=checks,
        timings={"read": 0.5, "total": 0.75},
    )


@pytest.fixture
def db(db_url: str) -> str:
    """Each store test runs on SQLite and on a real PostgreSQL server."""
    return db_url


def test_round_trip_keeps_ints_decimals_nulls_and_provenance(db: str) -> None:
    result = truth_result("hzq2023")
    result.cells[0].suggested = 3
    result.cells[1].value = None
    result.cells[1].flag("missing")
    with Store(db) as store:
        store.save_result(result, ["in/a.pdf", "in/b.pdf"], seconds=1.25)
        (doc,) = store.load_documents()
    assert doc.paths == ["in/a.pdf", "in/b.pdf"]
    assert doc.seconds == 1.25
    back = doc.result
    assert back.report == result.report and back.status == result.status
    assert back.timings == result.timings
    assert [c.model_dump() for c in back.cells] == [c.model_dump() for c in result.cells]
    assert [c.model_dump() for c in back.checks] == [c.model_dump() for c in result.checks]
    amount = back.cell_map()["disclosure.fees.amount"]
    assert amount.value == 7730.28 and isinstance(amount.value, float)
    count = back.cell_map()["applications.new_received.total"]
    assert isinstance(count.value, int)
    sql = "select value_int, value_dec from cells where key = 'disclosure.fees.amount'"
    (raw,) = query(db, sql)
    assert raw == (None, "7730.28")  # the decimal is stored as its text, not as a float


def test_a_document_is_written_whole_or_not_at_all(db: str) -> None:
    good = truth_result("pingtan_2024")
    bad = truth_result("pingtan_2025")
    bad.cells.append(bad.cells[0].model_copy())  # a duplicate key violates a constraint
    with Store(db) as store:
        store.save_result(good)
        with pytest.raises(IntegrityError):
            store.save_result(bad)
        assert len(store.load_documents()) == 1
    assert query(db, "select count(*) from cells") == [(len(good.cells),)]
    assert query(db, "select count(*) from document_paths") == [(1,)]


def test_saving_again_replaces_cells_keeps_id_paths_and_reviews(db: str) -> None:
    first = truth_result("pingtan_2024")
    with Store(db) as store:
        doc_id = store.save_result(first, ["x/one.html"])
        store.add_review(first.document.sha256, "disclosure.fees.amount", 18651.6, "alice", "typo")
        again = first.model_copy(deep=True)
        again.cells = again.cells[:10]
        assert store.save_result(again, ["x/two.html"]) == doc_id
        (doc,) = store.load_documents()
    assert len(doc.result.cells) == 10
    assert doc.paths == ["x/one.html", "x/two.html"]
    review = doc.reviews["disclosure.fees.amount"]
    assert (review.reviewer, review.old_value, review.new_value) == ("alice", 18651.06, 18651.6)
    effective = {c.key: (c, r) for c, r in doc.effective_cells()}
    cell, _ = effective["disclosure.fees.amount"]
    assert (cell.value, cell.source, cell.flagged) == (18651.6, "review", False)


def test_schema_version_wal_and_migrations_are_idempotent(db: str) -> None:
    with Store(db) as store:
        assert store.version == LATEST_VERSION
        assert migrate(store.engine) == LATEST_VERSION
        with store.engine.connect() as conn:
            versions = conn.execute(select(t.schema_version.c.version)).scalars().all()
    assert versions == list(range(1, LATEST_VERSION + 1))
    if "://" not in db:
        assert query(db, "pragma journal_mode") == [("wal",)]


def test_a_database_from_a_newer_tool_is_refused(db: str) -> None:
    with Store(db) as store, store.engine.begin() as conn:
        conn.execute(
            insert(t.schema_version).values(
                version=LATEST_VERSION + 1, applied_at=datetime.now(UTC), description="future"
            )
        )
    with pytest.raises(SchemaTooNewError):
        Store(db)


def test_agency_names_are_normalised() -> None:
    assert normalise_agency(" 平潭综合实验区（管委会） ") == "平潭综合实验区管理委员会"
    assert normalise_agency("2023年度洪泽区人民政府") == "洪泽区人民政府"
    assert normalise_agency("洪泽区人民政府办公室") != normalise_agency("洪泽区人民政府")
    assert normalise_agency("") is None


def test_continuity_holds_for_the_real_pingtan_pair(db: str) -> None:
    with Store(db) as store:
        earlier = store.save_result(truth_result("pingtan_2024"))
        later = store.save_result(truth_result("pingtan_2025"))
        assert run_cross_checks(store) == 0
        docs = {d.id: d for d in store.load_documents()}
    assert docs[earlier].cross_checks == []
    checks = docs[later].cross_checks
    assert {c.scope for c, _ in checks} == {
        "natural_person",
        "commercial",
        "research",
        "nonprofit",
        "legal_service",
        "other_org",
        "total",
    }
    assert all(c.ok and c.rule == RULE and related == earlier for c, related in checks)
    assert docs[later].result.status == "ok"


def test_a_continuity_break_is_a_failed_check_and_a_flag_until_reviewed(db: str) -> None:
    later_result = truth_result(
        "pingtan_2025",
        **{"applications.carried_over.natural_person": 4, "applications.carried_over.total": 4},
    )
    later_result.report.agency = "平潭综合实验区 "  # printed differently; same body
    with Store(db) as store:
        store.save_result(truth_result("pingtan_2024"))
        later = store.save_result(later_result)
        assert run_cross_checks(store) == 2
        doc = next(d for d in store.load_documents() if d.id == later)
        failed = {c.scope: c for c, _ in doc.cross_checks if not c.ok}
        assert set(failed) == {"natural_person", "total"}
        assert (failed["total"].expected, failed["total"].actual) == (0, 4)
        assert failed["total"].keys == [
            "applications.carried_over.total",
            "applications.carried_forward.total",
        ]
        cell = doc.result.cell_map()["applications.carried_over.total"]
        assert cell.flagged and REASON in cell.reasons
        assert doc.result.status == "needs_review"

        for key in ("applications.carried_over.natural_person", "applications.carried_over.total"):
            store.add_review(later_result.document.sha256, key, 0, "bob", "misprint")
        assert run_cross_checks(store) == 0
        doc = next(d for d in store.load_documents() if d.id == later)
    cell = doc.result.cell_map()["applications.carried_over.total"]
    assert not cell.flagged and REASON not in cell.reasons
    assert doc.result.status == "reviewed"  # a person decided the cells: not merely "ok"


_OPEN_WHEN_TOLD = """
import sys, time
from pathlib import Path
from extractor.store import Store
db, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.001)
with Store(db) as store:
    print(store.version)
"""


def _open_at_once(db: str, folder: Path, processes: int = 4) -> list[subprocess.CompletedProcess]:
    """Start `processes` interpreters that all open the new database `db` at the same moment."""
    folder.mkdir()
    go = folder / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_WHEN_TOLD, db, str(folder / f"ready{i}"), str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    deadline = time.monotonic() + 120
    while len(list(folder.glob("ready*"))) < processes and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    return [
        subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate()) for p in procs
    ]


def test_four_processes_opening_a_new_database_at_once_all_succeed(
    tmp_path: Path, db_url: str, request: pytest.FixtureRequest
) -> None:
    """The known collision: tables created by several processes at once (3 rounds)."""
    for round_ in range(3):
        if round_ == 0:
            db = db_url
        elif "://" in db_url:
            db = request.getfixturevalue("postgres_server").new_database()
        else:
            db = str(tmp_path / f"round{round_}.sqlite")
        done = _open_at_once(db, tmp_path / f"round{round_}")
        assert [(p.returncode, p.stderr[-300:]) for p in done] == [(0, "")] * 4
        assert {p.stdout.strip() for p in done} == {str(LATEST_VERSION)}
        versions = query(db, "select version from schema_version order by version")
        assert versions == [(v,) for v in range(1, LATEST_VERSION + 1)]  # each applied once
