"""Walking the grids of a document and mapping their rows and columns to canonical keys.

The grids of a document are read in order, row by row, like a person reads the report:
a heading (`三、收到和处理…`) or a recognisable header switches to a table; header rows
define which key each column holds (by label, merged group headers included); data rows
are recognised by their label, with the group label of a merged cell to the left (or the
last one seen, when a table continues on the next page) deciding between items that share
a number. A continuation fragment without a header of its own inherits the columns.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extractor.grid import BBox, Grid, GridCell
from extractor.reconcile import vocabulary as vocab
from extractor.reconcile.labels import Candidate, best_match, content, fold, split_numbering
from extractor.reconcile.values import NULL_MARKS, parse_value
from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICATION_ROWS,
    DISCLOSURE_ROWS,
    DISCLOSURE_SECTION_PREFIX,
    SUBTOTAL_GROUPS,
    SUBTOTAL_LABELS,
)

_SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_NUMERIC = re.compile(r"^[+\-－−]?[0-9０-９][0-9０-９,，.．]*\s*(万元|元|件|个|项|条)?$")


@dataclass
class ReadValue:
    """One value cell as found, before normalisation."""

    key: str
    raw: str
    page: int
    bbox: BBox | None
    confidence: float
    source: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ColumnSpan:
    x0: float
    x1: float
    key: str
    score: float
    in_points: bool  # False: grid units (col indices), for backends without geometry


@dataclass
class Reading:
    """Everything the walk found: values by full key, and what it learned of the layout."""

    values: dict[str, ReadValue] = field(default_factory=dict)
    format_votes: Counter = field(default_factory=Counter)
    tables_seen: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    # 小计 rows placed only by the group last seen: before or after a group's items?
    loose_subtotals: list[str] = field(default_factory=list)
    blank_rows: list[str] = field(default_factory=list)  # labels of all-blank unruled rows
    # table 三's data rows in reading order
    # (row key or None if unrecognised, its values, whether its label says 小计)
    application_rows: list[tuple[str | None, list[tuple[ColumnSpan, GridCell]], bool]] = field(
        default_factory=list
    )


def is_value_text(text: str) -> bool:
    stripped = re.sub(r"\s+", "", text)
    return bool(_NUMERIC.match(stripped)) or (stripped in NULL_MARKS and stripped != "")


def _span(cell: GridCell) -> tuple[float, float, bool]:
    if cell.bbox is not None:
        return cell.bbox[0], cell.bbox[2], True
    return float(cell.col), float(cell.col + cell.colspan), False


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


class TableWalker:
    """The reading state: which table, which header, which group we are in."""

    def __init__(self) -> None:
        self.reading = Reading()
        self.table: str | None = None
        self.spans: list[ColumnSpan] = []
        self.header_cells: list[GridCell] = []
        self.in_header = False
        self.group: str | None = None
        self.appeals_done = False

    # --- driving --------------------------------------------------------------------

    def feed(self, grid: Grid) -> None:
        for line in grid.context.splitlines():
            self._maybe_heading(line)
        for r in range(grid.n_rows):
            self._row(grid, grid.row(r))
        self._close_header()

    def feed_text(self, text: str) -> None:
        """Text between tables (headings) that belongs to no grid."""
        for line in text.splitlines():
            self._maybe_heading(line)

    # --- headings and headers -------------------------------------------------------

    def _switch(self, table: str | None) -> None:
        if table != self.table:
            self._close_header()
            self.table = table
            self.spans = []
            self.group = None
            if table:
                self.reading.tables_seen.add(table)

    def _maybe_heading(self, text: str) -> bool:
        folded = fold(text)
        if len(folded) < 8 or len(folded) > 40:  # a heading names its table in full
            return False
        match = best_match(folded, vocab.TABLE_HEADINGS, threshold=0.8)
        if match:
            self._switch(match.key)
            return True
        if self.table and _SECTION_HEADING.match(folded) and not self._is_row_label(folded):
            self._switch(None)
            return True
        return False

    def _is_row_label(self, text: str) -> bool:
        if self.table == "applications":
            return best_match(text, vocab.application_all_rows(), threshold=0.7) is not None
        return False

    def _header_table(self, cells: list[GridCell]) -> str | None:
        """Which table's header this row is, judged by its labels; None if it is not one."""
        texts = [c.text for c in cells if c.text.strip()]
        if any(is_value_text(t) for t in texts):
            return None
        disc = appl = appeal = 0
        for t in texts:
            if best_match(t, (vocab.DISCLOSURE_HEADER,), threshold=0.8):
                disc += 2
            elif best_match(t, vocab.disclosure_columns("2021") + vocab.disclosure_columns("2019"),
                            threshold=0.75, margin=0.0):
                disc += 1
            if best_match(t, vocab.APPLICATION_HEADER_GROUPS, threshold=0.8):
                appl += 2
            elif best_match(t, vocab.APPLICATION_COLUMN_LABELS, threshold=0.8):
                appl += 1
            if best_match(t, vocab.APPEAL_GROUP_LABELS + (vocab.LITIGATION,), threshold=0.8):
                appeal += 2
            elif best_match(t, vocab.APPEAL_COLUMN_LABELS, threshold=0.8):
                appeal += 1
        scores = {"disclosure": disc, "applications": appl, "appeals": appeal}
        top = max(scores.values())
        leaders = [table for table, score in scores.items() if score == top]
        if top < 2:
            return None
        if len(leaders) == 1:
            return leaders[0]
        return self.table if self.table in leaders else None  # `总计` is in two headers

    def _close_header(self) -> None:
        if not self.in_header:
            return
        self.in_header = False
        cells = _join_wrapped(self.header_cells, self._column_candidates())
        self.header_cells = []
        spans = {
            "disclosure": self._disclosure_spans,
            "applications": self._application_spans,
            "appeals": self._appeal_spans,
        }[self.table](cells)
        if spans:
            self.spans = _merge_spans(spans)
        else:
            self.reading.warnings.append(f"{self.table}: a header row was not understood")

    def _column_candidates(self) -> tuple[Candidate, ...]:
        if self.table == "disclosure":
            return vocab.disclosure_columns("2021") + vocab.disclosure_columns("2019")
        if self.table == "applications":
            return vocab.APPLICATION_COLUMN_LABELS
        return vocab.APPEAL_COLUMN_LABELS + vocab.APPEAL_GROUP_LABELS

    def _disclosure_spans(self, cells: list[GridCell]) -> list[ColumnSpan]:
        spans = []
        for cell in cells:
            if best_match(cell.text, (vocab.DISCLOSURE_HEADER,), threshold=0.8):
                continue
            m21 = best_match(cell.text, vocab.disclosure_columns("2021"), threshold=0.6)
            m19 = best_match(cell.text, vocab.disclosure_columns("2019"), threshold=0.6)
            s21, s19 = (m21.score if m21 else 0.0), (m19.score if m19 else 0.0)
            if s21 > s19 + 0.02:
                self.reading.format_votes["2021"] += 1
            elif s19 > s21 + 0.02:
                self.reading.format_votes["2019"] += 1
            best = m21 if s21 >= s19 else m19
            if best is None:
                continue
            x0, x1, pts = _span(cell)
            # Keep both readings of a label the formats share with different keys.
            keys = {best.key}
            if m21 and m19 and abs(s21 - s19) <= 0.02:
                keys = {m21.key, m19.key}
            for key in sorted(keys):
                spans.append(ColumnSpan(x0, x1, key, best.certainty, pts))
        return spans

    def _application_spans(self, cells: list[GridCell]) -> list[ColumnSpan]:
        spans = []
        for cell in cells:
            if best_match(cell.text, vocab.APPLICATION_HEADER_GROUPS, threshold=0.8):
                continue
            match = best_match(cell.text, vocab.APPLICATION_COLUMN_LABELS, threshold=0.6)
            if match:
                x0, x1, pts = _span(cell)
                spans.append(ColumnSpan(x0, x1, match.key, match.certainty, pts))
        return spans

    def _appeal_spans(self, cells: list[GridCell]) -> list[ColumnSpan]:
        by_order = _appeal_spans_by_order(cells)
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
            x0, x1, pts = _span(cell)
            centre = (x0 + x1) / 2
            owners = [(g, m) for g, m in groups if _span(g)[0] <= centre <= _span(g)[1]]
            if not owners and groups:  # labels printed without rules: the nearest above
                above = [(g, m) for g, m in groups if g.bbox is None or cell.bbox is None
                         or g.bbox[1] < cell.bbox[1]]
                owners = sorted(above, key=lambda gm: abs(sum(_span(gm[0])[:2]) / 2 - centre))[:1]
            if len(owners) != 1:
                continue
            group_cell, group = owners[0]
            score = min(leaf.certainty, group.certainty)
            spans.append(ColumnSpan(x0, x1, f"{group.key}.{leaf.key}", score, pts))
        return spans

    # --- rows -------------------------------------------------------------------------

    def _row(self, grid: Grid, cells: list[GridCell]) -> None:
        filled = [c for c in cells if c.text.strip()]
        if not filled:
            if self.table == "appeals" and grid.method != "aligned":
                self._close_header()  # table 四's one data row, all of it blank
                if self.spans:
                    self._appeal_row(self._split_row(grid, cells)[0], blank_ok=True)
            return
        if len(filled) == 1 and not is_value_text(filled[0].text):
            text = filled[0].text
            if self._maybe_heading(text):
                return
            if fold(text).startswith(DISCLOSURE_SECTION_PREFIX):
                self._close_header()
                return
        if self.in_header and self._continues_header(cells):
            header_of: str | None = self.table  # more lines of this header, before any data
        else:
            header_of = self._header_table(cells)
        if header_of and not (self.table == "applications" and self._labels_a_row(cells)):
            if header_of != self.table:
                self._switch(header_of)
            if not self.in_header:
                self.in_header = True
                self.header_cells = []
            for cell in cells:
                if cell not in self.header_cells:
                    self.header_cells.append(cell)
            return
        self._close_header()
        if self.table is None or not self.spans:
            return
        values, labels = self._split_row(grid, cells)
        if grid.method == "aligned" and not any(is_value_text(c.text) for _, c in values):
            values = []  # text under a value column that is no value (a page number)
        if not values:
            if self.table == "applications":
                self._group_row(labels)
            if grid.method == "aligned":
                values = self._blank_row(labels)
            if not values:
                return
        if self.table == "disclosure":
            self._disclosure_row(labels, values)
        elif self.table == "applications":
            self._application_row(labels, values)
        elif self.table == "appeals":
            self._appeal_row(values, blank_ok=grid.method != "aligned")

    def _continues_header(self, cells: list[GridCell]) -> bool:
        """A row of label fragments under a header row, before any data (and not a data
        row whose cells are all blank)."""
        texts = [c.text for c in cells if c.text.strip()]
        if not texts or any(is_value_text(t) for t in texts):
            return False
        if self.table == "applications":
            return not self._labels_a_row(cells)
        if self.table == "disclosure":
            return not any(best_match(t, vocab.disclosure_rows(), threshold=0.8) for t in texts)
        return True

    def _blank_row(self, labels: list[GridCell]) -> list[tuple[ColumnSpan, GridCell]]:
        """A row printed without rules and with every cell blank: only its label shows.

        Blank cells are made for its columns when the label is surely a row's (a group
        label on a line of its own is not a row)."""
        filled = [c for c in labels if c.text.strip() and c.bbox is not None]
        if not filled or self.table not in ("applications", "disclosure"):
            return []
        label = filled[-1]
        if self.table == "applications":
            if self._names_group(label):
                return []
            rows = vocab.application_all_rows() + (
                vocab.application_items(self.group) if self.group else ())
        else:
            rows = vocab.disclosure_rows()
        match = best_match(label.text, rows, threshold=0.6)
        if match is None or match.certainty < 1.0:
            return []
        top, bottom = label.bbox[1], label.bbox[3]
        blanks = [
            (span, GridCell(row=-1, col=-1, text="", bbox=(span.x0, top, span.x1, bottom),
                            page=label.page, source=label.source, reasons=["blank_row"]))
            for span in self.spans
        ]
        self.reading.blank_rows.append(label.text)
        return blanks

    def _group_row(self, labels: list[GridCell]) -> None:
        """A group label on a row of its own (centred beside its items, no values)."""
        for cell in labels:
            group = best_match(cell.text, vocab.APPLICATION_GROUP_LABELS, threshold=0.8)
            if group and group.key != "results":
                self.group = group.key

    def _labels_a_row(self, cells: list[GridCell]) -> bool:
        """Whether a cell of this row is a table 三 row label (a row of blanks, not a header).

        Numbered labels (`3.其他`) are row labels; a bare column label (`其他`, `总计`) is not.
        """
        rows = vocab.application_all_rows() + vocab.application_items("other")
        for cell in cells:
            text = cell.text
            if not text.strip() or cell.rowspan > 1:
                continue
            numbered = split_numbering(text)[0] is not None
            column = best_match(text, vocab.APPLICATION_COLUMN_LABELS, threshold=0.95)
            if (numbered or column is None) and best_match(text, rows, threshold=0.8):
                return True
        return False

    def _split_row(
        self, grid: Grid, cells: list[GridCell]
    ) -> tuple[list[tuple[ColumnSpan, GridCell]], list[GridCell]]:
        """Value cells (with the column each falls under) and label cells of a data row.

        In a table printed without rules a value may sit off-centre under its header, and
        a blank cell has no text at all: each column without a value gets a blank cell.
        """
        values: list[tuple[ColumnSpan, GridCell]] = []
        labels: list[GridCell] = []
        aligned = grid.method == "aligned"
        units_match = any(_span(c)[2] == self.spans[0].in_points for c in cells)
        for cell in cells:
            span = self._column_of(cell, aligned) if units_match else None
            if span is None:
                labels.append(cell)
            else:
                values.append((span, cell))
        if not values and not aligned:
            values, labels = self._split_by_order(cells)
        if aligned and values:
            values += self._blanks(values, cells)
        return values, labels

    def _column_of(self, cell: GridCell, aligned: bool) -> ColumnSpan | None:
        x0, x1, _ = _span(cell)
        best, best_overlap = None, 0.0
        for span in self.spans:
            ov = _overlap(x0, x1, span.x0, span.x1)
            if ov > best_overlap:
                best, best_overlap = span, ov
        if best is not None and (
            best_overlap / max(x1 - x0, 1e-6) >= 0.5
            or best_overlap / max(best.x1 - best.x0, 1e-6) >= 0.5
        ):
            return best
        if not aligned or not is_value_text(cell.text):
            return None
        centres = sorted({(s.x0 + s.x1) / 2 for s in self.spans})
        pitch = min((b - a for a, b in zip(centres, centres[1:], strict=False)), default=40.0)
        centre = (x0 + x1) / 2
        nearest = min(self.spans, key=lambda s: abs((s.x0 + s.x1) / 2 - centre))
        return nearest if abs((nearest.x0 + nearest.x1) / 2 - centre) < 0.4 * pitch else None

    def _blanks(
        self, values: list[tuple[ColumnSpan, GridCell]], cells: list[GridCell]
    ) -> list[tuple[ColumnSpan, GridCell]]:
        hit = {span.key for span, _ in values}
        top = min(c.bbox[1] for _, c in values if c.bbox)
        bottom = max(c.bbox[3] for _, c in values if c.bbox)
        page = values[0][1].page
        return [
            (span, GridCell(row=-1, col=-1, text="", bbox=(span.x0, top, span.x1, bottom),
                            page=page, source=values[0][1].source))
            for span in self.spans
            if span.key not in hit
        ]

    def _split_by_order(
        self, cells: list[GridCell]
    ) -> tuple[list[tuple[ColumnSpan, GridCell]], list[GridCell]]:
        """A fragment whose geometry does not line up with the header: the right-most
        cells, in order, take the header's columns (only when the counts agree)."""
        ordered = sorted({(s.x0, s.x1): s for s in self.spans}.values(), key=lambda s: s.x0)
        if len(cells) <= len(ordered):
            return [], cells
        tail = cells[-len(ordered):]
        if not all(is_value_text(c.text) or not c.text.strip() for c in tail):
            return [], cells
        pairs = list(zip(ordered, tail, strict=True))
        return pairs, cells[: -len(ordered)]

    def _store(self, key: str, cell: GridCell, label_score: float) -> None:
        confidence = cell.confidence * label_score
        reasons = list(cell.reasons)
        if label_score < 1.0:
            reasons.append("uncertain_label")
        found = ReadValue(
            key=key, raw=cell.text.strip(), page=cell.page, bbox=cell.bbox,
            confidence=confidence, source=cell.source, reasons=reasons,
        )
        if key in self.reading.values:
            earlier = self.reading.values[key]
            if fold(earlier.raw) != fold(found.raw):
                earlier.reasons.append("duplicate_conflict")
                self.reading.warnings.append(
                    f"{key} printed twice with different values: "
                    f"{earlier.raw!r} and {found.raw!r}"
                )
            return
        self.reading.values[key] = found

    def _disclosure_row(
        self, labels: list[GridCell], values: list[tuple[ColumnSpan, GridCell]]
    ) -> None:
        label = next((c for c in labels if c.text.strip()), None)
        if label is None:
            return
        match = best_match(label.text, vocab.disclosure_rows(), threshold=0.6)
        if match is None:
            self._unrecognised(label.text, values)
            return
        for span, column, certainty in self._disclosure_columns(match.key, values):
            key = f"disclosure.{match.key}.{column}"
            self._store(key, span, min(match.certainty, certainty))

    def _disclosure_columns(
        self, row: str, values: list[tuple[ColumnSpan, GridCell]]
    ) -> list[tuple[GridCell, str, float]]:
        """Columns for a table 二 row. A header that was not read leaves the previous
        block's columns in place; a row knows its own columns, so values under columns it
        cannot have are placed by order (surely, when it has just one column)."""
        votes = self.reading.format_votes
        leader = "2019" if votes["2019"] > votes["2021"] else "2021"
        formats = (leader,) if votes["2019"] != votes["2021"] else ("2021", "2019")
        allowed = {c for fmt in formats for r in DISCLOSURE_ROWS[fmt] if r.key == row
                   for c in r.columns}
        if all(span.key in allowed for span, _ in values):
            return [(cell, span.key, span.score) for span, cell in values]
        fmt = leader
        columns = next((r.columns for r in DISCLOSURE_ROWS[fmt] if r.key == row), ())
        cells = [cell for _, cell in sorted(values, key=lambda v: _span(v[1])[0])]
        if len(columns) == len(cells):
            certainty = 1.0 if len(cells) == 1 else 0.7
            return [(cell, column, certainty) for cell, column in zip(cells, columns, strict=True)]
        return [(cell, span.key, span.score) for span, cell in values]

    def _application_row(
        self, labels: list[GridCell], values: list[tuple[ColumnSpan, GridCell]]
    ) -> None:
        item: GridCell | None = None
        filled = [c for c in labels if c.text.strip()]
        group_in_row = False
        for index, cell in enumerate(filled):
            group = best_match(cell.text, vocab.APPLICATION_GROUP_LABELS, threshold=0.8)
            if group and group.key == "results":
                continue  # the parent of all result rows: says nothing about the group
            beside_item = index < len(filled) - 1
            if group and (cell.rowspan > 1 or beside_item):
                self.group = group.key
                group_in_row = True
                continue
            item = cell
        if item is None:
            texts = " ".join(c.text for c in labels if c.text.strip())
            self.reading.application_rows.append((None, values, False))
            self._unrecognised(texts or "(no label)", values)
            return
        key, score = self._application_key(item.text)
        if key and key.endswith(".subtotal") and not group_in_row and not self._names_group(item):
            self.reading.loose_subtotals.append(key.split(".")[0])
        says_subtotal = content(item.text) in SUBTOTAL_LABELS
        self.reading.application_rows.append((key, values, says_subtotal))
        if key is None:
            self._unrecognised(item.text, values)
            return
        for span, cell in values:
            self._store(f"applications.{key}.{span.key}", cell, min(score, span.score))

    def _application_key(self, text: str) -> tuple[str | None, float]:
        group = best_match(text, vocab.APPLICATION_GROUP_LABELS, threshold=0.8)
        if group and group.key != "results":
            self.group = group.key  # a group label with values on its own row: a subtotal
            return f"{group.key}.subtotal", group.certainty
        candidates: list[Candidate] = list(vocab.application_items(None))
        if self.group:
            candidates += vocab.application_items(self.group)
        match = best_match(text, candidates, threshold=0.6)
        if match is None:  # a group whose label fell on another page, or was not read
            match = best_match(text, vocab.application_all_rows(), threshold=0.7)
        if match is None:
            return None, 0.0
        if "." not in match.key:
            self.group = None
        elif not match.key.endswith(".subtotal"):
            self.group = match.key.split(".")[0]
        return match.key, match.certainty

    @staticmethod
    def _names_group(cell: GridCell) -> bool:
        return best_match(cell.text, vocab.APPLICATION_GROUP_LABELS, threshold=0.8) is not None

    def _appeal_row(self, values: list[tuple[ColumnSpan, GridCell]], blank_ok: bool) -> None:
        """Table 四's one data row; in a ruled table it may be all blank cells."""
        if self.appeals_done:
            return
        all_blank = all(not c.text.strip() for _, c in values)
        if not any(is_value_text(c.text) for _, c in values) and not (
            blank_ok and all_blank and len(values) >= len(self.spans)
        ):
            return
        for span, cell in values:
            self._store(f"appeals.{span.key}", cell, span.score)
        self.appeals_done = True

    def _unrecognised(self, label: str, values: list[tuple[ColumnSpan, GridCell]]) -> None:
        if any(is_value_text(c.text) and c.text.strip() for _, c in values):
            page = values[0][1].page
            self.reading.warnings.append(
                f"{self.table}: a row with values was not recognised "
                f"(label {content(label)[:30]!r}, page {page})"
            )


