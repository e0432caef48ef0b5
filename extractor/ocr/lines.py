"""Table structure from ruled lines: morphology, line positions, merged cells.

Works on the prepared (upright) ink mask. Each table is one connected web of horizontal
and vertical rules. Its row and column boundaries are the positions of those rules; two
neighbouring elementary cells belong to one merged cell when no rule separates them.
A table cut by a page break often lacks its top or bottom rule: the ends of the vertical
rules stand in for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractor.ocr.components import components
from extractor.ocr.rings import seal_discs, seal_ring_mask, seal_star

MIN_TABLE_W_IN = 1.5  # a table narrower than this is not a statistics table
MIN_TABLE_H_IN = 0.25
SEAL_GAP_IN = 0.12  # a seal's ring (with its blur) is at most this wide
SEPARATOR_COVER = 0.55  # share of a boundary segment that must be ruled to separate two cells
VISIBLE_SHARE = 0.3  # under a seal, a boundary is judged by its visible part when this long
LONE_ROW_TABLE = 3  # rows a table needs before a rule through one row alone is doubted
ONE_LINE_ROW_IN = 0.25  # a row no taller than this holds one line of text (12 pt or less)


@dataclass
class CellBox:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in prepared-image pixels (on the rules)


@dataclass
class TableBox:
    box: tuple[int, int, int, int]
    xs: list[int]  # column boundaries
    ys: list[int]  # row boundaries
    cells: list[CellBox]
    line_px: int  # typical rule thickness
    rules: np.ndarray | None = None  # 255 on the table's rules, over `box` (see `rule_pixels`)
    seal: np.ndarray | None = None  # 255 on a black seal's ring and star, over `box` (in `rules`)


def rule_masks(binary: np.ndarray, dpi: float,
               stamp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rule masks (opening with long thin kernels).

    Where a seal was turned to paper (`stamp`), the thin rules under its ring went with it
    more often than not: there, rules are joined across gaps as wide as a seal's ring.
    """
    h_len = max(int(dpi * 0.25), 12)  # longer than any glyph stroke of body text
    v_len = max(int(dpi * 0.10), 8)  # a short row is ~0.12 in; strokes are filtered later
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((1, h_len), np.uint8))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((v_len, 1), np.uint8))
    # Close small breaks (noise, a seal's white halo) along each rule.
    gap = max(int(dpi * 0.03), 3)
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, np.ones((1, gap), np.uint8))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, np.ones((gap, 1), np.uint8))
    if stamp is not None:
        ring = max(int(dpi * SEAL_GAP_IN), gap)
        near = cv2.dilate(stamp, np.ones((3, 3), np.uint8))
        joined = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, np.ones((1, ring), np.uint8))
        horizontal = cv2.bitwise_or(horizontal, cv2.bitwise_and(joined, near))
        joined = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, np.ones((ring, 1), np.uint8))
        vertical = cv2.bitwise_or(vertical, cv2.bitwise_and(joined, near))
    return horizontal, vertical


def find_tables(binary: np.ndarray, dpi: float,
                stamp: np.ndarray | None = None) -> list[TableBox]:
    """Every ruled table on the page, top to bottom (`stamp`: see `rule_masks`). A black
    seal's ring and star are no rules: where rules run is found off them (see
    `_table_from_rules`)."""
    horizontal, vertical = rule_masks(binary, dpi, stamp)
    web = cv2.bitwise_or(horizontal, vertical)
    web = cv2.dilate(web, np.ones((3, 3), np.uint8))
    rings = seal_ring_mask(binary, dpi)
    if rings is not None:  # its star is no rule either
        rings = cv2.bitwise_or(rings, _blots(horizontal, vertical, seal_discs(rings), dpi))
    n, labels, stats, _ = components(web, 8)
    tables: list[TableBox] = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < dpi * MIN_TABLE_W_IN or h < dpi * MIN_TABLE_H_IN:
            continue
        rows, cols = slice(y, y + h), slice(x, x + w)
        own = (labels[rows, cols] == i).view(np.uint8)  # this web's pixels only
        table = _table_from_rules(
            cv2.bitwise_and(horizontal[rows, cols], horizontal[rows, cols], mask=own),
            cv2.bitwise_and(vertical[rows, cols], vertical[rows, cols], mask=own),
            (int(x), int(y)), dpi,
            None if stamp is None else stamp[rows, cols],
            binary[rows, cols],
            None if rings is None else rings[rows, cols],
        )
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.box[1])
    return tables


