"""Walking the grids of a document and mapping their rows and columns to canonical keys.

The grids of a document are read in order, row by row, like a person reads the report:
a heading (`三、收到和处理…`) or a recognisable header switches to a table; header rows
define which key each column holds (by label, merged group headers included); data rows
are recognised by their label, with the group label of a merged cell to the left (or the
last one seen, when a table continues on the next page) deciding between items that share
a number. A continuation fragment without a header of its own inherits the columns.

A row split by a page break (Word and WPS let a row break across pages: the label's first
words and the values on one page, the rest of the label over blank cells on the next) is
joined back before its label is read: each data row waits until the next one shows it is
not continued.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractor.grid import Grid, GridCell, boxes_meet
from extractor.reconcile import vocabulary as vocab
from extractor.reconcile.headers import column_spans
from extractor.reconcile.labels import (
    Candidate,
    Match,
    best_match,
    content,
    fold,
    split_numbering,
)
from extractor.reconcile.placement import canonical_positions, place_unlabelled_rows
from extractor.reconcile.reading import (
    ColumnSpan,
    Reading,
    ReadValue,
    cell_span,
    is_value_text,
    overlap,
)
from models.schema import (
    DISCLOSURE_ROWS,
    DISCLOSURE_SECTION_PREFIX,
    SUBTOTAL_GROUPS,
    SUBTOTAL_LABELS,
)

_SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
STRAY_NUMBER_IN_HEADER = 6  # header evidence a row needs to be one despite a number in it
HEADER_LABELS_PER_NUMBER = 2  # ...and, under a header, a row to go on with it despite numbers
LOST_ROW_NUMBERS = 2  # numbers on a line under no column that make a lost row of values
BLANK_ROW_REACH = 0.5  # a blank row's place reaches this many of its line's heights off it
LABEL_PIECE_GAP = 1.0  # label pieces this many of their heights apart on a line may be one
HEADLESS_CERTAINTY = 0.5  # a table 二 row's values placed in the template's order, no header read


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
        # the last data row of table 二 or 三, read once the next row shows it is complete
        self.pending: tuple[Grid, list[GridCell], list[tuple[ColumnSpan, GridCell]]] | None = None
        self.rows_in_grid = 0  # data rows read in the current grid
        # The last table 三 row read: its item label and its value cells.
        self.last_row: tuple[GridCell | None, set[int]] = (None, set())

    # --- driving --------------------------------------------------------------------

    def feed(self, grid: Grid) -> None:
        self.rows_in_grid = 0
        for line in grid.context.splitlines():
            self._maybe_heading(line)
        for r in range(grid.n_rows):
            self._row(grid, grid.row(r))
        if not self._header_may_go_on(grid):
            self._close_header()

    def _header_may_go_on(self, grid: Grid) -> bool:
        """A grid that ends inside the header of table 三 or 四, at the foot of its page:
        Word breaks a table anywhere, so the header's lower rows (商业企业 … 其他) may open
        the next page. The header stays open; the next grid's first rows either continue
        it or close it (a data row, a heading)."""
        if not (self.in_header and self.table in ("applications", "appeals")):
            return False
        return self.rows_in_grid == 0 and grid.method != "aligned"

    # --- headings and headers -------------------------------------------------------

    def _switch(self, table: str | None) -> None:
        if table != self.table:
            self.flush()
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
        numbers = sum(is_value_text(t) for t in texts)
        if numbers > 1:
            return None
        scores = _header_evidence(texts)
        top = max(scores.values())
        leaders = [table for table, score in scores.items() if score == top]
        if top < 2 or numbers and top < STRAY_NUMBER_IN_HEADER:
            return None  # one number among many header labels: a piece of a label misread
        if len(leaders) == 1:
            return leaders[0]
        return self.table if self.table in leaders else None  # `总计` is in two headers

    def _close_header(self) -> None:
        if not self.in_header:
            return
        self.in_header = False
        cells, self.header_cells = self.header_cells, []
        spans = column_spans(self.table, cells, self.reading.format_votes)
        if spans:
            _confirm_repeated(spans, self.spans)
            if self.table in ("applications", "appeals"):
                spans = _inherit_missing(spans, self.spans)
            self.spans = spans
        else:
            self.reading.warnings.append(f"{self.table}: a header row was not understood")

    # --- rows -------------------------------------------------------------------------

    def _row(self, grid: Grid, cells: list[GridCell]) -> None:
        filled = [c for c in cells if c.text.strip()]
        if not filled:
            if self.table == "appeals" and grid.method != "aligned":
                self._close_header()  # table 四's one data row, all of it blank
                if self.spans:
                    self._appeal_row(self._split_row(grid, cells)[0], blank_ok=True)
            return
        if self.in_header and len(filled) == 1 and is_value_text(filled[0].text):
            return  # a lone number amid a header (a piece of a note: 第四项 read as "4"):
            # no data row is one cell, so it neither ends the header nor joins it
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
        if not self.spans and self.table in (None, "disclosure"):
            self._headless_disclosure_row(cells)
        if self.table is None or not self.spans:
            return
        values, labels = self._split_row(grid, cells)
        if self.table == "applications":
            labels = _joined_pieces(labels)
        if grid.method == "aligned" and not any(is_value_text(c.text) for _, c in values):
            values = []  # text under a value column that is no value (a page number)
        if self._continues_pending(grid, labels, values):
            return
        self.flush(following=labels, following_values=values)
        self.rows_in_grid += 1
        if not values:
            if self.table == "applications":
                self._group_row(labels)
            if grid.method == "aligned":
                values = self._blank_row(grid, labels)
            if not values:
                self._lost_values(labels)
                return
        if self.table in ("disclosure", "applications"):
            self.pending = (grid, labels, values)
        elif self.table == "appeals":
            self._appeal_row(values, blank_ok=grid.method != "aligned")

    def flush(self, following: list[GridCell] | None = None,
              following_values: list[tuple[ColumnSpan, GridCell]] | None = None) -> None:
        """Read the data row that was waiting for its possible continuation (`following`:
        the label and value cells of the row after it, when there is one)."""
        if self.pending is None:
            return
        _, labels, values = self.pending
        self.pending = None
        if self.table == "disclosure":
            self._disclosure_row(labels, values)
        elif self.table == "applications":
            shared = self._label_shared(labels, values, following, following_values)
            if shared or following is not None and self._out_of_order(labels, following):
                texts = " ".join(c.text for c in labels if c.text.strip())
                self.reading.application_rows.append((None, values, False))
                self._unrecognised(texts, values)  # placed by position, if it is the only one
                return
            self._application_row(labels, values)

    def _label_shared(self, labels: list[GridCell], values: list[tuple[ColumnSpan, GridCell]],
                      following: list[GridCell] | None,
                      following_values: list[tuple[ColumnSpan, GridCell]] | None) -> bool:
        """One label cell beside several rows of their own values (the column of the rows'
        own labels lost, a group's cell read as one row's): it names none of them surely.
        (A label and its values merged over two lines of the grid are one row.)"""
        item = _item_label(labels)
        mine = {id(cell) for _, cell in values}
        before, self.last_row = self.last_row, (item, mine)
        if item is None or item.rowspan <= 1:
            return False
        if before[0] is item and not mine & before[1]:
            return True
        if following is None or _item_label(following) is not item:
            return False
        after = {id(cell) for _, cell in following_values or []}
        return bool(after) and not mine & after

    def _out_of_order(self, labels: list[GridCell], following: list[GridCell]) -> bool:
        """A loosely read label (`2.其他`, the rest of `2.其他法律行政法规禁止公开` lost) that
        names a row which cannot stand between the rows before and after it: its name is
        wrong, and its place says more (`placement.py` places it if it is the only row
        that fits there)."""
        item, after = _item_label(labels), _item_label(following)
        if item is None or after is None:
            return False
        match, nxt = self._row_match(item.text), self._row_match(after.text)
        before = next((key for key, _, _ in reversed(self.reading.application_rows) if key),
                      None)
        if match is None or nxt is None or before is None or match.score >= 1.0:
            return False
        where = _POSITIONS
        mine, then = (m.key if m.key in where else f"{m.key}.subtotal" for m in (match, nxt))
        if before not in where or mine not in where or then not in where:
            return False
        low, high = max(where[before]), min(where[then])
        if not low < high:
            return False  # the neighbours themselves are out of order: no evidence
        return not any(low < p < high for p in where[mine])

    def _continues_pending(
        self, grid: Grid, labels: list[GridCell], values: list[tuple[ColumnSpan, GridCell]]
    ) -> bool:
        """The first data row of a new page, blank under every column, whose label completes
        the label of the last row before the page break: the rest of that row."""
        if self.pending is None or self.rows_in_grid or self.table not in (
                "disclosure", "applications"):
            return False
        before, before_labels, _ = self.pending
        if grid.page <= before.page or any(c.text.strip() for _, c in values):
            return False
        item = next((c for c in reversed(before_labels) if c.text.strip()), None)
        pieces = [c for c in labels if c.text.strip()]
        if not pieces or item is None:
            return False
        added: dict[int, str] = {}  # each piece goes under the label cell of its column
        for piece in pieces:
            x0, x1, _ = cell_span(piece)
            above = max(before_labels, key=lambda c: overlap(x0, x1, *cell_span(c)[:2]))
            if overlap(x0, x1, *cell_span(above)[:2]) <= 0:
                return False
            added[id(above)] = added.get(id(above), "") + piece.text
        rest = added.get(id(item), "")
        joined = self._row_match(item.text + rest)
        if joined is None or joined.certainty < 1.0:
            return False
        if rest:  # joined, the label must read better than either part alone: a whole
            #       label followed by a row printed all blank reads worse joined
            head, tail = self._row_match(item.text), self._row_match(rest)
            if joined.score <= (head.score if head else 0.0) or joined.score < (
                    tail.score if tail else 0.0):
                return False
        whole = [replace(c, text=c.text + added[id(c)], reasons=list(c.reasons))
                 if id(c) in added else c for c in before_labels]
        self.pending = (before, whole, self.pending[2])
        return True

    def _row_match(self, text: str) -> Match | None:
        """Which row a label names in the current table, without changing the walk's state."""
        if self.table == "disclosure":
            return best_match(text, vocab.disclosure_rows(), threshold=0.6)
        group = best_match(text, vocab.APPLICATION_GROUP_LABELS, threshold=0.8)
        if group and group.key != "results":
            return group
        candidates: list[Candidate] = list(vocab.application_items(None))
        if self.group:
            candidates += vocab.application_items(self.group)
        return (best_match(text, candidates, threshold=0.6)
                or best_match(text, vocab.application_all_rows(), threshold=0.7))

    def _continues_header(self, cells: list[GridCell]) -> bool:
        """A row of label fragments under a header row, before any data (and not a data
        row whose cells are all blank).

        Numbers misread from labels under a seal (`结果维持` read as "4") do not end it
        while this table's own labels outweigh them: its first data row is numbers with
        at most a label or two."""
        texts = [c.text for c in cells if c.text.strip()]
        numbers = sum(is_value_text(t) for t in texts)
        if not texts or numbers and _header_evidence(texts).get(self.table or "", 0) < \
                HEADER_LABELS_PER_NUMBER * numbers:
            return False
        if self.table == "applications":
            return not self._labels_a_row(cells)
        if self.table == "disclosure":
            return not any(best_match(t, vocab.disclosure_rows(), threshold=0.8) for t in texts)
        return True

    def _blank_row(self, grid: Grid, labels: list[GridCell]) -> list[tuple[ColumnSpan, GridCell]]:
        """A row printed without rules and with every cell blank: only its label shows.

        Blank cells are made for its columns when the label is surely a row's. A group
        label on a line of its own is not a row, except （六）其他处理, which may be one.
        A blank where the page shows ink stays doubted."""
        filled = [c for c in labels if c.text.strip() and c.bbox is not None]
        if not filled or self.table not in ("applications", "disclosure"):
            return []
        label = filled[-1]
        reasons = ["blank_row"]
        if self.table == "applications":
            if self._names_group(label):
                if self.group != "other":
                    return []
                # （六）其他处理 alone on its line: a single row (2019 style), or the heading
                # of its three items, if they follow (placement.py drops it then)
                reasons.append("blank_group_row")
            rows = vocab.application_all_rows() + (
                vocab.application_items(self.group) if self.group else ())
        else:
            rows = vocab.disclosure_rows()
        match = best_match(label.text, rows, threshold=0.6)
        if "blank_group_row" not in reasons and (match is None or match.certainty < 1.0):
            return []
        # A row's values may stand half a line off its label's line (centred beside a
        # label wrapped over two lines): ink that near is this row's, not a blank.
        top, bottom = label.bbox[1], label.bbox[3]
        reach = BLANK_ROW_REACH * (bottom - top)
        blanks = [(span, _blank_cell(grid, span, top, bottom, label, reasons, False, reach))
                  for span in self.spans]
        self.reading.blank_rows.append(label.text)
        return blanks

    def _lost_values(self, cells: list[GridCell]) -> None:
        """A row of numbers under none of the header's columns (shifted off them) cannot
        be placed. It is counted, not dropped without a word: its row may be one the
        layout shows blank or would leave out."""
        numbers = [c for c in cells if c.text.strip() and is_value_text(c.text)]
        if self.table != "applications" or len(numbers) < LOST_ROW_NUMBERS:
            return  # a lone number beside a label is its numbering, read apart
        self.reading.lost_rows += 1
        label = " ".join(c.text for c in cells if c not in numbers)
        self.reading.warnings.append(
            f"applications: a row of numbers stood under none of the columns "
            f"(label {content(label)[:30]!r}, page {numbers[0].page})")

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
            row = best_match(text, rows, threshold=0.8)
            if row is None:
                continue
            # An OCR'd column label (上其他) is as near to 其他 the column as to 其他 the
            # row: unnumbered, it is a row label only when it is nearer to a row.
            column = best_match(text, vocab.APPLICATION_COLUMN_LABELS, threshold=0.75)
            if numbered or column is None or row.certainty > column.certainty:
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
        units_match = any(cell_span(c)[2] == self.spans[0].in_points for c in cells)
        for cell in cells:
            span = self._column_of(cell, aligned) if units_match else None
            if span is None:
                labels.append(cell)
            else:
                values.append((span, cell))
        if not values and not aligned:
            values, labels = self._split_by_order(cells)
        if aligned and values:
            # A number standing among the value columns but under none of them: the row's
            # values may have been split or shifted, so none of them is trusted alone.
            left = min(span.x0 for span in self.spans)
            stray = [c for c in labels
                     if is_value_text(c.text) and c.bbox is not None and c.bbox[2] > left]
            if stray:
                labels = [c for c in labels if c not in stray]  # not part of the label
                for _, cell in values:
                    if "stray_value" not in cell.reasons:
                        cell.reasons.append("stray_value")
            values += self._blanks(grid, values, doubted=bool(stray))
        return values, labels

    def _column_of(self, cell: GridCell, aligned: bool) -> ColumnSpan | None:
        x0, x1, _ = cell_span(cell)
        best, best_overlap = None, 0.0
        for span in self.spans:
            ov = overlap(x0, x1, span.x0, span.x1)
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
        self, grid: Grid, values: list[tuple[ColumnSpan, GridCell]], doubted: bool
    ) -> list[tuple[ColumnSpan, GridCell]]:
        """A blank cell for each column no value of the row stands under.

        On a text layer nothing under a column is a blank cell. On an image read without
        rules it may also be a value the reading lost: the blank is doubted where the page
        shows ink there (or a seal), or where the row's values were not all placed
        (`doubted`)."""
        hit = {span.key for span, _ in values}
        top = min(c.bbox[1] for _, c in values if c.bbox)
        bottom = max(c.bbox[3] for _, c in values if c.bbox)
        return [(span, _blank_cell(grid, span, top, bottom, values[0][1], [], doubted))
                for span in self.spans if span.key not in hit]

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

    def _store(self, key: str, cell: GridCell, label_score: float,
               by_position: bool = False) -> None:
        confidence = cell.confidence * label_score
        reasons = list(cell.reasons)
        if label_score < 1.0:
            reasons.append("uncertain_label")
        if by_position:
            reasons.append("placed_by_position")
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
        self.reading.disclosure_rows.append((match.key if match else None, values))
        if match is None:
            self._unrecognised(label.text, values)
            return
        for span, column, certainty in self._disclosure_columns(match.key, values):
            key = f"disclosure.{match.key}.{column}"
            self._store(key, span, min(match.certainty, certainty))

    def _headless_disclosure_row(self, cells: list[GridCell]) -> None:
        """A row of table 二 before any header of it: the table went on from a page where
        its heading and header were not found (a header printed without rules, alone at
        the foot of a page, holds no number and looks like no table). Its label names it
        surely (规章, 行政许可: rows no other table has); its values go to the template's
        columns in their printed order, all doubted, and only when as many are printed."""
        values = sorted((c for c in cells if is_value_text(c.text)),
                        key=lambda c: cell_span(c)[0])
        labels = [c for c in cells if c.text.strip() and c not in values]
        if not values or not labels:
            return
        match = best_match(labels[0].text, vocab.disclosure_rows(), threshold=0.8)
        if match is None or match.certainty < 1.0:
            return
        columns = self._template_columns(match.key)
        self._switch("disclosure")
        placed = [(ColumnSpan(*cell_span(c)[:2], key, HEADLESS_CERTAINTY, cell_span(c)[2]), c)
                  for c, key in zip(values, columns, strict=False)]
        self.reading.disclosure_rows.append((match.key, placed))
        if len(columns) != len(values):
            self._unrecognised(labels[0].text, placed)
            return
        for span, cell in placed:
            self._store(f"disclosure.{match.key}.{span.key}", cell, HEADLESS_CERTAINTY)

    def _template_columns(self, row: str) -> tuple[str, ...]:
        """A table 二 row's columns in the template the header votes lead to (2021 on a tie)."""
        votes = self.reading.format_votes
        fmt = "2019" if votes["2019"] > votes["2021"] else "2021"
        return next((r.columns for r in DISCLOSURE_ROWS[fmt] if r.key == row), ())

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
        columns = self._template_columns(row)
        cells = [cell for _, cell in sorted(values, key=lambda v: cell_span(v[1])[0])]
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
            key = self._unread_subtotal(key)
            self.reading.loose_subtotals.append(key.split(".")[0])
        says_subtotal = content(item.text) in SUBTOTAL_LABELS
        self.reading.application_rows.append((key, values, says_subtotal))
        if key is None:
            self._unrecognised(item.text, values)
            return
        for span, cell in values:
            self._store(f"applications.{key}.{span.key}", cell, min(score, span.score),
                        span.by_position)

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

    def _unread_subtotal(self, key: str) -> str:
        """A 小计 without its group's label, once that group's 小计 is read, opens the next
        group (whose label was misread): a group has one 小计, and it comes first.
        _place_subtotal then checks the row adds up to the group it was given."""
        group = key.split(".")[0]
        read = any(k.startswith(f"applications.{key}.") for k in self.reading.values)
        if not read or group not in SUBTOTAL_GROUPS[:-1]:
            return key
        self.group = SUBTOTAL_GROUPS[SUBTOTAL_GROUPS.index(group) + 1]
        return f"{self.group}.subtotal"

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




