"""Many machines: Dask against the local pool, and what one document costs (docs/scale.md).

    python -m bench.scale_bench [PATH ...] [--workers 2] [--repeat 2] [--costs PATH ...]
                                [--json out.json]

1. Throughput: the same files through `--jobs N` (the local pool) and `--scheduler local:N`
   (a Dask cluster of N worker processes started for the run), each into a fresh SQLite
   database, alternating (pool, dask, pool, dask, …) so that a change in the machine's load
   hits both alike; the best run of each is kept, and the CPU time of the extractions is
   printed beside the wall time, since wall time on a shared machine says more about the
   neighbours than about us. Start-up (fork server / cluster) is inside the wall time.
2. Per-document costs into a real PostgreSQL server (tests/servers.py starts one in a temporary
   directory): CPU seconds of the extraction, the worker's peak RSS, the rows a document
   writes, and the time of its PostgreSQL transaction, per kind of document.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from extractor.batch import run_batch
from extractor.runs import Outcome
from extractor.runs.dask import DaskCluster
from extractor.runs.inputs import collect_inputs
from extractor.runs.local import LocalPool

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "samples" / "real"
GENERATED = ROOT / "samples" / "generated"
DEFAULT_THROUGHPUT = [GENERATED / "text", GENERATED / "docx", GENERATED / "garbled", REAL]
DEFAULT_COSTS = [GENERATED / "text", GENERATED / "docx", GENERATED / "garbled", REAL,
                 GENERATED / "scan"]  # fmt: skip


def throughput(inputs: list[Path], workers: int, engine: str) -> dict[str, float | str]:
    scheduler = LocalPool(workers) if engine == "pool" else DaskCluster(f"local:{workers}")
    stamps: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_batch(inputs, Path(tmp) / "b.sqlite", progress=False, scheduler=scheduler,
                            on_done=lambda _o: stamps.append(time.perf_counter()))  # fmt: skip
    # Between the first and the last result: the engine's rate once running, without its
    # start-up and shutdown (fixed costs that a long batch amortises).
    steady = 60 * (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return {
        "engine": "--jobs" if engine == "pool" else "--scheduler local",
        "documents": summary.processed,
        "failed": summary.failed,
        "seconds": round(summary.seconds, 2),
        "documents_per_min": round(summary.docs_per_minute, 1),
        "cpu_seconds": round(summary.cpu_seconds, 2),
        "steady_documents_per_min": round(steady, 1),
    }


def costs(inputs: list[Path], workers: int) -> dict[str, dict[str, float]]:
    from tests.servers import PostgresServer

    per_doc: list[Outcome] = []
    server = PostgresServer()
    try:
        server.start()
        url = server.new_database()
        run_batch(inputs, url, progress=False, scheduler=LocalPool(workers),
                  on_done=per_doc.append)  # fmt: skip
    finally:
        server.stop()
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in per_doc:
        assert outcome.result is not None and outcome.reply is not None
        kind = outcome.result.document.kind or "failed"
        groups[kind].append(outcome)
        groups["all"].append(outcome)
    table = {}
    for kind, outcomes in sorted(groups.items()):
        rows = [1 + len(o.item.paths) + len(o.result.cells) + len(o.result.checks)
                for o in outcomes]  # fmt: skip
        pages = [max(o.result.document.pages, 1) for o in outcomes]
        table[kind] = {
            "documents": len(outcomes),
            "pages_per_doc": round(statistics.mean(pages), 1),
            "cpu_s_per_doc": round(statistics.mean(o.reply.cpu_seconds for o in outcomes), 3),
            "cpu_s_per_page": round(sum(o.reply.cpu_seconds for o in outcomes) / sum(pages), 3),
            "peak_rss_mb": round(max(o.reply.peak_rss for o in outcomes) / 2**20, 0),
            "rows_per_doc": round(statistics.mean(rows), 0),
            "commit_ms_median": round(
                1000 * statistics.median(o.commit_seconds for o in outcomes), 1
            ),
            "commit_ms_max": round(1000 * max(o.commit_seconds for o in outcomes), 1),
        }
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs per engine; best is kept")
    parser.add_argument("--costs", nargs="*", type=Path, help="inputs for the cost table")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", choices=["throughput", "costs"], help="one half of the bench")
    args = parser.parse_args(argv)
    inputs = [p for p in (args.paths or DEFAULT_THROUGHPUT) if p.exists()]
    files, _ = collect_inputs(inputs)
    if not files:
        print("no inputs: generate samples first (python -m samples.generate)", file=sys.stderr)
        return 1
    load = os.getloadavg()
    print(f"{len(files)} files; {os.cpu_count()} cores; load average {load[0]:.1f} at start")
    runs: dict[str, list[dict]] = defaultdict(list)
    for _ in range(args.repeat if args.only != "costs" else 0):
        for engine in ("pool", "dask"):
            result = throughput(inputs, args.workers, engine)
            runs[engine].append(result)
            print(f"  {result['engine']} {args.workers}: {result['documents']} docs in "
                  f"{result['seconds']} s = {result['documents_per_min']} docs/min "
                  f"(between first and last result {result['steady_documents_per_min']} "
                  f"docs/min; extraction CPU {result['cpu_seconds']} s)")  # fmt: skip
    ratio = 0.0
    if runs:
        best = {e: max(r, key=lambda x: x["documents_per_min"]) for e, r in runs.items()}
        ratio = best["dask"]["documents_per_min"] / best["pool"]["documents_per_min"]
        steady = {e: max(x["steady_documents_per_min"] for x in r) for e, r in runs.items()}
        print(f"between first and last result: Dask/pool = "
              f"{steady['dask'] / steady['pool']:.2f}")  # fmt: skip
        print(f"best: --jobs {args.workers} {best['pool']['documents_per_min']} docs/min, "
              f"--scheduler local:{args.workers} {best['dask']['documents_per_min']} docs/min "
              f"→ Dask/pool = {ratio:.2f}; load average now {os.getloadavg()[0]:.1f}")  # fmt: skip
    table = {}
    if args.only == "throughput":
        return _write(args.json, runs, ratio, table, load)
    started = time.perf_counter()
    cost_inputs = [p for p in (args.costs or DEFAULT_COSTS) if p.exists()]
    table = costs(cost_inputs, args.workers)
    took = time.perf_counter() - started
    print(f"per-document costs into PostgreSQL ({took:.0f} s, load average now "
          f"{os.getloadavg()[0]:.1f}):")  # fmt: skip
    head = ("kind", "docs", "pages", "CPU s/doc", "CPU s/page", "peak RSS MB", "rows/doc",
            "commit ms (median, max)")  # fmt: skip
    print("  " + " | ".join(head))
    for kind, row in table.items():
        print(f"  {kind} | {row['documents']} | {row['pages_per_doc']} | {row['cpu_s_per_doc']} | "
              f"{row['cpu_s_per_page']} | {row['peak_rss_mb']:.0f} | {row['rows_per_doc']:.0f} | "
              f"{row['commit_ms_median']}, {row['commit_ms_max']}")  # fmt: skip
    return _write(args.json, runs, ratio, table, load)


def _write(path: Path | None, runs: dict, ratio: float, table: dict, load: tuple) -> int:
    if path:
        out = {"throughput": runs, "ratio_dask_over_pool": round(ratio, 3), "costs": table,
               "load_average_start": load}  # fmt: skip
        path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
