"""Damaged copies of real inputs (bytes flipped, zeroed, deleted, duplicated, truncated).

Every mutant goes through the real command line, as a person would run it: each must
end `ok`, `needs_review` or `failed` with a reason — never an internal error, never a
traceback on stderr, never a hang. The mutants are seeded, so a failure is reproducible
(`python -m tests.test_fuzz SEED COUNT OUTDIR` writes such a set to look at).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REAL, ROOT, SAMPLES

OPERATIONS = ("flip", "zero", "delete", "duplicate", "truncate")
CHUNK = 8  # mutants per command-line run (one interpreter start for several files)
SECONDS_PER_FILE = 90  # a mutant still readable as a scan is OCR'd: a few seconds a page


def sample_inputs(kinds: tuple[str, ...]) -> list[Path]:
    """The committed samples of these kinds (folders of samples/generated)."""
    return [p for kind in kinds for p in sorted((SAMPLES / kind).glob("*"))
            if p.suffix.lower() != ".json"]


def mutate(data: bytes, rng: random.Random, operation: str) -> bytes:
    """One kind of damage at a random place (several places for flips and zeroing)."""
    size = len(data)
    start = rng.randrange(size)
    length = max(1, min(size - start, int(rng.expovariate(1 / 64))))
    if operation == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(size)] ^= 1 << rng.randrange(8)
        return bytes(out)
    if operation == "zero":
        return data[:start] + bytes(length) + data[start + length:]
    if operation == "delete":
        return data[:start] + data[start + length:]
    if operation == "duplicate":
        return data[:start + length] + data[start:start + length] + data[start + length:]
    return data[:start]  # truncate


def write_mutants(sources: list[Path], count: int, seed: int, folder: Path) -> list[Path]:
    """`count` mutants spread over `sources` in turn, each with one operation."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    mutants = []
    for index in range(count):
        source = sources[index % len(sources)]
        operation = OPERATIONS[index % len(OPERATIONS)]
        target = folder / f"{source.stem}-{index:03d}-{operation}{source.suffix}"
        target.write_bytes(mutate(source.read_bytes(), rng, operation))
        mutants.append(target)
    return mutants


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_chunk(files: list[Path], out: Path) -> list[str]:
    """Run the CLI on `files`; the problems found (empty when every file was handled)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "extractor", "extract", "--out", str(out),
             *map(str, files)],
            capture_output=True, text=True, timeout=60 + SECONDS_PER_FILE * len(files),
            env=_env(), cwd=out,
        )
    except subprocess.TimeoutExpired:
        return [f"hang: no answer within the time for {[f.name for f in files]}"]
    problems = []
    if "Traceback" in proc.stderr:
        problems.append(f"traceback on stderr for {[f.name for f in files]}: "
                        f"{proc.stderr[-1500:]}")
    if proc.returncode not in (0, 1):
        problems.append(f"exit code {proc.returncode} for {[f.name for f in files]}")
    for path in files:
        written = out / f"{path.stem}.json"
        if not written.exists():
            problems.append(f"{path.name}: no result written")
            continue
        result = json.loads(written.read_text(encoding="utf-8"))
        error = result.get("error") or ""
        if result["status"] == "failed" and ("internal error" in error or "report this" in error):
            problems.append(f"{path.name}: {error}")
        if result["status"] == "failed" and path.name not in error:
            problems.append(f"{path.name}: the reason does not name the file: {error}")
    return problems


def fuzz(files: list[Path], out: Path, parallel: int = 1) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
    with ThreadPoolExecutor(parallel) as pool:
        return [p for problems in pool.map(lambda c: run_chunk(c, out), chunks)
                for p in problems]


def fuzz_set(tmp: Path, quick: int, word: int, scans: int, seed: int) -> list[Path]:
    """Mutants of every input type: text PDFs and web pages, Word files, and scans
    (scanned and garbled PDFs, images), plus each image file cut short."""
    # web pages first: the sources take turns, and there are more text PDFs than mutants
    mutants = write_mutants(_html() + sample_inputs(("text",)), quick, seed, tmp)
    mutants += write_mutants(sample_inputs(("docx",)), word, seed + 1, tmp)
    if scans:
        mutants += write_mutants(sample_inputs(("scan", "garbled")), scans, seed + 2, tmp)
    rng = random.Random(seed)
    for source in sample_inputs(("scan",)):
        if source.suffix.lower() != ".pdf":  # damage found before OCR starts
            target = tmp / f"{source.stem}-cut{source.suffix}"
            target.write_bytes(mutate(source.read_bytes(), rng, "truncate"))
            mutants.append(target)
    return mutants


def _html() -> list[Path]:
    return sorted(REAL.glob("*.html")) + sample_inputs(("html",))


def test_damaged_copies_of_every_input_type_fail_cleanly(tmp_path):
    """The fast set: ~40 mutants; scans only as cut image files (OCR takes seconds a page)."""
    mutants = fuzz_set(tmp_path / "in", quick=24, word=12, scans=0, seed=11)
    kinds = {p.suffix.lower() for p in mutants}
    assert {".pdf", ".docx", ".png", ".tif", ".jpg"} <= kinds
    assert ".html" in kinds
    assert fuzz(mutants, tmp_path / "out") == []


@pytest.mark.slow
def test_damaged_copies_many(tmp_path):
    """A few hundred mutants of every sample, 60 of them scans (those are OCR'd: minutes)."""
    mutants = fuzz_set(tmp_path / "in", quick=180, word=60, scans=60, seed=2026)
    assert len(mutants) >= 300
    assert fuzz(mutants, tmp_path / "out", parallel=2) == []


if __name__ == "__main__":  # write a set of mutants to look at: SEED COUNT OUTDIR
    seed, count, folder = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    for written in fuzz_set(folder, quick=count, word=count // 4, scans=count // 4, seed=seed):
        print(written)
