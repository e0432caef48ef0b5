"""`make bench`: speed and accuracy of the pipeline over the samples and the real reports.

Per document and per group (text, garbled, scan by dpi, unruled scans, html, real):
seconds per report and per page, cell accuracy, silent errors (wrong and not flagged),
flagged fraction, and whether every deliberate arithmetic error was reported. Then, on the
same text PDFs, the time camelot (lattice) and pdfplumber's own `extract_tables` take,
for comparison.

    python -m bench.bench [--groups text,garbled,scan,real] [--limit N] [--no-compare]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core, as the bars are stated

from extractor.evaluate import score  # noqa: E402
from extractor.pipeline import extract_document  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "generated"
REAL = ROOT / "samples" / "real"


@dataclass
class Row:
    group: str
    name: str
    pages: int
    seconds: float
    cells: int
    correct: int
    silent: int
    flagged: int
    source_errors_missed: int
    has_source_errors: bool
    status: str
    source_errors: int = 0  # deliberate errors in the report (rule and scope each)
    maker: str = "reportlab"
    kind: str = ""
    agency_ok: bool = False
    year_ok: bool = False
    format_ok: bool = False
    wrong: tuple[str, ...] = ()  # "key: got … want …", flagged or not
    silent_keys: tuple[str, ...] = ()
    error: str = ""
    warnings: tuple[str, ...] = ()


def documents(groups: list[str], samples: Path = SAMPLES) -> list[tuple[str, Path, dict]]:
    found = []
    for group in groups:
        folder = REAL if group == "real" else samples / group
        for truth_path in sorted(folder.glob("*.json")):
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
            name = group
            if group == "scan":  # the generator puts image files (PNG/JPEG/TIFF) here too
                name = f"scan@{truth.get('dpi', '?')}dpi"
                if truth.get("variant", {}).get("rules", "grid") != "grid":
                    name = "scan-unruled"  # tables without inner rules: a harder reading
            found.append((name, truth_path.parent / truth["file"], truth))
    return found


def measure(group: str, path: Path, truth: dict) -> Row:
    started = time.perf_counter()
    result = extract_document(path)
    seconds = time.perf_counter() - started
    s = score(result, truth)
    report = result.report
    return Row(
        group=group, name=path.name, pages=max(result.document.pages, 1), seconds=seconds,
        cells=s.cells, correct=s.correct, silent=len(s.silent_errors), flagged=s.flagged,
        source_errors_missed=len(s.missed_source_errors),
        has_source_errors=bool(truth.get("source_errors")), status=result.status,
        source_errors=len({(e["rule"], e["scope"]) for e in truth.get("source_errors", [])}),
        maker=truth.get("maker", "reportlab"), kind=truth.get("kind", group),
        agency_ok=report.agency == truth.get("agency"), year_ok=report.year == truth.get("year"),
        format_ok=report.format == truth.get("format"),
        wrong=tuple(s.wrong), silent_keys=tuple(s.silent_errors), error=result.error or "",
        warnings=tuple(str(w) for w in result.warnings),
    )


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:6.2f}%" if b else "     -"


def print_rows(rows: list[Row]) -> None:
    head = (f"{'document':44} {'pages':>5} {'s/report':>8} {'s/page':>7} {'accuracy':>8} "
            f"{'silent':>6} {'flagged':>8} {'srcerr':>6} status")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r.group + '/' + r.name:44.44} {r.pages:5d} {r.seconds:8.3f} "
              f"{r.seconds / r.pages:7.3f} {_pct(r.correct, r.cells)} {r.silent:6d} "
              f"{_pct(r.flagged, r.cells)} {'miss' if r.source_errors_missed else 'ok':>6} "
              f"{r.status}")


def print_groups(rows: list[Row]) -> None:
    by_group: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_group[r.group].append(r)
    print()
    print(f"{'group':16} {'docs':>4} {'pages':>5} {'s/report':>8} {'s/page':>7} {'accuracy':>8} "
          f"{'silent':>6} {'flagged':>8} {'flag(clean)':>11} {'srcerr missed':>13}")
    for group, members in sorted(by_group.items()) + [("ALL", rows)]:
        pages = sum(r.pages for r in members)
        secs = sum(r.seconds for r in members)
        cells = sum(r.cells for r in members)
        clean = [r for r in members if not r.has_source_errors]
        print(f"{group:16} {len(members):4d} {pages:5d} {secs / len(members):8.3f} "
              f"{secs / max(pages, 1):7.3f} {_pct(sum(r.correct for r in members), cells)} "
              f"{sum(r.silent for r in members):6d} "
              f"{_pct(sum(r.flagged for r in members), cells)} "
              f"{_pct(sum(r.flagged for r in clean), sum(r.cells for r in clean)):>11} "
              f"{sum(r.source_errors_missed for r in members):13d}")


def compare_table_finders(pdfs: list[Path]) -> None:
    """Time camelot lattice and pdfplumber.extract_tables alone on the same files."""
    import pdfplumber

    ours = 0.0
    for pdf in pdfs:
        started = time.perf_counter()
        extract_document(pdf)
        ours += time.perf_counter() - started
    plumber = 0.0
    pages = 0
    for pdf in pdfs:
        started = time.perf_counter()
        with pdfplumber.open(pdf) as doc:
            for page in doc.pages:
                page.extract_tables()
                pages += 1
        plumber += time.perf_counter() - started
    print()
    print(f"same {len(pdfs)} text PDFs, {pages} pages, one core:")
    print(f"  this pipeline, end to end   {ours:7.2f} s  {ours / pages:6.3f} s/page")
    print(f"  pdfplumber extract_tables   {plumber:7.2f} s  {plumber / pages:6.3f} s/page")
    try:
        import camelot
    except ImportError:
        print("  camelot lattice             (camelot-py not installed)")
        return
    started = time.perf_counter()
    for pdf in pdfs:
        camelot.read_pdf(str(pdf), pages="all", flavor="lattice")
    cam = time.perf_counter() - started
    print(f"  camelot lattice             {cam:7.2f} s  {cam / pages:6.3f} s/page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default="text,docx,html,garbled,scan,real")
    parser.add_argument("--limit", type=int, default=0, help="at most N documents per group")
    parser.add_argument("--no-compare", action="store_true")
    parser.add_argument("--samples", type=Path, default=SAMPLES,
                        help="a folder made by `python -m samples.generate --out`, e.g. a "
                             "fresh set never seen while developing")
    args = parser.parse_args()
    docs = documents(args.groups.split(","), args.samples)
    if args.limit:
        kept: dict[str, int] = defaultdict(int)
        docs = [d for d in docs if (kept.__setitem__(d[0], kept[d[0]] + 1) or kept[d[0]])
                <= args.limit]
    rows = [measure(group, path, truth) for group, path, truth in docs]
    print_rows(rows)
    print_groups(rows)
    if not args.no_compare:
        pdfs = [p for g, p, _ in docs if g in ("text", "real") and p.suffix == ".pdf"]
        if pdfs:
            compare_table_finders(pdfs)


if __name__ == "__main__":
    main()
