"""Reports as Word files (.docx): the same tables and text as the PDFs, with real merged
cells (gridSpan / vMerge), as WPS and Word save them.

Two styles: ``plain`` (python-docx's defaults: the committed w01/w02) and ``word``, the way an
agency's clerk sets the report in Word: an A4 page with the variant's margins, 宋体/仿宋-like
CJK fonts, 10.5 pt body, 8–9 pt table cells, narrow label columns (labels wrap over 2–3
lines, the vertical 三、本年度办理结果 one character per line or turned by
``w:textDirection``), rows that do not break over pages, header rows marked to repeat.
``samples/makers.py`` turns such a file into a PDF with LibreOffice.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from models.schema import TABLES
from samples import text
from samples.layout import Table
from samples.tables import table_builders
from samples.values import Printed
from samples.variant import Variant

FONTS = ["宋体", "仿宋_GB2312", "黑体", "微软雅黑"]


def render_docx(
    path: Path, v: Variant, cells: dict[str, Printed], rng: random.Random, style: str = "plain"
) -> int:
    """Write the report to ``path``; returns 1 (a Word file has no fixed pages).

    ``style="word"`` sets it as a clerk does in Word (see the module doc); the choices made
    are recorded in ``v.maker_style``.
    """
    if style == "word":
        from samples.word_style import render_word_docx

        render_word_docx(path, v, cells, rng)
        return 1
    doc = Document()
    font = rng.choice(FONTS)
    style = doc.styles["Normal"]
    style.font.name = font
    style.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    style.font.size = Pt(rng.choice([12, 14, 16]))
    for line in text.title_lines(v, random.Random(v.seed)):
        doc.add_paragraph(line).alignment = 1
    doc.add_paragraph(text.intro(v, rng))
    doc.add_paragraph("一、总体情况")
    for lead, para in text.overview(v, rng):
        doc.add_paragraph(lead + para)
    builders = table_builders(v, cells, rng)
    for number, spec in zip(["二", "三", "四"], TABLES, strict=True):
        doc.add_paragraph(f"{number}、{spec.title}")
        _table(doc, builders[spec.id]())
    doc.add_paragraph("五、存在的主要问题及改进情况")
    for para in text.problems(v, rng):
        doc.add_paragraph(para)
    doc.add_paragraph("六、其他需要报告的事项")
    for para in text.other_matters(v, rng):
        doc.add_paragraph(para)
    for line in text.signature(v, rng):
        doc.add_paragraph(line).alignment = 2
    save_dated(doc, path, v.year)
    return 1


def save_dated(doc: Document, path: Path, year: int) -> None:
    """Save `doc` as written in January after the report's `year`: its properties and its
    zip entries carry that date, so the same report is the same bytes on every run."""
    stamp = datetime(year + 1, 1, 15, 9, 0, 0)
    doc.core_properties.created = doc.core_properties.modified = stamp
    doc.core_properties.last_printed = stamp
    buffer = io.BytesIO()
    doc.save(buffer)
    _write_stable_zip(buffer.getvalue(), path, stamp)


def _write_stable_zip(data: bytes, path: Path, stamp: datetime) -> None:
    """The same bytes for the same report: zip entries dated by the report, not today."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))


def _table(doc: Document, table: Table) -> None:
    n_cols = len(table.widths)
    out = doc.add_table(rows=table.n_rows, cols=n_cols)
    out.style = "Table Grid"
    for cell in table.cells:
        target = out.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(
                out.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)
            )
        lines = cell.text.split("\n")
        target.text = lines[0]
        for line in lines[1:]:
            target.add_paragraph(line)