APPEAL_KEYS = tuple(f"{g.key}.{c.key}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS)


def _bottom(cell: GridCell) -> float:
    return cell.bbox[3] if cell.bbox is not None else float(cell.row + cell.rowspan)


def _appeal_spans_by_order(cells: list[GridCell]) -> list[ColumnSpan]:
    """Table 四's columns from its lowest header row, when that row has the template's
    fifteen cells and the leaf labels that could be read agree with the template's order.

    The group labels above (行政复议, 未经复议直接起诉, 复议后起诉) then need not be
    read at all: a misread one cannot move five columns into the wrong group."""
    if not cells:
        return []
    lowest = max(_bottom(c) for c in cells)
    tolerance = 0.0  # grid units: exact; points: half the shortest header cell (skew)
    if cells[0].bbox is not None:
        tolerance = 0.5 * min(c.bbox[3] - c.bbox[1] for c in cells if c.bbox is not None)
    row = sorted((c for c in cells if lowest - _bottom(c) <= tolerance),
                 key=lambda c: _span(c)[0])
    if len(row) != len(APPEAL_KEYS):
        return []
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
    return [ColumnSpan(*_span(cell)[:2], key, 1.0, _span(cell)[2])
            for cell, key in zip(row, APPEAL_KEYS, strict=True)]


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
        and _overlap(x0, x1, c.bbox[0], c.bbox[2]) >= 0.5 * min(x1 - x0, c.bbox[2] - c.bbox[0])
    ]
    return min(below, key=lambda c: c.bbox[1], default=None)