_POSITIONS = canonical_positions()


def _blank_cell(grid: Grid, span: ColumnSpan, top: float, bottom: float, beside: GridCell,
                reasons: list[str], doubted: bool, reach: float = 0.0) -> GridCell:
    """A blank cell under `span` on the row of `beside` (top..bottom), doubted
    (`blank_unruled`) when read by OCR and `doubted`, or where the page shows ink there
    (`reach` above or below included): a glyph centred in it, or a seal over it."""
    box = (span.x0, top, span.x1, bottom)
    looked = (span.x0, top - reach, span.x1, bottom + reach)
    if beside.source == "ocr" and (doubted or any(_ink_in(looked, ink) for ink in grid.ink)):
        reasons = [*reasons, "blank_unruled"]
    return GridCell(row=-1, col=-1, text="", bbox=box, page=beside.page, source=beside.source,
                    reasons=list(reasons))


def _ink_in(box: tuple[float, float, float, float], ink: tuple[float, float, float, float]) -> bool:
    """Whether ink stands in a blank cell's place: a glyph whose centre is in it (the edge
    of a neighbour's value may reach in), or ink taller than the row over it (a seal)."""
    x, y = (ink[0] + ink[2]) / 2, (ink[1] + ink[3]) / 2
    if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
        return True
    return boxes_meet(box, ink) and ink[3] - ink[1] > 2 * (box[3] - box[1])


