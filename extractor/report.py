"""A supervisor's summary of the results database: per agency and year, what needs a look.

In the terminal a rich table; as HTML one self-contained file (inline CSS, charts as
hand-written inline SVG: no plotting library to install or import, and the file opens
anywhere, offline). Charts: documents by status, applications received per agency and
year, and the mix of outcomes (granted … other) per agency and year.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from extractor.store import Store

STATUS_ORDER = ("failed", "needs_review", "reviewed", "ok")
STATUS_COLOURS = {
    "ok": "#4caf50",
    "needs_review": "#f0ad4e",
    "reviewed": "#26a69a",
    "failed": "#d9534f",
}
OUTCOMES = (
    ("granted", "予以公开", "#2e7d32"),
    ("partially_granted", "部分公开", "#81c784"),
    ("denied", "不予公开", "#c62828"),
    ("unavailable", "无法提供", "#ef6c00"),
    ("not_processed", "不予处理", "#6d4c41"),
    ("other", "其他处理", "#78909c"),
)
MAX_BARS = 60


@dataclass
class Row:
    """One agency and year (several documents if the same report was stored twice)."""

    agency: str
    year: int | None
    documents: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failed_rules: Counter[str] = field(default_factory=Counter)
    flagged_cells: int = 0
    received: int | float | None = None
    outcomes: dict[str, float] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return next((s for s in STATUS_ORDER if self.statuses[s]), "ok")


@dataclass
class ReportData:
    rows: list[Row]
    statuses: Counter[str]
    failed_rules: Counter[str]
    flagged_cells: int
    generated: datetime


def build_report(db_url: str | Path) -> ReportData:
    with Store(db_url) as store:
        documents = store.load_documents()
    rows: dict[tuple[str, int | None], Row] = {}
    for doc in documents:
        r = doc.result
        agency = r.report.agency or ("(failed)" if r.status == "failed" else "(unknown agency)")
        key = (doc.agency_norm or agency, r.report.year)
        row = rows.setdefault(key, Row(agency=agency, year=r.report.year))
        row.documents += 1
        row.paths.append(r.document.path)
        row.statuses[r.status] += 1
        row.failed_rules.update(c.rule for c in r.failed_checks)
        cells = [cell for cell, _review in doc.effective_cells()]
        values = {c.key: c.value for c in cells}
        row.flagged_cells += sum(1 for c in cells if c.flagged)
        if r.status != "failed" and row.received is None:
            row.received = values.get("applications.new_received.total")
            row.outcomes = _outcomes(values)
    ordered = sorted(rows.values(), key=lambda x: (x.agency, x.year or 0))
    statuses: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for row in ordered:
        statuses.update(row.statuses)
        rules.update(row.failed_rules)
    return ReportData(
        rows=ordered,
        statuses=statuses,
        failed_rules=rules,
        flagged_cells=sum(r.flagged_cells for r in ordered),
        generated=datetime.now(),
    )


def _outcomes(values: dict[str, int | float | None]) -> dict[str, float]:
    """Outcome totals (column 总计): a group's items, or its subtotal where only that exists."""
    out: dict[str, float] = {}
    for group, _label, _colour in OUTCOMES:
        single = values.get(f"applications.{group}.total")
        if single is not None or f"applications.{group}.total" in values:
            out[group] = float(single or 0)
            continue
        items = [
            v
            for k, v in values.items()
            if k.startswith(f"applications.{group}.")
            and k.endswith(".total")
            and ".subtotal." not in k
        ]
        subtotal = values.get(f"applications.{group}.subtotal.total")
        out[group] = float(sum(v or 0 for v in items) if items else (subtotal or 0))
    return out


# --- terminal ----------------------------------------------------------------------------


