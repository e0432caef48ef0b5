"""Batch extraction of many files into the results database, resumable and crash-proof.

The parent process finds the inputs, hashes them, skips content already stored, and
hands one file at a time to a pool of worker processes; it alone writes to the database,
one transaction per document as each result arrives. So a document is either stored
whole or not at all, whatever stops the batch (Ctrl-C, `kill -9`, a power cut), and a
re-run extracts exactly what is missing. A document that raises, hangs past the timeout,
or kills its worker is stored as `failed` with the reason, and the batch goes on.

Ctrl-C (SIGINT, or SIGTERM) is never raised as an exception wherever the parent happens
to be: a KeyboardInterrupt inside a database write can leave SQLite's write lock held by
an abandoned connection (the next write then waits out the busy timeout), and one inside
code run by `exec()` (dataclasses and others make their methods that way) makes the
interpreter kill itself with SIGINT at exit even once caught. The signal is only counted
(`_Interrupts`) and acted on at safe points: between the files being found and hashed,
and by the scheduler, which never blocks for more than `_POLL` seconds and cancels the
documents not yet started itself (see `_finish_in_progress`). The first Ctrl-C finishes
and stores the documents in progress, a second abandons them. The workers and their fork
server never see SIGINT at all (it is blocked when the fork server starts, and they
inherit the mask), so a terminal's Ctrl-C to the whole process group cannot kill one
half-started.
"""

from __future__ import annotations

import glob
import importlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import forkserver, resource_tracker
from pathlib import Path
from typing import Any

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

from extractor.limits import cap_process_memory
from extractor.pipeline import file_sha256
from models.result import DocumentInfo, DocumentResult

SUPPORTED_SUFFIXES = frozenset(
    {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".html", ".htm", ".docx"}
)
DEFAULT_EXTRACTOR = "extractor.pipeline:extract_document"
DEFAULT_TIMEOUT = 600.0  # seconds per document; a scanned 10-page report takes far less
MAX_TASKS_PER_CHILD = 50  # recycle workers to bound memory growth (OCR, pdfium caches)
_POLL = 0.1  # seconds: the longest the scheduler waits before it looks for a Ctrl-C


@dataclass
class BatchSummary:
    """What a batch did; counts are for the documents extracted in this run."""

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
    worker_peak_rss: dict[int, int] = field(default_factory=dict)  # worker pid → bytes

    @property
    def docs_per_minute(self) -> float:
        return 60.0 * self.processed / self.seconds if self.seconds else 0.0

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * self.pages / self.seconds if self.seconds else 0.0


@dataclass
class _Item:
    sha256: str
    paths: list[str]  # the first is extracted, all are recorded
    solo: bool = False  # run alone: it was in a worker that died

    @property
    def path(self) -> str:
        return self.paths[0]


@dataclass
class _Reply:
    result: DocumentResult
    seconds: float
    pid: int
    peak_rss: int


# --- inputs ------------------------------------------------------------------------------


def collect_inputs(
    paths: Iterable[str | Path], check: Callable[[], None] = lambda: None
) -> tuple[list[Path], list[Path]]:
    """Expand folders (recursively), globs and files into (supported, unsupported) files.

    `check` is called for every file found; it may raise to stop (see `_Interrupts.check`).
    """
    found: dict[Path, None] = {}
    for spec in paths:
        text = str(spec)
        if glob.has_magic(text):
            candidates = [Path(p) for p in sorted(glob.glob(text, recursive=True))]
        else:
            candidates = [Path(text)]
        for candidate in candidates:
            if candidate.is_dir():
                for sub in sorted(candidate.rglob("*")):
                    check()
                    if sub.is_file() and not sub.name.startswith("."):
                        found[sub] = None
            elif candidate.is_file():
                check()
                found[candidate] = None
    supported = [p for p in found if p.suffix.lower() in SUPPORTED_SUFFIXES]
    unsupported = [p for p in found if p.suffix.lower() not in SUPPORTED_SUFFIXES]
    return supported, unsupported


# --- the worker side ---------------------------------------------------------------------


def _worker_init(batch_pid: int) -> None:
    # Ctrl-C is the parent's business: it stops the pool; workers must not die mid-task
    # with a traceback each. (SIGINT is normally blocked already, see `_new_pool`; this
    # covers a fork server that someone else started.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cap_process_memory()  # a hostile file ends as MemoryError here, not in the machine
    threading.Thread(target=_exit_with, args=(batch_pid,), daemon=True).start()


