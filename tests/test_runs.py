"""The runner fed one file at a time (as a watch folder does), on the real local pool."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from extractor.runs import Outcome, Runner
from extractor.runs.local import LocalPool
from extractor.store import Store

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "samples" / "real"


def test_files_fed_one_at_a_time_are_each_reported_once_committed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a = shutil.copy(REAL / "pingtan_2024.html", inbox / "a.html")
    b = shutil.copy(REAL / "pingtan_2025.html", inbox / "b.html")
    same_as_a = shutil.copy(REAL / "pingtan_2024.html", inbox / "a-again.html")
    db = tmp_path / "r.sqlite"
    seen: list[Outcome] = []

    def committed(outcome: Outcome) -> None:
        # called after the transaction: another connection already sees the document
        if outcome.document_id is not None:
            with Store(db) as other:
                ids = {d.id for d in other.load_documents()}
            assert outcome.document_id in ids
        seen.append(outcome)

    with Store(db) as store:
        with Runner(store, LocalPool(jobs=1), on_done=committed) as runner:
            runner.submit_path(a)
            runner.submit_path(b)
            deadline = time.monotonic() + 120
            while runner.unfinished and time.monotonic() < deadline:
                runner.poll(0.2)
            assert not runner.unfinished
            runner.submit_path(same_as_a)  # content already stored: settled at once
            runner.submit_path(inbox / "missing.html")  # cannot be read: failed, not raised
            later = runner.poll(0.2)
        docs = {d.id: d for d in store.load_documents()}
    extracted = [o for o in seen if o.result is not None]
    assert sorted(Path(o.item.path).name for o in extracted) == ["a.html", "b.html"]
    assert all(o.status in ("ok", "needs_review") for o in extracted)
    assert len(docs) == 2 and {o.document_id for o in extracted} == set(docs)
    again, missing = later
    assert again.already_stored and again.document_id == extracted[0].document_id
    assert sorted(Path(p).name for p in docs[again.document_id].paths) == ["a-again.html", "a.html"]
    assert missing.document_id is None and missing.status == "failed"
    assert "cannot read" in (missing.error or "")


def test_stop_finishes_the_documents_in_progress(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    page = (REAL / "pingtan_2024.html").read_bytes()
    for i in range(6):
        (inbox / f"r{i}.html").write_bytes(page + f"<!-- {i} -->".encode())
    db = tmp_path / "r.sqlite"
    seen: list[Outcome] = []
    with Store(db) as store:
        runner = Runner(store, LocalPool(jobs=1), on_done=seen.append)
        for path in sorted(inbox.iterdir()):
            runner.submit_path(path)
        runner.poll(0.0)  # hashed and handed to the pool: two at a time start
        dropped = runner.stop(graceful=True)
        stored = store.known_documents()
    assert len(seen) + len(dropped) == 6 and len(seen) >= 1
    assert {o.item.sha256 for o in seen} == set(stored)  # everything reported is committed
    assert not {i.sha256 for i in dropped} & set(stored)  # nothing dropped was written
