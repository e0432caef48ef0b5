"""The local scheduler: a pool of worker processes on this machine (`batch --jobs N`).

It hands one file at a time to the workers and gives finished documents back to the
runner (runs/runner.py), which alone writes them. A document that raises or hangs past
the timeout comes back as `failed` (runs/worker.py); one that kills its worker is found
out and comes back failed with the reason while the others go through (see `LocalPool`).

Signals: the workers and their fork server never see SIGINT at all (it is blocked when
the fork server starts, and they inherit the mask), so a terminal's Ctrl-C to the whole
process group cannot kill one half-started; Ctrl-C is the runner's business. Workers end
on their own soon after the run's process is gone (`kill -9`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver, resource_tracker
from typing import Any

from extractor.limits import cap_process_memory
from extractor.runs.inputs import Item
from extractor.runs.worker import (
    DEFAULT_EXTRACTOR,
    SINGLE_THREAD_ENV,
    Reply,
    extract_one,
    failed,
    tune_allocator,
)

DEFAULT_TIMEOUT = 600.0  # seconds per document; a scanned 10-page report takes far less
MAX_TASKS_PER_CHILD = 50  # recycle workers to bound memory growth (OCR, pdfium caches)

WORKER_DIED = (
    "the worker process died while extracting this file (a crash in a library, or out of memory)"
)
WORKER_STOPPED = (
    "extraction ran far past its time inside a library, where it could not be interrupted, "
    "and its worker process was stopped; the file is likely malformed (re-export or re-save it)"
)


class LocalPool:
    """Keeps `jobs` worker processes busy (the `Scheduler` of runs/runner.py).

    At most `2 × jobs` files are handed to the pool at a time, so that when a worker
    dies only those few are suspects: each is then run again alone, and the one that
    kills its worker again comes back failed while the others go through.
    """

    dashboard: str | None = None

    def __init__(
        self,
        jobs: int | None = None,
        extractor: str = DEFAULT_EXTRACTOR,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self.extractor, self.timeout = extractor, timeout
        self.description = f"local pool, {self.jobs} processes"
        self.pending: deque[Item] = deque()
        self.in_flight: dict[Future[Reply], Item] = {}
        self.pool: ProcessPoolExecutor | None = None
        self._broken = False  # a worker died; recover before submitting more
        self._draining = False  # after cancel_pending: finish what runs, start nothing
        self._startup_failures = 0

    def start(self) -> None:
        if self.pool is None:
            self.pool = _new_pool(self.jobs, self.extractor)

    def submit(self, item: Item) -> None:
        self.pending.append(item)

    def unfinished(self) -> int:
        return len(self.pending) + len(self.in_flight)

    def poll(self, timeout: float) -> list[tuple[Item, Reply]]:
        """Submit what fits, wait up to `timeout` for a document, hand back the finished."""
        out: list[tuple[Item, Reply]] = []
        if self._broken and not self._draining:
            out += self._recover_from_dead_worker()
        if not self._draining:
            out += self._submit_more()
        done = _finished(self.in_flight)
        if not done and self.in_flight:
            wait(self.in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            done = _finished(self.in_flight)
        out += self._collect(done)
        if self._broken and self._draining:
            self.in_flight.clear()  # a worker died while stopping: never written
        return out

    def cancel_pending(self) -> list[Item]:
        """Drop what has not started; what the workers are running still comes back.

        Cancelled here, in this thread, and dropped at once: a future the executor
        cancels on its own thread (`shutdown(cancel_futures=True)`) before `wait()` looks
        at it is never reported by `wait()`, which then waits forever.
        """
        self._draining = True
        dropped = list(self.pending)
        self.pending.clear()
        for future in list(self.in_flight):
            if future.cancel():
                dropped.append(self.in_flight.pop(future))
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        return dropped

    def close(self, graceful: bool, give_up: Callable[[], bool] = lambda: False) -> None:
        """Let the idle workers exit (until `give_up()`, e.g. a second Ctrl-C), or stop them."""
        if self.pool is None:
            return
        pool, self.pool = self.pool, None
        workers = _workers(pool)
        manager = getattr(pool, "_executor_manager_thread", None)
        if not graceful or give_up():
            _stop_pool(pool, workers)
            return
        pool.shutdown(wait=False)
        while manager is not None and manager.is_alive():
            if give_up():
                _stop_pool(pool, workers)
                return
            manager.join(0.1)

    # --- inside -----------------------------------------------------------------------------

    def _submit_more(self) -> list[tuple[Item, Reply]]:
        assert self.pool is not None
        while self.pending and len(self.in_flight) < 2 * self.jobs:
            if any(item.solo for item in self.in_flight.values()):
                return []
            if self.pending[0].solo and self.in_flight:
                return []
            item = self.pending[0]
            try:
                future = self.pool.submit(
                    extract_one, self.extractor, item.path, item.sha256, self.timeout
                )
            except BrokenProcessPool:  # a worker died before it was given anything
                self._startup_failures += 1
                if self._startup_failures > 3:
                    raise RuntimeError(
                        "the worker processes die as they start; "
                        "try `extractor extract` on one file to see why"
                    ) from None
                return self._recover_from_dead_worker()
            self.pending.popleft()
            self.in_flight[future] = item
        return []

    def _collect(self, done: set[Future[Reply]]) -> list[tuple[Item, Reply]]:
        """The finished results; a future of a dead worker stays in flight, a suspect."""
        out = []
        for future in done:
            if future.cancelled():
                self.in_flight.pop(future)
                continue
            try:
                reply = future.result()
            except BrokenProcessPool:
                self._broken = True
                continue
            except Exception as exc:  # e.g. a result that could not be sent back
                item = self.in_flight[future]
                reply = Reply(failed(item.path, item.sha256, f"worker error: {exc}"), 0, 0, 0)
            out.append((self.in_flight.pop(future), reply))
        return out

    def _recover_from_dead_worker(self) -> list[tuple[Item, Reply]]:
        self._broken = False
        reason = WORKER_DIED
        if self.pool is not None:
            if -signal.SIGXCPU in _exit_codes(self.pool):  # worker.py's CPU backstop
                reason = WORKER_STOPPED
            _stop_pool(self.pool)
        self.pool = _new_pool(self.jobs, self.extractor)
        suspects = list(self.in_flight.values())
        self.in_flight.clear()
        if len(suspects) == 1:  # it ran alone: it is the culprit
            item = suspects[0]
            return [(item, Reply(failed(item.path, item.sha256, reason), 0, 0, 0))]
        for item in reversed(suspects):
            item.solo = True
            self.pending.appendleft(item)
        return []


# --- the worker processes ----------------------------------------------------------------


def _worker_init(run_pid: int) -> None:
    # Ctrl-C is the runner's business: it stops the pool; workers must not die mid-task
    # with a traceback each. (SIGINT is normally blocked already, see `_new_pool`; this
    # covers a fork server that someone else started.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cap_process_memory()  # a hostile file ends as MemoryError in this worker, not the machine
    tune_allocator()
    threading.Thread(target=_exit_with, args=(run_pid,), daemon=True).start()


def _exit_with(run_pid: int) -> None:
    """End this worker soon after the run's process is gone (e.g. `kill -9`).

    A pool worker holds both ends of its task pipe, so it would otherwise wait for work
    forever; its own parent is the fork server, so a parent-death signal cannot help.
    """
    while True:
        time.sleep(1.0)
        try:
            os.kill(run_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid now belongs to someone else's process
            os._exit(1)


def _new_pool(jobs: int, extractor: str) -> ProcessPoolExecutor:
    # forkserver: a clean parent to fork from (no DB handles, no threads), modules loaded
    # once; max_tasks_per_child needs a non-fork start method anyway.
    for name, value in SINGLE_THREAD_ENV.items():  # inherited by the fork server
        os.environ.setdefault(name, value)
    context = multiprocessing.get_context("forkserver")
    module = extractor.partition(":")[0]
    context.set_forkserver_preload(["models.result", "extractor.runs.worker", module])
    # A terminal's Ctrl-C goes to the whole process group. The fork server only ignores
    # SIGINT once its preload is done, and a worker only from its initializer on; one
    # hit before that dies, and takes the pool (or, for the fork server, the run) with
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


def _exit_codes(pool: ProcessPoolExecutor) -> set[int | None]:
    """The exit codes of a broken pool's workers, read once the pool has reaped them.

    The pool's manager thread joins its dead workers while our futures already fail; two
    threads reading one forkserver child's status race, and the loser records 255 instead
    of the signal that ended it. So wait for that thread first."""
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(timeout=10)
    return {proc.exitcode for proc in _workers(pool)}


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
