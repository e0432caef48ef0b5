"""Reading and writing documents, cells, checks and reviews.

The one rule that matters for a batch: a document, its paths, cells and checks are
written in one transaction (`save_result`), so a crash or `kill -9` leaves either the
whole document or nothing, and the `sha256` unique key means a re-run can never add it
twice. Re-extracting a known document (`--force`) replaces its cells and checks in place
and keeps its id, so a person's reviews stay attached to it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from extractor.store import tables as t
from extractor.store.agency import normalise_agency
from extractor.store.engine import make_engine
from extractor.store.migrations import migrate
from models.result import Cell, Check, DocumentInfo, DocumentResult, ReportInfo

Number = int | float


@dataclass(frozen=True)
class Review:
    """A person's correction of one cell; the latest one per cell is the value in force."""

    key: str
    reviewer: str
    reviewed_at: datetime
    old_value: Number | None
    new_value: Number | None
    note: str | None = None


@dataclass
class StoredDocument:
    """A document as stored: the extractor's result plus what the database adds."""

    id: int
    sha256: str
    paths: list[str]
    result: DocumentResult
    agency_norm: str | None
    seconds: float | None
    created_at: datetime
    updated_at: datetime
    reviews: dict[str, Review] = field(default_factory=dict)
    # cross-report checks with the id of the document each compared against
    cross_checks: list[tuple[Check, int | None]] = field(default_factory=list)
    # key → the cell's version: its row and its latest review; a decision names the version
    # it was made on, so a decision on a cell that changed since it was shown is refused
    versions: dict[str, str] = field(default_factory=dict)

    def effective_cells(self) -> list[tuple[Cell, Review | None]]:
        """The cells with reviews applied: a reviewed value replaces the extracted one.

        A reviewed cell gets source "review" and is no longer flagged (a person has
        looked); its reasons stay, and the review itself is returned beside it.
        """
        out: list[tuple[Cell, Review | None]] = []
        for cell in self.result.cells:
            review = self.reviews.get(cell.key)
            if review is None:
                out.append((cell, None))
                continue
            reviewed = cell.model_copy(
                update={"value": review.new_value, "source": "review", "flagged": False}
            )
            out.append((reviewed, review))
        return out


def encode_cell_value(value: Number | None) -> tuple[int | None, str | None]:
    """Split a value into (value_int, value_dec): exactly one is set for a non-null value."""
    if value is None:
        return None, None
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    return None, t.encode_number(value)


def decode_cell_value(value_int: int | None, value_dec: str | None) -> Number | None:
    if value_int is not None:
        return int(value_int)
    return t.decode_number(value_dec)


@dataclass
class DocumentValues:
    """A few cells of one document, for checks across documents."""

    id: int
    agency_norm: str | None
    year: int | None
    updated_at: datetime
    values: dict[str, Number | None] = field(default_factory=dict)
    flagged: dict[str, bool] = field(default_factory=dict)


class CellChangedError(RuntimeError):
    """A decision was made on a version of a cell that is no longer the current one."""

    def __init__(self, key: str, shown: str, current: str, by: str | None) -> None:
        who = f" by {by}" if by else ""
        super().__init__(
            f"cell {key} was changed{who} since it was shown to you (version {shown}, now "
            f"{current}): reload the document and decide again"
        )
        self.key, self.shown, self.current = key, shown, current


class UnknownCellError(LookupError):
    """No such document, or no such cell in it."""


@dataclass(frozen=True)
class QueueEntry:
    """One document in the review queue: `flagged` counts flagged cells nobody decided yet."""

    id: int
    path: str
    agency: str | None
    year: int | None
    status: str
    flagged: int