def _merge_spans(spans: list[ColumnSpan]) -> list[ColumnSpan]:
    """One span per column: the pieces of a header label wrapped over lines are one column;
    of two far-apart pieces with the same key only the better-matched one is kept."""
    merged: dict[str, ColumnSpan] = {}
    for span in sorted(spans, key=lambda s: -s.score):
        kept = merged.get(span.key)
        if kept is None:
            merged[span.key] = ColumnSpan(span.x0, span.x1, span.key, span.score, span.in_points)
        elif _overlap(kept.x0, kept.x1, span.x0, span.x1) > 0:
            kept.x0, kept.x1 = min(kept.x0, span.x0), max(kept.x1, span.x1)
    return sorted(merged.values(), key=lambda s: s.x0)


def read_tables(grids: list[Grid]) -> Reading:
    """Walk every grid of a document in reading order."""
    walker = TableWalker()
    for grid in grids:
        walker.feed(grid)
    for group in reversed(walker.reading.loose_subtotals):  # later ones free keys for earlier
        _place_subtotal(walker.reading, group)
    _fill_gaps(walker.reading)
    _settle_blank_rows(walker.reading)
    return walker.reading


def _settle_blank_rows(reading: Reading) -> None:
    """Blank rows of an unruled table are trusted only if no row of values went unplaced:
    such a row's values might be the ones this label stands beside."""
    unplaced = any(key is None for key, _, _ in reading.application_rows)
    for found in reading.values.values():
        if "blank_row" in found.reasons:
            found.reasons.remove("blank_row")
            if unplaced:
                found.reasons.append("uncertain_label")
                found.confidence = min(found.confidence, 0.5)


