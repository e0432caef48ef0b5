"""Opening the results database: a URL or a plain file path, SQLite tuned for a batch.

SQLite is the single-machine default: WAL lets a report or export read while a batch
writes, `synchronous=NORMAL` is still crash-safe in WAL mode (a `kill -9` loses at most
the transaction in flight, never corrupts), and `busy_timeout` makes a second writer wait
instead of failing. Any other SQLAlchemy URL (e.g. ``postgresql+psycopg://…``) is used as is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event


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
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=60000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
