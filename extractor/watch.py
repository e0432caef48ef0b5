"""A watch folder: reports dropped into an inbox are extracted into the database, once each.

    inbox events (watchdog) ─► settled files ─► runs.Runner ─► committed ─► archive / --out

A thin shell over `extractor.runs.Runner`, the one place that stores a result: this
module only decides *when* a file is ready and *what happens to it after* its result is
committed. Exactly once comes from the database: a document is its content (sha256), so
a file whose content is stored is never extracted again (its new name is recorded), and
a file is moved to the archive only after its transaction committed. A watcher killed at
any moment (`kill -9`) and restarted finds what was in flight still in the inbox and
finishes it; what was committed but not yet moved is moved then.

A file is taken when complete: its size and mtime unchanged for `settle` seconds, and
never under a temporary name (`*.part`, `*.crdownload`, `*.tmp`, `~$*`, dot files).
Sub-folders are watched; symlinks are not followed out of the inbox. SIGINT/SIGTERM
finish the documents in progress and return (exit 0).
"""

from __future__ import annotations

import fnmatch
import logging
import multiprocessing
import os
import queue
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from extractor.runs import Interrupts, Outcome, Runner
from extractor.runs.local import DEFAULT_TIMEOUT, LocalPool

log = logging.getLogger("extractor.watch")

IGNORED_NAMES = ("*.part", "*.crdownload", "*.tmp", "~$*", ".*", "thumbs.db", "desktop.ini")
DEFAULT_SETTLE = 2.0  # seconds a file's size and mtime must stay unchanged
RESCAN_EVERY = 60.0  # seconds: a full look at the inbox, for events a share never sent
STATUS_EVERY = 10.0  # seconds between status lines when stderr is not a terminal
_TICK = 0.2  # seconds: the longest the loop sleeps when idle


@dataclass
class WatchOptions:
    """What `extractor watch` was asked to do (see the command's help)."""

    inbox: Path
    db: str
    archive: Path | None = None
    out: Path | None = None
    jobs: int | None = None
    poll: float | None = None  # seconds: watchdog's polling observer (network shares)
    settle: float = DEFAULT_SETTLE
    once: bool = False
    log_file: Path | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    status: bool = True  # print the status line on stderr


@dataclass
class WatchCounts:
    """The status line's numbers: files waiting to settle or in the runner, and outcomes."""

    settling: int = 0
    queued: int = 0
    working: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0  # content already in the database (its name recorded)

    def line(self) -> str:
        return (f"queued {self.settling + self.queued} · working {self.working} · "
                f"done {self.done} · failed {self.failed}")


def is_ignored(name: str) -> bool:
    """A temporary or hidden name (a download, an editor's lock file) or a file the
    desktop writes by itself. Any other file is taken, whatever its name: a file that is
    not a report ends in `failed/` with the reason, never left unanswered in the inbox."""
    lowered = name.lower()
    return any(fnmatch.fnmatch(lowered, pattern) for pattern in IGNORED_NAMES)


class Settler:
    """Files seen in the inbox, each until its size and mtime have stayed the same for
    `settle` seconds (then it is complete: `ready` hands it out once)."""

    def __init__(self, settle: float) -> None:
        self.settle = settle
        self._watching: dict[str, tuple[int, int, float]] = {}  # path → size, mtime, since

    def note(self, path: str) -> None:
        """Look at `path` again (an event came): its clock restarts if it changed."""
        self._watching.setdefault(path, (-1, -1, 0.0))

    def __len__(self) -> int:
        return len(self._watching)

    def ready(self, now: float, stat_of: Callable[[str], os.stat_result | None]) -> list[str]:
        out = []
        for path, (size, mtime, since) in list(self._watching.items()):
            st = stat_of(path)
            if st is None:  # gone, or not a regular file inside the inbox
                del self._watching[path]
            elif (st.st_size, st.st_mtime_ns) != (size, mtime):
                self._watching[path] = (st.st_size, st.st_mtime_ns, now)
            elif now - since >= self.settle:
                del self._watching[path]
                out.append(path)
        return out


