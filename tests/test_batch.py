"""Batch extraction: real worker processes, real SQLite files, real kills."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from extractor.batch import collect_inputs, run_batch
from extractor.crosscheck import RULE
from extractor.pipeline import extract_document
from extractor.runs.inputs import plan
from extractor.store import Store
from tests.servers import query

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "samples" / "real"
GENERATED = ROOT / "samples" / "generated"


def crash_or_extract(path: str):  # noqa: ANN201 - the worker's extractor, by import path
    """The real pipeline, except that a file named *crash* kills its worker process."""
    if "crash" in Path(path).name:
        os._exit(3)
    return extract_document(path)


def stall_or_extract(path: str):  # noqa: ANN201 - the worker's extractor, by import path
    """The real pipeline, except that a file named *stall* loops inside C code (no Python
    bytecode runs there, so no signal handler can raise the timeout)."""
    if "stall" in Path(path).name:
        sum(range(10**13))
    return extract_document(path)


def ctrl_c_on_first_document(path: str):  # noqa: ANN201 - the worker's extractor, by import path
    """The real pipeline; the first call sends Ctrl-C to the batch's whole process group.

    So the Ctrl-C arrives at a known moment, before any result: the pool has just
    started (the other worker may still be starting) and a document is in progress.
    `CTRL_C_MARK` names a file that makes it happen once, not again on the re-run.
    """
    try:
        os.close(os.open(os.environ["CTRL_C_MARK"], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        pass
    else:
        os.killpg(0, signal.SIGINT)
    return extract_document(path)


def html_variants(folder: Path, count: int) -> list[Path]:
    """`count` distinct documents (distinct hashes) with the content of a real web page."""
    folder.mkdir(parents=True, exist_ok=True)
    page = (REAL / "pingtan_2024.html").read_bytes()
    paths = []
    for i in range(count):
        path = folder / f"report-{i:03d}.html"
        path.write_bytes(page + f"\n<!-- copy {i} -->\n".encode())
        paths.append(path)
    return paths


def stored(db: str | Path) -> list[tuple[str, str]]:
    return query(db, "select sha256, status from documents")


def exists(db: str | Path) -> bool:
    """The database has been created (a SQLite file; a PostgreSQL database always exists)."""
    return "://" in str(db) or Path(db).exists()


def batch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "extractor.cli_batch", "batch", *args, "--no-progress"]


def test_inputs_expand_folders_globs_and_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.pdf", "a/b/two.HTML", "a/b/three.docx", "a/notes.txt", "four.png"):
        (tmp_path / name).write_bytes(b"x")
    supported, unsupported = collect_inputs(
        [tmp_path / "a", str(tmp_path / "*.png"), tmp_path / "a" / "one.pdf"]
    )
    assert sorted(p.name for p in supported) == ["four.png", "one.pdf", "three.docx", "two.HTML"]
    assert [p.name for p in unsupported] == ["notes.txt"]


def test_the_largest_files_are_planned_first(tmp_path: Path) -> None:
    """A long scan started last would keep one worker busy while the others stand idle."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, size in (("a.html", 10), ("b.pdf", 3000), ("c.png", 200), ("d.docx", 3000)):
        (folder / name).write_bytes(bytes([ord(name[0])]) * size)
    supported, _ = collect_inputs([folder])
    with Store(tmp_path / "r.sqlite") as store:
        todo = plan(store, supported)
    assert [Path(item.path).name for item in todo.items] == ["b.pdf", "d.docx", "c.png",
                                                              "a.html"]


def test_batch_equals_single_file_results(db_url: str) -> None:
    inputs = [REAL / "hzq2023.pdf", REAL / "pingtan_2024.html", REAL / "pingtan_2025.html"]
    inputs += sorted((GENERATED / "text").glob("*.pdf"))[:5]
    db = db_url
    summary = run_batch(inputs, db, jobs=2, progress=False)
    assert summary.processed == len(inputs) and not summary.interrupted
    with Store(db) as store:
        docs = {d.result.document.path: d for d in store.load_documents()}
    for path in inputs:
        single = extract_document(path)
        batch = docs[str(path)].result
        assert batch.document.sha256 == single.document.sha256
        assert (batch.status, batch.error, batch.report) == (
            single.status,
            single.error,
            single.report,
        )
        assert [c.model_dump() for c in batch.cells] == [c.model_dump() for c in single.cells]
        document_checks = [c for c in batch.checks if c.rule != RULE]
        assert [c.model_dump() for c in document_checks] == [c.model_dump() for c in single.checks]
    assert summary.ok + summary.needs_review + summary.failed == len(inputs)