def _joined_pieces(labels: list[GridCell]) -> list[GridCell]:
    """A row label printed with spaces inside it (（一）予以 公开), left in pieces by a
    reader of a table without rules: the close pieces that end the row's labels are one
    label where together they are surely a table 三 row and the last piece alone is not."""
    filled = [c for c in labels if c.text.strip()]
    placed = sorted((c for c in filled if c.bbox is not None), key=lambda c: c.bbox[0])
    if len(placed) < 2 or len(placed) != len(filled):
        return labels
    run = [placed[-1]]
    for cell in reversed(placed[:-1]):
        after = run[0]
        height = after.bbox[3] - after.bbox[1]
        if not (0 <= after.bbox[0] - cell.bbox[2] <= LABEL_PIECE_GAP * height
                and overlap(cell.bbox[1], cell.bbox[3], after.bbox[1], after.bbox[3])
                >= 0.5 * height):
            break
        run.insert(0, cell)
    if len(run) < 2:
        return labels
    rows = vocab.application_all_rows()
    alone = best_match(run[-1].text, rows, threshold=0.6)
    if alone is not None and alone.certainty >= 1.0:
        return labels
    for start in range(len(run) - 1):
        pieces = run[start:]
        text = "".join(c.text.strip() for c in pieces)
        joined = best_match(text, rows, threshold=0.6)
        if joined is not None and joined.certainty >= 1.0:
            first, last = pieces[0], pieces[-1]
            cell = replace(first, text=text, colspan=last.col + last.colspan - first.col,
                           bbox=(first.bbox[0], min(c.bbox[1] for c in pieces),
                                 last.bbox[2], max(c.bbox[3] for c in pieces)),
                           confidence=min(c.confidence for c in pieces),
                           reasons=list(first.reasons))
            at = labels.index(first)
            return [*labels[:at], cell, *(c for c in labels[at:] if c not in pieces)]
    return labels