class _Events:
    """watchdog's handler: every path an event names goes on a queue for the loop."""

    def __init__(self) -> None:
        from watchdog.events import FileSystemEventHandler

        self.paths: queue.SimpleQueue[tuple[str, bool]] = queue.SimpleQueue()
        events = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.event_type in ("opened", "closed_no_write", "deleted"):
                    return
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    if path:
                        events.paths.put((os.fsdecode(path), event.is_directory))

        self.handler = Handler()


class Watcher:
    """One watch folder over one database; `run()` until stopped (or, `--once`, done)."""

    def __init__(self, options: WatchOptions, stop: threading.Event | None = None) -> None:
        self.options = options
        self.inbox = options.inbox.resolve()
        self.stop_event = stop or threading.Event()
        self.counts = WatchCounts()
        self.settler = Settler(options.settle)
        self._taken: dict[str, tuple[int, int]] = {}  # path → (size, mtime) when submitted
        self._in_runner: set[str] = set()
        self._skip_dirs = {p.resolve() for p in (options.archive, options.out) if p}
        self._store: Any = None
        self._status_at = 0.0
        self._status_text = ""
        self._status_stream: TextIO | None = sys.stderr if options.status else None

    # --- the loop --------------------------------------------------------------------------

    def run(self) -> WatchCounts:
        """Watch until SIGINT/SIGTERM or `stop()` (or, with `once`, until the inbox is done);
        the documents in progress are finished and stored before it returns."""
        from extractor.store import Store

        options = self.options
        handler = _log_to(options.log_file)
        log.info("watching %s (database %s)", self.inbox, options.db)
        try:
            with Interrupts() as signals, Store(options.db) as store:
                self._store = store
                pool = LocalPool(options.jobs or os.cpu_count() or 1, timeout=options.timeout)
                runner = Runner(store, pool, on_done=self._done, interrupts=signals)
                self._loop(runner, signals)
        finally:
            self._show_status(force=True, final=True)
            log.info("stopped: %s", self.counts.line())
            if handler:
                log.removeHandler(handler)
                handler.close()
        return self.counts

    def stop(self) -> None:
        """Ask `run()` (in another thread) to finish what is in progress and return."""
        self.stop_event.set()

    def _loop(self, runner: Runner, signals: Interrupts) -> None:
        events = _Events()
        observer = None if self.options.once else self._start_observer(events)
        runner.start()
        self._scan(self.inbox)
        rescanned = time.monotonic()
        graceful = True
        try:
            while not (signals.count or self.stop_event.is_set()):
                self._drain(events)
                for path in self.settler.ready(time.monotonic(), self._stat):
                    self._take(runner, path)
                busy = runner.unfinished
                runner.poll(_TICK if busy else 0)
                self._count(runner)
                self._show_status()
                if self.options.once and not len(self.settler) and not runner.unfinished:
                    break
                if not busy:
                    time.sleep(_TICK)
                if time.monotonic() - rescanned > RESCAN_EVERY:
                    self._scan(self.inbox)
                    rescanned = time.monotonic()
        except BaseException:
            graceful = False
            raise
        finally:
            if observer is not None:
                observer.stop()
            if graceful and self._in_runner:
                log.info("stopping: finishing %d document(s) in progress", len(self._in_runner))
            runner.stop(graceful=graceful)
            if observer is not None:
                observer.join(timeout=5)

    def _start_observer(self, events: _Events) -> Any:
        """inotify (or the platform's) observer; polling with `--poll` or when that fails."""
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        if self.options.poll is None:
            try:
                observer = Observer()
                observer.schedule(events.handler, str(self.inbox), recursive=True)
                observer.start()
                return observer
            except OSError as exc:  # e.g. the inotify watch limit
                log.warning("file events unavailable (%s); polling every 2 s instead", exc)
        observer = PollingObserver(timeout=self.options.poll or 2.0)
        observer.schedule(events.handler, str(self.inbox), recursive=True)
        observer.start()
        return observer

    # --- finding files ---------------------------------------------------------------------

    def _drain(self, events: _Events) -> None:
        while True:
            try:
                path, is_dir = events.paths.get_nowait()
            except queue.Empty:
                return
            if is_dir:
                if os.path.isdir(path) and not os.path.islink(path):
                    self._scan(Path(path))  # a folder moved in: its files sent no events
            else:
                self._consider(path)

    def _scan(self, folder: Path) -> None:
        """Every file under `folder` (symlinked folders are not entered)."""
        for root, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")
                       and Path(root, d).resolve() not in self._skip_dirs]
            for name in files:
                self._consider(os.path.join(root, name))

    def _consider(self, path: str) -> None:
        if is_ignored(os.path.basename(path)) or path in self._in_runner:
            return
        if not self._inside_inbox(path):
            return
        st = self._stat(path)
        if st is None:
            return
        if self._taken.get(path) == (st.st_size, st.st_mtime_ns):
            return  # already handled in this run, unchanged since
        self.settler.note(path)

    def _inside_inbox(self, path: str) -> bool:
        parent = Path(path).parent.resolve()
        if parent in self._skip_dirs or any(d in parent.parents for d in self._skip_dirs):
            return False
        return parent == self.inbox or self.inbox in parent.parents

    def _stat(self, path: str) -> os.stat_result | None:
        """The file's stat if it is a regular file in the inbox (a symlink only when it
        points inside the inbox); None otherwise."""
        try:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                target = Path(path).resolve(strict=True)
                if self.inbox not in target.parents:
                    return None  # not followed out of the inbox
                st = os.stat(target)
        except (OSError, RuntimeError):
            return None
        return st if stat.S_ISREG(st.st_mode) else None

    def _take(self, runner: Runner, path: str) -> None:
        st = self._stat(path)
        if st is None:
            return
        self._taken[path] = (st.st_size, st.st_mtime_ns)
        self._in_runner.add(path)
        log.info("taken %s", self._rel(path))
        runner.submit_path(path)

    # --- after the commit ------------------------------------------------------------------

    def _done(self, outcome: Outcome) -> None:
        """Called by the runner after the document's transaction committed."""
        error = outcome.error
        if outcome.already_stored and outcome.status == "failed":
            error = self._stored_error(outcome.document_id)
        for path in outcome.item.paths:
            self._in_runner.discard(path)
            if outcome.already_stored:
                self.counts.skipped += 1
            elif outcome.status == "failed":
                self.counts.failed += 1
            else:
                self.counts.done += 1
            self._after(path, outcome, error)

    def _after(self, path: str, outcome: Outcome, error: str | None) -> None:
        name = self._rel(path)
        st = self._stat(path)
        taken = self._taken.get(path)
        if st is not None and taken is not None and (st.st_size, st.st_mtime_ns) != taken:
            # rewritten while it was read: the new content is another document
            log.warning("changed while it was read, taken again: %s", name)
            self._taken.pop(path, None)
            self.settler.note(path)
            return
        if outcome.document_id is None:  # never stored: unreadable or gone
            if not os.path.exists(path):
                log.warning("gone before it was read: %s", name)
                return
            log.warning("failed %s: %s", name, error)
        elif outcome.already_stored:
            log.info("already in the database (document %s, %s): %s",
                     outcome.document_id, outcome.status, name)
        elif outcome.status == "failed":
            log.warning("failed %s: %s", name, error)
        else:
            log.info("%s %s (document %s)", outcome.status, name, outcome.document_id)
        if self.options.out is not None and outcome.document_id is not None:
            self._write_json(path, outcome)
        if self.options.archive is not None:
            try:
                moved = archive_file(Path(path), self.inbox, self.options.archive,
                                     outcome.status, error)
            except FileNotFoundError:
                log.warning("gone before it could be archived: %s", name)
            except OSError as exc:
                log.error("could not archive %s (it stays in the inbox): %s", name, exc)
            else:
                log.info("archived %s → %s", name, moved)

    def _write_json(self, path: str, outcome: Outcome) -> None:
        assert self.options.out is not None
        rel = Path(self._rel(path))
        target = self.options.out / rel.parent / f"{rel.stem}.json"
        result = outcome.result
        if result is None:  # stored before (e.g. by a run killed before it wrote this)
            if target.exists():
                return
            docs = self._store.load_documents(document_ids=[outcome.document_id])
            if not docs:
                return
            result = docs[0].result
        try:
            _write_atomic(target, result.model_dump_json(indent=2))
        except OSError as exc:
            log.error("could not write %s: %s", target, exc)

    def _stored_error(self, document_id: int | None) -> str | None:
        if document_id is None:
            return None
        docs = self._store.load_documents(document_ids=[document_id], with_cells=False)
        return docs[0].result.error if docs else None

    def _rel(self, path: str) -> str:
        try:
            return str(Path(path).relative_to(self.inbox))
        except ValueError:
            return path

    # --- status ----------------------------------------------------------------------------

    def _count(self, runner: Runner) -> None:
        in_runner = runner.unfinished
        jobs = self.options.jobs or os.cpu_count() or 1
        self.counts.settling = len(self.settler)
        self.counts.working = min(jobs, in_runner)
        self.counts.queued = in_runner - self.counts.working

    def _show_status(self, force: bool = False, final: bool = False) -> None:
        stream = self._status_stream
        if stream is None:
            return
        text = self.counts.line()
        now = time.monotonic()
        tty = stream.isatty()
        if not force and (text == self._status_text
                          or (not tty and now - self._status_at < STATUS_EVERY)):
            return
        self._status_text, self._status_at = text, now
        stream.write(("\r" + text + "\x1b[K" + ("\n" if final else "")) if tty else text + "\n")
        stream.flush()


