"""Hostile and broken files: each fails as itself, with a reason a person can act on,
in bounded memory, and the watcher that meets them stays up.

The peak memory of each extraction is the child process's own high-water mark
(`os.wait4`), so a file that made the extractor take gigabytes fails this test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from tests.conftest import REAL, ROOT, SAMPLES

PEAK_LIMIT = 2 * 1024**3  # bytes: the bar for one document's worker
TEXT_PDF = SAMPLES / "text" / "t01-county-2019.pdf"
WORD = SAMPLES / "docx" / "w01-county-2022-word.docx"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _huge_page(path: Path) -> None:
    """A one-page PDF whose page claims to be 200 inches square, with an image on it
    (so its page goes to OCR and is rendered)."""
    tile = path.with_suffix(".tile.png")
    Image.new("RGB", (40, 40), (200, 200, 200)).save(tile)
    pdf = canvas.Canvas(str(path), pagesize=(200 * inch, 200 * inch))
    pdf.drawImage(str(tile), 100, 100, 500, 500)
    pdf.showPage()
    pdf.save()
    tile.unlink()


def _many_pages(path: Path, pages: int) -> None:
    """A long born-digital document in Chinese (read from its text layer, not OCR'd)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    for n in range(pages):
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(72, 720, f"第{n}页 会议纪要：本页没有统计表格，只有正文。")
        pdf.showPage()
    pdf.save()


def _zip_bomb(path: Path, unpacked: int) -> None:
    """A real Word file whose document.xml is padded to `unpacked` bytes (compresses ~1000:1)."""
    with zipfile.ZipFile(WORD) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                at = data.index(b"<w:body>") + len(b"<w:body>")
                data = data[:at] + b"<w:p><w:r><w:t>" + b"A" * unpacked + b"</w:t></w:r></w:p>" \
                    + data[at:]
            out.writestr(info.filename, data)


def _big_html(path: Path) -> None:
    page = (REAL / "pingtan_2024.html").read_bytes()
    filler = b"<p>" + "政府信息公开".encode() * 50 + b"</p>\n"
    path.write_bytes(page.replace(b"</body>", filler * 4000 + b"</body>"))  # ~4 MB


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """name → (file, a phrase its reason must contain)."""
    folder = tmp_path_factory.mktemp("hostile")
    files: dict[str, tuple[Path, str]] = {}
    _huge_page(folder / "huge-page.pdf")
    files["huge page"] = (folder / "huge-page.pdf", "inches")
    Image.new("1", (30000, 30000), 1).save(folder / "huge.png")
    files["30000² png"] = (folder / "huge.png", "image too large")
    _zip_bomb(folder / "bomb.docx", 300 * 1024**2)
    files["zip bomb"] = (folder / "bomb.docx", "unpacks to")
    (folder / "spans.html").write_bytes(
        b"<html><table>"
        + b"<tr><td rowspan=100000 colspan=100000>1</td></tr>" * 200 + b"</table></html>")
    files["hostile spans"] = (folder / "spans.html", "rowspan")
    (folder / "zero.pdf").write_bytes(b"")
    files["zero bytes"] = (folder / "zero.pdf", "empty")
    (folder / "random.pdf").write_bytes(os.urandom(100_000))
    files["random bytes"] = (folder / "random.pdf", "not a PDF")
    data = TEXT_PDF.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    files["truncated"] = (folder / "truncated.pdf", "truncated")
    word = WORD.read_bytes()
    (folder / "cut.docx").write_bytes(word[: len(word) * 2 // 3])
    files["cut Word file"] = (folder / "cut.docx", "Word file is damaged")
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--encrypt", "secret", "owner", "256", "--", str(TEXT_PDF),
                        str(folder / "locked.pdf")], check=True)
        files["encrypted"] = (folder / "locked.pdf", "password")
    # a long document that is no report (the 3,000-page case is the slow test below)
    _many_pages(folder / "pages300.pdf", 300)
    files["300 pages"] = (folder / "pages300.pdf", "statistical tables")
    return files


# Starts the extractor and reports its peak RSS. A child's high-water mark starts at the RSS
# of the process it was forked from (kept across exec), so the extractor is started from
# this small interpreter, not from the test process (which holds the test files).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "with open(sys.argv[2], 'wb') as out, open(sys.argv[3], 'wb') as err:\n"
    "    subprocess.run([sys.executable, '-m', 'extractor', 'extract', '--json', sys.argv[1]],\n"
    "                   stdout=out, stderr=err)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _extract_measured(path: Path) -> tuple[dict, str, int]:
    """The CLI on one file: its result, its stderr, and its peak RSS in bytes."""
    out, err = path.with_suffix(".out.json"), path.with_suffix(".err.txt")
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path), str(out), str(err)],
                          capture_output=True, text=True, env=_env(), timeout=1800)
    peak_kb = int(proc.stdout.strip().splitlines()[-1])
    return (json.loads(out.read_text(encoding="utf-8")), err.read_text(encoding="utf-8"),
            peak_kb * 1024)


