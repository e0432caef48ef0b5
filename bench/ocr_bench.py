"""OCR bench: cell accuracy, silent errors, flagged share and seconds per page.

Pages of a born-digital PDF are rendered at 150/200/300 dpi, degraded like scans
(extractor.ocr.synth presets) and read by the OCR path. The truth of every OCR'd cell is
the PDF's own text layer inside that cell's rectangle (mapped back through the
degradation warp), so every value cell the grid finds is scored — no reconciler needed.

    python -m bench.ocr_bench [--pdf FILE] [--pages 2,3,4] [--dpi 150,200,300]
                              [--presets clean,mild,hard,photo] [--engines tesseract,rapidocr]

A value cell is one whose truth is a number, a dash or blank. "correct" compares the
normalised text; a "silent" error is a wrong value with confidence >= OCR_FLAG_THRESHOLD.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core, as the bar is stated

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pdfplumber  # noqa: E402

from extractor.ocr import OCR_FLAG_THRESHOLD, available_engines, read_page_image  # noqa: E402
from extractor.ocr.cells import VALUE_RE, normalise_value  # noqa: E402
from extractor.ocr.synth import SCAN_PRESETS, degrade  # noqa: E402
from extractor.sources.images import render_pdf_page  # noqa: E402

DEFAULT_PDF = str(Path(__file__).resolve().parent.parent / "samples" / "real" / "hzq2023.pdf")

@dataclass
class Score:
    cells: int = 0
    correct: int = 0
    flagged: int = 0
    silent: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds, this process and its children (tesseract's command line)
    pages: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.cells += other.cells
        self.correct += other.correct
        self.flagged += other.flagged
        self.silent += other.silent
        self.seconds += other.seconds
        self.cpu += other.cpu
        self.pages += other.pages
        self.errors += other.errors


def truth_text(page: pdfplumber.page.Page, bbox: tuple[float, float, float, float]) -> str:
    """The text layer's characters whose centres lie inside `bbox`, whitespace removed."""
    x0, top, x1, bottom = bbox
    chars = [
        c for c in page.chars
        if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
    ]
    chars.sort(key=lambda c: (round(c["top"] / 4), c["x0"]))
    return "".join(c["text"] for c in chars).replace(" ", "").strip()


def is_value_truth(text: str) -> bool:
    return text == "" or bool(VALUE_RE.match(normalise_value(text)))


def score_page(pdf: pdfplumber.PDF, pdf_path: str, page_index: int, dpi: int, preset: str,
               engine: str, verify: bool = True) -> Score:
    """Render, degrade and OCR one page; score its value cells against the text layer."""
    clean = render_pdf_page(pdf_path, page_index, dpi)
    image, warp = degrade(clean, SCAN_PRESETS[preset], dpi)
    start, cpu = time.perf_counter(), _cpu_seconds()
    result = read_page_image(image, page_index + 1, dpi, engine=engine, verify=verify,
                             read_text=False)
    score = Score(seconds=time.perf_counter() - start, cpu=_cpu_seconds() - cpu, pages=1)
    page = pdf.pages[page_index]
    unwarp = np.linalg.inv(warp)
    for grid in result.grids:
        for cell in grid.cells:
            truth = truth_text(page, _unwarp(cell.bbox, unwarp, dpi))
            if not is_value_truth(truth):
                continue
            expected = normalise_value(truth)
            score.cells += 1
            ok = cell.text == expected
            flagged = cell.confidence < OCR_FLAG_THRESHOLD
            score.correct += ok
            score.flagged += flagged
            if not ok and not flagged:
                score.silent += 1
            if not ok:
                score.errors.append(
                    f"p{page_index + 1} {dpi}dpi {preset} r{cell.row}c{cell.col}: read "
                    f"{cell.text!r} conf {cell.confidence:.2f} {cell.reasons}, truth {expected!r}"
                )
    return score


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children: steady on a loaded machine."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _unwarp(bbox, unwarp: np.ndarray, dpi: float) -> tuple[float, float, float, float]:
    """A bbox on the degraded page (points) as a slightly shrunk bbox on the clean page."""
    s = dpi / 72.0
    x0, y0, x1, y1 = (v * s for v in bbox)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    centre = cv2.perspectiveTransform(np.float32([[[cx, cy]]]), unwarp)[0, 0]
    hw, hh = (x1 - x0) / 2 * 0.9, (y1 - y0) / 2 * 0.9
    return ((centre[0] - hw) / s, (centre[1] - hh) / s, (centre[0] + hw) / s,
            (centre[1] + hh) / s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", default=DEFAULT_PDF)
    parser.add_argument("--pages", default="2,3,4", help="1-based pages holding tables")
    parser.add_argument("--dpi", default="150,200,300")
    parser.add_argument("--presets", default="clean,mild,hard,photo")
    parser.add_argument("--engines", default=",".join(available_engines()),
                        help="tesseract (the loaded library by default), "
                             "tesseract/api, tesseract/cli (a process per call), rapidocr")
    parser.add_argument("--no-verify", action="store_true", help="primary engine only")
    parser.add_argument("--errors", action="store_true", help="list every wrong cell")
    args = parser.parse_args()

    pages = [int(p) - 1 for p in args.pages.split(",")]
    pdf = pdfplumber.open(args.pdf)
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"threshold {OCR_FLAG_THRESHOLD}; verify={'off' if args.no_verify else 'on'}")
    print(f"{'engine':10} {'dpi':>4} {'preset':7} {'cells':>6} {'correct':>8} {'silent':>6} "
          f"{'flagged':>8} {'s/page':>7} {'cpu s/page':>10}")
    for engine in args.engines.split(","):
        for dpi in (int(d) for d in args.dpi.split(",")):
            for preset in args.presets.split(","):
                total = Score()
                for index in pages:
                    total.add(score_page(pdf, args.pdf, index, dpi, preset, engine,
                                         verify=not args.no_verify))
                n = max(total.cells, 1)
                print(f"{engine:10} {dpi:>4} {preset:7} {total.cells:>6} "
                      f"{100 * total.correct / n:>7.2f}% {total.silent:>6} "
                      f"{100 * total.flagged / n:>7.2f}% {total.seconds / total.pages:>7.2f} "
                      f"{total.cpu / total.pages:>10.2f}",
                      flush=True)
                if args.errors:
                    for line in total.errors:
                        print("   ", line)


if __name__ == "__main__":
    main()
