"""Tables as pictures and turned pages (issue 9, classes 6 and 7): cells right, silent
errors and flagged cells per case, seconds per page, and what finding a page's
orientation costs against reading it.

Made here from text reports (the real hzq2023 and generated text samples) and scans:
  pictures-docx / pictures-html / pictures-pdf  tables cropped and pasted as pictures
                                                (samples/pictures.py; the PDF by LibreOffice)
  rotate-90/180/270                             text PDFs with /Rotate on every page (qpdf)
  sideways-90                                   the same, drawn sideways (--flatten-rotation)
  scan-turned-90/180/270                        scans' pages turned, as a TIFF

    python -m bench.turned_pictures [--reports t01-county-2019,...] [--scans s01-...,...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from extractor.evaluate import score  # noqa: E402
from extractor.ocr.engines import get_engine  # noqa: E402
from extractor.ocr.orientation import upright  # noqa: E402
from extractor.pipeline import extract_document  # noqa: E402
from extractor.sources.images import load_image_frames, render_pdf_page  # noqa: E402
from samples.pictures import picture_report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "samples" / "generated" / "text"
SCAN = ROOT / "samples" / "generated" / "scan"
REAL = ROOT / "samples" / "real"
DEFAULT_REPORTS = "hzq2023,t01-county-2019,t08-city-2021-subtotals,t20-district-2023-hzq-like"
DEFAULT_SCANS = "s01-county-2023-office-200,s03-province-2022-office-300-grey"


def _truth(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def _pdf_for(name: str) -> Path:
    return REAL / f"{name}.pdf" if (REAL / f"{name}.pdf").exists() else TEXT / f"{name}.pdf"


def _cases(work: Path, reports: list[str], scans: list[str]) -> list[tuple[str, Path, dict]]:
    cases: list[tuple[str, Path, dict]] = []
    for name in reports:
        pdf = _pdf_for(name)
        truth = _truth(pdf)
        made = picture_report(pdf, truth, work / name, name,
                              make_pdf=shutil.which("soffice") is not None)
        for key, group in (("docx", "pictures-docx"), ("html", "pictures-html"),
                           ("html_files", "pictures-html-saved"), ("pdf", "pictures-pdf")):
            if key in made:
                cases.append((group, made[key], _truth(made[key])))
        for degrees in (90, 180, 270):
            out = work / name / f"{name}-rot{degrees}.pdf"
            subprocess.run(["qpdf", str(pdf), f"--rotate=+{degrees}", str(out)], check=True)
            cases.append((f"rotate-{degrees}", out, truth))
        flat = work / name / f"{name}-sideways.pdf"
        subprocess.run(["qpdf", str(work / name / f"{name}-rot90.pdf"), "--flatten-rotation",
                        str(flat)], check=True)
        cases.append(("sideways-90", flat, truth))
    for name in scans:
        source = next(SCAN.glob(f"{name}.*[!n]"))  # the .pdf/.tif/.png, not the .json
        truth = _truth(source)
        dpi = float(truth.get("dpi") or 200)
        if source.suffix == ".pdf":
            import pypdfium2 as pdfium

            count = len(pdfium.PdfDocument(str(source)))
            pages = [render_pdf_page(source, i, dpi) for i in range(count)]
        else:
            pages = [f.image for f in load_image_frames(source)]
        for quarters in (1, 2, 3):
            frames = [Image.fromarray(np.rot90(p, quarters)[:, :, ::-1]) for p in pages]
            out = work / f"{name}-turned{quarters * 90}.tif"
            frames[0].save(out, save_all=True, append_images=frames[1:], dpi=(dpi, dpi),
                           compression="tiff_lzw")
            cases.append((f"scan-turned-{quarters * 90}", out, truth))
    return cases


def orientation_cost(scans: list[str]) -> tuple[float, int]:
    """Seconds `upright` takes per page image (mean), over the scans' pages turned 90°."""
    engine = get_engine("tesseract")
    spent, pages = 0.0, 0
    for name in scans:
        source = next(SCAN.glob(f"{name}.*[!n]"))
        dpi = float(_truth(source).get("dpi") or 200)
        for index in range(2):
            image = np.ascontiguousarray(np.rot90(render_pdf_page(source, index, dpi), 1))
            start = time.perf_counter()
            upright(image, dpi, engine)
            spent += time.perf_counter() - start
            pages += 1
    return spent / max(pages, 1), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", default=DEFAULT_REPORTS)
    parser.add_argument("--scans", default=DEFAULT_SCANS)
    args = parser.parse_args()
    reports = [r for r in args.reports.split(",") if r]
    scans = [s for s in args.scans.split(",") if s]
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0.0, 0])
    with tempfile.TemporaryDirectory(prefix="turned-pictures-") as tmp:
        for group, path, truth in _cases(Path(tmp), reports, scans):
            start = time.perf_counter()
            result = extract_document(path)
            seconds = time.perf_counter() - start
            s = score(result, truth)
            pages = result.document.pages or 1
            print(f"{group:22} {path.name:52} {result.status:12} {s.correct:4}/{s.cells:<4} "
                  f"silent {len(s.silent_errors)} flagged {s.flagged:3} "
                  f"{seconds / pages:5.2f} s/page", flush=True)
            t = totals[group]
            t[0] += s.cells
            t[1] += s.correct
            t[2] += len(s.silent_errors)
            t[3] += s.flagged
            t[4] += seconds
            t[5] += pages
    print("\n| case | cells right | silent | flagged | s/page |\n|---|---|---|---|---|")
    for group, (cells, correct, silent, flagged, seconds, pages) in totals.items():
        print(f"| {group} | {correct / cells:.2%} ({int(correct)}/{int(cells)}) | {int(silent)} "
              f"| {flagged / cells:.1%} | {seconds / pages:.2f} |")
    cost, n = orientation_cost(scans)
    print(f"\norientation: {cost:.3f} s per page image ({n} pages)")


if __name__ == "__main__":
    main()
