"""`extractor batch`: every file under some paths into the results database, resumable.

A thin composition of runs/: find and hash the inputs and skip what the store has
(runs/inputs.py), extract the rest on a scheduler — the local process pool by default
(runs/local.py) — storing each document in its own transaction as it arrives
(runs/runner.py), then recompute the checks across reports (crosscheck.py). So a document
is either stored whole or not at all, whatever stops the batch (Ctrl-C, `kill -9`, a power
cut), and a re-run extracts exactly what is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console

from extractor.runs.inputs import SUPPORTED_SUFFIXES, Item, collect_inputs, plan
from extractor.runs.local import DEFAULT_TIMEOUT, LocalPool, _finished
from extractor.runs.runner import Interrupts, Runner, RunSummary, Scheduler, report_failure
from extractor.runs.worker import DEFAULT_EXTRACTOR

BatchSummary = RunSummary  # the name callers know

__all__ = [
    "DEFAULT_EXTRACTOR",
    "DEFAULT_TIMEOUT",
    "SUPPORTED_SUFFIXES",
    "BatchSummary",
    "Item",
    "collect_inputs",
    "run_batch",
    "_finished",
]


def run_batch(
    paths: Iterable[str | Path],
    db_url: str | Path,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    *,
    retry_failed: bool = False,
    extractor: str = DEFAULT_EXTRACTOR,
    timeout: float | None = DEFAULT_TIMEOUT,
    console: Console | None = None,
    scheduler: Scheduler | None = None,
) -> RunSummary:
    """Extract every supported file under `paths` into the database at `db_url`.

    Content already stored (by sha256) is skipped unless `force` (or `retry_failed` for
    documents stored as failed); a known document met under a new name gets that name
    recorded. `extractor` is the ``module:function`` each worker imports and calls.
    `scheduler` defaults to a local pool of `jobs` processes (e.g. runs/dask.py's
    `DaskCluster` instead).
    """
    started = time.perf_counter()
    summary = RunSummary()
    console = console or (Console(stderr=True) if progress else None)
    with Interrupts() as interrupts:
        try:
            from extractor.crosscheck import run_cross_checks
            from extractor.store import Store

            supported, unsupported = collect_inputs(paths, interrupts.check)
            summary.inputs, summary.unsupported = len(supported), len(unsupported)
            interrupts.check()
            store = Store(db_url)
            try:
                todo = plan(store, supported, force, retry_failed, interrupts.check)
                summary.already_stored = todo.already_stored
                summary.duplicate_names = todo.duplicate_names
                for path, error in todo.unreadable:
                    report_failure(summary, console, path, error)
                interrupts.check()
                scheduler = scheduler or LocalPool(jobs, extractor, timeout)
                runner = Runner(
                    store,
                    scheduler,
                    summary=summary,
                    console=console,
                    progress=progress,
                    interrupts=interrupts,
                )
                runner.run(todo.items)  # returns soon after a Ctrl-C
                interrupts.check()
                run_cross_checks(store)  # one short transaction: a Ctrl-C waits for it
                interrupts.check()
            finally:
                store.close()
        except KeyboardInterrupt:  # raised by `interrupts.check()` only
            summary.interrupted = True
    summary.seconds = time.perf_counter() - started
    return summary