def _blots(horizontal: np.ndarray, vertical: np.ndarray, inside: np.ndarray,
           dpi: float) -> np.ndarray:
    """255 on a black seal's star (`inside`: its disc): its rows and columns are long runs
    of ink, as a rule's are."""
    return cv2.bitwise_or(seal_star(horizontal, inside, dpi), seal_star(vertical, inside, dpi))


def _table_from_rules(
    horizontal: np.ndarray, vertical: np.ndarray, origin: tuple[int, int], dpi: float,
    stamp: np.ndarray | None = None, ink: np.ndarray | None = None,
    rings: np.ndarray | None = None,
) -> TableBox | None:
    """One table's rows and columns, and its cells. Where rules run (positions, and whether
    a position is a rule at all) is judged off any black seal's ring (`rings`), whose
    arcs run as straight as a rule over a row; which cells a rule separates is judged on
    all the ink, as a rule the ring runs along is still there under it."""
    h, w = horizontal.shape
    min_rule = dpi * 0.08
    found_h, found_v = horizontal, vertical  # where rules are looked for: off any seal
    if rings is not None:
        off_ring = cv2.bitwise_not(rings)
        found_h = cv2.bitwise_and(horizontal, off_ring)
        found_v = cv2.bitwise_and(vertical, off_ring)
    ys, h_widths = _positions(found_h, axis=1, min_len=max(min_rule * 2, w * 0.04))
    xs, v_widths = _positions(found_v, axis=0, min_len=min_rule)
    widths = h_widths + v_widths
    line_px = int(np.median(widths)) if widths else 2
    # Missing outer rules (a table cut by a page break): where most rules of the other
    # direction run on past the outermost one, their common end stands in for it.
    margin = max(int(dpi * 0.05), 4)
    if xs and ys:
        ys = _extend(ys, _rule_ends(found_v, xs, line_px, along_x=True), margin)
        xs = _extend(xs, _rule_ends(found_h, ys, line_px, along_x=False), margin)
    xs = _supported(xs, ys, vertical, line_px, along_x=True, ink=ink, crossing=horizontal,
                    dpi=dpi, hidden=rings)
    ys = _supported(ys, xs, horizontal, line_px, along_x=False, hidden=rings)
    if len(xs) < 2 or len(ys) < 2:
        return None
    cells = _merge_cells(horizontal, vertical, xs, ys, line_px, stamp,
                         ink if dpi else None, dpi)
    if len(cells) < 2:  # a box around one cell: a frame, or two rules a seal joined
        return None
    rules = rule_pixels(horizontal, vertical, cells, line_px, xs, ys)
    if rings is not None:  # erased with the rules before the cells are read
        rules = cv2.bitwise_or(rules, rings)
    ox, oy = origin
    for cell in cells:
        x0, y0, x1, y1 = cell.box
        cell.box = (x0 + ox, y0 + oy, x1 + ox, y1 + oy)
    return TableBox(
        box=(xs[0] + ox, ys[0] + oy, xs[-1] + ox, ys[-1] + oy),
        xs=[x + ox for x in xs], ys=[y + oy for y in ys], cells=cells, line_px=line_px,
        rules=rules[ys[0]:ys[-1] + 1, xs[0]:xs[-1] + 1],
        seal=None if rings is None else rings[ys[0]:ys[-1] + 1, xs[0]:xs[-1] + 1],
    )


