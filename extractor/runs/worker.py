"""What runs on a worker, whatever the scheduler: one document in, a `Reply` out, never raises.

The local pool (runs/local.py) and Dask workers (runs/dask.py) both call `extract_one`.
The per-document timeout is a SIGALRM where the task runs on a process's main thread (the
local pool), and an exception raised asynchronously into the task's thread elsewhere (a
Dask worker runs tasks on a thread pool, where no signal can reach them); either way the
document is stored as failed and the worker goes on.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import resource
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.result import DocumentInfo, DocumentResult

DEFAULT_EXTRACTOR = "extractor.pipeline:extract_document"

# One thread per worker: a run parallelises over documents, so a library that starts a
# thread per core (tesseract's OpenMP, BLAS) only makes the workers fight for the cores.
SINGLE_THREAD_ENV = {
    "OMP_THREAD_LIMIT": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


@dataclass
class Reply:
    """A worker's answer for one document."""

    result: DocumentResult
    seconds: float  # wall time of the extraction
    pid: int  # the worker process (0: no worker answered)
    peak_rss: int  # the worker's high-water mark, bytes
    cpu_seconds: float = 0.0  # CPU time of the extraction (its thread + tesseract processes)
    host: str = ""  # the worker's address, where the scheduler knows one


# glibc's malloc, as a document needs it: page images (10–40 MB) and OpenCV buffers are
# allocated and freed many times per page. By default glibc learns to keep such blocks,
# but a fixed trim threshold (Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536) stops the
# learning: every buffer becomes a fresh mmap, page-faulted in and unmapped again. That
# cost a Dask worker 25% more CPU than a pool worker on the same documents. Kept in the
# heap up to these sizes, the freed memory is reused, and returned to the system past it.
MALLOC_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest (64-bit)
MALLOC_TRIM_THRESHOLD = 64 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


def tune_allocator() -> bool:
    """Let this worker process reuse freed page-sized buffers (see above); False where the
    C library is not glibc. Call it once in each worker process."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(
        mallopt(_M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD)
        and mallopt(_M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD)
    )


CPU_BACKSTOP = 1.5  # × the timeout: CPU seconds after which the kernel stops the worker


class DocumentTimeout(Exception):
    """Raised into a task that ran past its time (not a TimeoutError: libraries catch those)."""


def failed(path: str, sha256: str, error: str) -> DocumentResult:
    """A failed result with a reason a person can act on."""
    return DocumentResult(
        document=DocumentInfo(path=path, sha256=sha256), status="failed", error=error
    )


def _load_extractor(spec: str) -> Callable[[str], DocumentResult]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def extract_one(
    spec: str, path: str, sha256: str, timeout: float | None, data: bytes | None = None
) -> Reply:
    """Run the extractor `spec` (``module:function``) on one file; what it raises → failed.

    `data` is the file's bytes when the client ships them (no shared filesystem): they are
    written to a temporary file of the same suffix, extracted, and removed.
    """
    start = time.perf_counter()
    cpu_start = _cpu_seconds()
    try:
        # Loaded before the clock starts: a worker's first import of the pipeline (seconds
        # on a busy machine) is not the document's time, and a timeout must never land
        # inside an import.
        extract = _load_extractor(spec)
        with _local_copy(path, data) as local, _time_limit(timeout):
            result = extract(local)
    except DocumentTimeout:
        result = failed(path, sha256, f"extraction took longer than {timeout:g} s and was stopped")
    except Exception as exc:  # the run must go on whatever one document does
        result = failed(path, sha256, f"extractor error: {type(exc).__name__}: {exc}")
    result.document.path = path
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Reply(
        result,
        time.perf_counter() - start,
        os.getpid(),
        peak_kb * 1024,
        cpu_seconds=_cpu_seconds() - cpu_start,
    )


def _cpu_seconds() -> float:
    """CPU time of this thread plus that of the child processes it waited for (tesseract):
    the document's own cost, without the worker's other threads (Dask's event loop)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.thread_time() + children.ru_utime + children.ru_stime


@contextmanager
def _local_copy(path: str, data: bytes | None) -> Iterator[str]:
    if data is None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="extractor-") as tmp:
        local = Path(tmp) / f"document{Path(path).suffix}"
        local.write_bytes(data)
        yield str(local)


@contextmanager
def _cpu_backstop(timeout: float) -> Iterator[None]:
    """The kernel's CPU limit (RLIMIT_CPU) for what SIGALRM cannot stop: a loop inside a
    C library (a regular expression, a PDF parser) that never returns to Python, where
    the alarm's handler never runs. Past `CPU_BACKSTOP × timeout` more CPU seconds the
    kernel sends SIGXCPU, which ends the worker process; the pool then finds the document
    that killed it (runs/local.py) and stores it as failed with that reason."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    limit = int(usage.ru_utime + usage.ru_stime + CPU_BACKSTOP * timeout + 5)
    if hard != resource.RLIM_INFINITY and limit >= hard:
        yield  # a stricter limit is set already
        return
    # SIGXCPU must end the process: an ignored SIGXCPU is inherited from whoever started
    # the run, and a core dump of a large worker would be slow and litter the disk.
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise DocumentTimeout


@contextmanager
def _time_limit(timeout: float | None) -> Iterator[None]:
    if not timeout:
        yield
        return
    if threading.current_thread() is threading.main_thread():
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            with _cpu_backstop(timeout):
                yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        return
    # A worker thread: raise DocumentTimeout into it when the time is up. It lands at the
    # next Python bytecode the thread runs (a long C call finishes first).
    target = threading.get_ident()
    done = threading.Event()

    def expire() -> None:
        if not done.wait(timeout):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(target), ctypes.py_object(DocumentTimeout)
            )

    timer = threading.Thread(target=expire, daemon=True, name="document-timeout")
    timer.start()
    try:
        yield
    finally:
        done.set()
        timer.join()
        # an exception set just as the document finished, not yet delivered: drop it
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
