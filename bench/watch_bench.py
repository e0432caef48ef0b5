"""Throughput of the watch folder against `batch` on the same files with the same --jobs.

    python -m bench.watch_bench [--files 100] [--jobs 2] [--repeat 2] [--settle 2]

Each round makes `--files` distinct documents (copies of the text samples and web pages,
each with a marker after its end so its content hash differs), then times, as separate
processes from start to exit, `extractor batch FOLDER` and `extractor watch FOLDER --once`
(files already in the inbox: the watcher's start-up scan, the settle time and the
archive moves are all counted), alternating so the machine's load hits both alike.
Reported: seconds per run and the ratio watch / batch (the bar: at most 1.10).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "generated" / "text"
REAL = ROOT / "samples" / "real"


def make_inputs(folder: Path, count: int) -> None:
    sources = sorted(SAMPLES.glob("*.pdf")) + sorted(REAL.glob("*.html"))
    folder.mkdir(parents=True)
    for n in range(count):
        source = sources[n % len(sources)]
        marker = f"\n<!-- copy {n} -->\n" if source.suffix == ".html" else f"\n% copy {n}\n"
        (folder / f"d{n:04d}{source.suffix}").write_bytes(source.read_bytes() + marker.encode())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=_env())
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--settle", type=float, default=2.0)
    args = parser.parse_args()
    batch_times, watch_times = [], []
    with tempfile.TemporaryDirectory(prefix="watch-bench-") as tmp:
        base = Path(tmp)
        for round_ in range(args.repeat):
            for mode in (("batch", "watch") if round_ % 2 == 0 else ("watch", "batch")):
                folder = base / f"{mode}{round_}"
                make_inputs(folder / "inbox", args.files)
                db = str(folder / "db.sqlite")
                if mode == "batch":
                    seconds = timed([sys.executable, "-m", "extractor", "batch",
                                     str(folder / "inbox"), "--db", db, "--jobs",
                                     str(args.jobs), "--no-progress"])
                    batch_times.append(seconds)
                else:
                    seconds = timed([sys.executable, "-m", "extractor", "watch",
                                     str(folder / "inbox"), "--db", db, "--once", "--jobs",
                                     str(args.jobs), "--settle", str(args.settle),
                                     "--archive", str(folder / "archive")])
                    watch_times.append(seconds)
                    archived = sum(1 for p in (folder / "archive").rglob("*")
                                   if p.is_file() and not p.name.endswith(".error.txt"))
                    assert archived == args.files, f"{archived} of {args.files} archived"
                print(f"round {round_ + 1} {mode}: {seconds:.1f} s "
                      f"({60 * args.files / seconds:.0f} documents/min)", flush=True)
                shutil.rmtree(folder)
    batch, watch = statistics.median(batch_times), statistics.median(watch_times)
    print(f"{args.files} documents, --jobs {args.jobs}: batch {batch:.1f} s, watch --once "
          f"{watch:.1f} s (settle {args.settle:g} s included): watch/batch = {watch / batch:.3f}")


if __name__ == "__main__":
    main()