def print_report(data: ReportData, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Results by agency and year", show_lines=False)
    for name, justify in (
        ("agency", "left"),
        ("year", "right"),
        ("docs", "right"),
        ("status", "left"),
        ("flagged", "right"),
        ("failed rules", "left"),
        ("received", "right"),
    ):
        table.add_column(name, justify=justify)
    styles = {"ok": "green", "needs_review": "yellow", "reviewed": "cyan", "failed": "red"}
    for row in data.rows:
        table.add_row(
            row.agency,
            str(row.year or "—"),
            str(row.documents),
            f"[{styles[row.status]}]{row.status}[/]",
            str(row.flagged_cells),
            _rules_text(row.failed_rules),
            _number(row.received),
        )
    console.print(table)
    console.print(
        f"documents: {data.statuses['ok']} ok · {data.statuses['needs_review']} needs review · "
        f"{data.statuses['reviewed']} reviewed · "
        f"{data.statuses['failed']} failed · {data.flagged_cells} flagged cells"
    )
    if data.failed_rules:
        console.print("failed checks by rule: " + _rules_text(data.failed_rules))


def _rules_text(rules: Counter[str]) -> str:
    return ", ".join(f"{rule} ×{n}" for rule, n in rules.most_common()) or "—"


def _number(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


# --- HTML --------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.s{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.8rem}
.ok{background:#4caf50}.needs_review{background:#f0ad4e}.reviewed{background:#26a69a}
.failed{background:#d9534f}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;
padding:.6rem 1rem;min-width:9rem}.card b{display:block;font-size:1.4rem}
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
svg text{font-size:11px;fill:#333}small{color:#666}
"""


def write_html(data: ReportData, out_path: str | Path) -> Path:
    """Write the report as one self-contained HTML file."""
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    esc = html.escape
    s = data.statuses
    cards = "".join(
        f'<div class="card">{label}<b>{value}</b></div>'
        for label, value in (
            ("documents", sum(s.values())),
            ("ok", s["ok"]),
            ("needs review", s["needs_review"]),
            ("reviewed", s["reviewed"]),
            ("failed", s["failed"]),
            ("flagged cells", data.flagged_cells),
        )
    )
    rules = "".join(
        f"<tr><td>{esc(rule)}</td><td class=n>{n}</td></tr>"
        for rule, n in data.failed_rules.most_common()
    )
    body_rows = "".join(
        "<tr>"
        f"<td>{esc(r.agency)}</td><td class=n>{r.year or '—'}</td><td class=n>{r.documents}</td>"
        f'<td><span class="s {r.status}">{r.status}</span></td>'
        f"<td class=n>{r.flagged_cells}</td><td>{esc(_rules_text(r.failed_rules))}</td>"
        f"<td class=n>{_number(r.received)}</td>"
        f"<td><small>{esc('; '.join(r.paths))}</small></td></tr>"
        for r in data.rows
    )
    charted = [r for r in data.rows if r.received is not None]
    charted = sorted(charted, key=lambda r: -(r.received or 0))[:MAX_BARS]
    cut = len([r for r in data.rows if r.received is not None]) - len(charted)
    note = f"<p><small>Showing the {MAX_BARS} largest; {cut} more in the table.</small></p>"
    legend = "".join(
        f'<span><i style="background:{c}"></i>{esc(lbl)}</span>' for _, lbl, c in OUTCOMES
    )
    page = f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8">
<title>政府信息公开年度报告 — extraction report</title><style>{CSS}</style></head>
<body>
<h1>政府信息公开工作年度报告 · extraction report</h1>
<p><small>Generated {data.generated:%Y-%m-%d %H:%M}</small></p>
<div class="cards">{cards}</div>
<h2>Documents by status</h2>{_status_bar(s)}
<h2>Failed checks by rule</h2>
<table><tr><th>rule</th><th>failed</th></tr>{rules or "<tr><td>none</td><td></td></tr>"}</table>
<h2>Applications received (本年新收申请, 总计)</h2>
{_received_chart(charted)}{note if cut > 0 else ""}
<h2>Outcome mix (本年度办理结果)</h2><p class="legend">{legend}</p>{_outcome_chart(charted)}
<h2>By agency and year</h2>
<table><tr><th>agency</th><th>year</th><th>docs</th><th>status</th><th>flagged</th>
<th>failed rules</th><th>received</th><th>files</th></tr>{body_rows}</table>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path


def _label(row: Row) -> str:
    return f"{row.agency} {row.year or ''}".strip()


def _row_label(label_w: int, y: int, row: Row) -> str:
    return (
        f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{html.escape(_label(row))}</text>'
    )


def _status_bar(statuses: Counter[str]) -> str:
    total = sum(statuses.values()) or 1
    width, x, parts = 800, 0.0, []
    for status in ("ok", "reviewed", "needs_review", "failed"):
        w = width * statuses[status] / total
        if w:
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="24" '
                f'fill="{STATUS_COLOURS[status]}">'
                f"<title>{status}: {statuses[status]}</title></rect>"
            )
            if w > 60:
                parts.append(
                    f'<text x="{x + 4:.1f}" y="16" style="fill:#fff">'
                    f"{status} {statuses[status]}</text>"
                )
        x += w
    return f'<svg width="{width}" height="24" role="img">{"".join(parts)}</svg>'


def _received_chart(rows: list[Row]) -> str:
    if not rows:
        return "<p><small>No applications table read yet.</small></p>"
    label_w, bar_w, h = 260, 500, 18
    top = max(float(r.received or 0) for r in rows) or 1.0
    parts = []
    for i, r in enumerate(rows):
        y = i * (h + 4)
        w = bar_w * float(r.received or 0) / top
        parts.append(_row_label(label_w, y, r))
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{h}" fill="#1976d2">'
            f"<title>{html.escape(_label(r))}: {_number(r.received)}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_number(r.received)}</text>'
        )
    height = len(rows) * (h + 4)
    return (
        f'<svg width="{label_w + bar_w + 80}" height="{height}" role="img">{"".join(parts)}</svg>'
    )


def _outcome_chart(rows: list[Row]) -> str:
    rows = [r for r in rows if sum(r.outcomes.values()) > 0]
    if not rows:
        return "<p><small>No outcomes to show.</small></p>"
    label_w, bar_w, h = 260, 500, 18
    parts = []
    for i, r in enumerate(rows):
        y = i * (h + 4)
        total = sum(r.outcomes.values())
        x = float(label_w)
        parts.append(_row_label(label_w, y, r))
        for key, label, colour in OUTCOMES:
            value = r.outcomes.get(key, 0.0)
            w = bar_w * value / total
            if w <= 0:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="{colour}">'
                f"<title>{html.escape(label)}: {_number(value)}"
                f" ({100 * value / total:.0f}%)</title>"
                "</rect>"
            )
            x += w
        parts.append(f'<text x="{label_w + bar_w + 4}" y="{y + 13}">{_number(total)}</text>')
    height = len(rows) * (h + 4)
    return (
        f'<svg width="{label_w + bar_w + 80}" height="{height}" role="img">{"".join(parts)}</svg>'
    )