GAP_CERTAINTY = 0.5  # a row placed by its position alone: its cells are flagged
FORCED = -1.0  # the only row that can stand there: flagged until the rules confirm it


def _canonical_positions() -> dict[str, tuple[float, ...]]:
    """Where each table 三 row may stand in reading order; a 小计 before or after its items."""
    positions: dict[str, tuple[float, ...]] = {}
    for index, row in enumerate(APPLICATION_ROWS):
        positions[row.key] = (float(index),)
    for group in SUBTOTAL_GROUPS:
        indices = [i for i, r in enumerate(APPLICATION_ROWS) if r.group == group]
        positions[f"{group}.subtotal"] = (indices[0] - 0.5, indices[-1] + 0.5)
    return positions


def _fill_gaps(reading: Reading) -> None:
    """Rows whose labels could not be read (OCR noise) get the keys their position leaves.

    Only where the unread rows between two recognised rows are exactly as many as the
    canonical rows missing between them; their cells are flagged `uncertain_label`.
    """
    positions = _canonical_positions()
    read_rows = {k.split(".", 1)[1].rsplit(".", 1)[0] for k in reading.values
                 if k.startswith("applications.")}
    rows = reading.application_rows
    i = 0
    while i < len(rows):
        if rows[i][0] is not None:
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j][0] is None:
            j += 1
        low = max(positions[rows[i - 1][0]]) if i > 0 else float("-inf")
        high = min(positions[rows[j][0]]) if j < len(rows) else float("inf")
        free = sorted(
            (min(p for p in pos if low < p < high), key)
            for key, pos in positions.items()
            if key not in read_rows and any(low < p < high for p in pos)
        )
        chosen = _choose_gap_rows(reading, free, rows[i:j])
        for (key, certainty), (_, values, _) in zip(chosen, rows[i:j], strict=False):
            for span, cell in values:
                _store_value(reading, f"applications.{key}.{span.key}", cell, certainty)
            read_rows.add(key)
        i = j


