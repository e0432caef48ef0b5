"""Who makes the PDF of a report: reportlab's canvas, Word (LibreOffice) or a browser (Chromium).

    render_pdf(maker, pdf, v, cells, rng) -> page count

- ``reportlab``: samples/render.py, our own page layout (the original generator).
- ``word``: the report set in Word style (samples/word_style.py) and exported by LibreOffice
  headless, ``soffice --headless --convert-to pdf``, each run with its own fresh profile
  (LibreOffice locks a shared one).
- ``browser``: the report as a government web page (samples/browser.py) printed by headless
  Debian Chromium, ``chromium --headless --print-to-pdf``.

The same seed gives the same variant, printed values and truth for every maker. After
LibreOffice and Chromium the tables' pages and boxes (``v.tables``, used for the scans' seal
and the kept pages) are found on the PDF with pdfplumber. Determinism: the .docx and .html
are byte-identical per seed; the PDFs of LibreOffice and Chromium carry their own creation
dates and IDs, which we do not rewrite, so their bytes differ run to run while every page
draws the same.
"""

from __future__ import annotations

import atexit
import logging
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import pdfplumber

from samples.values import Printed
from samples.variant import Variant

MAKERS = ("reportlab", "word", "browser")
TIMEOUT = 180


class MakerError(RuntimeError):
    """A maker's program is missing or did not produce the PDF."""


def render_pdf(
    maker: str, pdf: Path, v: Variant, cells: dict[str, Printed], rng: random.Random,
    *, source: Path | None = None,
) -> int:
    """Write the report's PDF as ``maker`` makes it; returns its page count.

    ``source`` keeps the .docx/.html the PDF was made from at that path.
    """
    v.maker = maker
    if maker == "reportlab":
        from samples.render import render_report

        return render_report(pdf, v, cells, rng)
    with tempfile.TemporaryDirectory(prefix=f"maker-{maker}-") as tmp:
        work = Path(tmp)
        if maker == "word":
            from samples.word import render_docx

            doc = work / f"{pdf.stem}.docx"
            render_docx(doc, v, cells, rng, style="word")
            made = word_to_pdf(doc, work)
        elif maker == "browser":
            from samples.browser import render_html

            doc = work / f"{pdf.stem}.html"
            render_html(doc, v, cells, rng)
            made = browser_to_pdf(doc, work / f"{pdf.stem}.pdf")
        else:
            raise ValueError(f"unknown maker {maker!r}; one of {', '.join(MAKERS)}")
        shutil.move(made, pdf)
        if source is not None:
            shutil.copyfile(doc, source)
    return locate_tables(pdf, v)


_PROFILE: list[str] = []


def _lo_profile() -> str:
    """This process's own LibreOffice profile: made on first use (LibreOffice's first start
    is its slowest), never shared with another process (the profile is locked while in use),
    removed when the process ends."""
    if not _PROFILE:
        path = tempfile.mkdtemp(prefix="lo-profile-")
        atexit.register(shutil.rmtree, path, True)
        _PROFILE.append(path)
    return _PROFILE[0]


def word_to_pdf(docx: Path, outdir: Path) -> Path:
    """LibreOffice headless: ``docx`` → ``outdir/<stem>.pdf``."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise MakerError("LibreOffice is not installed (apt-get install libreoffice-writer)")
    cmd = [
        soffice, f"-env:UserInstallation=file://{_lo_profile()}", "--headless", "--norestore",
        "--convert-to", "pdf", "--outdir", str(outdir), str(docx),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=_quiet_env())
    out = outdir / f"{docx.stem}.pdf"
    if not out.is_file():
        raise MakerError(f"LibreOffice made no PDF of {docx.name}: {done.stderr.strip()[-300:]}")
    return out


CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-pdf-header-footer", "--hide-scrollbars",
)


def browser_to_pdf(page: Path, pdf: Path) -> Path:
    """Headless Debian Chromium prints ``page`` to ``pdf`` (no header/footer lines)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise MakerError("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--print-to-pdf={pdf}", page.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                              env=_quiet_env())
    if not pdf.is_file():
        raise MakerError(f"Chromium made no PDF of {page.name}: {done.stderr.strip()[-300:]}")
    return pdf


def _quiet_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HOME", tempfile.gettempdir())
    env["SAL_USE_VCLPLUGIN"] = "svp"  # LibreOffice without a display
    return env


# --- where the tables landed ----------------------------------------------------------------

# text that opens each table (its first rows), in the PDF's text with spaces removed
_OPENS = {
    "disclosure": ("第二十条",),
    "applications": ("申请人情况", "本列数据"),
    "appeals": ("行政复议", "未经复议"),
}


def locate_tables(pdf: Path, v: Variant) -> int:
    """Fill ``v.tables`` from the ruled tables pdfplumber finds; returns the page count.

    Tables are taken in reading order: one that opens like table 二/三/四 starts it, any other
    continues the table before it (a table running over a page break).
    """
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # Chromium's fonts lack a FontBBox
    found: dict[str, list[list[float]]] = {}
    current = None
    with pdfplumber.open(pdf) as doc:
        pages = len(doc.pages)
        for number, page in enumerate(doc.pages, start=1):
            for table in page.find_tables():
                x0, top, x1, bottom = table.bbox
                content = page.crop(table.bbox).extract_text() or ""
                content = "".join(content.split())
                opening = next((tid for tid, marks in _OPENS.items()
                                if any(m in content[:80] for m in marks)
                                and tid not in found), None)
                current = opening or current
                if current is None:
                    continue
                found.setdefault(current, []).append(
                    [number, round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)])
    for tid, boxes in found.items():
        split = len(boxes) > 1
        v.tables[tid] = {
            "pages": [int(b[0]) for b in boxes],
            "split": split,
            "repeated_header": split and v.repeat_header and tid != "disclosure",
            "landscape": tid == "applications" and v.landscape_applications
            and v.maker == "word",
            "boxes": boxes,
        }
    missing = {"disclosure", "applications", "appeals"} - set(found)
    if missing:
        raise MakerError(f"{pdf.name}: tables not found on the {v.maker} PDF: {sorted(missing)}")
    return pages
