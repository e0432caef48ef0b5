"""Generate sample annual reports with ground truth.

    python -m samples.generate --out samples/generated [--count N] [--seed S]
    python -m samples.generate --preset committed      # the set committed under samples/generated

Each document gets a truth file ``<name>.json`` beside it, in the format of
samples/real/*.json, plus a ``variant`` dict describing what the generator chose.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samples import rules
from samples.makers import MAKERS, render_pdf
from samples.values import Printed, inject_errors, print_cells, true_values
from samples.variant import Variant, choose_variant

DEFAULT_OUT = Path(__file__).resolve().parent / "generated"


@dataclass
class Job:
    """One document to generate: a kind, a name, a seed and pinned variant fields."""

    kind: str  # "text" | "garbled" | "scan" | "image" | "docx" | "html"
    name: str
    seed: str
    overrides: dict[str, Any] = field(default_factory=dict)
    scan: dict[str, Any] = field(default_factory=dict)  # degradation options (scan/image)
    maker: str = "reportlab"  # who makes the PDF: "reportlab" | "word" | "browser"


def build(seed: str, overrides: dict[str, Any]) -> tuple[Variant, dict[str, Printed]]:
    """The variant and printed cells of one report, deterministic in ``seed``."""
    v = choose_variant(seed, **overrides)
    rng = random.Random(f"{seed}/values")
    values = true_values(rng, v)
    inject_errors(rng, v, values)
    return v, print_cells(rng, v, values)


def truth(v: Variant, cells: dict[str, Printed], file: str, kind: str, pages: int) -> dict:
    """The truth record: printed values, and every rule those values break."""
    values = {k: cells[k].value for k in v.layout_keys()}
    return {
        "file": file,
        "maker": v.maker,
        "format": v.format,
        "agency": v.agency,
        "year": v.year,
        "kind": kind,
        "pages": pages,
        "cells": values,
        "source_errors": rules.check(values),
        "variant": v.to_json(),
    }


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def run_job(job: Job, out: Path) -> dict:
    """Generate one document (and its truth file) under ``out/<kind dir>``."""
    v, cells = build(job.seed, job.overrides)
    v.maker = job.maker
    rng = random.Random(f"{job.seed}/render")
    if job.kind == "text":
        folder = out / "text"
        folder.mkdir(parents=True, exist_ok=True)
        pdf = folder / f"{job.name}.pdf"
        pages = render_pdf(job.maker, pdf, v, cells, rng)
        record = truth(v, cells, pdf.name, "text", pages)
        write_json(folder / f"{job.name}.json", record)
        return record
    if job.kind == "docx":
        # a Word file: ``maker="word"`` sets it in Word style (the file LibreOffice exports
        # for the word maker), any other keeps python-docx's plain defaults
        from samples.word import render_docx

        folder = out / "docx"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{job.name}.docx"
        style = "word" if job.maker == "word" else "plain"
        v.maker = "word" if style == "word" else "python-docx"
        record = truth(v, cells, path.name, "docx", render_docx(path, v, cells, rng, style))
        record["variant"]["docx_style"] = style
        write_json(folder / f"{job.name}.json", record)
        return record
    if job.kind == "html":  # the web page the browser maker prints
        from samples.browser import render_html

        folder = out / "html"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{job.name}.html"
        v.maker = "browser"
        record = truth(v, cells, path.name, "html", render_html(path, v, cells, rng))
        write_json(folder / f"{job.name}.json", record)
        return record
    if job.kind == "garbled":
        from samples.garble import write_garbled

        return write_garbled(job, out, v, cells, rng)
    from samples.scan import write_scan

    return write_scan(job, out, v, cells, rng)


KIND_WEIGHTS = {"text": 6, "garbled": 1, "scan": 2, "image": 1, "docx": 1, "html": 1}
SCAN_PROFILES = ["office", "office", "poor", "photo"]
IMAGE_PROFILES = {"png": ["clean"], "jpeg": ["office", "photo"], "tiff": ["fax", "office"]}


def random_jobs(
    count: int,
    seed: str,
    kinds: tuple[str, ...] = tuple(k for k in KIND_WEIGHTS if k != "html"),
    makers: tuple[str, ...] = ("reportlab",),
) -> list[Job]:
    """``count`` documents of the given kinds (mixed by ``KIND_WEIGHTS``) drawn from ``seed``.

    Each document's maker is drawn from ``makers`` by a generator of its own, so the kinds
    and variants of a seed stay what they were before makers existed. A Word file is made
    by ``word`` and a web page by ``browser`` whatever ``makers`` says.
    """
    rng = random.Random(f"jobs/{seed}")
    weights = [KIND_WEIGHTS[k] for k in kinds]
    jobs = []
    for i in range(count):
        kind = rng.choices(kinds, weights=weights)[0]
        scan: dict[str, Any] = {}
        if kind == "scan":
            scan = {"dpi": rng.choice([150, 200, 300]), "profile": rng.choice(SCAN_PROFILES)}
            scan["grey"] = rng.random() < 0.3
        elif kind == "image":
            fmt = rng.choice(["png", "jpeg", "tiff"])
            profile = rng.choice(IMAGE_PROFILES[fmt])
            scan = {"dpi": rng.choice([150, 200, 300]), "format": fmt, "profile": profile}
        maker = random.Random(f"maker/{seed}/{i}").choice(makers)
        maker = {"docx": "word", "html": "browser"}.get(kind, maker)
        if kind == "docx" and "word" not in makers:
            maker = "reportlab"  # python-docx's plain file, as before makers existed
        jobs.append(Job(kind, f"{kind}-{seed}-{i:03d}", f"{seed}/{i}", scan=scan, maker=maker))
    return jobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--preset", choices=["committed"], default=None)
    parser.add_argument(
        "--mix",
        choices=["makers"],
        default=None,
        help="makers: the balanced set of samples/mixes.py (38 documents, all three makers) "
        "drawn from --seed",
    )
    parser.add_argument(
        "--makers",
        default="reportlab",
        help="comma-separated makers for --count (reportlab,word,browser); each document "
        "draws one",
    )
    parser.add_argument("--clean", action="store_true", help="empty --out first")
    parser.add_argument("--jobs", type=int, default=1,
                        help="documents made in parallel processes (default 1)")
    parser.add_argument(
        "--kinds",
        default=",".join(k for k in KIND_WEIGHTS if k != "html"),
        help="comma-separated kinds for --count: text,garbled,scan,image,docx,html",
    )
    args = parser.parse_args(argv)
    if args.preset == "committed":
        from samples.presets import committed_jobs

        jobs = committed_jobs()
        out = args.out or DEFAULT_OUT
        clean = True
    elif args.mix == "makers":
        from samples.mixes import makers_jobs

        if args.out is None:
            parser.error("--mix needs --out (a folder outside samples/generated)")
        jobs, out, clean = makers_jobs(args.seed), args.out, args.clean
    else:
        kinds = tuple(k for k in args.kinds.split(",") if k)
        unknown = set(kinds) - set(KIND_WEIGHTS)
        if unknown or not kinds:
            parser.error(f"unknown kinds: {', '.join(sorted(unknown)) or '(none)'}")
        makers = tuple(m for m in args.makers.split(",") if m)
        if set(makers) - set(MAKERS) or not makers:
            parser.error(f"unknown makers: {args.makers}")
        jobs = random_jobs(args.count, args.seed, kinds, makers)
        out = args.out or DEFAULT_OUT
        clean = args.clean
    if clean and out.exists():
        for sub in ("text", "garbled", "scan", "html"):
            shutil.rmtree(out / sub, ignore_errors=True)
    start = time.time()
    if args.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=args.jobs)
        records = pool.map(run_job, jobs, [out] * len(jobs))
    else:
        records = (run_job(job, out) for job in jobs)
    for job, record in zip(jobs, records, strict=True):
        errors = len(record["source_errors"])
        print(f"{job.kind:8} {record['file']:40} maker={record['maker']:9} "
              f"pages={record['pages']} errors={errors}", flush=True)
    print(f"\n{len(jobs)} documents in {time.time() - start:.1f}s -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