def _choose_gap_rows(
    reading: Reading, free: list[tuple[float, str]], unread: list[tuple]
) -> list[tuple[str, float]]:
    """The keys for a run of unread rows, with how sure each is.

    A lone row labelled 小计 between groups is the subtotal that is free there (sure when
    only one is, or when its values add up to one group's items and not the other's).
    Otherwise the rows take the free keys by position (unsure): the free items if they are
    as many as the rows, else all free rows if they are. Nothing when the count leaves a
    doubt."""
    items = [key for _, key in free if not key.endswith(".subtotal")]
    subtotals = [key for _, key in free if key.endswith(".subtotal")]
    if len(unread) == 1 and subtotals and (unread[0][2] or not items):
        values = {span.key: _as_read(cell) for span, cell in unread[0][1]}
        nonzero = any(parse_value(v.raw, "count").value for v in values.values())
        fits = [k for k in subtotals if _adds_up(reading, k.split(".")[0], values)]
        sure = 1.0 if unread[0][2] else GAP_CERTAINTY
        if len(subtotals) == 1 and unread[0][2]:
            return [(subtotals[0], sure)]
        if len(fits) == 1 and nonzero:  # all zeros would fit any group
            return [(fits[0], sure)]
    if len(items) == len(unread) == 1:
        return [(items[0], FORCED)]
    if len(items) == len(unread):
        return [(key, GAP_CERTAINTY) for key in items]
    if len(free) == len(unread):
        return [(key, GAP_CERTAINTY) for _, key in free]
    return []


