"""Broken, locked, empty and non-report files: status failed, a clear message, no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from extractor.pipeline import extract_document
from tests.conftest import REAL

HZQ = REAL / "hzq2023.pdf"


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor", "extract", *args],
                          capture_output=True, text=True, timeout=120)


def _plain_pdf(path: Path, text: str) -> Path:
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return path


@pytest.fixture()
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": tmp_path / "empty.pdf",
        "random": tmp_path / "random.pdf",
        "text": tmp_path / "notes.txt",
        "truncated": tmp_path / "truncated.pdf",
        "no_tables": _plain_pdf(tmp_path / "letter.pdf", "Meeting notes, nothing else."),
        "blank_pages": tmp_path / "blank.pdf",
    }
    files["empty"].write_bytes(b"")
    files["random"].write_bytes(bytes(range(256)) * 40)
    files["text"].write_text("just some text\n", encoding="utf-8")
    files["truncated"].write_bytes(HZQ.read_bytes()[:20000])
    blank = canvas.Canvas(str(files["blank_pages"]))
    blank.showPage()
    blank.save()
    return files


def test_every_bad_file_fails_cleanly(bad_files):
    for name, path in bad_files.items():
        result = extract_document(path)
        assert result.status == "failed", name
        assert result.error and "Traceback" not in result.error, name
        assert path.name in result.error or name == "blank_pages", name
        assert result.cells == []
        assert path.exists(), "an input file must never be removed"


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is installed by make setup")
def test_encrypted_pdf_says_so(tmp_path):
    locked = tmp_path / "locked.pdf"
    subprocess.run(["qpdf", "--encrypt", "secret", "owner", "256", "--", str(HZQ), str(locked)],
                   check=True)
    result = extract_document(locked)
    assert result.status == "failed"
    assert "password" in result.error and "locked.pdf" in result.error


def test_office_files_that_are_not_word_documents_say_what_to_do(tmp_path):
    import zipfile

    sheet = tmp_path / "统计表.docx"  # an Excel workbook under a Word name
    with zipfile.ZipFile(sheet, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    old = tmp_path / "报告.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    for path, advice in ((sheet, "not a Word document"), (old, "save it as .docx")):
        result = extract_document(path)
        assert result.status == "failed" and path.name in result.error, result.error
        assert advice in result.error and "internal error" not in result.error


def test_missing_file():
    result = extract_document("/nonexistent/report.pdf")
    assert result.status == "failed" and "does not exist" in result.error


def test_cli_failed_exit_code_and_one_line_reason(bad_files):
    proc = _run_cli("--json", str(bad_files["truncated"]))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    reason = [line for line in proc.stderr.splitlines() if line.startswith("failed:")]
    assert len(reason) == 1 and "truncated.pdf" in reason[0]
    assert json.loads(proc.stdout)["status"] == "failed"


def test_cli_json_and_out(tmp_path):
    proc = _run_cli("--json", str(HZQ))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "needs_review" and len(data["cells"]) == 186
    proc = _run_cli("--out", str(tmp_path / "res"), str(HZQ))
    assert proc.returncode == 0
    written = json.loads((tmp_path / "res" / "hzq2023.json").read_text(encoding="utf-8"))
    assert written["cells"] == data["cells"]


def test_cli_summary_shows_tables_and_failed_checks():
    proc = _run_cli(str(HZQ))
    assert proc.returncode == 0
    assert "三、收到和处理政府信息公开申请情况" in proc.stdout
    assert "appeals.group_total" in proc.stdout and "[review]" in proc.stdout


def test_schema_command_prints_json_schema():
    proc = subprocess.run([sys.executable, "-m", "extractor", "schema"], capture_output=True,
                          text=True, timeout=60)
    schema = json.loads(proc.stdout)
    assert {"document", "report", "status", "error", "cells", "checks"} <= set(
        schema["properties"])
