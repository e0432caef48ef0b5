"""The three statistical tables as ``layout.Table`` grids, following the official templates.

Labels come from models.schema; ``LabelStyle`` reproduces how real reports mangle them
(numbering 1. / 1、 / （1）, stray spaces, cut labels).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from models.schema import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICANT_HEADER_LABEL,
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    DISCLOSURE_HEADER_LABEL,
    DISCLOSURE_ROWS,
    LITIGATION_LABEL,
    ORG_GROUP_LABEL,
    ORG_SUBTOTAL_COLUMN,
    SUBTOTAL_GROUPS,
    SUBTOTAL_LABELS,
    disclosure_column,
)
from samples.layout import Table, TCell
from samples.values import Printed
from samples.variant import Variant

BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
SECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # format -> (section label, disclosure rows in it)
    "2021": (
        ("（一）", ("regulations", "normative_documents")),
        ("（五）", ("licensing",)),
        ("（六）", ("punishment", "enforcement")),
        ("（八）", ("fees",)),
    ),
    "2019": (
        ("（一）", ("regulations", "normative_documents")),
        ("（五）", ("licensing", "other_services")),
        ("（六）", ("punishment", "enforcement")),
        ("（八）", ("fees",)),
        ("（九）", ("procurement",)),
    ),
}
FILL = (0.80, 0.87, 0.95)
HEAD_FILL = (0.92, 0.92, 0.92)


class LabelStyle:
    """How one report prints its row labels."""

    def __init__(self, v: Variant, rng: random.Random) -> None:
        self.v = v
        self.rng = rng
        self._cut_left = 3 if v.label_noise == "cut" else 0

    def item(self, label: str) -> str:
        m = re.match(r"^(\d+)\.(.*)$", label)
        if m:
            n, rest = m.groups()
            label = {
                "1.": f"{n}.{rest}",
                "1、": f"{n}、{rest}",
                "（1）": f"（{n}）{rest}",
                "1．": f"{n}．{rest}",
            }[self.v.numbering]
        return self.noise(label)

    def noise(self, label: str) -> str:
        if self.v.label_noise == "spaces" and self.rng.random() < 0.25:
            return "".join(ch + (" " if self.rng.random() < 0.3 else "") for ch in label).strip()
        if self._cut_left and len(label) > 9 and self.rng.random() < 0.3:
            self._cut_left -= 1
            at = self.rng.randint(4, len(label) - 4)
            return label[:at] + label[at + self.rng.randint(1, 3) :]
        return label


def _value_cell(p: Printed, key: str, row: int, col: int, v: Variant, span: int = 1) -> TCell:
    return TCell(p.raw, row, col, colspan=span, key=key, size=v.value_size)


def disclosure_table(v: Variant, cells: dict[str, Printed], labels: LabelStyle) -> Table:
    """Table 二: section rows 第二十条第（x）项, each block with its 信息内容 header row."""
    out: list[TCell] = []
    rows = {r.key: r for r in DISCLOSURE_ROWS[v.format]}
    fill = FILL if v.header_fill else None
    r = 0
    for section, row_keys in SECTIONS[v.format]:
        out.append(TCell(f"第二十条第{section}项", r, 0, colspan=4, fill=fill))
        r += 1
        columns = rows[row_keys[0]].columns
        spans = _spans(len(columns))
        out.append(TCell(DISCLOSURE_HEADER_LABEL, r, 0, bold=True))
        col = 1
        for ck, span in zip(columns, spans, strict=True):
            label = disclosure_column(v.format, ck).label
            out.append(TCell(label, r, col, colspan=span, bold=True))
            col += span
        r += 1
        for rk in row_keys:
            out.append(TCell(labels.noise(rows[rk].label), r, 0, align="left"))
            col = 1
            for ck, span in zip(rows[rk].columns, spans, strict=True):
                key = f"disclosure.{rk}.{ck}"
                out.append(_value_cell(cells[key], key, r, col, v, span))
                col += span
            r += 1
    first = labels.rng.uniform(0.28, 0.4)
    widths = [first] + [(1 - first) / 3] * 3
    return Table("disclosure", widths, out, r, 0, "", v.table_size)


def _spans(n: int) -> list[int]:
    return {3: [1, 1, 1], 2: [1, 2], 1: [3]}[n]


def _group_label(key: str) -> str:
    return next(g.label for g in APPLICATION_GROUPS if g.key == key)


def applications_table(v: Variant, cells: dict[str, Printed], labels: LabelStyle) -> Table:
    """Table 三: three header rows, merged group labels on the left, item rows."""
    layout = v.layout
    value_cols = layout.application_column_keys()
    n_val = len(value_cols)
    out: list[TCell] = []
    head_fill = HEAD_FILL if v.header_fill else None
    out.append(TCell(BALANCE_NOTE, 0, 0, rowspan=3, colspan=3, align="left", fill=head_fill))
    out.append(TCell(APPLICANT_HEADER_LABEL, 0, 3, colspan=n_val, fill=head_fill))
    out.append(TCell("自然人", 1, 3, rowspan=2, fill=head_fill))
    n_org = n_val - 2
    out.append(TCell(ORG_GROUP_LABEL, 1, 4, colspan=n_org, fill=head_fill))
    out.append(TCell("总计", 1, 3 + n_val - 1, rowspan=2, fill=head_fill))
    for i, ck in enumerate(value_cols[1:-1]):
        label = ORG_SUBTOTAL_COLUMN.label if ck == "org_subtotal" else _col_label(ck)
        out.append(TCell(label, 2, 4 + i, fill=head_fill))

    def values(row_key: str, r: int) -> None:
        for i, ck in enumerate(value_cols):
            key = f"applications.{row_key}.{ck}"
            out.append(_value_cell(cells[key], key, r, 3 + i, v))

    row_labels = {row.key: row.label for row in APPLICATION_ROWS}
    r = 3
    for rk in ("new_received", "carried_over"):
        out.append(TCell(labels.noise(row_labels[rk]), r, 0, colspan=3, align="left", bold=True))
        values(rk, r)
        r += 1
    results_top = r
    for rk in ("granted", "partially_granted"):
        out.append(TCell(labels.noise(row_labels[rk]), r, 1, colspan=2, align="left"))
        values(rk, r)
        r += 1
    present = layout.application_row_keys()
    for group in SUBTOTAL_GROUPS:
        items = [row.key for row in APPLICATION_ROWS if row.group == group and row.key in present]
        has_sub = f"{group}.subtotal" in present
        glabel = labels.noise(_group_label(group))
        if not items:  # the single （六）其他处理 row
            out.append(TCell(glabel, r, 1, colspan=2, align="left"))
            values(f"{group}.subtotal", r)
            r += 1
            continue
        if has_sub and v.subtotal_position == "label_row":
            out.append(TCell(glabel, r, 1, colspan=2, align="left"))
            values(f"{group}.subtotal", r)
            r += 1
            for item in items:
                out.append(TCell(labels.item(row_labels[item]), r, 1, colspan=2, align="left"))
                values(item, r)
                r += 1
            continue
        sequence = list(items)
        if has_sub:
            pos = 0 if v.subtotal_position == "before" else len(sequence)
            sequence.insert(pos, f"{group}.subtotal")
        out.append(TCell(glabel, r, 1, rowspan=len(sequence)))
        sub_label = labels.rng.choice(SUBTOTAL_LABELS[:1] * 3 + SUBTOTAL_LABELS[1:])
        for item in sequence:
            text = sub_label if item.endswith(".subtotal") else labels.item(row_labels[item])
            out.append(TCell(text, r, 2, align="left"))
            values(item, r)
            r += 1
    out.append(TCell(labels.noise(row_labels["total"]), r, 1, colspan=2, align="left"))
    values("total", r)
    r += 1
    vertical = labels.noise(_group_label("results"))
    out.append(TCell(vertical, results_top, 0, rowspan=r - results_top, vertical=True, bold=True))
    out.append(TCell(row_labels["carried_forward"], r, 0, colspan=3, align="left", bold=True))
    values("carried_forward", r)
    r += 1
    w0, w1, w2 = v.label_widths
    widths = [w0, w1, w2] + [(1 - w0 - w1 - w2) / n_val] * n_val
    return Table("applications", widths, out, r, 3, "", v.table_size)


def _col_label(key: str) -> str:
    return next(c.label for c in APPLICATION_COLUMNS if c.key == key)


def appeals_table(v: Variant, cells: dict[str, Printed]) -> Table:
    """Table 四: 行政复议 | 行政诉讼 → 未经复议直接起诉 · 复议后起诉 → result columns."""
    out: list[TCell] = []
    fill = HEAD_FILL if v.header_fill else None
    review, direct, after = APPEAL_GROUPS
    tall = v.appeals_header == "tall"
    out.append(TCell(review.label, 0, 0, colspan=5, rowspan=2 if tall else 1, fill=fill))
    out.append(TCell(LITIGATION_LABEL, 0, 5, colspan=10, fill=fill))
    out.append(TCell(direct.label, 1, 5, colspan=5, fill=fill))
    out.append(TCell(after.label, 1, 10, colspan=5, fill=fill))
    for g in range(3):
        for i, col in enumerate(APPEAL_COLUMNS):
            c = g * 5 + i
            if g == 0 and not tall:
                out.append(TCell(col.label, 1, c, rowspan=2, fill=fill))
            else:
                out.append(TCell(col.label, 2, c, fill=fill))
    for g, group in enumerate(APPEAL_GROUPS):
        for i, col in enumerate(APPEAL_COLUMNS):
            key = f"appeals.{group.key}.{col.key}"
            out.append(_value_cell(cells[key], key, 3, g * 5 + i, v))
    return Table("appeals", [1.0] * 15, out, 4, 3, "", v.table_size)


def table_builders(
    v: Variant, cells: dict[str, Printed], rng: random.Random
) -> dict[str, Callable[[], Table]]:
    """Each table's builder by table id, all three sharing one ``LabelStyle``.

    Every maker calls this where its report reaches the tables: the label style draws
    from ``rng`` here, and each table is built only when the maker asks for it, so the
    draws stay in the order that fixes the committed samples' bytes.
    """
    labels = LabelStyle(v, rng)
    return {
        "disclosure": lambda: disclosure_table(v, cells, labels),
        "applications": lambda: applications_table(v, cells, labels),
        "appeals": lambda: appeals_table(v, cells),
    }
