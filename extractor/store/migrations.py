"""Explicit schema versions: each migration runs once, in order, in its own transaction.

`schema_version` holds one row per applied migration. To change the schema, append a
`(version, description, function)` to MIGRATIONS whose function issues explicit DDL
(``ALTER TABLE …``) against the connection, and update tables.py to match; never edit a
migration that has shipped. Version 1 creates the tables as tables.py first defined them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, insert, inspect, select

from extractor.store import tables as t

Migration = tuple[int, str, Callable[[Connection], None]]


def _v1_initial(conn: Connection) -> None:
    t.metadata.create_all(
        conn,
        tables=[t.documents, t.document_paths, t.cells, t.checks, t.reviews],
    )


MIGRATIONS: tuple[Migration, ...] = ((1, "documents, paths, cells, checks, reviews", _v1_initial),)
LATEST_VERSION = MIGRATIONS[-1][0]


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of this tool."""


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(t.schema_version.name):
        return 0
    return conn.execute(select(func.max(t.schema_version.c.version))).scalar() or 0


def migrate(engine: Engine) -> int:
    """Bring the database to LATEST_VERSION; returns the version it is at afterwards."""
    with engine.begin() as conn:
        t.schema_version.create(conn, checkfirst=True)
    with engine.begin() as conn:
        version = current_version(conn)
    if version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"database schema version {version} is newer than this tool's {LATEST_VERSION}: "
            "upgrade the extractor"
        )
    for number, description, step in MIGRATIONS:
        if number <= version:
            continue
        with engine.begin() as conn:
            if current_version(conn) >= number:  # another process got there first
                continue
            step(conn)
            conn.execute(
                insert(t.schema_version).values(
                    version=number, applied_at=datetime.now(UTC), description=description
                )
            )
    return LATEST_VERSION
