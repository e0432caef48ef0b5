"""The supervisor's report: per agency and year, in the terminal and as one HTML file."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from extractor.cli_batch import main as cli
from extractor.crosscheck import run_cross_checks
from extractor.report import build_report, print_report, write_html
from extractor.store import Store
from models.result import DocumentInfo, DocumentResult
from tests.test_store import truth_result


def make_db(path: str | Path) -> str | Path:
    with Store(path) as store:
        store.save_result(truth_result("hzq2023"))
        store.save_result(truth_result("pingtan_2024"))
        store.save_result(truth_result("pingtan_2025", **{"applications.carried_over.total": 5}))
        store.save_result(
            DocumentResult(
                document=DocumentInfo(path="in/broken.pdf", sha256="0" * 64),
                status="failed",
                error="broken.pdf is not a PDF",
            )
        )
        run_cross_checks(store)
    return path


def test_rows_per_agency_and_year(tmp_path: Path, db_url: str) -> None:
    data = build_report(make_db(db_url))
    rows = {(r.agency, r.year): r for r in data.rows}
    assert set(rows) == {
        ("洪泽区人民政府", 2023),
        ("平潭综合实验区", 2024),
        ("平潭综合实验区", 2025),
        ("(failed)", None),
    }
    hzq = rows[("洪泽区人民政府", 2023)]
    assert hzq.status == "needs_review" and hzq.failed_rules["appeals.group_total"] == 2
    assert hzq.flagged_cells == 10 and hzq.received == 21
    later = rows[("平潭综合实验区", 2025)]
    assert later.failed_rules == {"applications.carryover_continuity": 1}
    assert rows[("平潭综合实验区", 2024)].status == "ok"
    assert rows[("平潭综合实验区", 2024)].outcomes["granted"] == 71
    assert data.statuses == {"ok": 1, "needs_review": 2, "failed": 1}


def test_terminal_table(tmp_path: Path, db_url: str) -> None:
    console = Console(record=True, width=200)
    print_report(build_report(make_db(db_url)), console)
    text = console.export_text()
    assert "平潭综合实验区" in text and "needs_review" in text
    assert "applications.carryover_continuity" in text


def test_html_is_self_contained_with_charts(tmp_path: Path, db_url: str) -> None:
    path = write_html(build_report(make_db(db_url)), tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") >= 3
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)  # nothing fetched
    assert "<style>" in page and "洪泽区人民政府" in page and "in/broken.pdf" in page


def test_report_command(tmp_path: Path, db_url: str) -> None:
    db = make_db(db_url)
    html = tmp_path / "out" / "report.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert html.exists() and "1 failed" in result.output
