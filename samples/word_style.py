"""A report set as a clerk sets it in Word: the ``word`` style of samples/word.py.

The same report (variant, printed values) as the reportlab renderer, in Word's own terms:
an A4 section with the variant's margins, CJK fonts named as Debian has them (宋体 → AR PL
UMing, 仿宋 → AR PL UKai: the nearest hand Debian ships, 黑体 → WenQuanYi Zen Hei), numbers
sometimes in Times New Roman (LibreOffice substitutes Liberation Serif), 10.5 pt body (or
16 pt 仿宋 as in official documents), 8–9 pt cells, fixed narrow label columns so labels
wrap, the vertical group label one character per line (or turned with
``w:textDirection``), rows that never break over a page, header rows marked to repeat
(``w:tblHeader``) when the variant repeats them, a landscape section for table 三.

What Word cannot do as the variant says is replaced by its nearest and recorded in
``v.maker_style``: tables are always ruled (``rules`` → ``grid``; Word reports print their
grid), and numbers are never drawn larger than their cell (shrunk to fit, as WPS does).
"""

from __future__ import annotations

import random
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from models.schema import TABLES
from samples import text
from samples.layout import Table
from samples.tables import table_builders
from samples.values import Printed
from samples.variant import Variant

# Word's font names -> the Debian family LibreOffice renders them with
WORD_FONTS = {
    "宋体": "AR PL UMing CN",
    "仿宋": "AR PL UKai CN",  # Debian has no 仿宋; 楷 is the nearest hand
    "黑体": "WenQuanYi Zen Hei",
    "微软雅黑": "WenQuanYi Micro Hei",
}
A4 = (595.3, 841.9)


def _char_width(ch: str) -> float:
    """A glyph's advance in ems, for fitting numbers into their cells."""
    return 0.55 if ord(ch) < 0x2E80 else 1.0


def _fonts(run_or_style, family: str, ascii_family: str | None = None) -> None:
    """Set the East Asian and Latin fonts of a run or style (Word keeps them apart)."""
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    latin = ascii_family or family
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), family)


def _run(par, content: str, family: str, size: float, *, bold: bool = False, latin=None):
    run = par.add_run(content)
    _fonts(run, family, latin)
    run.font.size = Pt(size)
    run.bold = bold or None
    return run


def _prop(parent, tag: str, **attrs: str):
    el = OxmlElement(tag)
    for k, val in attrs.items():
        el.set(qn(f"w:{k}"), val)
    parent.append(el)
    return el


class WordStyle:
    """The typographic choices of one Word-made report (drawn from the render rng)."""

    def __init__(self, v: Variant, rng: random.Random) -> None:
        self.body_name = rng.choice(["仿宋", "宋体", "仿宋"])
        self.table_name = rng.choice(["宋体", "宋体", "仿宋", "微软雅黑"])
        self.title_name = rng.choice(["宋体", "黑体"])
        self.digits = rng.choice([None, "Times New Roman"])
        # official documents: 16 pt 仿宋 body; many agencies keep Word's 10.5 pt 五号
        self.body_size = 16.0 if v.body_size >= 16 else 10.5
        self.cell_size = min(max(v.table_size, 8.0), 9.0)
        self.value_size = min(self.cell_size + (v.value_size - v.table_size), 10.5)
        self.title_size = rng.choice([18.0, 22.0])
        self.line_spacing = rng.choice([1.0, 1.15, 1.5])
        self.pad = rng.choice([2.8, 5.4])  # cell margin left/right (Word's default 0.19 cm)
        self.vertical = rng.choices(["narrow", "turned"], weights=[4, 1])[0]
        # table 三's label columns, in characters of the cell font
        self.group_chars = rng.choice([3, 3.5, 4, 5])
        self.item_chars = rng.choice([5, 6, 7, 8])

    def record(self, v: Variant) -> dict:
        return {
            "body_font": f"{self.body_name} ({WORD_FONTS[self.body_name]})",
            "table_font": f"{self.table_name} ({WORD_FONTS[self.table_name]})",
            "title_font": f"{self.title_name} ({WORD_FONTS[self.title_name]})",
            "digits_font": self.digits or "same",
            "body_size": self.body_size,
            "cell_size": self.cell_size,
            "value_size": self.value_size,
            "title_size": self.title_size,
            "line_spacing": self.line_spacing,
            "cell_padding": self.pad,
            "vertical_label": self.vertical,
            "group_label_chars": self.group_chars,
            "item_label_chars": self.item_chars,
            "rules": "grid",
            "rules_requested": v.rules,
        }