def rule_pixels(horizontal: np.ndarray, vertical: np.ndarray, cells: list[CellBox],
                line_px: int, xs: list[int], ys: list[int]) -> np.ndarray:
    """The pixels of the rules around the table's cells (not a column's rule where a merged
    cell runs over it: the stem of a glyph may stand there), widened for the blurred fringe.
    They are erased before cells are read, so text touching a rule (Word's rows are no
    taller than their text) is read whole and without the rule."""
    band = max(line_px, 2) + 2
    x_reach = dict(zip(xs, _reaches(xs, band), strict=True))
    y_reach = dict(zip(ys, _reaches(ys, band), strict=True))
    out = np.zeros(horizontal.shape, np.uint8)
    for cell in cells:
        x0, y0, x1, y1 = cell.box
        rows = slice(max(y0 - band, 0), y1 + band + 1)
        cols = slice(max(x0 - band, 0), x1 + band + 1)
        for x in (x0, x1):
            side = slice(max(x - x_reach[x], 0), x + x_reach[x] + 1)
            out[rows, side] |= vertical[rows, side] > 0
        for y in (y0, y1):
            side = slice(max(y - y_reach[y], 0), y + y_reach[y] + 1)
            out[side, cols] |= horizontal[side, cols] > 0
    return cv2.dilate(out * 255, np.ones((5, 5), np.uint8))


