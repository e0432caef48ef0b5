"""The label candidates the reconciler matches against, built once from models.schema."""

from __future__ import annotations

from functools import cache

from extractor.reconcile.labels import Candidate
from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICANT_HEADER_LABEL,
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    DISCLOSURE_COLUMNS,
    DISCLOSURE_HEADER_LABEL,
    DISCLOSURE_ROWS,
    LITIGATION_LABEL,
    ORG_GROUP_LABEL,
    ORG_SUBTOTAL_COLUMN,
    SUBTOTAL_LABELS,
    TABLES,
)

# Table headings, matched on their content: the numbering (二、) may be missing or misread.
TABLE_HEADINGS = tuple(Candidate(t.id, (t.title,)) for t in TABLES)


@cache
def disclosure_rows() -> tuple[Candidate, ...]:
    labels: dict[str, list[str]] = {}
    for fmt in ("2021", "2019"):
        for row in DISCLOSURE_ROWS[fmt]:
            labels.setdefault(row.key, [])
            for label in (row.label, *row.aliases):
                if label not in labels[row.key]:
                    labels[row.key].append(label)
    return tuple(Candidate(k, tuple(v)) for k, v in labels.items())


@cache
def disclosure_columns(fmt: str) -> tuple[Candidate, ...]:
    return tuple(Candidate(c.key, (c.label, *c.aliases)) for c in DISCLOSURE_COLUMNS[fmt])


DISCLOSURE_HEADER = Candidate("header", (DISCLOSURE_HEADER_LABEL,))


@cache
def application_items(group: str | None) -> tuple[Candidate, ...]:
    """Row candidates: one group's items (and its 小计), or the top-level rows."""
    rows = [r for r in APPLICATION_ROWS if r.group == group]
    cands = [Candidate(r.key, (r.label, *r.aliases)) for r in rows]
    if group:
        cands.append(Candidate(f"{group}.subtotal", SUBTOTAL_LABELS))
    return tuple(cands)


@cache
def application_all_rows() -> tuple[Candidate, ...]:
    return tuple(Candidate(r.key, (r.label, *r.aliases)) for r in APPLICATION_ROWS)


APPLICATION_GROUP_LABELS = tuple(
    Candidate(g.key, (g.label, *g.aliases)) for g in APPLICATION_GROUPS
)

APPLICATION_COLUMN_LABELS = (
    *(Candidate(c.key, (c.label, *c.aliases)) for c in APPLICATION_COLUMNS),
    Candidate(ORG_SUBTOTAL_COLUMN.key, (ORG_SUBTOTAL_COLUMN.label, *ORG_SUBTOTAL_COLUMN.aliases)),
)
APPLICATION_HEADER_GROUPS = (
    Candidate("org_group", (ORG_GROUP_LABEL,)),
    Candidate("applicant", (APPLICANT_HEADER_LABEL,)),
)

APPEAL_GROUP_LABELS = tuple(Candidate(g.key, (g.label, *g.aliases)) for g in APPEAL_GROUPS)
APPEAL_COLUMN_LABELS = tuple(Candidate(c.key, (c.label,)) for c in APPEAL_COLUMNS)
LITIGATION = Candidate("litigation", (LITIGATION_LABEL,))
