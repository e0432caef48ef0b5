"""Submit documents to a scheduler, store each result in its own transaction, report progress.

This is the one place where "store one result" lives: `batch` (a fixed list of files),
a watch folder (files fed one at a time over a long run) and every scheduler (the local
process pool, a Dask cluster) go through `Runner`. Only the process that owns the
`Runner` writes to the database, one transaction per document as each result arrives, so
a document is either stored whole or not at all whatever stops the run, and a re-run
extracts exactly what is missing.

Use, for a fixed list (what `run_batch` does):

    with Runner(store, LocalPool(jobs=2)) as runner:
        summary = runner.run(items)          # returns soon after a Ctrl-C

and for a long-lived run fed one file at a time (a watch folder):

    def stored(outcome: Outcome) -> None: ...  # committed: outcome.document_id, .result
    with Interrupts() as stop, Runner(store, LocalPool(2), on_done=stored, interrupts=stop) as r:
        while not stop.count:
            for path in new_files():
                r.submit_path(path)           # thread-safe; hashed and checked in poll()
            r.poll(0.5)                       # stores what finished, calls on_done per document
        r.stop()                              # finishes and stores the documents in progress

Ctrl-C (SIGINT, or SIGTERM) is never raised as an exception wherever the process happens
to be: a KeyboardInterrupt inside a database write can leave SQLite's write lock held by
an abandoned connection (the next write then waits out the busy timeout), and one inside
code run by `exec()` (dataclasses and others make their methods that way) makes the
interpreter kill itself with SIGINT at exit even once caught. `Interrupts` only counts the
signal; the runner looks at the count between short waits (never more than `POLL`
seconds). The first Ctrl-C finishes and stores the documents in progress, a second
abandons them (they were never written).
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from extractor.runs.inputs import Item, hash_files
from extractor.runs.worker import Reply
from models.result import DocumentResult

POLL = 0.1  # seconds: the longest the runner waits before it looks for a Ctrl-C


@dataclass
class RunSummary:
    """What a run did; counts are for the documents extracted in this run."""

    inputs: int = 0  # supported files found (all names, before de-duplication)
    unsupported: int = 0
    already_stored: int = 0  # distinct documents skipped because the DB has them
    duplicate_names: int = 0  # extra names of content seen under another name
    processed: int = 0
    ok: int = 0
    needs_review: int = 0
    failed: int = 0
    flagged_cells: int = 0
    failed_checks: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, error)
    pages: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    worker_peak_rss: dict[int | str, int] = field(default_factory=dict)  # worker → bytes
    cpu_seconds: float = 0.0  # extraction CPU time summed over documents (on the workers)
    commit_seconds: float = 0.0  # time spent writing results, summed over documents
    scheduler: str = ""  # where the documents ran, e.g. "local pool, 2 processes"
    dashboard: str | None = None  # the Dask dashboard's address, when there is one

    @property
    def docs_per_minute(self) -> float:
        return 60.0 * self.processed / self.seconds if self.seconds else 0.0

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * self.pages / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Outcome:
    """One submitted document, settled: committed to the store, or found there already.

    `result` is None when the document was not extracted (already stored, or the file
    could not be read: then `document_id` is None too and `error` says why).
    """

    item: Item
    document_id: int | None
    status: str  # ok / needs_review / failed
    result: DocumentResult | None = None
    already_stored: bool = False
    error: str | None = None


class Scheduler(Protocol):
    """Where documents are extracted: the local pool (runs/local.py) or Dask (runs/dask.py).

    Used from one thread, the runner's. `poll` hands back finished documents; nothing is
    ever written by a scheduler.
    """

    description: str
    dashboard: str | None

    def start(self) -> None:
        """Start the workers (or connect to them)."""

    def submit(self, item: Item) -> None:
        """Queue one document; never blocks."""

    def unfinished(self) -> int:
        """Documents submitted and not yet handed back by `poll`."""

    def poll(self, timeout: float) -> list[tuple[Item, Reply]]:
        """The documents finished since the last call, waiting up to `timeout` for one."""

    def cancel_pending(self) -> list[Item]:
        """Drop the documents not started yet (returned); `poll` then only drains."""

    def close(self, graceful: bool, give_up: Callable[[], bool]) -> None:
        """Release the workers: let them exit (until `give_up()`), or stop them at once."""


class Interrupts:
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) while a run lasts, counted in `count`;
    `kill -9` needs no handling.

    The handler never raises: the runner looks at `count` at safe points, or calls
    `check`, which raises KeyboardInterrupt there. Outside the main thread no handler can
    be installed (and no signal handler runs there anyway): `count` stays 0.
    """

    def __init__(self) -> None:
        self.count = 0
        self._old: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)

    def _handle(self, _signum: int, _frame: Any) -> None:
        self.count += 1

    def check(self) -> None:
        """Raise KeyboardInterrupt here if a Ctrl-C has arrived."""
        if self.count:
            raise KeyboardInterrupt


