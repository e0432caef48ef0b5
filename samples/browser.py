"""A report as a government web page: the HTML a site's editor (TRS, Kindeditor) produces.

The page is what samples/real/pingtan_*.html show: paragraphs ``<p style="text-indent:
2em">`` with the headings in a ``<span>`` of 黑体, the three tables as ``<table border="1">``
with ``rowspan``/``colspan``, every cell's text in a ``<p>``/``<span>`` (labels sometimes
padded with ``&nbsp;``), column widths as ``width`` attributes, a 13–16 px table font. It is
a sample input itself (kind ``html``) and, printed by headless Chromium (samples/makers.py),
a ``browser``-made PDF.

Where a browser cannot do what the variant says, the nearest is used and recorded in
``v.maker_style``: tables are ruled (``border="1"``; ``rules`` → ``grid``), table 三 stays
on a portrait page (``landscape_applications`` → false), a repeated header is a ``<thead>``
(Chromium repeats it on every page a table runs over), numbers never wrap (``nowrap``).
"""

from __future__ import annotations

import html
import random
from pathlib import Path

from models.schema import TABLES
from samples import text
from samples.layout import Table, TCell
from samples.tables import table_builders
from samples.values import Printed
from samples.variant import Variant

# CSS font stacks as the sites write them; Chromium finds the Debian fonts by fontconfig
FONT_STACKS = {
    "仿宋": "仿宋_GB2312, 仿宋, FangSong, 'AR PL UKai CN', serif",
    "宋体": "宋体, SimSun, 'AR PL UMing CN', serif",
    "微软雅黑": "'Microsoft YaHei', 微软雅黑, 'WenQuanYi Micro Hei', sans-serif",
    "黑体": "黑体, SimHei, 'WenQuanYi Zen Hei', sans-serif",
    "楷体": "楷体, 楷体_GB2312, SimKai, 'AR PL UKai CN', serif",
}


class BrowserStyle:
    """The typographic choices of one web page (drawn from the render rng)."""

    def __init__(self, v: Variant, rng: random.Random) -> None:
        self.body_font = rng.choice(["仿宋", "宋体", "微软雅黑"])
        self.table_font = rng.choice(["宋体", "仿宋", "微软雅黑", "Times"])
        self.body_px = rng.choice([14, 16, 16, 18])
        self.table_px = rng.choice([12, 13, 13, 14, 16])
        self.padding = rng.choice(["0 4px", "0 7px", "5px"])
        self.nbsp = rng.random() < 0.5  # labels padded with &nbsp;
        self.lead_font = rng.choice(["楷体", "黑体"])
        self.page_margin_mm = rng.choice([10, 15, 20])
        self.table_width = rng.choice(["auto", "100%", "90%"])

    def record(self, v: Variant) -> dict:
        return {
            "body_font": self.body_font,
            "table_font": self.table_font,
            "body_px": self.body_px,
            "table_px": self.table_px,
            "cell_padding": self.padding,
            "nbsp_labels": self.nbsp,
            "page_margin_mm": self.page_margin_mm,
            "table_width": self.table_width,
            "rules": "grid",
            "rules_requested": v.rules,
            "landscape_applications": False,
            "landscape_requested": v.landscape_applications,
            "repeat_header": "thead" if v.repeat_header else "none",
        }


def _stack(name: str) -> str:
    if name == "Times":  # numbers in Times New Roman, Chinese falls back to 宋体
        return "'Times New Roman', " + FONT_STACKS["宋体"]
    return FONT_STACKS[name]