class Store:
    """The results database; opening it applies any pending migrations."""

    def __init__(self, db: str | Path) -> None:
        self.engine: Engine = make_engine(db)
        self.version = migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- batch bookkeeping ---------------------------------------------------------------

    def known_documents(self, sha256s: list[str] | None = None) -> dict[str, tuple[int, str]]:
        """sha256 → (document id, status) for every stored document (or only these hashes)."""
        query = select(t.documents.c.sha256, t.documents.c.id, t.documents.c.status)
        if sha256s is not None:
            query = query.where(t.documents.c.sha256.in_(sha256s))
        with self.engine.connect() as conn:
            return {sha: (doc_id, status) for sha, doc_id, status in conn.execute(query)}

    def known_paths(self) -> dict[int, set[str]]:
        query = select(t.document_paths.c.document_id, t.document_paths.c.path)
        out: dict[int, set[str]] = defaultdict(set)
        with self.engine.connect() as conn:
            for doc_id, path in conn.execute(query):
                out[doc_id].add(path)
        return out

    def add_paths(self, document_id: int, paths: list[str]) -> int:
        """Record further names of a stored document; returns how many were new."""
        with self.engine.begin() as conn:
            return self._add_paths(conn, document_id, paths)

    @staticmethod
    def _add_paths(conn: Any, document_id: int, paths: list[str]) -> int:
        existing = set(
            conn.execute(
                select(t.document_paths.c.path).where(t.document_paths.c.document_id == document_id)
            ).scalars()
        )
        new = [p for p in dict.fromkeys(paths) if p not in existing]
        if new:
            now = datetime.now(UTC)
            conn.execute(
                insert(t.document_paths),
                [{"document_id": document_id, "path": p, "first_seen": now} for p in new],
            )
        return len(new)

    def save_result(
        self, result: DocumentResult, paths: list[str] | None = None, seconds: float | None = None
    ) -> int:
        """Write one document with all its cells and checks in a single transaction."""
        paths = list(paths or [result.document.path])
        try:
            return self._save(result, paths, seconds)
        except IntegrityError:
            # Another writer stored the same content between our look-up and insert:
            # once more, now as an update of its row.
            return self._save(result, paths, seconds)

    def _save(self, result: DocumentResult, paths: list[str], seconds: float | None) -> int:
        now = datetime.now(UTC)
        values = {
            "kind": result.document.kind,
            "pages": result.document.pages,
            "agency": result.report.agency,
            "agency_norm": normalise_agency(result.report.agency),
            "year": result.report.year,
            "format": result.report.format,
            "status": result.status,
            "error": result.error,
            "warnings": list(result.warnings),
            "timings": dict(result.timings),
            "seconds": seconds,
            "updated_at": now,
        }
        docs = t.documents
        with self.engine.begin() as conn:
            doc_id = conn.execute(
                select(docs.c.id).where(docs.c.sha256 == result.document.sha256)
            ).scalar()
            if doc_id is None:
                doc_id = conn.execute(
                    insert(docs).values(
                        sha256=result.document.sha256, path=paths[0], created_at=now, **values
                    )
                ).inserted_primary_key[0]
            else:
                conn.execute(update(docs).where(docs.c.id == doc_id).values(**values))
                conn.execute(delete(t.cells).where(t.cells.c.document_id == doc_id))
                conn.execute(delete(t.checks).where(t.checks.c.document_id == doc_id))
            self._add_paths(conn, doc_id, paths)
            if result.cells:
                conn.execute(
                    insert(t.cells), [_cell_row(doc_id, i, c) for i, c in enumerate(result.cells)]
                )
            if result.checks:
                conn.execute(
                    insert(t.checks),
                    [_check_row(doc_id, i, c, "document") for i, c in enumerate(result.checks)],
                )
            if result.status != "failed":
                # a re-extraction (--force) of a reviewed document stays reviewed when the
                # reviews still decide every flagged cell
                self._restatus(conn, doc_id)
        return int(doc_id)

    # --- reviews -------------------------------------------------------------------------

    def add_review(
        self,
        sha256: str,
        key: str,
        new_value: Number | None,
        reviewer: str,
        note: str | None = None,
    ) -> None:
        """Record a person's correction; the old value is the one in force until now."""
        with self.engine.begin() as conn:
            doc_id = conn.execute(
                select(t.documents.c.id).where(t.documents.c.sha256 == sha256)
            ).scalar_one()
            old = conn.execute(
                select(t.reviews.c.new_value)
                .where(t.reviews.c.document_id == doc_id, t.reviews.c.cell_key == key)
                .order_by(t.reviews.c.reviewed_at.desc(), t.reviews.c.id.desc())
                .limit(1)
            ).first()
            if old is None:
                cell = conn.execute(
                    select(t.cells.c.value_int, t.cells.c.value_dec).where(
                        t.cells.c.document_id == doc_id, t.cells.c.key == key
                    )
                ).one()
                old_value = decode_cell_value(cell.value_int, cell.value_dec)
            else:
                old_value = old[0]
            conn.execute(
                insert(t.reviews).values(
                    document_id=doc_id,
                    cell_key=key,
                    reviewer=reviewer,
                    reviewed_at=datetime.now(UTC),
                    old_value=old_value,
                    new_value=new_value,
                    note=note,
                )
            )

    def decide_cell(
        self,
        document_id: int,
        key: str,
        new_value: Number | None,
        reviewer: str,
        note: str | None = None,
        shown_version: str | None = None,
    ) -> tuple[Review, str]:
        """Record a person's decision on one cell, refusing it if the cell changed since shown.

        Returns the review and the cell's new version.

        The write lock is taken first (a no-op update of the cell's row), so two reviewers
        deciding the same cell at once are serialised and the second sees the first's review.
        """
        c, r = t.cells, t.reviews
        with self.engine.begin() as conn:
            locked = conn.execute(
                update(c)
                .where(c.c.document_id == document_id, c.c.key == key)
                .values(flagged=c.c.flagged)
            ).rowcount
            if not locked:
                raise UnknownCellError(f"document {document_id} has no cell {key}")
            cell = conn.execute(
                select(c.c.id, c.c.value_int, c.c.value_dec).where(
                    c.c.document_id == document_id, c.c.key == key
                )
            ).one()
            last = conn.execute(
                select(r.c.id, r.c.new_value, r.c.reviewer)
                .where(r.c.document_id == document_id, r.c.cell_key == key)
                .order_by(r.c.id.desc())
                .limit(1)
            ).first()
            current = _version(cell.id, last.id if last else None)
            if shown_version is not None and shown_version != current:
                by = last.reviewer if last else None
                raise CellChangedError(key, shown_version, current, by)
            old_value = (
                last.new_value if last else decode_cell_value(cell.value_int, cell.value_dec)
            )
            review = Review(key, reviewer, datetime.now(UTC), old_value, new_value, note)
            review_id = conn.execute(
                insert(r).values(
                    document_id=document_id,
                    cell_key=key,
                    reviewer=reviewer,
                    reviewed_at=review.reviewed_at,
                    old_value=old_value,
                    new_value=new_value,
                    note=note,
                )
            ).inserted_primary_key[0]
        return review, _version(cell.id, review_id)

    def save_rechecked(
        self,
        document_id: int,
        checks: list[Check],
        flags: dict[str, tuple[bool, list[str], Number | None]],
    ) -> tuple[str, tuple[Any, ...] | None]:
        """Store the checks re-run on reviewed values and the cells' new flags.

        `flags` maps a key to (flagged, reasons, suggested) for the cells that changed.
        The document's own checks are replaced (cross-report checks stay); the status is
        recomputed (`reviewed` once every flagged cell is decided). Returns the status and
        the document's stamp (see `document_stamp`) as this transaction leaves it.
        """
        with self.engine.begin() as conn:
            conn.execute(
                delete(t.checks).where(
                    t.checks.c.document_id == document_id, t.checks.c.origin == "document"
                )
            )
            if checks:
                conn.execute(
                    insert(t.checks),
                    [_check_row(document_id, i, chk, "document") for i, chk in enumerate(checks)],
                )
            for key, (flagged, reasons, suggested) in flags.items():
                conn.execute(
                    update(t.cells)
                    .where(t.cells.c.document_id == document_id, t.cells.c.key == key)
                    .values(flagged=flagged, reasons=list(reasons), suggested=suggested)
                )
            self._restatus(conn, document_id)
            stamp = self._stamp(conn, document_id)
            assert stamp is not None  # the document exists: its cells were just updated
            return stamp[1], stamp

    def review_queue(
        self,
        status: str | None = None,
        year: int | None = None,
        agency: str | None = None,
    ) -> list[QueueEntry]:
        """Documents with the number of their flagged cells not yet decided."""
        docs, c, r = t.documents, t.cells, t.reviews
        decided = (
            select(r.c.id)
            .where(r.c.document_id == c.c.document_id, r.c.cell_key == c.c.key)
            .exists()
        )
        pending = (
            select(c.c.document_id, func.count().label("n"))
            .where(c.c.flagged.is_(True), ~decided)
            .group_by(c.c.document_id)
            .subquery()
        )
        query = (
            select(
                docs.c.id, docs.c.path, docs.c.agency, docs.c.year, docs.c.status,
                func.coalesce(pending.c.n, 0).label("flagged"),
            )
            .outerjoin(pending, pending.c.document_id == docs.c.id)
            .order_by(docs.c.agency_norm, docs.c.year, docs.c.path)
        )
        query = _filtered(query, status, year, agency)
        with self.engine.connect() as conn:
            return [QueueEntry(*row) for row in conn.execute(query)]

    def document_stamp(self, document_id: int) -> tuple[Any, ...] | None:
        """What changes whenever the stored document does (re-extraction, a review, checks,
        flags, status): a reader may keep a loaded document while its stamp is unchanged."""
        with self.engine.connect() as conn:
            return self._stamp(conn, document_id)

    @staticmethod
    def _stamp(conn: Any, document_id: int) -> tuple[Any, ...] | None:
        docs, r, c = t.documents, t.reviews, t.checks
        query = select(
            docs.c.updated_at,
            docs.c.status,
            select(func.max(r.c.id)).where(r.c.document_id == document_id).scalar_subquery(),
            select(func.max(c.c.id)).where(c.c.document_id == document_id).scalar_subquery(),
            select(func.count(c.c.id)).where(c.c.document_id == document_id).scalar_subquery(),
        ).where(docs.c.id == document_id)
        row = conn.execute(query).first()
        return None if row is None else tuple(row)

    def load_document(self, document_id: int) -> StoredDocument | None:
        """One stored document with its paths, cells, checks, reviews and cell versions."""
        docs = t.documents
        with self.engine.connect() as conn:
            row = conn.execute(select(docs).where(docs.c.id == document_id)).mappings().first()
            if row is None:
                return None
            ids = [document_id]
            paths = self._grouped(conn, t.document_paths, ids, t.document_paths.c.id)
            checks = self._grouped(conn, t.checks, ids, t.checks.c.ord)
            cells = self._grouped(conn, t.cells, ids, t.cells.c.ord)
            reviews = self._grouped(conn, t.reviews, ids, t.reviews.c.id)
        doc = _stored_document(
            row, paths[document_id], cells[document_id], checks[document_id], reviews[document_id]
        )
        last_review = {rv["cell_key"]: rv["id"] for rv in reviews[document_id]}
        doc.versions = {
            cell["key"]: _version(cell["id"], last_review.get(cell["key"]))
            for cell in cells[document_id]
        }
        return doc

    # --- reading -------------------------------------------------------------------------

    def load_documents(
        self,
        status: str | None = None,
        year: int | None = None,
        agency: str | None = None,
        with_cells: bool = True,
        document_ids: list[int] | None = None,
    ) -> list[StoredDocument]:
        """Stored documents (filtered), ordered by agency, year and path.

        `agency` matches any part of the printed or the normalised name.
        """
        docs = t.documents
        query = select(docs).order_by(docs.c.agency_norm, docs.c.year, docs.c.path)
        if document_ids is not None:
            query = query.where(docs.c.id.in_(document_ids))
        query = _filtered(query, status, year, agency)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            ids = [r["id"] for r in rows]
            paths = self._grouped(conn, t.document_paths, ids, t.document_paths.c.id)
            checks = self._grouped(conn, t.checks, ids, t.checks.c.ord) if with_cells else {}
            cells = self._grouped(conn, t.cells, ids, t.cells.c.ord) if with_cells else {}
            reviews = self._grouped(conn, t.reviews, ids, t.reviews.c.id) if with_cells else {}
        return [
            _stored_document(
                r,
                paths.get(r["id"], []),
                cells.get(r["id"], []),
                checks.get(r["id"], []),
                reviews.get(r["id"], []),
            )
            for r in rows
        ]

    def _grouped(self, conn: Any, table: Any, ids: list[int], order: Any) -> dict[int, list]:
        """Rows of a child table for many documents, in chunks (bound-parameter limits)."""
        out: dict[int, list] = defaultdict(list)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = (
                select(table)
                .where(table.c.document_id.in_(chunk))
                .order_by(table.c.document_id, order)
            )
            for row in conn.execute(query).mappings():
                out[row["document_id"]].append(row)
        return out

    # --- cross-report checks -------------------------------------------------------------

    def cell_values(self, key_prefix: str) -> list[DocumentValues]:
        """For every non-failed document, its cells under `key_prefix`, reviews applied."""
        docs, c, r = t.documents, t.cells, t.reviews
        out: dict[int, DocumentValues] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(docs.c.id, docs.c.agency_norm, docs.c.year, docs.c.updated_at).where(
                    docs.c.status != "failed"
                )
            ):
                out[row.id] = DocumentValues(row.id, row.agency_norm, row.year, row.updated_at)
            cell_rows = conn.execute(
                select(c.c.document_id, c.c.key, c.c.value_int, c.c.value_dec, c.c.flagged).where(
                    c.c.key.startswith(key_prefix)
                )
            )
            for doc_id, key, value_int, value_dec, flagged in cell_rows:
                if doc_id in out:
                    out[doc_id].values[key] = decode_cell_value(value_int, value_dec)
                    out[doc_id].flagged[key] = bool(flagged)
            review_rows = conn.execute(
                select(r.c.document_id, r.c.cell_key, r.c.new_value)
                .where(r.c.cell_key.startswith(key_prefix))
                .order_by(r.c.id)
            )
            for doc_id, key, new_value in review_rows:
                if doc_id in out and key in out[doc_id].values:
                    out[doc_id].values[key] = new_value
                    out[doc_id].flagged[key] = False
        return list(out.values())

    def replace_cross_checks(
        self,
        rule: str,
        checks_by_document: dict[int, list[tuple[Check, int | None]]],
        flags_by_document: dict[int, set[str]],
        reason: str,
    ) -> None:
        """Replace every stored check of `rule` with the given ones, in one transaction.

        Cells whose only business with the rule was an earlier result lose `reason`; the
        cells in `flags_by_document` get it; each touched document's status is recomputed.
        """
        with self.engine.begin() as conn:
            previously = set(
                conn.execute(
                    select(t.checks.c.document_id).where(t.checks.c.rule == rule).distinct()
                ).scalars()
            )
            conn.execute(delete(t.checks).where(t.checks.c.rule == rule))
            for doc_id, doc_checks in checks_by_document.items():
                conn.execute(
                    insert(t.checks),
                    [
                        _check_row(doc_id, 10_000 + i, check, "cross", related)
                        for i, (check, related) in enumerate(doc_checks)
                    ],
                )
            touched = previously | set(checks_by_document)
            for doc_id in touched:
                self._reflag(conn, doc_id, flags_by_document.get(doc_id, set()), reason)
                self._restatus(conn, doc_id)

    @staticmethod
    def _reflag(conn: Any, doc_id: int, keys: set[str], reason: str) -> None:
        rows = conn.execute(
            select(t.cells.c.id, t.cells.c.key, t.cells.c.reasons).where(
                t.cells.c.document_id == doc_id
            )
        ).all()
        for cell_id, key, reasons in rows:
            reasons = list(reasons or [])
            had = reason in reasons
            wants = key in keys
            if had == wants:
                continue
            reasons = [*reasons, reason] if wants else [r for r in reasons if r != reason]
            conn.execute(
                update(t.cells)
                .where(t.cells.c.id == cell_id)
                .values(reasons=reasons, flagged=bool(reasons))
            )

    @staticmethod
    def _restatus(conn: Any, doc_id: int) -> None:
        """The status from the cells, checks and reviews (failed stays failed).

        needs_review while a flagged cell has no review (or, with no review at all, a check
        failed); reviewed once a person has decided every flagged cell — a check may still
        fail then, the report's own arithmetic error; ok otherwise.
        """
        docs, c, r = t.documents, t.cells, t.reviews
        status = conn.execute(select(docs.c.status).where(docs.c.id == doc_id)).scalar_one()
        if status == "failed":
            return
        decided = (
            select(r.c.id).where(r.c.document_id == doc_id, r.c.cell_key == c.c.key).exists()
        )
        pending = conn.execute(
            select(c.c.id)
            .where(and_(c.c.document_id == doc_id, c.c.flagged.is_(True), ~decided))
            .limit(1)
        ).first()
        any_review = conn.execute(
            select(r.c.id).where(r.c.document_id == doc_id).limit(1)
        ).first()
        failed = conn.execute(
            select(t.checks.c.id)
            .where(and_(t.checks.c.document_id == doc_id, t.checks.c.ok.is_(False)))
            .limit(1)
        ).first()
        if pending:
            new = "needs_review"
        elif any_review:
            new = "reviewed"
        else:
            new = "needs_review" if failed else "ok"
        if new != status:
            conn.execute(update(docs).where(docs.c.id == doc_id).values(status=new))


