"""The terminal summary speaks one language: every table's column headers in Chinese."""

from __future__ import annotations

from rich.console import Console

from extractor.pipeline import extract_document
from tests.conftest import SAMPLES, document_for


def _summary(name: str) -> str:
    truth = next((SAMPLES / "text").glob(f"{name}*.json"))
    console = Console(width=400, record=True, color_system=None)
    from extractor.render import render_result

    render_result(extract_document(document_for(truth)), console)
    return console.export_text()


def test_summary_headers_are_the_reports_own_labels():
    text = _summary("t01")  # a 2019-format report
    for label in ("信息内容", "本年新制作数量", "对外公开总数量", "处理决定数量",
                  "自然人", "总计", "结果维持", "结果纠正", "其他结果", "尚未审结"):
        assert label in text, label
    for key in ("issued", "made", "decisions", "upheld", "corrected", "pending", "row", "group"):
        assert f" {key} " not in text, key
