"""`make bench`: reports made the way agencies make them, generated fresh and measured by kind
and by maker (issue 9's table).

    python -m bench.makers_bench                      # the holdout seed (README), a temp folder
    python -m bench.makers_bench --seed dev1 --out /work/fresh/dev1   # generate and keep
    python -m bench.makers_bench --samples /work/fresh/dev1           # an existing set
    python -m bench.makers_bench --jobs 2 --docs       # two processes; one line per document

The set is samples/mixes.py's ``makers_jobs(seed)``: text PDFs, scans, long images, garbled
text layers, web pages and Word files from reportlab, Word (LibreOffice) and a browser
(Chromium). Every document is extracted and scored with ``extractor.evaluate.score`` (via
bench.bench.measure), then the table: cells right, silent errors (wrong and not flagged),
flagged, failed documents, deliberate source errors reported with rule and scope, and agency /
year / format right, per kind, per maker and per kind × maker.

The default seed is the holdout: never generate it while fixing the extractor.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Chromium's Type 3 fonts have no FontBBox: pdfminer says so for every page, to no one's use
logging.getLogger("pdfminer").setLevel(logging.ERROR)

from bench.bench import Row, measure  # noqa: E402

HOLDOUT_SEED = "holdout17"
KIND_NAMES = {
    "text": "text PDFs",
    "scan": "scans",
    "image": "images (long, TIFF)",
    "garbled": "garbled text layer",
    "html": "html",
    "docx": "docx",
}
MAKER_ORDER = ("reportlab", "word", "browser")


def generate(seed: str, out: Path, jobs: int, mix: str = "makers") -> float:
    """Generate the `mix` set of ``seed`` into ``out``; returns the seconds it took."""
    from samples.generate import run_job
    from samples.mixes import MIXES

    started = time.perf_counter()
    todo = MIXES[mix](seed)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for record in pool.map(run_job, todo, [out] * len(todo)):
            print(f"  made {record['kind']:8} {record['maker']:9} {record['file']}",
                  file=sys.stderr, flush=True)
    return time.perf_counter() - started


def documents(folder: Path) -> list[tuple[str, Path, dict]]:
    """Every (group, document, truth) of a generated set, in a stable order."""
    found = []
    for truth_path in sorted(folder.glob("*/*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        found.append((truth["kind"], truth_path.parent / truth["file"], truth))
    return found


def _measure(item: tuple[str, Path, dict]) -> Row:
    return measure(*item)


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


def summary_line(label: str, rows: list[Row]) -> str:
    cells = sum(r.cells for r in rows)
    clean = [r for r in rows if not r.has_source_errors]
    wanted = sum(r.source_errors for r in rows)
    missed = sum(r.source_errors_missed for r in rows)
    pages = sum(r.pages for r in rows)
    secs = sum(r.seconds for r in rows)
    return (
        f"| {label} | {len(rows)} | {_pct(sum(r.correct for r in rows), cells)} "
        f"| {sum(r.silent for r in rows)} | {_pct(sum(r.flagged for r in rows), cells)} "
        f"| {_pct(sum(r.flagged for r in clean), sum(r.cells for r in clean))} "
        f"| {sum(r.status == 'failed' for r in rows)} "
        f"| {wanted - missed}/{wanted} "
        f"| {sum(r.agency_ok for r in rows)}/{len(rows)} "
        f"| {sum(r.year_ok for r in rows)}/{len(rows)} "
        f"| {sum(r.format_ok for r in rows)}/{len(rows)} "
        f"| {secs / max(pages, 1):.2f} |"
    )


HEAD = ("| {} | docs | cells correct | silent errors | flagged | flagged (no source error) "
        "| failed docs | source errors reported | agency | year | format | s/page |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|")


def print_tables(rows: list[Row]) -> None:
    by_kind: dict[str, list[Row]] = defaultdict(list)
    by_maker: dict[str, list[Row]] = defaultdict(list)
    by_both: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in rows:
        by_kind[r.kind].append(r)
        by_maker[r.maker].append(r)
        by_both[(r.kind, r.maker)].append(r)
    print(HEAD.format("kind"))
    for kind, name in KIND_NAMES.items():
        if by_kind.get(kind):
            print(summary_line(name, by_kind[kind]))
    print(summary_line("**all**", rows))
    print()
    print(HEAD.format("maker"))
    makers = [m for m in MAKER_ORDER if m in by_maker] + sorted(set(by_maker) - set(MAKER_ORDER))
    for maker in makers:
        print(summary_line(maker, by_maker[maker]))
    print()
    print(HEAD.format("kind × maker"))
    for kind, name in KIND_NAMES.items():
        for maker in makers:
            if by_both.get((kind, maker)):
                print(summary_line(f"{name} · {maker}", by_both[(kind, maker)]))


def print_documents(rows: list[Row]) -> None:
    print("| document | maker | cells correct | silent | flagged | status | source errors "
          "| agency/year/format | first wrong cells |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        meta = "".join("✓" if ok else "✗" for ok in (r.agency_ok, r.year_ok, r.format_ok))
        src = f"{r.source_errors - r.source_errors_missed}/{r.source_errors}"
        wrong = "; ".join(r.wrong[:3]) + (f" (+{len(r.wrong) - 3})" if len(r.wrong) > 3 else "")
        status = r.status + (f": {r.error[:60]}" if r.error else "")
        print(f"| {r.kind}/{r.name} | {r.maker} | {_pct(r.correct, r.cells)} | {r.silent} "
              f"| {_pct(r.flagged, r.cells)} | {status} | {src} | {meta} | {wrong} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default=HOLDOUT_SEED,
                        help=f"the fresh set's seed (default: the holdout, {HOLDOUT_SEED})")
    parser.add_argument("--out", type=Path, default=None,
                        help="keep the generated set here (default: a temporary folder)")
    parser.add_argument("--samples", type=Path, default=None,
                        help="measure an existing generated set instead of generating one")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--mix", choices=("makers", "images", "unruled"), default="makers",
                        help="the balanced makers set (default); images only: per maker "
                             "a fax TIFF and two long images; unruled: per maker three "
                             "scans and a long image of tables without rules (development "
                             "sets for those)")
    parser.add_argument("--docs", action="store_true", help="also one line per document")
    parser.add_argument("--json", type=Path, default=None, help="write every row as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="makers-bench-") as tmp:
        folder = args.samples or args.out or Path(tmp)
        made = 0.0
        if args.samples is None:
            print(f"generating the {args.mix} set of seed {args.seed!r} into {folder} ...",
                  file=sys.stderr)
            made = generate(args.seed, folder, args.jobs, args.mix)
        docs = documents(folder)
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            rows = list(pool.map(_measure, docs))
        extracted = time.perf_counter() - started
    origin = f"the set in {args.samples}" if args.samples else f"seed {args.seed!r}"
    print(f"\n## Reports as agencies make them: {origin}, {len(rows)} documents\n")
    print_tables(rows)
    if args.docs:
        print()
        print_documents(rows)
    print(f"\ngeneration {made:.0f} s, extraction {extracted:.0f} s wall with {args.jobs} "
          f"processes (s/page above: per process)")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
