from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "samples" / "real"
SAMPLES = ROOT / "samples" / "generated"


def truth_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def load_truth(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def document_for(truth_path: Path) -> Path:
    return truth_path.parent / load_truth(truth_path)["file"]


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL


def cases(truths: list[Path], known_failures: dict[str, str]) -> list:
    """``truths`` as pytest parameters; the samples in ``known_failures`` (stem → failure
    class) are strict xfails: the suite stays green, and a fix that makes one pass flips it
    to a failure until its entry is removed."""
    return [
        pytest.param(
            p,
            id=p.stem,
            marks=[pytest.mark.xfail(strict=True, reason=known_failures[p.stem])]
            if p.stem in known_failures
            else [],
        )
        for p in truths
    ]