# --- row ↔ model -------------------------------------------------------------------------


def _version(cell_id: int, review_id: int | None) -> str:
    """A cell's version: new with a re-extraction (a new row) and with every review."""
    return f"{cell_id}.{review_id or 0}"


def _cell_row(doc_id: int, ord_: int, cell: Cell) -> dict[str, Any]:
    value_int, value_dec = encode_cell_value(cell.value)
    return {
        "document_id": doc_id,
        "ord": ord_,
        "key": cell.key,
        "value_int": value_int,
        "value_dec": value_dec,
        "raw": cell.raw,
        "confidence": cell.confidence,
        "flagged": cell.flagged,
        "reasons": list(cell.reasons),
        "page": cell.page,
        "bbox": list(cell.bbox) if cell.bbox is not None else None,
        "source": cell.source,
        "suggested": cell.suggested,
    }


def _check_row(
    doc_id: int, ord_: int, check: Check, origin: str, related: int | None = None
) -> dict[str, Any]:
    return {
        "related_document_id": related,
        "document_id": doc_id,
        "ord": ord_,
        "rule": check.rule,
        "scope": check.scope,
        "ok": check.ok,
        "expected": check.expected,
        "actual": check.actual,
        "keys": list(check.keys),
        "blame": check.blame,
        "origin": origin,
    }


