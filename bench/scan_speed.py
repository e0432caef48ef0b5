"""Scans against plain tesseract: our end-to-end extract vs `tesseract PAGE - -l chi_sim --psm 6`
over the same page images, on one core, in one run (issue 12's bar: ratio ≤ 0.5).

    python -m bench.scan_speed [--generated DIR] [--real FILE.pdf ...] [--preset mild]
                               [--dpi 200] [--limit N] [--cpu N]

Documents: the committed generated scans (samples/generated/scan: PDFs, TIFF, PNG, JPEG),
and real reports scanned here: every page of each real PDF rendered at `--dpi` with pdfium,
degraded like a scan (extractor.ocr.synth preset) and saved as an image-only PDF, which is
what a scanned report is. The page images tesseract reads are the images our pipeline reads:
the image file's own frames, or the PDF's pages rendered at the resolution of the scan
embedded in them.

Both sides run on one CPU (the process is pinned, children inherit it) and one thread
(OMP_THREAD_LIMIT=1). Our side runs in this process after one warm-up document (a batch
worker loads its engines once, then reads thousands of reports). Each time is given as wall
seconds and CPU seconds (ours: this process; tesseract: its child processes); on a loaded
machine the CPU ratio is the steadier one, the wall ratio the one a user waits for.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread, on both sides

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from extractor.ocr.synth import SCAN_PRESETS, degrade  # noqa: E402
from extractor.pipeline import extract_document  # noqa: E402
from extractor.sources.images import load_image_frames, render_pdf_page  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "samples" / "generated" / "scan"
REAL = [ROOT / "samples" / "real" / "hzq2023.pdf"]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


@dataclass
class Timing:
    name: str
    pages: int
    ours_wall: float
    ours_cpu: float
    tess_wall: float
    tess_cpu: float

    @property
    def wall_ratio(self) -> float:
        return self.ours_wall / max(self.tess_wall, 1e-9)

    @property
    def cpu_ratio(self) -> float:
        return self.ours_cpu / max(self.tess_cpu, 1e-9)


def pin_to_one_cpu(cpu: int | None) -> str:
    """Pin this process (and so its children) to one CPU; say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = cpu if cpu is not None and cpu in allowed else allowed[-1]
    os.sched_setaffinity(0, {chosen})
    return f"pinned to CPU {chosen}"


def scanned_pdf(source: Path, dpi: int, preset: str, folder: Path) -> Path:
    """Every page of `source` rendered at `dpi`, degraded like a scan, as an image-only PDF."""
    import pypdfium2 as pdfium

    count = len(pdfium.PdfDocument(str(source)))
    pages = []
    for index in range(count):
        image, _ = degrade(render_pdf_page(source, index, dpi), SCAN_PRESETS[preset], dpi)
        pages.append(Image.fromarray(np.ascontiguousarray(image[:, :, ::-1])))
    out = folder / f"{source.stem}-{preset}-{dpi}.pdf"
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=dpi)
    return out


def page_images(document: Path, folder: Path) -> list[Path]:
    """The page images our pipeline reads for `document`, as PNG files for tesseract."""
    folder.mkdir(parents=True, exist_ok=True)
    if document.suffix.lower() in IMAGE_SUFFIXES:
        arrays = [(f.image, f.dpi) for f in load_image_frames(document)]
    else:
        arrays = [(render_pdf_page(document, i, dpi), dpi)
                  for i, dpi in enumerate(_render_dpi(document))]
    paths = []
    for n, (image, dpi) in enumerate(arrays):
        path = folder / f"{document.stem}-p{n + 1}.png"
        Image.fromarray(np.ascontiguousarray(image[:, :, ::-1])).save(
            path, dpi=(round(dpi), round(dpi)))
        paths.append(path)
    return paths


def _render_dpi(document: Path) -> list[float]:
    """The resolution the pipeline renders each page of a PDF at for OCR."""
    import pypdfium2 as pdfium

    from extractor.sources.images import OCR_DPI

    pdf = pdfium.PdfDocument(str(document))
    try:
        return [float(OCR_DPI)] * len(pdf)
    finally:
        pdf.close()


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (tesseract's command line, when
    the OCR engine is called that way)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def time_ours(document: Path) -> tuple[float, float]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = extract_document(document)
    if result.status == "failed":
        raise SystemExit(f"{document.name} failed: {result.error}")
    return time.perf_counter() - wall, cpu_seconds() - cpu


def time_tesseract(pages: list[Path]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    for page in pages:
        subprocess.run(["tesseract", str(page), "-", "-l", "chi_sim", "--psm", "6"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def loadavg() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=Path, default=GENERATED)
    parser.add_argument("--real", type=Path, nargs="*", default=REAL)
    parser.add_argument("--preset", default="mild", choices=sorted(SCAN_PRESETS))
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--limit", type=int, default=0, help="at most N generated scans")
    parser.add_argument("--cpu", type=int, help="the CPU to pin to (default: the last)")
    args = parser.parse_args(argv)

    print(pin_to_one_cpu(args.cpu), "; OMP_THREAD_LIMIT =", os.environ["OMP_THREAD_LIMIT"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        documents: list[tuple[str, Path]] = []
        for real in args.real:
            if real.exists():
                documents.append(("real", scanned_pdf(real, args.dpi, args.preset, folder)))
        generated = sorted(p for p in args.generated.glob("*")
                           if p.suffix.lower() in IMAGE_SUFFIXES | {".pdf"})
        documents += [("generated", p) for p in generated[:args.limit or None]]
        if not documents:
            print("no scans found")
            return 1
        try:
            from extractor.ocr.engines import warm_up
        except ImportError:  # before engines were kept loaded
            pass
        else:
            warm_up()
        extract_document(documents[0][1])  # a worker's first document: caches, imports
        print(loadavg())
        print(f"{'document':42} {'pages':>5} {'ours s':>7} {'tess s':>7} {'wall ×':>7} "
              f"{'ours cpu':>8} {'tess cpu':>8} {'cpu ×':>6}")
        rows: list[Timing] = []
        for group, document in documents:
            pages = page_images(document, folder / "pages" / document.stem)
            ours_wall, ours_cpu = time_ours(document)
            tess_wall, tess_cpu = time_tesseract(pages)
            row = Timing(f"{group}: {document.name}", len(pages), ours_wall, ours_cpu,
                         tess_wall, tess_cpu)
            rows.append(row)
            print(f"{row.name[:42]:42} {row.pages:>5} {row.ours_wall:>7.2f} "
                  f"{row.tess_wall:>7.2f} {row.wall_ratio:>7.2f} {row.ours_cpu:>8.2f} "
                  f"{row.tess_cpu:>8.2f} {row.cpu_ratio:>6.2f}", flush=True)
        for group in ("real", "generated", "all"):
            chosen = [r for r in rows if group == "all" or r.name.startswith(group)]
            if not chosen:
                continue
            total = Timing(group, sum(r.pages for r in chosen),
                           *(sum(getattr(r, f) for r in chosen)
                             for f in ("ours_wall", "ours_cpu", "tess_wall", "tess_cpu")))
            print(f"overall {group:34} {total.pages:>5} {total.ours_wall:>7.2f} "
                  f"{total.tess_wall:>7.2f} {total.wall_ratio:>7.2f} {total.ours_cpu:>8.2f} "
                  f"{total.tess_cpu:>8.2f} {total.cpu_ratio:>6.2f}")
        print(loadavg(), "; the bar: ours ≤ 0.5 × tesseract")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