def _reaches(positions: list[int], band: int) -> list[int]:
    """How far from each rule's position its ink is looked for, row by row.

    A position is the rule's average over the table; a page scanned with a little skew left
    in it, or a sheet not lying flat, moves a long rule by a few pixels from end to end.
    So the ink is looked for up to twice the usual band away, but never past halfway to
    the next rule, whose ink it would take for its own.
    """
    out = []
    for i, p in enumerate(positions):
        gaps = [p - positions[i - 1]] if i else []
        gaps += [positions[i + 1] - p] if i + 1 < len(positions) else []
        out.append(max(band, min([2 * band] + [g // 2 - 1 for g in gaps])))
    return out


def _positions(mask: np.ndarray, axis: int, min_len: float) -> tuple[list[int], list[int]]:
    """Centres and thicknesses of the rules in `mask` (axis=1: rows of horizontal rules)."""
    profile = (mask > 0).sum(axis=axis)
    hits = np.nonzero(profile >= min_len)[0]
    if len(hits) == 0:
        return [], []
    groups: list[list[int]] = [[int(hits[0])]]
    for v in hits[1:]:
        if v - groups[-1][-1] <= 2:
            groups[-1].append(int(v))
        else:
            groups.append([int(v)])
    centres = [int(round(sum(g) / len(g))) for g in groups]
    widths = [len(g) for g in groups]
    # Double rules or a thick rule broken by noise: keep one position per few pixels.
    merged: list[int] = []
    for p in centres:
        if merged and p - merged[-1] <= 6:
            merged[-1] = (merged[-1] + p) // 2
        else:
            merged.append(p)
    return merged, widths


def _rule_ends(mask: np.ndarray, positions: list[int], line_px: int,
               along_x: bool) -> list[tuple[int, int]]:
    """(first, last) pixel of each rule at `positions` (vertical rules when along_x)."""
    band = max(line_px, 2) + 1
    ends = []
    for p in positions:
        strip = mask[:, max(p - band, 0):p + band + 1] if along_x else \
            mask[max(p - band, 0):p + band + 1, :]
        hits = np.nonzero(strip.any(axis=1 if along_x else 0))[0]
        if len(hits):
            ends.append((int(hits[0]), int(hits[-1])))
    return ends


def _extend(positions: list[int], ends: list[tuple[int, int]], margin: int) -> list[int]:
    """Add an outer boundary where most crossing rules run past the outermost position."""
    if len(ends) < 2:
        return positions
    need = max(2, (len(ends) + 1) // 2)
    before = [a for a, _ in ends if a < positions[0] - margin]
    after = [b for _, b in ends if b > positions[-1] + margin]
    out = list(positions)
    if len(before) >= need:
        out.insert(0, int(np.median(before)))
    if len(after) >= need:
        out.append(int(np.median(after)))
    return out


def _supported(positions: list[int], across: list[int], mask: np.ndarray, line_px: int,
               along_x: bool, ink: np.ndarray | None = None,
               crossing: np.ndarray | None = None, dpi: float = 0.0,
               hidden: np.ndarray | None = None) -> list[int]:
    """Keep the outer positions and the inner ones that fully separate at least one cell.

    A piece of a seal's ring or a long stroke can look like a short rule; a real rule runs
    from one crossing rule to the next and is straight at the pixel level (an arc of a
    ring bends within the cell). In a row no taller than its text (Word's tables have no
    cell padding above and below) a glyph's upright stroke runs nearly from rule to rule
    too: with `ink` (the ink mask) and `crossing` (the mask of the rules it would run
    between) such a stroke is told from a rule (see `_glyph_stem`). Where a black seal's
    ring (`hidden`) crosses or runs along a segment, the segment is judged by its part
    off the ring, if that is long enough to judge by.
    """
    band = max(line_px, 2) + 2
    kept = [positions[0]] if positions else []
    spans = len(across) - 1
    for p in positions[1:-1]:
        lone_line = False  # separates one row so far, a row of one text line
        for k, (a, b) in enumerate(zip(across, across[1:], strict=False)):
            inner = slice(a + band, b - band)
            if b - a <= 2 * band + 1:
                continue
            lo = max(p - band, 0)
            if along_x:
                seg = mask[inner, lo:p + band + 1] > 0
            else:
                seg = (mask[lo:p + band + 1, inner] > 0).T
            if hidden is not None:
                on_ring = (hidden[inner, lo:p + band + 1] if along_x else
                           hidden[lo:p + band + 1, inner].T) > 0
                off_ring = seg & ~on_ring
                # a row whose ink here is all on the ring says nothing either way
                seen = ~(seg.any(axis=1) & ~off_ring.any(axis=1)) & ~on_ring.all(axis=1)
                if np.count_nonzero(seen) < VISIBLE_SHARE * len(seen):
                    continue
                seg = off_ring[seen]
            strip = seg.any(axis=1)
            if not strip.size or strip.mean() < 0.9:
                continue
            if not _straight(seg, line_px):
                continue
            one_line = b - a <= dpi * ONE_LINE_ROW_IN
            if ink is not None and crossing is not None and along_x and \
                    _glyph_stem(ink, crossing, seg, lo, a, b, band, one_line):
                continue
            # An upright stroke that separates a single one-line row amid a table's rows,
            # cells running across it above and below, is a glyph's (小's stem in a
            # header row as tall as its text, its dots not joined to it), not a rule: a
            # column rule runs on into the header's or the data's other rows. (A table's
            # first or last row may be cut from its other rows by a page break: exempt.)
            inner_row = 0 < k < spans - 1
            if along_x and dpi and one_line and spans >= LONE_ROW_TABLE and not lone_line \
                    and inner_row and not _runs_on(mask, p, across, k, band):
                lone_line = True
                continue
            kept.append(p)
            break
    if len(positions) > 1:
        kept.append(positions[-1])
    return kept


def _runs_on(mask: np.ndarray, x: int, across: list[int], k: int, band: int) -> bool:
    """Does the upright rule at `x` through row `k` (between rules `across[k]` and
    `across[k + 1]`) run on into the row above or below it, a few pixels aside included
    (a long photographed sheet's rules drift from row to row)?"""
    reach = 3 * band
    cols = slice(max(x - reach, 0), x + reach + 1)
    neighbours = [(across[k - 1], across[k])] if k > 0 else []
    if k + 2 < len(across):
        neighbours.append((across[k + 1], across[k + 2]))
    for a, b in neighbours:
        if b - a <= 2 * band + 1:
            continue
        if (mask[a + band:b - band, cols] > 0).any(axis=1).mean() >= 0.5:
            return True
    return False


def _glyph_stem(ink: np.ndarray, crossing: np.ndarray, seg: np.ndarray, lo: int,
                a: int, b: int, band: int, one_line: bool = True) -> bool:
    """Is an upright stroke between the rules at rows `a` and `b` a glyph's stem (十, 件,
    可) rather than a rule?

    `seg` is the stroke's mask over the rows between the rules (less `band` at each end),
    its columns from `lo`. A rule meets the rules it runs between: its ink joins theirs
    (`crossing`: their mask) at both ends. A stem stops short of at least one of them, or,
    where the text touches both, has strokes joined to both its sides (十, 件), which a
    rule has not: text may touch a rule, but from one side only (judged in a `one_line`
    row only: in a taller one no stem reaches both rules, and strokes crossing a rule
    there are a seal's). Where no rule crosses
    (merged cells on both sides, a table cut by a page break), a rule runs on to the end
    of the row.
    """
    cols = np.nonzero(seg.any(axis=0))[0]
    if len(cols) == 0:
        return False
    left, right = lo + int(cols[0]), lo + int(cols[-1])
    top, bottom = max(a - band, 0), min(b + band + 1, ink.shape[0])
    x0, x1 = max(left - 1, 0), min(right + 2, ink.shape[1])
    window = ink[top:bottom, x0:x1]
    _, labels = cv2.connectedComponents((window > 0).astype(np.uint8), connectivity=8)
    middle = (a + b) // 2 - top
    stem = set(labels[middle][labels[middle] > 0].tolist())
    rules = crossing[top:bottom, x0:x1] > 0
    mid = (b - a) // 2 + band
    members = list(stem)

    def reaches(part: slice, edge: int) -> bool:
        # the rule crossing at that end; where none crosses (merged cells on both sides, a
        # table cut by a page break) the ink runs on to the end of the row
        here = rules[part]
        ink_rows = np.nonzero(np.isin(labels[part], members).any(axis=1))[0]
        if here.any():
            return bool(np.isin(labels[part][here], members).any()
                        or np.isin(labels[edge], members).any())
        if not len(ink_rows):
            return False
        gap = ink_rows[0] if edge == 0 else here.shape[0] - 1 - ink_rows[-1]
        return bool(gap <= 2 * band)

    reaches_top = bool(members) and reaches(slice(0, mid), 0)
    reaches_bottom = bool(members) and reaches(slice(mid, None), -1)
    if not (reaches_top and reaches_bottom):
        return True
    if not one_line:
        return False
    rows = ink[a + band:b - band] > 0
    left_joined = left >= 2 and rows[:, left - 2:left].all(axis=1).any()
    right_joined = right + 3 <= rows.shape[1] and rows[:, right + 1:right + 3].all(axis=1).any()
    return bool(left_joined and right_joined)


def _straight(seg: np.ndarray, line_px: int) -> bool:
    """Is the ink of a rule segment (rows along the rule) one straight line?

    The centre of the ink in each row is fitted with a line; a ruled line keeps within about
    a pixel of it, an arc of a ring drifts by several pixels over a cell's height.
    """
    rows = np.nonzero(seg.any(axis=1))[0]
    if len(rows) < 8:
        return True
    cols = np.arange(seg.shape[1], dtype=np.float64)
    weights = seg[rows].astype(np.float64)
    centres = (weights * cols).sum(axis=1) / weights.sum(axis=1)
    fit = np.polyfit(rows, centres, 1)
    residual = centres - np.polyval(fit, rows)
    return float(np.sqrt((residual ** 2).mean())) <= max(1.2, 0.25 * line_px)


def _merge_cells(
    horizontal: np.ndarray, vertical: np.ndarray, xs: list[int], ys: list[int],
    line_px: int, stamp: np.ndarray | None = None, ink: np.ndarray | None = None,
    dpi: float = 0.0,
) -> list[CellBox]:
    """Union elementary cells not separated by a rule; one CellBox per merged rectangle.

    Under a seal that was turned to paper (`stamp`) a rule may be gone with the seal's
    ring: a boundary is judged by the part of it that can still be seen. With `ink`, a
    glyph's stem standing where a column boundary runs in other rows (a merged header
    cell's text over a column rule) does not split the cell (see `_glyph_stem`); near a
    seal, whose remains may touch or break a rule, that test is not made.
    """
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    band = max(line_px, 2) + 2
    x_reach, y_reach = _reaches(xs, band), _reaches(ys, band)
    parent = list(range(n_rows * n_cols))
    hidden = None if stamp is None else cv2.dilate(stamp, np.ones((5, 5), np.uint8)) > 0

    def ruled(strip: np.ndarray, covered: np.ndarray | None) -> bool:
        if strip.size == 0:
            return False
        if covered is not None and covered.any():
            seen = ~covered
            if seen.sum() >= VISIBLE_SHARE * strip.size:
                strip = strip[seen]
        return strip.mean() >= SEPARATOR_COVER

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        y0, y1 = ys[r], ys[r + 1]
        inner = slice(y0 + band, max(y1 - band, y0 + band + 1))
        for c in range(n_cols - 1):
            x, reach = xs[c + 1], x_reach[c + 1]
            cols = slice(max(x - reach, 0), x + reach + 1)
            strip = vertical[inner, cols].any(axis=1)
            covered = None if hidden is None else hidden[inner, cols].all(axis=1)
            near_seal = hidden is not None and hidden[max(y0 - band, 0):y1 + band + 1,
                                                      cols].any()
            if not ruled(strip, covered) or (
                    ink is not None and not near_seal
                    and _glyph_stem(ink, horizontal, vertical[inner, cols] > 0,
                                    max(x - reach, 0), y0, y1, band,
                                    y1 - y0 <= dpi * ONE_LINE_ROW_IN)):
                union(r * n_cols + c, r * n_cols + c + 1)
    for c in range(n_cols):
        x0, x1 = xs[c], xs[c + 1]
        inner = slice(x0 + band, max(x1 - band, x0 + band + 1))
        for r in range(n_rows - 1):
            y, reach = ys[r + 1], y_reach[r + 1]
            rows = slice(max(y - reach, 0), y + reach + 1)
            strip = horizontal[rows, inner].any(axis=0)
            covered = None if hidden is None else hidden[rows, inner].all(axis=0)
            if not ruled(strip, covered):
                union(r * n_cols + c, (r + 1) * n_cols + c)

    groups: dict[int, set[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), set()).add((r, c))
    cells: list[CellBox] = []
    for group in groups.values():
        for r0, c0, r1, c1 in _rectangles(group):
            cells.append(CellBox(
                row=r0, col=c0, rowspan=r1 - r0 + 1, colspan=c1 - c0 + 1,
                box=(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]),
            ))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return cells


def _rectangles(group: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Elementary cells joined for want of rules between them, as merged rectangles
    (row0, col0, row1, col1).

    Joined cells that do not fill a rectangle are a rule missed, not a merged cell: a tall
    group label (（三）不予公开) joined to one of its items through a faint stretch of
    the rule between them. Their bounding box would swallow every other item beside the
    group label; instead they are cut into rectangles, each as wide, then as tall, as the
    cells allow, so each item keeps its own cell.
    """
    left = set(group)
    out = []
    for r0, c0 in sorted(group):
        if (r0, c0) not in left:
            continue
        c1 = c0
        while (r0, c1 + 1) in left:
            c1 += 1
        r1 = r0
        while all((r1 + 1, c) in left for c in range(c0, c1 + 1)):
            r1 += 1
        left -= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        out.append((r0, c0, r1, c1))
    return out
