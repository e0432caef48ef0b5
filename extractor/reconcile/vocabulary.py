"""The label candidates the reconciler matches against, built once from models.schema."""

from __future__ import annotations

from functools import cache

from extractor.reconcile.labels import Candidate, best_match, content
from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICANT_HEADER_LABEL,
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_NOTE_LABEL,
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
APPLICATION_NOTE = Candidate("note", (APPLICATION_NOTE_LABEL,))

APPEAL_GROUP_LABELS = tuple(Candidate(g.key, (g.label, *g.aliases)) for g in APPEAL_GROUPS)
APPEAL_COLUMN_LABELS = tuple(Candidate(c.key, (c.label,)) for c in APPEAL_COLUMNS)
LITIGATION = Candidate("litigation", (LITIGATION_LABEL,))


@cache
def _all_labels() -> tuple[Candidate, ...]:
    """Every label the reconciler knows, official wording and aliases, by whose it is."""
    return (
        *TABLE_HEADINGS, *disclosure_rows(), *disclosure_columns("2021"),
        *disclosure_columns("2019"), DISCLOSURE_HEADER, *application_all_rows(),
        *APPLICATION_GROUP_LABELS, *APPLICATION_COLUMN_LABELS, *APPLICATION_HEADER_GROUPS,
        APPLICATION_NOTE,
        *APPEAL_GROUP_LABELS, *APPEAL_COLUMN_LABELS, LITIGATION,
        Candidate("subtotal", SUBTOTAL_LABELS),
    )


@cache
def _all_label_contents() -> tuple[tuple[str, str], ...]:
    """(what it says, whose label) for every known label, numbering and punctuation removed."""
    return tuple({(content(label), cand.key) for cand in _all_labels() for label in cand.labels})


MIN_DECIDING_START = 3  # characters, read exactly, a wrapped label's first line needs


def start_names_one_label(first_line: str) -> bool:
    """True when a wrapped label's first line begins, character for character, as known
    labels of one key alone do (official wording or alias, any table; at least
    MIN_DECIDING_START characters of it), those labels go on past the line, and the
    matcher, given the line alone, is sure it is that key.

    Then the lines below cannot change which row or column the label names, so they need
    not be read (reading labels is most of a scan's OCR time). A misread character after
    that exact start is allowed only as far as the matcher stays sure (勾稽 read as 勾称 in
    the template's note). Anything less (a start two keys share, a known label already
    complete on the first line, a variant the vocabulary does not know) is False: the
    whole label is read.
    """
    start = content(first_line)
    exact = known_start(first_line)
    if len(exact) < MIN_DECIDING_START:
        return False
    named = [(label, key) for label, key in _all_label_contents() if label.startswith(exact)]
    keys = {key for _, key in named}
    if len(keys) != 1 or any(len(label) <= len(start) for label, _ in named):
        return False
    match = best_match(first_line, _all_labels())
    return match is not None and match.key in keys and match.certainty >= 1.0


def known_start(line: str) -> str:
    """The longest start of what `line` says that some known label's content starts with."""
    text = content(line)
    for end in range(len(text), 0, -1):
        if any(label.startswith(text[:end]) for label, _ in _all_label_contents()):
            return text[:end]
    return ""
