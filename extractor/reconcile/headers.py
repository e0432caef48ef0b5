"""Header rows to columns: which canonical column each x-range of a table holds.

Header labels are matched fuzzily; merged group headers (法人或其他组织, 行政复议 …) own
the columns below them; labels printed without rules that wrap onto separate lines are
joined back; table 四 falls back on the template's fixed column order.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from extractor.grid import GridCell
from extractor.reconcile import vocabulary as vocab
from extractor.reconcile.labels import Candidate, best_match, content, similarity
from extractor.reconcile.reading import ColumnSpan, cell_span, overlap
from models.schema import APPEAL_COLUMNS, APPEAL_GROUPS, APPLICATION_COLUMNS

AMBIGUOUS_COLUMN = 0.3  # label score of a column whose group header is a misread grid
SLIVER = 0.3  # a blank header cell narrower than this share of the usual one is no column
# A header's note of its unit (its content: brackets and colon dropped), set apart from the
# label it belongs to: （单位：万元）
_UNIT_NOTE = re.compile(r"^单位(万元|元|件|个|项|条)$")
UNIT_NOTE_GAP = 2.0  # ...standing at most this many of its heights after the label
APPEAL_KEYS = tuple(f"{g.key}.{c.key}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS)


def column_spans(table: str, cells: list[GridCell], format_votes: Counter) -> list[ColumnSpan]:
    """The columns a header block defines (wrapped labels joined, pieces merged)."""
    cells = _join_wrapped(_join_unit_notes(cells), column_candidates(table))
    if table == "disclosure":
        spans = disclosure_spans(cells, format_votes)
    elif table == "applications":
        spans = application_spans(cells)
    else:
        spans = appeal_spans(cells)
    return _merge_spans(spans)


def column_candidates(table: str) -> tuple[Candidate, ...]:
    if table == "disclosure":
        return vocab.disclosure_columns("2021") + vocab.disclosure_columns("2019")
    if table == "applications":
        return vocab.APPLICATION_COLUMN_LABELS
    return vocab.APPEAL_COLUMN_LABELS + vocab.APPEAL_GROUP_LABELS


def disclosure_spans(cells: list[GridCell], format_votes: Counter) -> list[ColumnSpan]:
    spans = []
    for cell in cells:
        if best_match(cell.text, (vocab.DISCLOSURE_HEADER,), threshold=0.8):
            continue
        m21 = best_match(cell.text, vocab.disclosure_columns("2021"), threshold=0.6)
        m19 = best_match(cell.text, vocab.disclosure_columns("2019"), threshold=0.6)
        s21, s19 = (m21.score if m21 else 0.0), (m19.score if m19 else 0.0)
        if s21 > s19 + 0.02:
            format_votes["2021"] += 1
        elif s19 > s21 + 0.02:
            format_votes["2019"] += 1
        best = m21 if s21 >= s19 else m19
        if best is None:
            continue
        x0, x1, pts = cell_span(cell)
        # Keep both readings of a label the formats share with different keys.
        keys = {best.key}
        if m21 and m19 and abs(s21 - s19) <= 0.02:
            keys = {m21.key, m19.key}
        for key in sorted(keys):
            spans.append(ColumnSpan(x0, x1, key, best.certainty, pts))
    return spans


def application_spans(cells: list[GridCell]) -> list[ColumnSpan]:
    spans, unread = [], []
    for cell in cells:
        if best_match(cell.text, vocab.APPLICATION_HEADER_GROUPS, threshold=0.8):
            continue
        match = best_match(cell.text, vocab.APPLICATION_COLUMN_LABELS, threshold=0.6)
        x0, x1, pts = cell_span(cell)
        if match:
            spans.append(ColumnSpan(x0, x1, match.key, match.certainty, pts))
        else:
            unread.append(cell)
    return spans + _column_by_position(spans, unread)


RESEMBLES = 0.5  # similarity of a misread header cell to the one missing column's label


def _column_by_position(spans: list[ColumnSpan], unread: list[GridCell]) -> list[ColumnSpan]:
    """A table 三 header cell OCR could not read (总计 stacked in a narrow cell, read as
    noise) that is the only one standing apart from the columns read, where the one
    column missing belongs in the template's order: it is that column, and its cells are
    `placed_by_position` (flagged unless every rule over them holds)."""
    order = [c.key for c in APPLICATION_COLUMNS]
    missing = [k for k in order if k not in {s.key for s in spans}]
    if len(missing) != 1 or not spans:
        return []
    at = order.index(missing[0])
    left = [s for s in spans if s.key in order and order.index(s.key) < at]
    right = [s for s in spans if s.key in order and order.index(s.key) > at]
    labels = [c.label for c in APPLICATION_COLUMNS if c.key == missing[0]]

    def resembles(cell: GridCell) -> bool:  # 自然人 read as 和让然人: half its label is there
        return any(similarity(content(cell.text), content(label)) >= RESEMBLES
                   for label in labels)

    def in_its_place(cell: GridCell) -> bool:  # (rules read from a scan touch: some slack)
        x0, x1, _ = cell_span(cell)
        middle = (x0 + x1) / 2
        return (not any(overlap(s.x0, s.x1, x0, x1) > 0.25 * min(s.x1 - s.x0, x1 - x0)
                        for s in spans)
                and all(s.x1 < middle for s in left) and all(s.x0 > middle for s in right))

    # Left of every column read stands the row labels' header too: there the cell must
    # also resemble the missing column's label.
    found = [cell_span(c) for c in unread if in_its_place(c) and (left or resembles(c))]
    if not found:
        return []
    x0, x1 = min(f[0] for f in found), max(f[1] for f in found)
    if any(f[1] - f[0] < 0.5 * (x1 - x0) for f in found):
        return []  # the cells there are no one column's (stacked pieces of one are)
    return [ColumnSpan(x0, x1, missing[0], 1.0, found[0][2], by_position=True)]


def appeal_spans(cells: list[GridCell]) -> list[ColumnSpan]:
    by_order = appeal_spans_by_order(cells)
    if by_order:
        return by_order
    groups, leaves = [], []
    for cell in cells:
        group = best_match(cell.text, vocab.APPEAL_GROUP_LABELS, threshold=0.7)
        if group:
            groups.append((cell, group))
            continue
        leaf = best_match(cell.text, vocab.APPEAL_COLUMN_LABELS, threshold=0.6)
        if leaf:
            leaves.append((cell, leaf))
    spans = []
    for cell, leaf in leaves:
        x0, x1, pts = cell_span(cell)
        centre = (x0 + x1) / 2
        owners = [(g, m) for g, m in groups if cell_span(g)[0] <= centre <= cell_span(g)[1]]
        if not owners and groups:  # labels printed without rules: the nearest above
            above = [(g, m) for g, m in groups if g.bbox is None or cell.bbox is None
                     or g.bbox[1] < cell.bbox[1]]
            owners = sorted(above, key=lambda gm: abs(sum(cell_span(gm[0])[:2]) / 2 - centre))[:1]
        if len(owners) != 1:
            continue
        group_cell, group = owners[0]
        score = min(leaf.certainty, group.certainty)
        spans.append((id(group_cell), ColumnSpan(x0, x1, f"{group.key}.{leaf.key}", score, pts)))
    # A group label over more columns than its group has, or over two columns of one name,
    # is a misread grid (e.g. the rule between two groups lost under a seal): which of its
    # columns is which cannot be told, so none of them is taken as sure.
    per_group: dict[int, list[str]] = defaultdict(list)
    for owner, span in spans:
        per_group[owner].append(span.key)
    width = len(vocab.APPEAL_COLUMN_LABELS)
    return [
        span if len(per_group[owner]) <= width and len(set(per_group[owner])) ==
        len(per_group[owner]) else ColumnSpan(span.x0, span.x1, span.key,
                                              min(span.score, AMBIGUOUS_COLUMN),
                                              span.in_points)
        for owner, span in spans
    ]


def _bottom(cell: GridCell) -> float:
    return cell.bbox[3] if cell.bbox is not None else float(cell.row + cell.rowspan)


def appeal_spans_by_order(cells: list[GridCell]) -> list[ColumnSpan]:
    """Table 四's columns from its lowest header row, when that row has the template's
    fifteen cells and the leaf labels that could be read agree with the template's order.

    The group labels above (行政复议, 未经复议直接起诉, 复议后起诉) then need not be
    read at all: a misread one cannot move five columns into the wrong group."""
    for row in _lowest_rows(cells):
        if len(row) != len(APPEAL_KEYS):
            continue
        agree = 0
        for cell, key in zip(row, APPEAL_KEYS, strict=True):
            leaf = best_match(cell.text, vocab.APPEAL_COLUMN_LABELS, threshold=0.6)
            if leaf is None:
                continue
            if leaf.key != key.split(".")[1]:
                return []  # a column out of the template's order: let the labels decide
            agree += 1
        if agree < 10:
            return []
        return [ColumnSpan(*cell_span(cell)[:2], key, 1.0, cell_span(cell)[2])
                for cell, key in zip(row, APPEAL_KEYS, strict=True)]
    return []


def _lowest_rows(cells: list[GridCell]) -> list[list[GridCell]]:
    """The header block's lowest row, left to right, found two ways: by the grid's rows
    (exact, and blind to a page's tilt, which moves a row's far end by more than a cell's
    height on a skewed scan) and by position (labels printed without rules and wrapped
    over lines sit in different grid rows)."""
    if not cells:
        return []
    on_page = [c for c in cells if c.page == cells[0].page]
    last = max(c.row + c.rowspan for c in on_page)
    by_grid = [c for c in on_page if c.row + c.rowspan == last]
    lowest = max(_bottom(c) for c in cells)
    tolerance = 0.0  # grid units: exact; points: half the shortest header cell (skew)
    if cells[0].bbox is not None:
        tolerance = 0.5 * min(c.bbox[3] - c.bbox[1] for c in cells if c.bbox is not None)
    by_position = [c for c in cells if lowest - _bottom(c) <= tolerance]
    return [_without_slivers(sorted(row, key=lambda c: cell_span(c)[0]))
            for row in (by_grid, by_position) if row]


def _without_slivers(row: list[GridCell]) -> list[GridCell]:
    """A blank cell a fraction of its neighbours' width is no column: a stroke of a seal,
    or a rule printed twice, made it."""
    widths = sorted(cell_span(c)[1] - cell_span(c)[0] for c in row)
    usual = widths[len(widths) // 2]
    return [c for c in row
            if c.text.strip() or cell_span(c)[1] - cell_span(c)[0] >= SLIVER * usual]


def _join_unit_notes(cells: list[GridCell]) -> list[GridCell]:
    """A note of the unit (（单位：万元）) set apart from its label on the label's line: a
    full-width bracket's em is blank on its open side, so a table without rules may leave
    the note a cell of its own. The label's column runs under both: a value centred
    under the whole header stands half under each."""
    notes = [c for c in cells if c.bbox is not None and _UNIT_NOTE.match(content(c.text))]
    if not notes:
        return cells
    out = [c for c in cells if c not in notes]
    for note in notes:
        x0, top, x1, bottom = note.bbox
        height = bottom - top
        before = [c for c in out if c.bbox is not None and c.text.strip()
                  and 0 <= x0 - c.bbox[2] <= UNIT_NOTE_GAP * height
                  and overlap(top, bottom, c.bbox[1], c.bbox[3]) >= 0.5 * height]
        if not before:
            out.append(note)
            continue
        label = max(before, key=lambda c: c.bbox[2])
        joined = GridCell(row=label.row, col=label.col, text=label.text + note.text,
                          bbox=(label.bbox[0], min(top, label.bbox[1]), x1,
                                max(bottom, label.bbox[3])),
                          confidence=min(label.confidence, note.confidence),
                          source=label.source, page=label.page)
        out[out.index(label)] = joined
    return out


def _join_wrapped(cells: list[GridCell], candidates: tuple[Candidate, ...]) -> list[GridCell]:
    """Header labels printed without rules wrap into separate lines (`结果` over `维持`):
    a label not surely matched alone is joined with the piece right below it when the
    joined text matches surely."""
    placed = [c for c in cells if c.bbox is not None and c.text.strip()]
    out = [c for c in cells if c not in placed]
    used: set[int] = set()
    for upper in sorted(placed, key=lambda c: (c.bbox[1], c.bbox[0])):
        if id(upper) in used:
            continue
        if _sure(upper.text, candidates) or _is_group_header(upper.text):
            out.append(upper)
            continue
        lower = _piece_below(upper, [c for c in placed if id(c) not in used and c is not upper])
        if lower is not None and not _sure(lower.text, candidates):
            joined = best_match(upper.text + lower.text, candidates, threshold=0.6)
            if joined is not None and joined.certainty >= 1.0:
                used.add(id(lower))
                x0, top, x1, _ = upper.bbox
                out.append(GridCell(row=upper.row, col=upper.col, text=upper.text + lower.text,
                                    bbox=(min(x0, lower.bbox[0]), top, max(x1, lower.bbox[2]),
                                          lower.bbox[3]),
                                    confidence=min(upper.confidence, lower.confidence),
                                    source=upper.source, page=upper.page))
                continue
        out.append(upper)
    return out


def _sure(text: str, candidates: tuple[Candidate, ...]) -> bool:
    match = best_match(text, candidates, threshold=0.6)
    return match is not None and match.certainty >= 1.0


def _is_group_header(text: str) -> bool:
    groups = (vocab.APPLICATION_HEADER_GROUPS + vocab.APPEAL_GROUP_LABELS
              + (vocab.LITIGATION, vocab.DISCLOSURE_HEADER))
    return best_match(text, groups, threshold=0.8) is not None


def _piece_below(upper: GridCell, others: list[GridCell]) -> GridCell | None:
    x0, _, x1, bottom = upper.bbox
    height = upper.bbox[3] - upper.bbox[1]
    below = [
        c for c in others
        if c.bbox[1] >= bottom - 0.3 * height and c.bbox[1] - bottom < 3 * height
        and overlap(x0, x1, c.bbox[0], c.bbox[2]) >= 0.5 * min(x1 - x0, c.bbox[2] - c.bbox[0])
    ]
    return min(below, key=lambda c: c.bbox[1], default=None)


def _merge_spans(spans: list[ColumnSpan]) -> list[ColumnSpan]:
    """One span per column: the pieces of a header label wrapped over lines are one column;
    of two far-apart pieces with the same key only the better-matched one is kept."""
    merged: dict[str, ColumnSpan] = {}
    for span in sorted(spans, key=lambda s: -s.score):
        kept = merged.get(span.key)
        if kept is None:
            merged[span.key] = ColumnSpan(span.x0, span.x1, span.key, span.score, span.in_points,
                                          span.by_position)
        elif overlap(kept.x0, kept.x1, span.x0, span.x1) > 0:
            kept.x0, kept.x1 = min(kept.x0, span.x0), max(kept.x1, span.x1)
    return sorted(merged.values(), key=lambda s: s.x0)