# --- archive moves -------------------------------------------------------------------------


def archive_file(path: Path, inbox: Path, archive: Path, status: str, error: str | None) -> Path:
    """Move `path` into `archive/processed/` or `archive/failed/` (its sub-folder kept),
    atomically, never over an existing file; a failed one gets `<name>.error.txt`.

    Within one filesystem the move is a rename: the file is in the inbox or in the archive,
    never both, never half. The reason is written first, so a failed file is never found
    archived without it.
    """
    try:
        rel_parent = path.parent.resolve().relative_to(inbox.resolve())
    except ValueError:
        rel_parent = Path()
    folder = archive / ("failed" if status == "failed" else "processed") / rel_parent
    folder.mkdir(parents=True, exist_ok=True)
    os.stat(path)  # FileNotFoundError before anything is written for a file that is gone
    target = free_name(folder, path.name)
    if status == "failed":
        _write_atomic(target.with_name(target.name + ".error.txt"),
                      (error or "failed (no reason recorded)") + "\n")
    try:
        os.rename(path, target)
    except OSError as exc:
        if exc.errno != 18:  # EXDEV: the archive is on another filesystem
            raise
        partial = target.with_name(f".{target.name}.moving")
        shutil.copy2(path, partial)
        os.rename(partial, target)
        os.unlink(path)
    return target