class Runner:
    """Feeds a scheduler and commits each finished document, one transaction each.

    `on_done(outcome)` is called (in the thread that calls `poll`/`run`/`stop`) after each
    document's transaction has committed, and for a submitted path whose content the
    store already has. `submit`/`submit_path` may be called from any thread.
    """

    def __init__(
        self,
        store: Any,
        scheduler: Scheduler,
        *,
        summary: RunSummary | None = None,
        console: Console | None = None,
        progress: bool = False,
        on_done: Callable[[Outcome], None] | None = None,
        interrupts: Interrupts | None = None,
        force: bool = False,
        retry_failed: bool = False,
    ) -> None:
        self.store, self.scheduler = store, scheduler
        self.summary = summary or RunSummary()
        self.console, self.on_done = console, on_done
        self.interrupts = interrupts or Interrupts()  # not entered: counts nothing
        self.force, self.retry_failed = force, retry_failed
        self._progress = progress and console is not None
        self._bar: Progress | None = None
        self._task: Any = None
        self._inbox: queue.SimpleQueue[Item | str] = queue.SimpleQueue()
        self._queued = 0  # in the inbox, not yet handed to the scheduler
        self._lock = threading.Lock()
        self._in_flight: dict[str, Item] = {}  # sha256 → item at the scheduler
        self._started = self._stopped = False

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Runner:
        self.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.stop(graceful=exc_type is None)

    def start(self) -> None:
        """Start the scheduler's workers (`run` and `submit` do it when needed)."""
        if not self._started:
            self._started = True
            self.summary.scheduler = self.scheduler.description
            self.scheduler.start()
            self.summary.dashboard = self.scheduler.dashboard
            if self.console and self.scheduler.dashboard:
                self.console.print(f"Dask dashboard: {self.scheduler.dashboard}", highlight=False)

    # --- feeding ---------------------------------------------------------------------------

    def submit(self, item: Item) -> None:
        """Queue a document already hashed and planned (see runs/inputs.py)."""
        with self._lock:
            self._queued += 1
        self._inbox.put(item)

    def submit_path(self, path: str | Path) -> None:
        """Queue a file: it is hashed, and skipped if the store has its content, in `poll`."""
        with self._lock:
            self._queued += 1
        self._inbox.put(str(path))

    @property
    def unfinished(self) -> int:
        """Documents submitted and not yet settled (committed, or found already stored)."""
        with self._lock:
            queued = self._queued
        return queued + self.scheduler.unfinished()

    # --- the loop --------------------------------------------------------------------------

    def poll(self, timeout: float = POLL) -> list[Outcome]:
        """Hand queued documents to the scheduler, then store every document that finished
        (waiting up to `timeout` for one while any is in progress); returns them, in the
        order they were committed. Returns at once when nothing is in progress.
        """
        self.start()
        outcomes = self._take_inbox()
        if self.scheduler.unfinished():
            for item, reply in self.scheduler.poll(timeout):
                outcomes.append(self._store(item, reply))
        return outcomes

    def run(self, items: Iterable[Item]) -> RunSummary:
        """Extract `items` to completion; after a Ctrl-C finish those in progress and return
        with `summary.interrupted` set (a second Ctrl-C abandons them).
        """
        items = list(items)
        self.start()
        if self._progress and self.console:
            self._bar = _progress_bar(self.console)
            self._task = self._bar.add_task(_describe(self.summary), total=len(items))
            self._bar.start()
        for item in items:
            self.submit(item)
        try:
            while self.unfinished and not self.interrupts.count:
                self.poll(POLL)
        except BaseException:
            self.stop(graceful=False)
            raise
        if self.interrupts.count:
            self.summary.interrupted = True
        self.stop(graceful=True)
        return self.summary

    def stop(self, graceful: bool = True) -> list[Item]:
        """Stop taking documents: those not started are returned, unwritten. Graceful: the
        documents in progress are finished and stored first (until a second Ctrl-C).
        """
        if self._stopped:
            return []
        self._stopped = True
        dropped: list[Item] = []
        try:
            while True:
                try:
                    entry = self._inbox.get_nowait()
                except queue.Empty:
                    break
                with self._lock:
                    self._queued -= 1
                if isinstance(entry, Item):
                    dropped.append(entry)
            if not self._started:
                return dropped
            dropped += self.scheduler.cancel_pending()
            if graceful:
                if self.console and self.scheduler.unfinished():
                    self.console.print(
                        "[yellow]stopping[/yellow]: finishing the documents in progress "
                        "(Ctrl-C again to abandon them)"
                    )
                while self.scheduler.unfinished() and self.interrupts.count < 2:
                    for item, reply in self.scheduler.poll(POLL):
                        self._store(item, reply)
            if self.interrupts.count >= 2 or not graceful:
                graceful = False
            self.scheduler.close(graceful, give_up=lambda: self.interrupts.count >= 2)
        finally:
            if self._bar:
                self._bar.stop()
        return dropped

    # --- storing ---------------------------------------------------------------------------

    def _take_inbox(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        while not self._stopped:
            try:
                entry = self._inbox.get_nowait()
            except queue.Empty:
                break
            with self._lock:
                self._queued -= 1
            item = entry if isinstance(entry, Item) else None
            if item is None:
                item, outcome = self._plan_path(str(entry))
                if outcome is not None:
                    outcomes.append(outcome)
                    self._notify(outcome)
            if item is None:
                continue
            if item.sha256 in self._in_flight:  # the same content under another name
                self._in_flight[item.sha256].paths.extend(
                    p for p in item.paths if p not in self._in_flight[item.sha256].paths
                )
                self.summary.duplicate_names += len(item.paths)
                continue
            self._in_flight[item.sha256] = item
            self.scheduler.submit(item)
        return outcomes

    def _plan_path(self, path: str) -> tuple[Item | None, Outcome | None]:
        by_hash, unreadable = hash_files([path])
        if unreadable:
            _, error = unreadable[0]
            report_failure(self.summary, self.console, path, error)
            return None, Outcome(Item("", [path]), None, "failed", error=error)
        ((sha, names),) = by_hash.items()
        item = Item(sha, names)
        stored = self.store.known_documents([sha]).get(sha)
        redo = self.force or (self.retry_failed and stored is not None and stored[1] == "failed")
        if stored is None or redo:
            return item, None
        doc_id, status = stored
        self.store.add_paths(doc_id, names)
        self.summary.already_stored += 1
        return None, Outcome(item, doc_id, status, already_stored=True)

    def _store(self, item: Item, reply: Reply) -> Outcome:
        self._in_flight.pop(item.sha256, None)
        result = reply.result
        result.document.sha256 = item.sha256  # the client's hash is the document's identity
        result.document.path = item.path
        started = time.perf_counter()
        doc_id = self.store.save_result(result, item.paths, reply.seconds)
        self.summary.commit_seconds += time.perf_counter() - started
        _count(self.summary, self.console, item, reply)
        if self._bar:
            self._bar.update(self._task, advance=1, description=_describe(self.summary))
        outcome = Outcome(item, doc_id, result.status, result=result, error=result.error)
        self._notify(outcome)
        return outcome

    def _notify(self, outcome: Outcome) -> None:
        if self.on_done:
            self.on_done(outcome)


def _count(summary: RunSummary, console: Console | None, item: Item, reply: Reply) -> None:
    result = reply.result
    summary.processed += 1
    summary.pages += result.document.pages
    summary.cpu_seconds += reply.cpu_seconds
    worker = reply.host or reply.pid
    if worker:
        summary.worker_peak_rss[worker] = max(
            reply.peak_rss, summary.worker_peak_rss.get(worker, 0)
        )
    if result.status == "failed":
        summary.failed += 1
        report_failure(summary, console, item.path, result.error or "unknown error")
        return
    if result.status == "ok":
        summary.ok += 1
    else:
        summary.needs_review += 1
    summary.flagged_cells += result.flagged_count
    summary.failed_checks.update(c.rule for c in result.failed_checks)


def report_failure(summary: RunSummary, console: Console | None, path: str, error: str) -> None:
    """Count a failed document and print one line a person can act on."""
    summary.failures.append((path, error))
    if console:
        console.print(f"[red]failed[/red] {path}: {error}", highlight=False, soft_wrap=True)


def _describe(summary: RunSummary) -> str:
    return (
        f"[green]{summary.ok} ok[/green] · [yellow]{summary.needs_review} review[/yellow]"
        f" · [red]{summary.failed} failed[/red]"
    )


def _progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


class _RateColumn(TextColumn):
    """Documents per minute, from the bar's own speed estimate."""

    def __init__(self) -> None:
        super().__init__("")

    def render(self, task: Any) -> Any:
        from rich.text import Text

        speed = task.finished_speed or task.speed
        return Text(f"{60 * speed:.0f} docs/min" if speed else "… docs/min", style="cyan")
