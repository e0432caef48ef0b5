"""Render a whole sample report to a born-digital PDF (reportlab, embedded CJK subsets)."""

from __future__ import annotations

import random
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from models.schema import TABLES
from samples import fonts, text
from samples.layout import Flow, PageStyle
from samples.tables import table_builders
from samples.values import Printed
from samples.variant import FONT_SETS, Variant


def render_report(
    path: Path,
    v: Variant,
    cells: dict[str, Printed],
    rng: random.Random,
    *,
    font_prefix: str = "",
) -> int:
    """Write the report PDF to ``path``; returns the page count and fills ``v.tables``.

    ``font_prefix`` selects a separate set of font registrations (used for garbled PDFs).
    """
    roles = {role: fonts.register(fid, font_prefix) for role, fid in FONT_SETS[v.font_set].items()}
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    canvas.setTitle(text.title_lines(v, random.Random(v.seed))[0])
    portrait = PageStyle(A4, v.margins)
    footer = rng.choice(["- {n} -", "— {n} —", "{n}", ""])
    flow = Flow(canvas, portrait, footer, roles["body"])
    body, size = roles["body"], v.body_size
    leading = size * rng.choice([1.5, 1.65, 1.8])

    flow.space(size * 1.5)
    title_size = rng.choice([18.0, 20.0, 22.0])
    for line in _fit_title(
        text.title_lines(v, random.Random(v.seed)), v, roles["title"], title_size, flow.width
    ):
        flow.paragraph(line, roles["title"], title_size, indent_chars=0, align="center")
    flow.space(size)
    flow.paragraph(text.intro(v, rng), body, size, leading=leading)

    def heading(t: str) -> None:
        if flow.bottom - flow.y < leading * 3:  # keep a heading with the lines after it
            flow.new_page()
        flow.paragraph(t, roles["heading"], size, leading=leading, indent_chars=2)

    heading("一、总体情况")
    for lead, para in text.overview(v, rng):
        flow.paragraph(lead + para, body, size, leading=leading, bold_lead=len(lead))

    builders = table_builders(v, cells, rng)
    numbers = ["二", "三", "四"]
    for number, spec in zip(numbers, TABLES, strict=True):
        landscape_page = spec.id == "applications" and v.landscape_applications
        if landscape_page:
            flow.new_page(PageStyle(landscape(A4), v.margins))
        table = builders[spec.id]()
        table.font = roles["table"]
        table.rules = v.rules
        table.line_width = v.line_width
        table.min_row = max(v.table_size, v.value_size) * 1.9
        if flow.table_needs_new_page(table, v.keep_tables_together, leading + size * 0.3):
            flow.new_page()  # keep the heading with its table
        heading(f"{number}、{spec.title}")
        flow.space(size * 0.3)
        boxes = flow.table(
            table, keep_together=v.keep_tables_together, repeat_header=v.repeat_header
        )
        split = len(boxes) > 1
        v.tables[spec.id] = {
            "pages": [int(b[0]) for b in boxes],
            "split": split,
            "repeated_header": split and v.repeat_header and table.header_rows > 0,
            "landscape": landscape_page,
            "boxes": [[round(x, 1) for x in b] for b in boxes],
        }
        if landscape_page:
            flow.new_page(portrait)
        else:
            flow.space(size * 0.8)

    heading("五、存在的主要问题及改进情况")
    for para in text.problems(v, rng):
        flow.paragraph(para, body, size, leading=leading)
    heading("六、其他需要报告的事项")
    for para in text.other_matters(v, rng):
        flow.paragraph(para, body, size, leading=leading)
    flow.space(size * 2)
    for line in text.signature(v, rng):
        flow.paragraph(line, body, size, leading=leading, indent_chars=0, align="right")
    return flow.finish()


def _fit_title(lines: list[str], v: Variant, font: str, size: float, width: float) -> list[str]:
    """Break a title too long for one line after the agency name, as typesetters do."""
    out: list[str] = []
    for line in lines:
        if fonts.text_width(line, font, size) <= width or v.agency not in line:
            out.append(line)
            continue
        head, tail = line.split(v.agency, 1)
        if head:  # year first: "2023年" + agency | rest
            out += [head + v.agency, tail]
        else:
            out += [v.agency, tail]
    return out