def render_word_docx(path: Path, v: Variant, cells: dict[str, Printed], rng: random.Random) -> None:
    """Write the report as a Word file in the ``word`` style; records it in ``v.maker_style``."""
    st = WordStyle(v, rng)
    body_family = WORD_FONTS[st.body_name]
    doc = Document()
    normal = doc.styles["Normal"]
    _fonts(normal, body_family, st.digits)
    normal.font.size = Pt(st.body_size)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    section = doc.sections[0]
    _page(section, v, landscape=False)
    _page_number(section, body_family)

    def paragraph(content: str, *, indent: bool = True, bold_lead: int = 0):
        par = doc.add_paragraph()
        par.paragraph_format.line_spacing = st.line_spacing
        if indent:
            par.paragraph_format.first_line_indent = Pt(st.body_size * 2)
        if bold_lead:
            _run(par, content[:bold_lead], body_family, st.body_size, bold=True, latin=st.digits)
        _run(par, content[bold_lead:], body_family, st.body_size, latin=st.digits)
        return par

    def heading(content: str):
        par = doc.add_paragraph()
        par.paragraph_format.first_line_indent = Pt(st.body_size * 2)
        par.paragraph_format.line_spacing = st.line_spacing
        par.paragraph_format.keep_with_next = True
        _run(par, content, WORD_FONTS["黑体"], st.body_size)
        return par

    for line in text.title_lines(v, random.Random(v.seed)):
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        par.paragraph_format.space_after = Pt(6)
        _run(par, line, WORD_FONTS[st.title_name], st.title_size, bold=st.title_name == "宋体")
    paragraph(text.intro(v, rng))
    heading("一、总体情况")
    for lead, para in text.overview(v, rng):
        paragraph(lead + para, bold_lead=len(lead))
    builders = table_builders(v, cells, rng)
    for number, spec in zip(["二", "三", "四"], TABLES, strict=True):
        turned = spec.id == "applications" and v.landscape_applications
        if turned:
            _page(doc.add_section(WD_SECTION.NEW_PAGE), v, landscape=True)
        heading(f"{number}、{spec.title}")
        width = _text_width(doc.sections[-1])
        _table(doc, builders[spec.id](), st, v, width)
        if turned:
            _page(doc.add_section(WD_SECTION.NEW_PAGE), v, landscape=False)
    heading("五、存在的主要问题及改进情况")
    for para in text.problems(v, rng):
        paragraph(para)
    heading("六、其他需要报告的事项")
    for para in text.other_matters(v, rng):
        paragraph(para)
    doc.add_paragraph()
    for line in text.signature(v, rng):
        paragraph(line, indent=False).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    v.maker_style = st.record(v)
    from samples.word import save_dated

    save_dated(doc, path, v.year)


def _page(section, v: Variant, *, landscape: bool) -> None:
    w, h = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Pt(h), Pt(w)) if landscape else (Pt(w), Pt(h))
    top, right, bottom, left = v.margins
    section.top_margin, section.right_margin = Pt(top), Pt(right)
    section.bottom_margin, section.left_margin = Pt(bottom), Pt(left)


def _text_width(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 12700


def _page_number(section, family: str) -> None:
    """A centred page number in the footer (a PAGE field, as Word inserts it)."""
    par = section.footer.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = _prop(par._p, "w:fldSimple", instr="PAGE")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    field.append(run)


def _column_widths(table: Table, st: WordStyle, width: float) -> list[float]:
    """Column widths in points: table 三's label columns narrow, as clerks leave them."""
    if table.id != "applications":
        return [w * width / sum(table.widths) for w in table.widths]
    pad = 2 * st.pad + 1
    labels = [
        st.cell_size * 1.1 + pad,
        st.cell_size * st.group_chars + pad,
        st.cell_size * st.item_chars + pad,
    ]
    n_val = len(table.widths) - 3
    rest = (width - sum(labels)) / n_val
    return labels + [rest] * n_val


def _table(doc, table: Table, st: WordStyle, v: Variant, width: float) -> None:
    cols = _column_widths(table, st, width)
    out = doc.add_table(rows=table.n_rows, cols=len(cols))
    out.style = "Table Grid"
    out.autofit = False
    tbl_pr = out._tbl.tblPr
    margins = _prop(tbl_pr, "w:tblCellMar")
    for side in ("left", "right"):
        _prop(margins, f"w:{side}", w=str(round(st.pad * 20)), type="dxa")
    _prop(tbl_pr, "w:jc", val="center")
    for i, w in enumerate(cols):
        out.columns[i].width = Pt(w)
    for row in out.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Pt(cols[i])
        tr_pr = row._tr.get_or_add_trPr()
        _prop(tr_pr, "w:cantSplit")
    if v.repeat_header:
        for r in range(table.header_rows):
            _prop(out.rows[r]._tr.get_or_add_trPr(), "w:tblHeader")
    family = WORD_FONTS[st.table_name]
    for cell in table.cells:
        target = out.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(
                out.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)
            )
        tc_pr = target._tc.get_or_add_tcPr()
        _prop(tc_pr, "w:vAlign", val="center")
        if cell.fill:
            rgb = "".join(f"{round(c * 255):02X}" for c in cell.fill)
            _prop(tc_pr, "w:shd", val="clear", color="auto", fill=rgb)
        size = st.cell_size
        if cell.key:  # a number never wraps: shrunk to fit its cell, as WPS does
            room = sum(cols[cell.col : cell.col + cell.colspan]) - 2 * st.pad - 1
            need = sum(_char_width(ch) for ch in cell.text) or 1
            size = min(st.value_size, max(5.0, room / need))
        if cell.vertical and st.vertical == "turned":
            _prop(tc_pr, "w:textDirection", val="tbRlV")
        lines = cell.text.split("\n")
        for n, line in enumerate(lines):
            par = target.paragraphs[0] if n == 0 else target.add_paragraph()
            par.paragraph_format.first_line_indent = Pt(0)
            par.paragraph_format.line_spacing = 1.0
            left = cell.align == "left" and not cell.key
            par.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            _run(par, line, family, size, bold=cell.bold, latin=st.digits)
