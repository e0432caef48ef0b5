"""The results database: every extracted document, its cells, checks and reviews.

`Store(db)` opens (and migrates) a database given as a file path (SQLite, WAL mode) or a
SQLAlchemy URL (PostgreSQL for a team). See tables.py for the schema and how numbers
are kept exact, migrations.py for schema versions.
"""

from extractor.store.agency import normalise_agency
from extractor.store.engine import database_url, make_engine
from extractor.store.migrations import LATEST_VERSION, migrate
from extractor.store.repository import (
    CellChangedError,
    QueueEntry,
    Review,
    Store,
    StoredDocument,
    UnknownCellError,
)

__all__ = [
    "LATEST_VERSION",
    "CellChangedError",
    "QueueEntry",
    "UnknownCellError",
    "Review",
    "Store",
    "StoredDocument",
    "database_url",
    "make_engine",
    "migrate",
    "normalise_agency",
]