def free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or `stem-1.ext`, `stem-2.ext`… : the first that does not exist."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def _write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)


def _log_to(log_file: Path | None) -> logging.Handler | None:
    log.setLevel(logging.INFO)
    if log_file is None:
        return None
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False
    return handler


# --- the watcher inside another program (`extractor serve --watch INBOX`) -----------------


@dataclass
class BackgroundWatch:
    """A watcher running in a child process of its own; `stop()` ends it gracefully."""

    process: Any
    options: WatchOptions = field(repr=False)

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM: the documents in progress are finished and stored, then it exits."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        if self.process.is_alive():  # a document outlived `timeout`: it was never written
            self.process.kill()
            self.process.join(5)
        return self.process.exitcode

    @property
    def alive(self) -> bool:
        return bool(self.process.is_alive())


def start_background(options: WatchOptions) -> BackgroundWatch:
    """Start a watcher beside the calling program (the review app's `--watch`).

    It runs in a child process, not a thread: signals, the worker pool and a hostile
    file's troubles stay out of the caller, and it stops with the caller (it exits when
    its parent is gone, even after `kill -9`).
    """
    context = multiprocessing.get_context("spawn")
    options.status = False
    process = context.Process(target=_background_main, args=(options, os.getpid()),
                              name="extractor-watch", daemon=False)
    process.start()
    return BackgroundWatch(process, options)


def _background_main(options: WatchOptions, parent_pid: int) -> None:
    watcher = Watcher(options)

    def follow_parent() -> None:
        while not watcher.stop_event.is_set():
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                watcher.stop()

    threading.Thread(target=follow_parent, daemon=True).start()
    watcher.run()


def run_watch(options: WatchOptions) -> WatchCounts:
    """`extractor watch`: watch until SIGINT/SIGTERM (or, with `once`, until done)."""
    return Watcher(options).run()