def _stored_document(
    row: Any, paths: list, cells: list, checks: list, reviews: list
) -> StoredDocument:
    result = DocumentResult(
        document=DocumentInfo(
            path=row["path"], sha256=row["sha256"], pages=row["pages"] or 0, kind=row["kind"]
        ),
        report=ReportInfo(agency=row["agency"], year=row["year"], format=row["format"]),
        status=row["status"],
        error=row["error"],
        cells=[
            Cell(
                key=c["key"],
                value=decode_cell_value(c["value_int"], c["value_dec"]),
                raw=c["raw"],
                confidence=c["confidence"],
                flagged=c["flagged"],
                reasons=c["reasons"] or [],
                page=c["page"],
                bbox=tuple(c["bbox"]) if c["bbox"] is not None else None,
                source=c["source"],
                suggested=c["suggested"],
            )
            for c in cells
        ],
        checks=[
            Check(
                rule=c["rule"],
                scope=c["scope"],
                ok=c["ok"],
                expected=c["expected"],
                actual=c["actual"],
                keys=c["keys"] or [],
                blame=c["blame"],
            )
            for c in checks
        ],
        warnings=row["warnings"] or [],
        timings=row["timings"] or {},
    )
    latest: dict[str, Review] = {}
    for r in reviews:  # ordered by id: later reviews win
        latest[r["cell_key"]] = Review(
            key=r["cell_key"],
            reviewer=r["reviewer"],
            reviewed_at=r["reviewed_at"],
            old_value=r["old_value"],
            new_value=r["new_value"],
            note=r["note"],
        )
    return StoredDocument(
        id=row["id"],
        sha256=row["sha256"],
        paths=[p["path"] for p in paths] or [row["path"]],
        result=result,
        agency_norm=row["agency_norm"],
        seconds=row["seconds"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        reviews=latest,
        cross_checks=[
            (check, raw["related_document_id"])
            for check, raw in zip(result.checks, checks, strict=True)
            if raw["origin"] == "cross"
        ],
    )


def _filtered(query: Any, status: str | None, year: int | None, agency: str | None) -> Any:
    """Documents of one status, year and agency (a part of its name, as printed or folded)."""
    docs = t.documents
    if status:
        query = query.where(docs.c.status == status)
    if year is not None:
        query = query.where(docs.c.year == year)
    if agency:
        norm = normalise_agency(agency) or agency
        query = query.where(or_(docs.c.agency.contains(agency), docs.c.agency_norm.contains(norm)))
    return query