def _exit_with(batch_pid: int) -> None:
    """End this worker soon after the batch process is gone (e.g. `kill -9`).

    A pool worker holds both ends of its task pipe, so it would otherwise wait for work
    forever; its own parent is the fork server, so a parent-death signal cannot help.
    """
    while True:
        time.sleep(1.0)
        try:
            os.kill(batch_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid now belongs to someone else's process
            os._exit(1)


def _load_extractor(spec: str) -> Callable[[str], DocumentResult]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise TimeoutError


def _extract_one(spec: str, path: str, sha256: str, timeout: float | None) -> _Reply:
    """Run the extractor on one file; anything it raises becomes a failed result."""
    start = time.perf_counter()
    if timeout:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = _load_extractor(spec)(path)
    except TimeoutError:
        result = _failed(path, sha256, f"extraction took longer than {timeout:g} s and was stopped")
    except Exception as exc:  # the batch must go on whatever one document does
        result = _failed(path, sha256, f"extractor error: {type(exc).__name__}: {exc}")
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return _Reply(result, time.perf_counter() - start, os.getpid(), peak_kb * 1024)


def _failed(path: str, sha256: str, error: str) -> DocumentResult:
    return DocumentResult(
        document=DocumentInfo(path=path, sha256=sha256), status="failed", error=error
    )


# --- the parent side ---------------------------------------------------------------------


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
) -> BatchSummary:
    """Extract every supported file under `paths` into the database at `db_url`.

    Content already stored (by sha256) is skipped unless `force` (or `retry_failed` for
    documents stored as failed); a known document met under a new name gets that name
    recorded. `extractor` is the ``module:function`` each worker imports and calls.
    """
    started = time.perf_counter()
    summary = BatchSummary()
    console = console or (Console(stderr=True) if progress else None)
    with _Interrupts() as interrupts:
        try:
            from extractor.crosscheck import run_cross_checks
            from extractor.store import Store

            supported, unsupported = collect_inputs(paths, interrupts.check)
            summary.inputs, summary.unsupported = len(supported), len(unsupported)
            interrupts.check()
            store = Store(db_url)
            try:
                items = _plan(store, supported, force, retry_failed, summary, console, interrupts)
                bar = _progress_bar(console) if progress and console else None
                jobs = jobs or os.cpu_count() or 1
                scheduler = _Scheduler(
                    store, jobs, extractor, timeout, summary, console, bar, interrupts
                )
                scheduler.run(items)  # returns soon after a Ctrl-C
                interrupts.check()
                run_cross_checks(store)  # one short transaction: a Ctrl-C waits for it
                interrupts.check()
            finally:
                store.close()
        except KeyboardInterrupt:  # raised by `interrupts.check()` only
            summary.interrupted = True
    summary.seconds = time.perf_counter() - started
    return summary


def _plan(
    store: Any,
    files: list[Path],
    force: bool,
    retry_failed: bool,
    summary: BatchSummary,
    console: Console | None,
    interrupts: _Interrupts,
) -> list[_Item]:
    """Hash the files, group names of the same content, drop what the DB already has."""
    by_hash: dict[str, list[str]] = {}
    for path in files:
        interrupts.check()
        try:
            sha = file_sha256(path)
        except OSError as exc:
            _report_failure(summary, console, str(path), f"cannot read the file: {exc}")
            continue
        by_hash.setdefault(sha, []).append(str(path))
    summary.duplicate_names = sum(len(p) - 1 for p in by_hash.values())

    known = store.known_documents()
    known_paths = store.known_paths()
    items: list[_Item] = []
    for sha, names in by_hash.items():
        interrupts.check()
        stored = known.get(sha)
        redo = force or (retry_failed and stored is not None and stored[1] == "failed")
        if stored is not None and not redo:
            summary.already_stored += 1
            doc_id = stored[0]
            if set(names) - known_paths.get(doc_id, set()):
                store.add_paths(doc_id, names)
            continue
        items.append(_Item(sha, names))
    return items


_WORKER_DIED = (
    "the worker process died while extracting this file (a crash in a library, or out of memory)"
)


