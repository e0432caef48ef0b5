"""The watch folder, as a person runs it: a real watcher process, real files, real signals.

Files are dropped into an inbox while `extractor watch` runs; some are broken, some are
written slowly, one is removed right after it lands, the watcher is killed with
SIGKILL mid-run and started again. Whatever happens, every input ends once in
processed/ or failed/, the database holds each content once, and no half-written file
is ever recorded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.store import Store
from extractor.watch import WatchOptions, free_name, is_ignored, start_background
from tests.conftest import REAL, ROOT, SAMPLES

TEXT_PDFS = sorted((SAMPLES / "text").glob("*.pdf"))
HTML = sorted(REAL.glob("*.html"))


def distinct_copy(source: Path, n: int) -> bytes:
    """`source` with a marker after its end: the same report, another content hash."""
    data = source.read_bytes()
    if source.suffix == ".html":
        return data + f"\n<!-- copy {n} -->\n".encode()
    return data + f"\n% copy {n}\n".encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


class WatchProcess:
    """`extractor watch` as a child process; always gone when the test ends."""

    def __init__(self, base: Path, *extra: str, name: str = "watch") -> None:
        self.base = base
        self.stderr = base / f"{name}.stderr"
        self.stdout = base / f"{name}.stdout"
        with self.stdout.open("ab") as out, self.stderr.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "extractor", "watch", str(base / "inbox"),
                 "--db", str(base / "db.sqlite"), "--archive", str(base / "archive"),
                 "--log", str(base / "watch.log"), "--jobs", "2", "--settle", "1", *extra],
                stdout=out, stderr=err, env=_env(), start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 120) -> int:
        if self.alive():
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def kill_tree(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)


@pytest.fixture()
def watch_dir(tmp_path: Path) -> Iterator[tuple[Path, list[WatchProcess]]]:
    (tmp_path / "inbox").mkdir()
    started: list[WatchProcess] = []
    try:
        yield tmp_path, started
    finally:
        for process in started:
            process.kill_tree()


def archived(base: Path) -> dict[str, list[Path]]:
    """Archived files by name (error files left out), under processed/ and failed/."""
    out: dict[str, list[Path]] = {}
    for path in (base / "archive").rglob("*"):
        if path.is_file() and not path.name.endswith(".error.txt"):
            out.setdefault(path.name, []).append(path)
    return out


def wait_until(condition, timeout: float, watcher: WatchProcess | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if watcher is not None:
            assert watcher.alive(), watcher.stderr.read_text()
        time.sleep(0.25)
    raise AssertionError("timed out waiting")


def write_slowly(path: Path, data: bytes, seconds: float, pieces: int = 8) -> None:
    """Written the way a slow download is: in pieces, the file growing for `seconds`."""
    step = -(-len(data) // pieces)
    with path.open("wb") as handle:
        for start in range(0, len(data), step):
            handle.write(data[start:start + step])
            handle.flush()
            time.sleep(seconds / pieces)


def stored_documents(base: Path) -> list:
    with Store(base / "db.sqlite") as store:
        return store.load_documents(with_cells=False)


def check_exactly_once(base: Path, contents: dict[str, bytes]) -> None:
    """Every input archived once under its name; the database: each content once, by its
    final bytes, nothing else."""
    found = archived(base)
    for name in contents:
        assert len(found.get(name, [])) == 1, (name, found.get(name))
    assert not [p for p in (base / "inbox").rglob("*") if p.is_file()]
    docs = stored_documents(base)
    hashes = [d.sha256 for d in docs]
    assert len(hashes) == len(set(hashes)), "a content stored twice"
    assert set(hashes) == {sha(data) for data in contents.values()}, "a partial or stray file"
    for name, paths in found.items():
        if paths[0].parent.name == "failed":
            reason = paths[0].with_name(paths[0].name + ".error.txt").read_text(encoding="utf-8")
            assert reason.strip() and "internal error" not in reason, (name, reason)


def test_names_taken_and_left(tmp_path):
    for name in ("a.part", "a.pdf.crdownload", "x.tmp", "~$report.docx", ".hidden.pdf",
                 "Thumbs.db", "desktop.ini"):
        assert is_ignored(name), name
    # anything else is taken: what is not a report fails with the reason, never left waiting
    for name in ("report.pdf", "REPORT.PDF", "page.html", "scan.tif", "w.docx", "notes.txt",
                 "report-without-suffix", "old.doc"):
        assert not is_ignored(name), name
    (tmp_path / "r.pdf").write_bytes(b"1")
    (tmp_path / "r-1.pdf").write_bytes(b"2")
    assert free_name(tmp_path, "r.pdf") == tmp_path / "r-2.pdf"
    assert free_name(tmp_path, "s.pdf") == tmp_path / "s.pdf"


def test_live_inbox_good_broken_slow_removed_and_symlinks(watch_dir):
    base, started = watch_dir
    inbox = base / "inbox"
    outside = base / "outside.pdf"
    outside.write_bytes(distinct_copy(TEXT_PDFS[0], 999))
    watcher = WatchProcess(base, "--out", str(base / "out"))
    started.append(watcher)

    contents: dict[str, bytes] = {}
    (inbox / "agency").mkdir()
    for n, source in enumerate([*TEXT_PDFS[:6], *HTML]):
        folder = inbox / "agency" if n % 2 else inbox
        contents[f"doc{n}{source.suffix}"] = distinct_copy(source, n)
        (folder / f"doc{n}{source.suffix}").write_bytes(contents[f"doc{n}{source.suffix}"])
    contents["empty.pdf"] = b""
    contents["random.pdf"] = os.urandom(5000)
    contents["same-as-doc0.pdf"] = contents["doc0.pdf"]  # another name, the same content
    contents["notes.txt"] = "会议纪要\n".encode()
    contents["old.doc"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(3000)
    contents["no-suffix"] = distinct_copy(TEXT_PDFS[5], 503)  # a PDF saved without its name
    for name in ("empty.pdf", "random.pdf", "same-as-doc0.pdf", "notes.txt", "old.doc",
                 "no-suffix"):
        (inbox / name).write_bytes(contents[name])
    (inbox / "link-out.pdf").symlink_to(outside)  # not followed out of the inbox
    # a slow download: pieces over 4 s, each pause shorter than the settle time
    contents["slow.pdf"] = distinct_copy(TEXT_PDFS[6], 500)
    slow = threading.Thread(target=write_slowly, args=(inbox / "slow.pdf",
                                                       contents["slow.pdf"], 4.0))
    slow.start()
    # a browser download: written under .part, renamed when complete
    contents["renamed.pdf"] = distinct_copy(TEXT_PDFS[7], 501)
    write_slowly(inbox / "renamed.pdf.part", contents["renamed.pdf"], 2.0, pieces=4)
    os.rename(inbox / "renamed.pdf.part", inbox / "renamed.pdf")
    # dropped and removed at once
    (inbox / "gone.pdf").write_bytes(distinct_copy(TEXT_PDFS[8], 502))
    (inbox / "gone.pdf").unlink()
    slow.join()

    names = set(contents)
    wait_until(lambda: names <= set(archived(base)), 240, watcher)
    assert watcher.alive()
    assert watcher.stop(signal.SIGTERM) == 0
    (inbox / "link-out.pdf").unlink()
    check_exactly_once(base, contents)
    assert outside.exists() and sha(outside.read_bytes()) not in {
        d.sha256 for d in stored_documents(base)}
    assert {p.parent.name for p in archived(base)["empty.pdf"]} == {"failed"}
    assert [p.parent.name for p in archived(base)["no-suffix"]] == ["processed"]
    reasons = {name: archived(base)[name][0].with_name(name + ".error.txt").read_text("utf-8")
               for name in ("notes.txt", "old.doc")}
    assert "is not a PDF, image, web page or Word file" in reasons["notes.txt"]
    assert "save it as .docx, or export it to PDF" in reasons["old.doc"]
    assert (base / "archive" / "processed" / "agency" / "doc1.pdf").exists()
    assert (base / "out" / "slow.json").exists()
    assert (base / "out" / "agency" / "doc1.json").exists()
    assert "Traceback" not in watcher.stderr.read_text()
    log = (base / "watch.log").read_text(encoding="utf-8")
    assert "gone.pdf" not in log or "gone" in log


def _drop(inbox: Path, count: int, start: int = 0) -> dict[str, bytes]:
    contents = {}
    sources = [*TEXT_PDFS, *HTML]
    for n in range(start, start + count):
        source = sources[n % len(sources)]
        name = f"f{n:04d}{source.suffix}"
        contents[name] = distinct_copy(source, n)
        partial = inbox / f".{name}.tmp"  # written whole, then moved in, as a copy tool does
        partial.write_bytes(contents[name])
        os.rename(partial, inbox / name)
    return contents


def run_kill_and_restart(base: Path, started: list[WatchProcess], at_once: int, slow: int,
                         slow_seconds: float) -> dict[str, float]:
    """`at_once` files dropped together, `slow` more written slowly during the run, the
    watcher killed with SIGKILL once a fifth are archived, started again to finish."""
    inbox = base / "inbox"
    began = time.monotonic()
    watcher = WatchProcess(base, name="first")
    started.append(watcher)
    contents = _drop(inbox, at_once)
    writers = []
    for n in range(slow):
        name = f"slow{n:03d}.pdf"
        contents[name] = distinct_copy(TEXT_PDFS[n % len(TEXT_PDFS)], 10_000 + n)
        writer = threading.Thread(target=write_slowly,
                                  args=(inbox / name, contents[name], slow_seconds))
        writer.start()
        writers.append(writer)
        time.sleep(0.05)
    wait_until(lambda: len(archived(base)) >= max(1, len(contents) // 5), 600, watcher)
    watcher.proc.send_signal(signal.SIGKILL)
    watcher.proc.wait(30)
    killed_at = len(archived(base))
    restarted = WatchProcess(base, "--poll", "1", name="second")  # as on a network share
    started.append(restarted)
    for writer in writers:
        writer.join()
    names = set(contents)
    wait_until(lambda: names <= set(archived(base)), 1800, restarted)
    assert restarted.stop(signal.SIGTERM) == 0
    check_exactly_once(base, contents)
    assert "Traceback" not in restarted.stderr.read_text()
    return {"files": len(contents), "archived_before_kill": killed_at,
            "seconds": time.monotonic() - began}


def test_kill_9_mid_run_and_restart(watch_dir):
    base, started = watch_dir
    numbers = run_kill_and_restart(base, started, at_once=24, slow=3, slow_seconds=3.0)
    assert 0 < numbers["archived_before_kill"] < numbers["files"]


def test_without_archive_files_are_never_taken_twice(watch_dir):
    base, _ = watch_dir
    inbox = base / "inbox"
    contents = _drop(inbox, 4)

    def once() -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "extractor", "watch", str(inbox), "--db",
             str(base / "db.sqlite"), "--once", "--settle", "0.2", "--jobs", "2"],
            capture_output=True, text=True, env=_env(), timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "4 stored" in once()
    (inbox / "copy.pdf").write_bytes(contents["f0000.pdf"])  # a new name of known content
    second = once()
    assert "0 stored" in second and "5 already in the database" in second
    docs = stored_documents(base)
    assert len(docs) == 4
    paths = {Path(p).name for d in docs for p in d.paths}
    assert {"f0000.pdf", "copy.pdf"} <= paths
    assert sorted(p.name for p in inbox.iterdir()) == sorted([*contents, "copy.pdf"])


def test_background_watcher_for_another_program(tmp_path):
    """What `extractor serve --watch` uses: a watcher beside the caller, stopped cleanly."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    options = WatchOptions(inbox=inbox, db=str(tmp_path / "db.sqlite"),
                           archive=tmp_path / "archive", jobs=1, settle=0.5)
    background = start_background(options)
    try:
        assert background.alive
        (inbox / "a.pdf").write_bytes(distinct_copy(TEXT_PDFS[0], 1))
        wait_until(lambda: "a.pdf" in archived(tmp_path), 240)
        assert background.alive
    finally:
        code = background.stop()
    assert code == 0
    assert [d.sha256 for d in stored_documents(tmp_path)] == [
        sha(distinct_copy(TEXT_PDFS[0], 1))]


@pytest.mark.slow
def test_three_hundred_at_once_forty_slow_and_a_kill(watch_dir):
    """The issue's bar: 300 files at once, 40 written slowly, kill -9, restart."""
    base, started = watch_dir
    numbers = run_kill_and_restart(base, started, at_once=300, slow=40, slow_seconds=6.0)
    print(numbers)
