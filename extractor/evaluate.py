"""Scoring a result against a truth file: what the tests and `make bench` both measure."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.result import DocumentResult


@dataclass
class Score:
    cells: int = 0
    correct: int = 0
    flagged: int = 0
    silent_errors: list[str] = field(default_factory=list)  # wrong and not flagged
    wrong: list[str] = field(default_factory=list)
    missing_keys: list[str] = field(default_factory=list)  # in truth, absent from result
    extra_keys: list[str] = field(default_factory=list)  # in result, absent from truth
    missed_source_errors: list[str] = field(default_factory=list)
    unexpected_failed_checks: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.cells if self.cells else 0.0

    @property
    def flagged_fraction(self) -> float:
        return self.flagged / self.cells if self.cells else 0.0


def same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6  # type: ignore[arg-type]


def score(result: DocumentResult, truth: dict) -> Score:
    out = Score()
    got = result.cell_map()
    expected: dict = truth["cells"]
    out.extra_keys = sorted(set(got) - set(expected))
    for key, value in expected.items():
        out.cells += 1
        cell = got.get(key)
        if cell is None:
            out.missing_keys.append(key)
            if result.status != "failed":  # a failed document is an error a person sees
                out.silent_errors.append(key)
            continue
        if cell.flagged:
            out.flagged += 1
        if same(cell.value, value):
            out.correct += 1
        else:
            out.wrong.append(f"{key}: got {cell.value!r} want {value!r}")
            if not cell.flagged:
                out.silent_errors.append(f"{key}: got {cell.value!r} want {value!r}")
    failed = {(c.rule, c.scope) for c in result.checks if not c.ok}
    wanted = {(e["rule"], e["scope"]) for e in truth.get("source_errors", [])}
    out.missed_source_errors = sorted(f"{r}[{s}]" for r, s in wanted - failed)
    out.unexpected_failed_checks = sorted(f"{r}[{s}]" for r, s in failed - wanted)
    return out