class _Scheduler:
    """Keeps `jobs` workers busy and writes each result as it arrives.

    At most `2 × jobs` files are handed to the pool at a time, so that when a worker
    dies only those few are suspects: each is then run again alone, and the one that
    kills its worker again is stored as failed while the others go through.
    """

    def __init__(
        self,
        store: Any,
        jobs: int,
        extractor: str,
        timeout: float | None,
        summary: BatchSummary,
        console: Console | None,
        bar: Progress | None,
        interrupts: _Interrupts,
    ) -> None:
        self.store, self.jobs, self.extractor, self.timeout = store, jobs, extractor, timeout
        self.summary, self.console, self.bar = summary, console, bar
        self.interrupts = interrupts
        self.pending: deque[_Item] = deque()
        self.in_flight: dict[Future[_Reply], _Item] = {}
        self.task = None
        self._startup_failures = 0

    def run(self, items: list[_Item]) -> None:
        """Extract `items`; after a Ctrl-C return with `summary.interrupted` set.

        Every wait is short and followed by a look at `interrupts.count`, so a Ctrl-C is
        acted on within `_POLL` seconds wherever it lands (pool start-up, a database
        write, the final shutdown).
        """
        self.pending.extend(items)
        if self.bar:
            self.task = self.bar.add_task(_describe(self.summary), total=len(items))
            self.bar.start()
        self.pool = _new_pool(self.jobs, self.extractor)
        clean = False
        try:
            while (self.pending or self.in_flight) and not self.interrupts.count:
                self._submit_more()
                done = self._wait_any(stop_at=1)
                if self._collect(done) and not self.interrupts.count:
                    self._recover_from_dead_worker()
            if self.interrupts.count:
                self.summary.interrupted = True
                self._finish_in_progress()
            clean = True
        finally:
            self._close_pool(graceful=clean)
            if self.bar:
                self.bar.stop()

    def _wait_any(self, stop_at: int) -> set[Future[_Reply]]:
        """The finished futures in flight, waiting for one until `stop_at` Ctrl-Cs."""
        while True:
            done = _finished(self.in_flight)
            if done or not self.in_flight or self.interrupts.count >= stop_at:
                return done
            wait(self.in_flight, timeout=_POLL, return_when=FIRST_COMPLETED)

    def _close_pool(self, graceful: bool) -> None:
        """Let the idle workers exit (a second Ctrl-C cuts this short), or stop them now."""
        workers = _workers(self.pool)
        manager = getattr(self.pool, "_executor_manager_thread", None)
        if not graceful or self.interrupts.count >= 2:
            _stop_pool(self.pool, workers)
            return
        self.pool.shutdown(wait=False)
        while manager is not None and manager.is_alive():
            if self.interrupts.count >= 2:
                _stop_pool(self.pool, workers)
                return
            manager.join(_POLL)

    def _submit_more(self) -> None:
        while self.pending and len(self.in_flight) < 2 * self.jobs:
            if any(item.solo for item in self.in_flight.values()):
                return
            if self.pending[0].solo and self.in_flight:
                return
            item = self.pending[0]
            try:
                future = self.pool.submit(
                    _extract_one, self.extractor, item.path, item.sha256, self.timeout
                )
            except BrokenProcessPool:  # a worker died before it was given anything
                self._startup_failures += 1
                if self._startup_failures > 3:
                    raise RuntimeError(
                        "the worker processes die as they start; "
                        "try `extractor extract` on one file to see why"
                    ) from None
                self._recover_from_dead_worker()
                return
            self.pending.popleft()
            self.in_flight[future] = item

    def _collect(self, done: set[Future[_Reply]]) -> bool:
        """Store finished results; True if the pool broke (a worker died)."""
        broken = False
        for future in done:
            if future.cancelled():
                self.in_flight.pop(future)
                continue
            try:
                reply = future.result()
            except BrokenProcessPool:
                broken = True  # stays in flight: a suspect
                continue
            except Exception as exc:  # e.g. a result that could not be sent back
                item = self.in_flight[future]
                reply = _Reply(_failed(item.path, item.sha256, f"worker error: {exc}"), 0, 0, 0)
            self._store(self.in_flight.pop(future), reply)
        return broken

    def _recover_from_dead_worker(self) -> None:
        _stop_pool(self.pool)
        self.pool = _new_pool(self.jobs, self.extractor)
        suspects = list(self.in_flight.values())
        self.in_flight.clear()
        if not suspects:
            return
        if len(suspects) == 1:  # it ran alone: it is the culprit
            item = suspects[0]
            self._store(item, _Reply(_failed(item.path, item.sha256, _WORKER_DIED), 0, 0, 0))
            return
        for item in reversed(suspects):
            item.solo = True
            self.pending.appendleft(item)

    def _finish_in_progress(self) -> None:
        """After Ctrl-C: drop what has not started, store what the workers finish.

        A second Ctrl-C abandons the documents in progress (they were never written).
        """
        self.pending.clear()
        # Cancelled here, in this thread, and dropped at once: a future the executor
        # cancels on its own thread (`shutdown(cancel_futures=True)`) before `wait()`
        # looks at it is never reported by `wait()`, which then waits forever.
        for future in list(self.in_flight):
            if future.cancel():
                del self.in_flight[future]
        if self.console and self.in_flight:
            self.console.print(
                "[yellow]stopping[/yellow]: finishing the documents in progress "
                "(Ctrl-C again to abandon them)"
            )
        self.pool.shutdown(wait=False, cancel_futures=True)
        while self.in_flight and self.interrupts.count < 2:
            if self._collect(self._wait_any(stop_at=2)):
                break  # a worker died: what it held was never written

    def _store(self, item: _Item, reply: _Reply) -> None:
        _store_reply(self.store, item, reply, self.summary, self.console)
        if self.bar:
            self.bar.update(self.task, advance=1, description=_describe(self.summary))