def render_html(path: Path, v: Variant, cells: dict[str, Printed], rng: random.Random) -> int:
    """Write the report as a web page to ``path``; returns 1 (a page has no fixed pages)."""
    st = BrowserStyle(v, rng)
    esc = html.escape
    title = text.title_lines(v, random.Random(v.seed))
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8"/>',
        f'<meta name="ArticleTitle" content="{esc("".join(title))}"/>',
        f'<meta name="ContentSource" content="{esc(v.agency)}"/>',
        f"<title>{esc(''.join(title))}_政府信息公开年报</title>",
        "<style>",
        f"@page {{ size: A4; margin: {st.page_margin_mm}mm; }}",
        f"body {{ font-family: {_stack(st.body_font)}; font-size: {st.body_px}px;"
        " line-height: 1.8; margin: 0 auto; max-width: 900px; }",
        "td p { margin: 0; text-indent: 0; }",
        "tr { page-break-inside: avoid; break-inside: avoid; }",
        "</style></head><body>",
        '<div class="header"><a href="/">首页</a> &gt; 政府信息公开 &gt; 政府信息公开年报</div>',
        '<div class="article"><div class="TRS_Editor">',
    ]
    for line in title:
        parts.append(f'<p style="text-align: center;"><strong><span style="font-family: '
                     f'{_stack("宋体")}; font-size: 24px;">{esc(line)}</span></strong></p>')

    def para(content: str, lead: str = "") -> None:
        head = (f'<span style="font-family: {_stack(st.lead_font)};">{esc(lead)}</span>'
                if lead else "")
        parts.append(f'<p style="text-indent: 2em;">{head}{esc(content)}</p>')

    def heading(content: str) -> None:
        parts.append(f'<p style="text-indent: 2em;"><span style="font-family: '
                     f'{_stack("黑体")};">{esc(content)}</span></p>')

    para(text.intro(v, rng))
    heading("一、总体情况")
    for lead, content in text.overview(v, rng):
        para(content, lead)
    builders = table_builders(v, cells, rng)
    for number, spec in zip(["二", "三", "四"], TABLES, strict=True):
        heading(f"{number}、{spec.title}")
        parts.append(_table(builders[spec.id](), st, v))
    heading("五、存在的主要问题及改进情况")
    for content in text.problems(v, rng):
        para(content)
    heading("六、其他需要报告的事项")
    for content in text.other_matters(v, rng):
        para(content)
    for line in text.signature(v, rng):
        parts.append(f'<p style="text-align: right;">{esc(line)}</p>')
    parts.append("</div></div></body></html>")
    v.maker_style = st.record(v)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return 1


def _cell(cell: TCell, st: BrowserStyle, v: Variant, width: float | None) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if width is not None:
        attrs += f' width="{round(width)}"'
    style = f"padding: {st.padding}; border: 1px solid windowtext;"
    if cell.fill:
        rgb = "".join(f"{round(c * 255):02x}" for c in cell.fill)
        style += f" background: #{rgb};"
    if cell.key:
        style += " white-space: nowrap;"
    align = "left" if cell.align == "left" and not cell.key else "center"
    content = "<br/>".join(html.escape(line) for line in cell.text.split("\n"))
    if st.nbsp and not cell.key and content:
        content = f"&nbsp;{content}&nbsp;"
    if cell.bold:
        content = f"<strong>{content}</strong>"
    return (f'<td{attrs} style="{style}" valign="center"><p style="text-align: {align};">'
            f"<span>{content}</span></p></td>")


def _table(table: Table, st: BrowserStyle, v: Variant) -> str:
    """A ``<table border="1">``; the first row carries the column widths (in px)."""
    total = 640
    if table.id == "applications":  # narrow label columns, as the site's editor leaves them
        w0, w1, w2 = 24, 70, 150
        n_val = len(table.widths) - 3
        widths = [w0, w1, w2] + [(total - w0 - w1 - w2) / n_val] * n_val
    else:
        widths = [w * total / sum(table.widths) for w in table.widths]
    by_row: dict[int, list[TCell]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell)
    rows: list[str] = []
    width_given: set[int] = set()
    for r in range(table.n_rows):
        tds = []
        for cell in sorted(by_row.get(r, []), key=lambda c: c.col):
            width = None
            if cell.colspan == 1 and cell.col not in width_given:
                width = widths[cell.col]
                width_given.add(cell.col)
            tds.append(_cell(cell, st, v, width))
        rows.append(f'<tr style="height: 19px">{"".join(tds)}</tr>')
    head_rows = table.header_rows if v.repeat_header else 0
    head = f"<thead>{''.join(rows[:head_rows])}</thead>" if head_rows else ""
    style = (f"font-family: {_stack(st.table_font)}; font-size: {st.table_px}px; "
             f"border-collapse: collapse; margin: 0 auto; width: {st.table_width};")
    return (f'<table style="{style}" cellspacing="0" align="center" border="1">{head}'
            f"<tbody>{''.join(rows[head_rows:])}</tbody></table>")
