"""Batch throughput: documents/min and pages/min with --jobs 1 and --jobs 2, peak RSS per worker.

    python -m bench.batch_bench [PATH ...] [--jobs 1 2] [--repeat N] [--json out.json]

Each run extracts every input into a fresh SQLite database, through the real worker pool
and the real database writes, so the numbers are what `extractor batch` gives. Defaults
to samples/generated and ../shared/real. Peak RSS is each worker's high-water mark
(getrusage), the largest over the workers of a run.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
from pathlib import Path

from extractor.batch import run_batch
from extractor.runs.inputs import collect_inputs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUTS = [ROOT / "samples" / "generated", ROOT.parent / "shared" / "real"]


def measure(inputs: list[Path], jobs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_batch(inputs, Path(tmp) / "bench.sqlite", jobs=jobs, progress=False)
    peaks = list(summary.worker_peak_rss.values()) or [0]
    return {
        "jobs": jobs,
        "documents": summary.processed,
        "pages": summary.pages,
        "seconds": round(summary.seconds, 2),
        "documents_per_min": round(summary.docs_per_minute, 1),
        "pages_per_min": round(summary.pages_per_minute, 1),
        "workers": len(summary.worker_peak_rss),
        "peak_rss_per_worker_mb": round(max(peaks) / 2**20, 1),
        "failed": summary.failed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="runs per setting; best is kept")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    inputs = [p for p in (args.paths or DEFAULT_INPUTS) if p.exists()]
    files, _ = collect_inputs(inputs)
    if not files:
        print("no inputs: generate samples first (python -m samples.generate)", file=sys.stderr)
        return 1
    print(f"{len(files)} files under {', '.join(map(str, inputs))}")
    results = []
    for jobs in args.jobs:
        runs = [measure(inputs, jobs) for _ in range(args.repeat)]
        best = max(runs, key=lambda r: r["documents_per_min"])
        results.append(best)
        print(
            f"--jobs {jobs}: {best['documents']} docs, {best['pages']} pages in "
            f"{best['seconds']} s = {best['documents_per_min']} docs/min, "
            f"{best['pages_per_min']} pages/min; "
            f"peak RSS/worker {best['peak_rss_per_worker_mb']} MB"
        )
    base = next((r for r in results if r["jobs"] == 1), None)
    for r in results:
        if base and r is not base and base["documents_per_min"]:
            r["speedup_vs_jobs1"] = round(r["documents_per_min"] / base["documents_per_min"], 2)
            print(f"--jobs {r['jobs']} / --jobs 1 throughput: {r['speedup_vs_jobs1']}×")
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"parent (database writer) peak RSS {parent_mb:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
