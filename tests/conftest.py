from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "samples" / "real"
SAMPLES = ROOT / "samples" / "generated"


def pytest_configure(config: pytest.Config) -> None:
    """SIGTERM ends the run like Ctrl-C: fixtures are torn down, so the servers the tests
    started (PostgreSQL, Dask, the review app, watchers) stop with it instead of lingering."""

    def _interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt("SIGTERM")

    signal.signal(signal.SIGTERM, _interrupt)


def truth_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def load_truth(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def document_for(truth_path: Path) -> Path:
    return truth_path.parent / load_truth(truth_path)["file"]


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL


# --- real servers (tests/servers.py): PostgreSQL and a Dask cluster ------------------------


@pytest.fixture(scope="session")
def postgres_server():  # noqa: ANN201 - tests.servers.PostgresServer
    """A PostgreSQL server for the whole session, stopped at the end even after failures.

    A server that cannot start fails the tests that need it (never a silent skip).
    """
    from tests.servers import PostgresServer

    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:  # noqa: ANN001
    """A fresh, empty PostgreSQL database (a SQLAlchemy URL), dropped after the test."""
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a new SQLite file and on a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "results.sqlite")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def dask_cluster():  # noqa: ANN201 - tests.servers.DaskServers
    """`dask scheduler` + `dask worker --nworkers 2 --nthreads 1`, for the whole session."""
    from tests.servers import DaskServers

    servers = DaskServers(workers=2)
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()
def cases(truths: list[Path], known_failures: dict[str, str]) -> list:
    """``truths`` as pytest parameters; the samples in ``known_failures`` (stem → failure
    class) are strict xfails: the suite stays green, and a fix that makes one pass flips it
    to a failure until its entry is removed."""
    return [
        pytest.param(
            p,
            id=p.stem,
            marks=[pytest.mark.xfail(strict=True, reason=known_failures[p.stem])]
            if p.stem in known_failures
            else [],
        )
        for p in truths
    ]
