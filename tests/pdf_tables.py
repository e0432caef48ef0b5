"""Small born-digital PDFs of ruled tables, drawn with reportlab for tests that need one
precise shape (a row split by a page break, a partial repeated header, a wrapped number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from models.schema import APPLICATION_COLUMNS, APPLICATION_ROWS

Cell = tuple[str, int]  # text ("\n" between printed lines), colspan


@dataclass
class TablePage:
    heading: str = ""
    rows: list[list[Cell]] = field(default_factory=list)
    open_top: bool = False  # no rule above the first row (a browser's continued table)
    ruled: bool = True  # False: no rules at all, the cells only aligned


def draw(path: Path, pages: list[TablePage], widths: list[float], size: float = 9.0) -> Path:
    """One ruled table per page, at the top after an optional heading line."""
    from samples import fonts

    font = fonts.register("uming")
    c = Canvas(str(path), pagesize=A4, invariant=1)
    _, height = A4
    for page in pages:
        y = 70.0
        if page.heading:
            c.setFont(font, 14)
            c.drawString(60, height - y, page.heading)
            y += 30
        for number, row in enumerate(page.rows):
            x, col, lines = 60.0, 0, 1
            for text, span in row:
                w = sum(widths[col:col + span])
                lines, col = max(lines, len(_wrap(c, text, font, size, w - 4))), col + span
            row_h = lines * size * 1.3 + 8
            x, col = 60.0, 0
            for text, span in row:
                w = sum(widths[col:col + span])
                c.setLineWidth(0.5)
                if not page.ruled:
                    pass
                elif page.open_top and number == 0:  # the sides and the bottom only
                    top, bottom = height - y, height - y - row_h
                    c.lines([(x, top, x, bottom), (x + w, top, x + w, bottom),
                             (x, bottom, x + w, bottom)])
                else:
                    c.rect(x, height - y - row_h, w, row_h, stroke=1, fill=0)
                c.setFont(font, size)
                for i, line in enumerate(_wrap(c, text, font, size, w - 4)):
                    tw = c.stringWidth(line, font, size)
                    c.drawString(x + (w - tw) / 2, height - y - 4 - size * (1.3 * i + 1), line)
                x, col = x + w, col + span
            y += row_h
        c.showPage()
    c.save()
    return path


def _wrap(c: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """The printed lines of a cell: its own line breaks, then wrapped at the cell's width."""
    out: list[str] = []
    for part in text.split("\n"):
        line = ""
        for ch in part:
            if line and c.stringWidth(line + ch, font, size) > width:
                out.append(line)
                line = ""
            line += ch
        out.append(line)
    return out


# --- table 三 (2021 format, no 小计 rows or column) ---------------------------------------

VALUE_COLUMNS = [c.key for c in APPLICATION_COLUMNS]  # natural_person … other_org, total
WIDTHS = [200.0] + [38.0] * len(VALUE_COLUMNS)
HEADER: list[list[Cell]] = [
    [("", 1), ("申请人情况", 7)],
    [("", 1), ("自然人", 1), ("法人或其他组织", 5), ("总计", 1)],
    [("", 1), ("", 1), ("商业\n企业", 1), ("科研\n机构", 1), ("社会公\n益组织", 1),
     ("法律服\n务机构", 1), ("其他", 1), ("", 1)],
]
# a header repeated only in part on the next page: the 自然人 … 其他 row, not 总计
PARTIAL_HEADER: list[list[Cell]] = [
    [("", 1), ("自然人", 1), ("商业\n企业", 1), ("科研\n机构", 1), ("社会公\n益组织", 1),
     ("法律服\n务机构", 1), ("其他", 1), ("", 1)],
]
ROWS = [r for r in APPLICATION_ROWS if r.key != "other.subtotal" and not r.key.endswith(
    "subtotal")]


def application_values() -> dict[str, int]:
    """Printed values of every table 三 cell: distinct small numbers whose every rule holds
    (row totals, the results' total, new + carried over = total + carried forward)."""
    parts = VALUE_COLUMNS[:-1]
    values: dict[str, int] = {}
    results = [r.key for r in ROWS if r.key not in ("new_received", "carried_over", "total",
                                                    "carried_forward")]
    for j, column in enumerate(parts):
        for i, row in enumerate(results):
            values[f"applications.{row}.{column}"] = (i * 7 + j * 3) % 11
        total = sum(values[f"applications.{row}.{column}"] for row in results)
        values[f"applications.total.{column}"] = total
        values[f"applications.carried_over.{column}"] = j % 3
        values[f"applications.carried_forward.{column}"] = j % 4 + 1
        values[f"applications.new_received.{column}"] = total + j % 4 + 1 - j % 3
    for row in ROWS:
        values[f"applications.{row.key}.total"] = sum(
            values[f"applications.{row.key}.{column}"] for column in parts)
    return values


def value_row(label: str, row_key: str, values: dict[str, int]) -> list[Cell]:
    return [(label, 1)] + [(str(values[f"applications.{row_key}.{c}"]), 1)
                           for c in VALUE_COLUMNS]


def blank_row(label: str) -> list[Cell]:
    return [(label, 1)] + [("", 1)] * len(VALUE_COLUMNS)