def _header_evidence(texts: list[str]) -> dict[str, int]:
    """How much a row's texts look like each table's header: two for a group label, one
    for a column label."""
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
    return {"disclosure": disc, "applications": appl, "appeals": appeal}


def _item_label(labels: list[GridCell]) -> GridCell | None:
    """The row's own label: the last filled label cell that is not a group's."""
    for cell in reversed(labels):
        if cell.text.strip() and not (
                best_match(cell.text, vocab.APPLICATION_GROUP_LABELS, threshold=0.8)):
            return cell
    return None


def _confirm_repeated(spans: list[ColumnSpan], earlier: list[ColumnSpan]) -> None:
    """A header repeated on the next page: a loosely read label is sure when the same
    column, at the same place, was read surely in the header before."""
    for span in spans:
        if span.score >= 1.0:
            continue
        if any(old.key == span.key and old.score >= 1.0 and old.in_points == span.in_points
               and overlap(old.x0, old.x1, span.x0, span.x1) > 0.5 * (span.x1 - span.x0)
               for old in earlier):
            span.score = 1.0


def _inherit_missing(spans: list[ColumnSpan], earlier: list[ColumnSpan]) -> list[ColumnSpan]:
    """A header repeated only in part after a page break (the 自然人 … 其他 row, not the
    总计 cell it hangs beside): the table's other columns carry over from its full header,
    when every column the partial header names stands where it stood before."""
    if not earlier or len(spans) >= len(earlier):
        return spans
    before = {span.key: span for span in earlier}
    for span in spans:
        old = before.get(span.key)
        if old is None or old.in_points != span.in_points or overlap(
                old.x0, old.x1, span.x0, span.x1) < 0.5 * min(old.x1 - old.x0, span.x1 - span.x0):
            return spans  # another table, or the same one laid out anew
    named = {span.key for span in spans}
    kept = [old for old in earlier if old.key not in named and not any(
        overlap(old.x0, old.x1, span.x0, span.x1) > 0 for span in spans)]
    return sorted([*spans, *kept], key=lambda s: s.x0)


def read_tables(grids: list[Grid]) -> Reading:
    """Walk every grid of a document in reading order."""
    walker = TableWalker()
    for grid in grids:
        walker.feed(grid)
    walker.flush()
    place_unlabelled_rows(walker.reading)
    return walker.reading