def test_broken_files_do_not_stop_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    pdf = (REAL / "hzq2023.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (folder / "random.pdf").write_bytes(os.urandom(20_000))
    (folder / "notes.txt").write_text("not a report")
    (folder / "crash.html").write_bytes(b"<html>kills its worker</html>")
    shutil.copy(REAL / "pingtan_2024.html", folder / "good.html")
    shutil.copy(REAL / "pingtan_2025.html", folder / "good2.html")
    db = tmp_path / "r.sqlite"
    summary = run_batch(
        [folder], db, jobs=2, progress=False, extractor="tests.test_batch:crash_or_extract"
    )
    assert summary.unsupported == 1
    assert summary.processed == 6
    failed = dict(summary.failures)
    assert set(failed) == {
        str(folder / n) for n in ("empty.pdf", "truncated.pdf", "random.pdf", "crash.html")
    }
    assert "worker process died" in failed[str(folder / "crash.html")]
    assert summary.ok + summary.needs_review == 2
    statuses = sorted(s for _, s in stored(db))
    assert statuses.count("failed") == 4 and len(statuses) == 6


def test_a_document_stuck_inside_a_library_is_stopped_and_the_batch_goes_on(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "stall.html").write_bytes(b"<html>never returns</html>")
    shutil.copy(REAL / "pingtan_2024.html", folder / "good.html")
    shutil.copy(REAL / "pingtan_2025.html", folder / "good2.html")
    summary = run_batch([folder], tmp_path / "r.sqlite", jobs=2, timeout=2, progress=False,
                        extractor="tests.test_batch:stall_or_extract")  # fmt: skip
    failed = dict(summary.failures)
    assert set(failed) == {str(folder / "stall.html")}
    assert "could not be interrupted" in failed[str(folder / "stall.html")]
    assert summary.processed == 3 and summary.ok + summary.needs_review == 2


def test_same_content_under_another_name_is_one_document(tmp_path: Path, db_url: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REAL / "pingtan_2024.html", folder / "a.html")
    shutil.copy(REAL / "pingtan_2024.html", folder / "b.html")
    db = db_url
    first = run_batch([folder], db, jobs=1, progress=False)
    assert (first.processed, first.duplicate_names) == (1, 1)
    shutil.copy(REAL / "pingtan_2024.html", folder / "c.html")
    second = run_batch([folder], db, jobs=1, progress=False)
    assert (second.processed, second.already_stored) == (0, 1)
    with Store(db) as store:
        (doc,) = store.load_documents()
    assert sorted(Path(p).name for p in doc.paths) == ["a.html", "b.html", "c.html"]
    forced = run_batch([folder], db, jobs=1, force=True, progress=False)
    assert forced.processed == 1 and len(stored(db)) == 1


def test_continuity_check_on_the_real_two_year_pair(db_url: str) -> None:
    db = db_url
    run_batch([REAL / "pingtan_2025.html"], db, jobs=1, progress=False)
    with Store(db) as store:
        assert all(not d.cross_checks for d in store.load_documents())
    run_batch([REAL / "pingtan_2024.html"], db, jobs=1, progress=False)  # the earlier year later
    with Store(db) as store:
        docs = {d.result.report.year: d for d in store.load_documents()}
    checks = docs[2025].cross_checks
    assert len(checks) == 7 and all(c.ok for c, _ in checks)
    assert {related for _, related in checks} == {docs[2024].id}
    assert docs[2024].cross_checks == []


def _kill_midway(cmd: list[str], db: str | Path, at_least: int, total: int) -> None:
    proc = subprocess.Popen(
        cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if exists(db):
                try:
                    if len(stored(db)) >= at_least:
                        break
                except DBAPIError:
                    pass  # the schema is still being created
            if proc.poll() is not None:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch, its fork server and its workers
        proc.wait()
    assert len(stored(db)) < total, "the batch finished before it could be killed"


def test_resume_after_kill_9_stores_every_document_exactly_once(
    tmp_path: Path, db_url: str
) -> None:
    paths = html_variants(tmp_path / "in", 40)
    db = db_url
    cmd = batch_command(str(tmp_path / "in"), "--db", str(db), "--jobs", "2")
    _kill_midway(cmd, db, at_least=8, total=len(paths))
    partial = len(stored(db))
    assert 0 < partial < len(paths)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{partial} already in the database" in done.stdout
    rows = stored(db)
    assert len(rows) == len({sha for sha, _ in rows}) == len(paths)
    assert query(db, "select count(*) from document_paths") == [(len(paths),)]
    per_doc = query(db, "select count(*) from cells group by document_id")
    assert len({n for (n,) in per_doc}) == 1  # no document half written


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes(tmp_path: Path) -> None:
    paths = html_variants(tmp_path / "in", 30)
    db = tmp_path / "r.sqlite"
    cmd = batch_command(str(tmp_path / "in"), "--db", str(db), "--jobs", "2")
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if db.exists() and len(stored(db)) >= 5:
                break
        except DBAPIError:
            pass
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    out, _err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the batch finished before Ctrl-C arrived")
    assert proc.returncode == 130 and "interrupted" in out
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    rows = stored(db)
    assert len(rows) == len({sha for sha, _ in rows}) == len(paths)


def _interrupted_then_rerun(
    proc: subprocess.Popen[str], cmd: list[str], db: Path, total: int, env: dict | None = None
) -> int:
    """Wait for the interrupted batch; check it stopped cleanly; re-run; return rows kept."""
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, out, err)
    assert "interrupted" in out and "Traceback" not in err
    try:
        kept = len(stored(db))
    except DBAPIError:  # stopped before the schema was created
        kept = 0
    assert kept < total
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    rows = stored(db)
    assert len(rows) == len({sha for sha, _ in rows}) == total
    return kept


def test_ctrl_c_before_the_first_result(tmp_path: Path) -> None:
    """Ctrl-C from a worker's first document: the pool has only just started."""
    paths = html_variants(tmp_path / "in", 30)
    db = tmp_path / "r.sqlite"
    cmd = batch_command(str(tmp_path / "in"), "--db", str(db), "--jobs", "2")
    cmd += ["--extractor", "tests.test_batch:ctrl_c_on_first_document"]
    env = {**os.environ, "CTRL_C_MARK": str(tmp_path / "ctrl-c-sent")}
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    kept = _interrupted_then_rerun(proc, cmd, db, len(paths), env)
    assert kept >= 1  # the document in progress when Ctrl-C came was finished and stored


def test_ctrl_c_while_the_batch_starts(tmp_path: Path) -> None:
    """Ctrl-C as soon as the database exists: planning, fork server and pool start-up."""
    paths = html_variants(tmp_path / "in", 30)
    db = tmp_path / "r.sqlite"
    cmd = batch_command(str(tmp_path / "in"), "--db", str(db), "--jobs", "2")
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not db.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGINT)
    _interrupted_then_rerun(proc, cmd, db, len(paths))


