"""The same `Scheduler` interface on a Dask distributed cluster (`batch --scheduler …`).

Dask runs a Python job of independent documents with nothing extra to operate (no
broker): `dask scheduler` on one machine, `dask worker tcp://HOST:8786 --nworkers N
--nthreads 1` on each of the others, this package installed everywhere. `local[:N]`
starts a cluster of N worker processes on this machine instead (what the tests use).

Exactly once across machines: workers only extract and hand back a `Reply`; the client
(the runner's process) alone writes, one transaction per document, keyed by content hash.
A worker killed mid-document (`kill -9`, a machine lost, its memory limit) makes the Dask
scheduler run the task again on another worker; after `allowed-failures` such deaths
(Dask's setting, 3 by default) the document is stored as failed with the reason. The
client killed: its tasks are released, and a re-run extracts what was not stored.

Workers read files by path (shared storage: NFS, SMB); `ship=True` sends each file's
bytes from the client instead. At most two documents per worker thread are handed to
Dask at a time, so a stop finishes only those, and shipped bytes stay bounded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from extractor.runs.inputs import Item
from extractor.runs.worker import (
    DEFAULT_EXTRACTOR,
    SINGLE_THREAD_ENV,
    Reply,
    extract_one,
    failed,
    tune_allocator,
)

WORKER_LOST = (
    "the Dask workers running this file died each time it was tried "
    "(a crash in a library, or over the workers' memory limit)"
)


def extract_on_worker(
    spec: str, path: str, sha256: str, timeout: float | None, data: bytes | None
) -> Reply:
    """The task a Dask worker runs: `extract_one`, labelled with the worker's address."""
    reply = extract_one(spec, path, sha256, timeout, data)
    try:
        from distributed import get_worker

        reply.host = get_worker().address
    except ValueError:  # not on a worker (called directly)
        pass
    return reply


class IgnoreCtrlC(WorkerPlugin):
    """A worker plugin for `local[:N]` clusters: their workers share the terminal of `batch`,
    and a Ctrl-C (sent to the whole process group) is the runner's to act on, not theirs.
    Also set on the workers the nanny starts later, in place of one that died.
    """

    name = "extractor-ignore-ctrl-c"

    def setup(self, worker: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)


class TuneAllocator(WorkerPlugin):
    """Registered on every cluster, remote ones included: glibc's malloc set for documents
    (`tune_allocator`), in each worker and in those the nannies start later."""

    name = "extractor-tune-allocator"

    def setup(self, worker: Any) -> None:
        tune_allocator()