def _store_reply(
    store: Any, item: _Item, reply: _Reply, summary: BatchSummary, console: Console | None
) -> None:
    result = reply.result
    result.document.sha256 = item.sha256  # the parent's hash is the document's identity
    result.document.path = item.path
    store.save_result(result, item.paths, reply.seconds)
    summary.processed += 1
    summary.pages += result.document.pages
    if reply.pid:
        summary.worker_peak_rss[reply.pid] = max(
            reply.peak_rss, summary.worker_peak_rss.get(reply.pid, 0)
        )
    if result.status == "failed":
        summary.failed += 1
        _report_failure(summary, console, item.path, result.error or "unknown error")
        return
    if result.status == "ok":
        summary.ok += 1
    else:
        summary.needs_review += 1
    summary.flagged_cells += result.flagged_count
    summary.failed_checks.update(c.rule for c in result.failed_checks)


def _report_failure(summary: BatchSummary, console: Console | None, path: str, error: str) -> None:
    summary.failures.append((path, error))
    if console:
        console.print(f"[red]failed[/red] {path}: {error}", highlight=False, soft_wrap=True)


def _describe(summary: BatchSummary) -> str:
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


# One thread per worker: the batch parallelises over documents, so a library that starts
# a thread per core (tesseract's OpenMP, BLAS) only makes the workers fight for the cores.
SINGLE_THREAD_ENV = {
    "OMP_THREAD_LIMIT": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def _new_pool(jobs: int, extractor: str) -> ProcessPoolExecutor:
    # forkserver: a clean parent to fork from (no DB handles, no threads), modules loaded
    # once; max_tasks_per_child needs a non-fork start method anyway.
    for name, value in SINGLE_THREAD_ENV.items():  # inherited by the fork server
        os.environ.setdefault(name, value)
    context = multiprocessing.get_context("forkserver")
    module = extractor.partition(":")[0]
    context.set_forkserver_preload(["models.result", module])
    # A terminal's Ctrl-C goes to the whole process group. The fork server only ignores
    # SIGINT once its preload is done, and a worker only from its initializer on; one
    # hit before that dies, and takes the pool (or, for the fork server, the batch) with
    # it. So start the fork server with SIGINT blocked: the mask survives exec and fork,
    # and neither it nor any worker forked from it ever receives SIGINT. SIGTERM stays
    # open: `_stop_pool` needs it. The resource tracker must be running first: starting
    # it, multiprocessing blocks SIGINT for it the same way but then *unblocks* SIGINT
    # in the calling thread, which would undo the mask meant for the fork server.
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_init,
        initargs=(os.getpid(),),
        max_tasks_per_child=MAX_TASKS_PER_CHILD,
    )


def _workers(pool: ProcessPoolExecutor) -> list[Any]:
    return list((getattr(pool, "_processes", None) or {}).values())


def _stop_pool(pool: ProcessPoolExecutor, workers: list[Any] | None = None) -> None:
    """Stop at once: a running extraction is abandoned (it was never written)."""
    workers = _workers(pool) if workers is None else workers
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        if proc.is_alive():
            proc.terminate()
    for proc in workers:
        proc.join(timeout=5)


def _finished(futures: Iterable[Future[Any]]) -> set[Future[Any]]:
    """The futures that are done, cancelled ones included.

    `concurrent.futures.wait` does not count a future that was cancelled before the call
    (its state is CANCELLED, not CANCELLED_AND_NOTIFIED, until someone calls
    `set_running_or_notify_cancel`), so it must not be relied on to report those.
    """
    return {f for f in futures if f.done()}


class _Interrupts:
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) for the duration of a batch, counted in `count`;
    `kill -9` needs no handling.

    The handler never raises: the batch looks at `count` at safe points, or calls `check`,
    which raises KeyboardInterrupt there. Outside the main thread no handler can be
    installed (and no signal handler runs there anyway): `count` stays 0.
    """

    def __init__(self) -> None:
        self.count = 0
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _Interrupts:
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