def _as_read(cell: GridCell) -> ReadValue:
    return ReadValue(key="", raw=cell.text.strip(), page=cell.page, bbox=cell.bbox,
                     confidence=cell.confidence, source=cell.source)


def _store_value(reading: Reading, key: str, cell: GridCell, label_score: float) -> None:
    if key in reading.values:
        return
    if label_score == FORCED:
        doubt, label_score = ["placed_by_position"], 1.0
    else:
        doubt = ["uncertain_label"] if label_score < 1.0 else []
    reading.values[key] = ReadValue(
        key=key, raw=cell.text.strip(), page=cell.page, bbox=cell.bbox,
        confidence=cell.confidence * label_score, source=cell.source,
        reasons=[*cell.reasons, *doubt],
    )


def _place_subtotal(reading: Reading, group: str) -> None:
    """A 小计 row between two groups closes the one before or opens the one after: the
    group whose items it adds up to decides; if neither does, the cells are flagged."""
    following = SUBTOTAL_GROUPS[SUBTOTAL_GROUPS.index(group) + 1:][:1]
    prefix = f"applications.{group}.subtotal."
    subtotal = {k[len(prefix):]: v for k, v in reading.values.items() if k.startswith(prefix)}
    for candidate in [group, *following]:
        if _adds_up(reading, candidate, subtotal):
            if candidate != group and not any(
                k.startswith(f"applications.{candidate}.subtotal.") for k in reading.values
            ):
                for column, found in subtotal.items():
                    del reading.values[prefix + column]
                    found.key = f"applications.{candidate}.subtotal.{column}"
                    reading.values[found.key] = found
            return
    for found in subtotal.values():
        found.confidence = min(found.confidence, 0.5)
        found.reasons.append("uncertain_label")


def _adds_up(reading: Reading, group: str, subtotal: dict[str, ReadValue]) -> bool:
    items = [r.key for r in APPLICATION_ROWS if r.group == group]
    seen_any = False
    for column, found in subtotal.items():
        total = 0
        for item in items:
            cell = reading.values.get(f"applications.{item}.{column}")
            if cell is not None:
                seen_any = True
                total += parse_value(cell.raw, "count").value or 0
        if (parse_value(found.raw, "count").value or 0) != total:
            return False
    return seen_any