def test_ctrl_c_during_a_database_write_lets_it_finish(tmp_path: Path) -> None:
    """A Ctrl-C that lands inside a document's transaction must not break it off.

    Raised there, a KeyboardInterrupt can leave SQLite's write lock with an abandoned
    connection, and the next write waits out the busy timeout (60 s).
    """
    from sqlalchemy import Engine, event

    paths = html_variants(tmp_path / "in", 6)
    db = tmp_path / "r.sqlite"
    sent = []

    def ctrl_c_inside_the_transaction(conn, cursor, statement, params, context, many):  # noqa: ANN001, ANN202
        # The cells are inserted with one executemany: deliver Ctrl-C half-way through it.
        if sent or not many or not statement.lstrip().upper().startswith("INSERT INTO CELLS"):
            return statement, params

        def rows():  # noqa: ANN202
            for i, row in enumerate(params):
                if i == 1:
                    sent.append(True)
                    signal.raise_signal(signal.SIGINT)
                yield row

        return statement, rows()

    event.listen(Engine, "before_cursor_execute", ctrl_c_inside_the_transaction, retval=True)
    try:
        started = time.monotonic()
        summary = run_batch([tmp_path / "in"], db, jobs=2, progress=False)
        seconds = time.monotonic() - started
    finally:
        event.remove(Engine, "before_cursor_execute", ctrl_c_inside_the_transaction)
    assert sent and summary.interrupted and seconds < 30
    rows = stored(db)
    assert 1 <= len(rows) < len(paths) and summary.processed == len(rows)
    con = sqlite3.connect(db, timeout=1)
    try:
        con.execute("begin immediate")  # nobody holds the write lock
        con.rollback()
        per_doc = con.execute("select count(*) from cells group by document_id").fetchall()
    finally:
        con.close()
    assert len(per_doc) == len(rows) and len({n for (n,) in per_doc}) == 1
    again = run_batch([tmp_path / "in"], db, jobs=2, progress=False)
    assert not again.interrupted and len(stored(db)) == len(paths)


def test_a_future_cancelled_before_the_wait_counts_as_finished() -> None:
    """`concurrent.futures.wait` never reports it: waiting on it alone would never end."""
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    from extractor.batch import _finished

    future: Future[None] = Future()
    assert future.cancel()
    assert not wait([future], timeout=0.05, return_when=FIRST_COMPLETED).done
    assert _finished([future]) == {future}


def test_two_batches_started_together_on_a_new_postgresql_database(
    tmp_path: Path, postgres_url: str
) -> None:
    """A second `batch` started beside the first, on the same files: neither dies, and every
    document is stored once (the unique content hash decides; the loser's write updates)."""
    paths = html_variants(tmp_path / "in", 12)
    cmd = batch_command(str(tmp_path / "in"), "--db", postgres_url, "--jobs", "1")
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-500:] for _, err in outputs]
    rows = stored(postgres_url)
    assert len(rows) == len({sha for sha, _ in rows}) == len(paths)
    assert query(postgres_url, "select count(*) from document_paths") == [(len(paths),)]
    per_doc = query(postgres_url, "select count(*) from cells group by document_id")
    assert len(per_doc) == len(paths) and len({n for (n,) in per_doc}) == 1