def test_each_hostile_file_fails_clearly_in_bounded_memory(hostile):
    peaks = {}
    for name, (path, phrase) in hostile.items():
        result, stderr, peak = _extract_measured(path)
        peaks[name] = peak
        assert result["status"] == "failed", name
        assert phrase in result["error"] and path.name in result["error"], (name, result["error"])
        assert "internal error" not in result["error"], name
        assert "Traceback" not in stderr, (name, stderr[-2000:])
        assert peak < PEAK_LIMIT, (name, peak)
    print({name: f"{peak / 1024**2:.0f} MB" for name, peak in peaks.items()})


@pytest.mark.slow
def test_a_pdf_of_3000_pages_is_read_page_by_page_in_bounded_memory(tmp_path):
    path = tmp_path / "pages3000.pdf"
    _many_pages(path, 3000)
    result, stderr, peak = _extract_measured(path)
    assert result["status"] == "failed" and "statistical tables" in result["error"]
    assert "Traceback" not in stderr
    assert peak < PEAK_LIMIT / 4, peak
    print(f"3000 pages: {peak / 1024**2:.0f} MB")


def test_the_watcher_meets_them_and_goes_on(hostile, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path, _ in hostile.values():
        shutil.copy(path, inbox / path.name)
    shutil.copy(TEXT_PDF, inbox / "good.pdf")
    proc = subprocess.run(
        [sys.executable, "-m", "extractor", "watch", str(inbox), "--db",
         str(tmp_path / "db.sqlite"), "--archive", str(tmp_path / "archive"), "--once",
         "--settle", "0.2", "--jobs", "2"],
        capture_output=True, text=True, env=_env(), timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "archive" / "processed" / "good.pdf").exists()
    for name, (path, phrase) in hostile.items():
        reason = tmp_path / "archive" / "failed" / (path.name + ".error.txt")
        assert phrase in reason.read_text(encoding="utf-8"), name
    assert not list(inbox.iterdir())


def test_a_worker_out_of_memory_fails_its_file_only(tmp_path):
    """A worker capped below what a 300 dpi scan needs: that file fails, saying so, and the
    watcher stores the next one."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "scan" / "s03-province-2022-office-300-grey.pdf", inbox / "scan.pdf")
    shutil.copy(TEXT_PDF, inbox / "good.pdf")
    env = _env()
    env["EXTRACTOR_MAX_MEMORY_MB"] = "900"
    proc = subprocess.run(
        [sys.executable, "-m", "extractor", "watch", str(inbox), "--db",
         str(tmp_path / "db.sqlite"), "--archive", str(tmp_path / "archive"), "--once",
         "--settle", "0.2", "--jobs", "1"],
        capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr
    reason = (tmp_path / "archive" / "failed" / "scan.pdf.error.txt").read_text(encoding="utf-8")
    assert "needs more memory than one document may use" in reason
    assert (tmp_path / "archive" / "processed" / "good.pdf").exists()