class DaskCluster:
    """Extract on a Dask cluster: ``tcp://HOST:PORT`` (running) or ``local[:N]`` (started here)."""

    def __init__(
        self,
        address: str,
        extractor: str = DEFAULT_EXTRACTOR,
        timeout: float | None = 600.0,
        *,
        ship: bool = False,
        memory_limit: str | None = None,
    ) -> None:
        self.address, self.extractor, self.timeout, self.ship = address, extractor, timeout, ship
        self.memory_limit = memory_limit
        self.local_workers = _local_workers(address)
        self.description = (
            f"Dask local cluster, {self.local_workers} worker processes"
            if self.local_workers
            else f"Dask cluster at {address}"
        )
        self.dashboard: str | None = None
        self.client: Any = None
        self.cluster: Any = None
        self.pending: deque[Item] = deque()
        self.in_flight: dict[Any, Item] = {}  # dask future → item
        self._ready: list[tuple[Item, Reply]] = []  # answered without a worker
        self._draining = False

    def start(self) -> None:
        import dask
        from distributed import Client, LocalCluster

        for name, value in SINGLE_THREAD_ENV.items():  # inherited by local worker processes
            os.environ.setdefault(name, value)
        # A terminal's Ctrl-C goes to the whole process group; it is the runner's business
        # alone. Block SIGINT while Dask starts its event-loop thread and the local worker
        # processes: both inherit the mask (it survives exec), so they never receive it and
        # a Ctrl-C cannot kill a worker or the client's connection mid-document.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            if self.local_workers:
                # Dask's sampling profiler wakes every 10 ms on every worker: a few percent of
                # a core that the documents need more than the dashboard's flame graph.
                dask.config.set({"distributed.worker.profile.enabled": False})
                self.cluster = LocalCluster(
                    n_workers=self.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    memory_limit=self.memory_limit or "auto",
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                    preload=[self.extractor.partition(":")[0]],  # loaded once, at start
                )
                self.client = Client(self.cluster)
                self.client.register_plugin(IgnoreCtrlC())
            else:
                try:
                    self.client = Client(self.address, timeout=30)
                except OSError as exc:  # TimeoutError included
                    raise RuntimeError(
                        f"cannot reach the Dask scheduler at {self.address}: {exc} "
                        "(is `dask scheduler` running there, and the port open?)"
                    ) from None
            self.client.register_plugin(TuneAllocator())
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self.dashboard = self.client.dashboard_link

    def submit(self, item: Item) -> None:
        self.pending.append(item)

    def unfinished(self) -> int:
        return len(self.pending) + len(self.in_flight) + len(self._ready)

    def poll(self, timeout: float) -> list[tuple[Item, Reply]]:
        from distributed import wait

        if not self._draining:
            self._submit_more()
        done = [f for f in self.in_flight if f.done()]
        if not done and self.in_flight and not self._ready:
            with contextlib.suppress(TimeoutError):
                wait(list(self.in_flight), timeout=timeout, return_when="FIRST_COMPLETED")
            done = [f for f in self.in_flight if f.done()]
        if self._draining and self.in_flight and not done and not self.client.nthreads():
            self.in_flight.clear()  # stopping, and no worker left to finish them: abandoned
        out, self._ready = self._ready, []
        for future in done:
            item = self.in_flight.pop(future)
            out.append((item, self._reply(future, item)))
        return out

    def cancel_pending(self) -> list[Item]:
        self._draining = True
        dropped = list(self.pending)
        self.pending.clear()
        return dropped

    def close(self, graceful: bool, give_up: Callable[[], bool] = lambda: False) -> None:
        if self.client is None:
            return
        if self.in_flight:
            self.client.cancel(list(self.in_flight))  # abandoned: never written
            self.in_flight.clear()
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    # --- inside -----------------------------------------------------------------------------

    def _capacity(self) -> int:
        threads = sum(self.client.nthreads().values())
        return 2 * max(threads, 1)

    def _submit_more(self) -> None:
        if not self.pending:
            return
        capacity = self._capacity()
        while self.pending and len(self.in_flight) < capacity:
            item = self.pending.popleft()
            data = None
            if self.ship:
                try:
                    data = Path(item.path).read_bytes()
                except OSError as exc:
                    reason = f"cannot read the file: {exc}"
                    answer = Reply(failed(item.path, item.sha256, reason), 0, 0, 0)
                    self._ready.append((item, answer))
                    continue
            future = self.client.submit(
                extract_on_worker,
                self.extractor,
                item.path,
                item.sha256,
                self.timeout,
                data,
                key=f"extract-{item.sha256[:20]}-{os.getpid()}-{id(item):x}",
                pure=False,
            )
            self.in_flight[future] = item

    def _reply(self, future: Any, item: Item) -> Reply:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            error = WORKER_LOST
        except Exception as exc:  # e.g. a result that could not be sent back
            error = f"worker error: {type(exc).__name__}: {exc}"
        finally:
            future.release()
        return Reply(failed(item.path, item.sha256, error), 0, 0, 0)


def _local_workers(address: str) -> int:
    """``local`` → all cores, ``local:N`` → N; 0 for the address of a running scheduler."""
    if address == "local":
        return os.cpu_count() or 1
    if address.startswith("local:"):
        count = int(address.partition(":")[2])
        if count < 1:
            raise ValueError(f"local:N needs N ≥ 1, not {count}")
        return count
    return 0
