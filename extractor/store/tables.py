"""The results database's tables (SQLAlchemy Core), at the latest schema version.

Numbers are stored so that a reader gets back exactly what the extractor produced: a
cell's value is either `value_int` (counts, signed changes) or `value_dec` (a decimal
amount kept as its shortest decimal text, e.g. ``"18651.06"``), never a binary float.
Other numbers (a check's expected/actual, a review's old/new value, a suggestion) use
`NumberText`, the same idea in one column. Lists and dicts (reasons, bbox, keys,
timings) are JSON text, readable on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

Number = int | float


class NumberText(TypeDecorator[Number]):
    """An int or a decimal stored as its exact text, read back as the same Python type."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Number | None, dialect: Any) -> str | None:
        return encode_number(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Number | None:
        return decode_number(value)


class JsonText(TypeDecorator[Any]):
    """A JSON value (list, dict) as text: portable, and readable in any SQL shell."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


def encode_number(value: Number | None) -> str | None:
    """`21` → ``"21"``, `18651.06` → ``"18651.06"``: the shortest text that reads back equal."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a boolean is not a cell value")
    return str(int(value)) if isinstance(value, int) else repr(float(value))


def decode_number(text: str | None) -> Number | None:
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else float(text)


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("description", String(200), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("path", Text, nullable=False),  # the path it was first extracted from
    Column("kind", String(16)),
    Column("pages", Integer, nullable=False, default=0),
    Column("agency", Text),
    Column("agency_norm", Text, index=True),  # see store.agency.normalise_agency
    Column("year", Integer, index=True),
    Column("format", String(8)),
    Column("status", String(16), nullable=False, index=True),
    Column("error", Text),
    Column("warnings", JsonText, nullable=False, default=list),
    Column("timings", JsonText, nullable=False, default=dict),
    Column("seconds", Float),  # wall time of the extraction, as measured by the batch
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

document_paths = Table(
    "document_paths",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("path", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("document_id", "path", name="uq_document_paths"),
)

cells = Table(
    "cells",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),  # position in the extractor's output
    Column("key", String(120), nullable=False),
    Column("value_int", BigInteger),
    Column("value_dec", String(40)),
    Column("raw", Text, nullable=False, default=""),
    Column("confidence", Float, nullable=False),
    Column("flagged", Boolean, nullable=False, default=False),
    Column("reasons", JsonText, nullable=False, default=list),
    Column("page", Integer),
    Column("bbox", JsonText),
    Column("source", String(16), nullable=False),
    Column("suggested", NumberText),
    UniqueConstraint("document_id", "key", name="uq_cells_document_key"),
    Index("ix_cells_key", "key"),
)

checks = Table(
    "checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("ord", Integer, nullable=False),
    Column("rule", String(80), nullable=False, index=True),
    Column("scope", String(120), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("expected", NumberText),
    Column("actual", NumberText),
    Column("keys", JsonText, nullable=False, default=list),
    Column("blame", String(16)),
    # "document": from the extractor; "cross": a cross-report check, recomputed over the DB.
    Column("origin", String(16), nullable=False, default="document"),
    # a cross-report check: the other document it compared against (e.g. last year's)
    Column("related_document_id", ForeignKey("documents.id", ondelete="SET NULL")),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("cell_key", String(120), nullable=False),
    Column("reviewer", String(120), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("old_value", NumberText),
    Column("new_value", NumberText),
    Column("note", Text),
)
