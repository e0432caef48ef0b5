"""The issue's bar: 1,000 distinct documents, one duplicate name, kill -9 halfway, re-run.

    python -m bench.batch_thousand [--count 1000] [--work /tmp/batch_thousand] [--jobs 2]

1. Generates `count` distinct born-digital reports with the samples generator
   (``samples.generate``'s text kind, seeded, so a second run reuses them) plus one copy of
   the first under another name.
2. Runs ``extractor batch`` as a subprocess, waits until half the documents are stored,
   and kills the batch process with SIGKILL (its workers are left to die on their own, as
   after a real `kill -9`; any still alive after a few seconds are reported and killed).
3. Re-runs the same command to completion and verifies: every document exactly once, the
   duplicate recorded as a second path of the same document, counts adding up.
Exit status 0 when every check holds.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from extractor.pipeline import file_sha256

ROOT = Path(__file__).resolve().parent.parent


def _generate_one(args: tuple[int, str]) -> str:
    from samples.generate import Job, run_job

    index, out = args
    name = f"text-k-{index:04d}"
    pdf = Path(out) / "text" / f"{name}.pdf"
    if not pdf.exists():
        run_job(Job("text", name, f"thousand/{index}"), Path(out))
    return str(pdf)


def generate(out: Path, count: int) -> list[Path]:
    started = time.perf_counter()
    with ProcessPoolExecutor() as pool:
        paths = [Path(p) for p in pool.map(_generate_one, [(i, str(out)) for i in range(count)])]
    duplicate = out / "duplicate-name.pdf"
    if not duplicate.exists():
        duplicate.write_bytes(paths[0].read_bytes())
    print(f"{count} documents ready in {out} ({time.perf_counter() - started:.0f} s)")
    return paths


def stored_count(db: Path) -> int:
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return con.execute("select count(*) from documents").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/batch_thousand"))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    docs_dir = args.work / "docs"
    paths = generate(docs_dir, args.count)
    expected = {file_sha256(p) for p in paths}
    if len(expected) != args.count:
        print(f"FAIL: only {len(expected)} distinct documents generated")
        return 1
    db = args.work / "results.sqlite"
    for stale in args.work.glob("results.sqlite*"):
        stale.unlink()
    cmd = [
        sys.executable,
        "-m",
        "extractor.cli_batch",
        "batch",
        str(docs_dir),
        "--db",
        str(db),
        "--jobs",
        str(args.jobs),
        "--no-progress",
    ]

    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and stored_count(db) < args.count // 2:
        time.sleep(0.2)
    workers = [pid for child in children_of(proc.pid) for pid in [child, *children_of(child)]]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = stored_count(db)
    first_seconds = time.perf_counter() - started
    print(f"kill -9 after {first_seconds:.0f} s with {killed_at} documents stored")
    time.sleep(5)
    orphans = [pid for pid in workers if _alive(pid)]
    if orphans:
        print(f"note: {len(orphans)} orphaned pool processes still alive 5 s after; killing them")
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)

    started = time.perf_counter()
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    rerun_seconds = time.perf_counter() - started
    print(rerun.stdout.strip())
    failed_lines = [line for line in rerun.stderr.splitlines() if line.startswith("failed ")]
    print(
        f"re-run: exit {rerun.returncode} in {rerun_seconds:.0f} s, "
        f"{len(failed_lines)} failure lines"
    )

    con = sqlite3.connect(db)
    shas = [row[0] for row in con.execute("select sha256 from documents")]
    paths_stored = con.execute("select count(*) from document_paths").fetchone()[0]
    dup_doc = con.execute(
        "select count(*) from document_paths p join documents d on d.id = p.document_id "
        "where d.sha256 = ?",
        (file_sha256(paths[0]),),
    ).fetchone()[0]
    statuses = dict(con.execute("select status, count(*) from documents group by status"))
    half_cells = con.execute(
        "select count(*) from documents d where status != 'failed' and not exists "
        "(select 1 from cells c where c.document_id = d.id)"
    ).fetchone()[0]
    checks = {
        "re-run exited 0": rerun.returncode == 0,
        "killed before the end": 0 < killed_at < args.count,
        f"{args.count} documents stored": len(shas) == args.count,
        "each exactly once": len(set(shas)) == len(shas),
        "exactly the generated documents": set(shas) == expected,
        f"{args.count + 1} paths (duplicate name recorded)": paths_stored == args.count + 1,
        "duplicate name on the same document": dup_doc == 2,
        "no document without cells": half_cells == 0,
    }
    print(f"statuses: {statuses}")
    total_seconds = first_seconds + rerun_seconds
    print(
        f"total extraction time {total_seconds:.0f} s = "
        f"{60 * args.count / total_seconds:.0f} documents/min with --jobs {args.jobs}"
    )
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
