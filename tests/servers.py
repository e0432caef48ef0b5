"""Real servers for the tests: a PostgreSQL server and a Dask cluster, started on this machine.

`PostgresServer` runs Debian's PostgreSQL binaries (initdb + pg_ctl) in a temporary
directory, on a free port, with its unix socket in that directory; as root it runs as
the unprivileged `postgres` user (or `nobody`), since PostgreSQL refuses to run as root.
`DaskServers` runs `dask scheduler` and `dask worker --nworkers 2 --nthreads 1` as
processes, as a user would on a cluster. tests/conftest.py wraps both in session fixtures
that stop them when the tests end, failed or not. If a server cannot start, the tests that
need it fail with the server's own log: nothing is skipped silently.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from extractor.store import database_url

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def query(db: str | Path, sql: str) -> list[tuple]:
    """Rows of one SQL statement on a database given as a path or URL (SQLite or PostgreSQL)."""
    engine = create_engine(database_url(db), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def postgres_bin() -> Path:
    """The folder of PostgreSQL's server binaries (Debian keeps them out of PATH)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if versions:
        return versions[0].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise RuntimeError(
        "PostgreSQL's initdb was not found: install Debian's `postgresql` (make setup does)"
    )


class PostgresServer:
    """A throw-away PostgreSQL server: `start()`, `new_database()` → URL, `stop()`."""

    SUPERUSER = "tester"

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="extractor-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self._names = itertools.count(1)
        self._running = False
        self.user: str | None = None
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            self.user = _unprivileged_user()
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        os.chmod(self.dir, 0o700)

    def _as_user(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *args] if self.user else list(args)

    def _run(self, *args: str) -> None:
        done = subprocess.run(self._as_user(*args), capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                f"{log[-3000:]}"
            )

    def start(self) -> PostgresServer:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = f"-k {self.dir} -p {self.port} -c listen_addresses='' -c max_connections=200"
        atexit.register(self.stop)
        self._running = True
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "-o", options, "start")  # fmt: skip
        return self

    def url(self, database: str = "postgres") -> str:
        return (
            f"postgresql+psycopg://{self.SUPERUSER}@/{database}"
            f"?host={self.dir}&port={self.port}"
        )

    def new_database(self) -> str:
        """A fresh, empty database on this server; its URL."""
        name = f"t{next(self._names)}_{os.getpid()}"
        engine = create_engine(self.url(), poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.split("/")[3].split("?")[0]
        engine = create_engine(self.url(), poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()

    def stop(self) -> None:
        if self._running:
            self._running = False
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                          "stop")  # fmt: skip
            except (RuntimeError, subprocess.TimeoutExpired):
                _kill_postmaster(self.data)
        shutil.rmtree(self.dir, ignore_errors=True)


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("no unprivileged user (postgres, nobody) to run PostgreSQL as")


def _kill_postmaster(data: Path) -> None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)


class DaskServers:
    """`dask scheduler` and `dask worker --nworkers N --nthreads 1`, as separate processes."""

    def __init__(self, workers: int = 2, memory_limit: str = "2GiB") -> None:
        self.workers, self.memory_limit = workers, memory_limit
        self.dir = Path(tempfile.mkdtemp(prefix="extractor-dask-"))
        self.scheduler_file = self.dir / "scheduler.json"
        self.procs: list[subprocess.Popen] = []
        self.address = ""

    def _spawn(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
               os.environ.get("PYTHONPATH")]))}  # fmt: skip
        log = (self.dir / f"{args[0]}.log").open("w")
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "dask", *args],
                cwd=self.dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def start(self) -> DaskServers:
        atexit.register(self.stop)
        self._spawn("scheduler", "--scheduler-file", str(self.scheduler_file), "--host",
                    "127.0.0.1", "--port", "0", "--dashboard-address", ":0")  # fmt: skip
        deadline = time.monotonic() + 120
        while not self.scheduler_file.exists():
            self._check_alive(deadline)
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole, but give it a moment
        self.address = json.loads(self.scheduler_file.read_text())["address"]
        self._spawn("worker", self.address, "--nworkers", str(self.workers), "--nthreads", "1",
                    "--memory-limit", self.memory_limit, "--no-dashboard")  # fmt: skip
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            while len(client.nthreads()) < self.workers:
                self._check_alive(deadline)
                time.sleep(0.2)
        return self

    def worker_pids(self) -> dict[str, int]:
        """Worker address → pid of its worker process."""
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            return client.run(os.getpid)

    def wait_for_workers(self, timeout: float = 120) -> None:
        from distributed import Client

        deadline = time.monotonic() + timeout
        with Client(self.address, timeout=30) as client:
            while len(client.nthreads()) < self.workers:
                self._check_alive(deadline)
                time.sleep(0.2)

    def _check_alive(self, deadline: float) -> None:
        dead = [p for p in self.procs if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in self.dir.glob("*.log"))
            raise RuntimeError(f"the Dask scheduler or workers did not start:\n{logs}")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()
        shutil.rmtree(self.dir, ignore_errors=True)
