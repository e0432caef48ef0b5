"""Explicit schema versions: each migration runs once, in order; the pending ones together in
one transaction under the database's migration lock (see `migrate`).

`schema_version` holds one row per applied migration. To change the schema, append a
`(version, description, function)` to MIGRATIONS whose function issues explicit DDL
(``ALTER TABLE …``) against the connection, and update tables.py to match; never edit a
migration that has shipped. Version 1 creates the tables as tables.py first defined them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text

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


# Any fixed number: the key of the PostgreSQL advisory lock that migrations hold.
_MIGRATION_LOCK = 0x6578_7472_6163_74  # "extract"


def migrate(engine: Engine) -> int:
    """Bring the database to LATEST_VERSION; returns the version it is at afterwards.

    Safe when several processes open a new database at once: the pending steps run in
    one transaction that holds the database's migration lock (an advisory transaction lock
    on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), and the version is read again under it,
    so the second process finds the work done. DDL is transactional on both, so a process
    killed half-way leaves the previous version, never half of one.
    """
    with engine.connect() as conn:
        version = current_version(conn)
    _refuse_newer(version)
    if version == LATEST_VERSION:
        return version
    with _migration_lock(engine) as conn:
        version = current_version(conn)
        _refuse_newer(version)
        t.schema_version.create(conn, checkfirst=True)
        for number, description, step in MIGRATIONS:
            if number <= version:
                continue
            step(conn)
            conn.execute(
                insert(t.schema_version).values(
                    version=number, applied_at=datetime.now(UTC), description=description
                )
            )
    return LATEST_VERSION


def _refuse_newer(version: int) -> None:
    if version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"database schema version {version} is newer than this tool's {LATEST_VERSION}: "
            "upgrade the extractor"
        )


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """One transaction that only one process at a time can be in."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            yield conn
        return
    if engine.dialect.name == "sqlite":
        # The driver's own transactions start deferred; take the write lock up front.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        return
    with engine.begin() as conn:  # another database: no lock known, one transaction
        yield conn
