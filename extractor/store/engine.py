"""Opening the results database: a URL or a plain file path, SQLite tuned for a batch.

SQLite is the single-machine default: WAL lets a report or export read while a batch
writes, `synchronous=NORMAL` is still crash-safe in WAL mode (a `kill -9` loses at most
the transaction in flight, never corrupts), and `busy_timeout` makes a second writer wait
instead of failing. Any other SQLAlchemy URL (e.g. ``postgresql+psycopg://…``) is used as is.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

WAL_SWITCH_SECONDS = 60  # how long a process waits for another to finish switching to WAL


def database_url(db: str | Path) -> str:
    """``results.sqlite`` → ``sqlite:///…/results.sqlite``; a URL is returned unchanged."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def make_engine(db: str | Path) -> Engine:
    url = database_url(db)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 60})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=60000")
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch a database to WAL once. Switching needs the database to itself, and SQLite
    answers "database is locked" at once (no busy wait) to the processes that lose that
    race on a new file: they try again, and find it switched."""
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
