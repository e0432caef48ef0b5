"""Scanned and photographed versions of a sample report.

The born-digital report is rendered to pixels (pypdfium2) at the job's dpi, degraded page by
page (samples/degrade.py) and saved as an image-only PDF (kind ``scan``) or as image files
(kind ``image``: a multi-page TIFF, or one long PNG/JPEG of the pages stacked, as reports are
shared on social media). To keep the committed set small, a job may keep only the title page
and the pages holding the tables; the truth still covers every cell.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from samples import degrade
from samples.imagepdf import write_image_pdf
from samples.makers import render_pdf
from samples.values import Printed
from samples.variant import Variant

if TYPE_CHECKING:
    from samples.generate import Job

# Degradation profiles: parameter ranges drawn per document.
PROFILES: dict[str, dict[str, Any]] = {
    "office": dict(skew=1.0, blur=(0.3, 0.6), noise=(2, 4), light=(0.0, 0.08), quality=(55, 70)),
    "poor": dict(skew=2.0, blur=(0.8, 1.2), noise=(5, 8), light=(0.1, 0.2), quality=(35, 50)),
    "photo": dict(
        skew=1.5,
        blur=(0.6, 1.0),
        noise=(4, 6),
        light=(0.25, 0.4),
        quality=(55, 70),
        perspective=0.03,
    ),
    "clean": dict(skew=0.0, blur=(0.0, 0.0), noise=(0, 0), light=(0.0, 0.0), quality=(85, 90)),
    "fax": dict(
        skew=0.8, blur=(0.4, 0.6), noise=(3, 5), light=(0.0, 0.05), quality=(80, 80), binary=True
    ),
}


def rasterize(pdf: Path, dpi: int, pages: list[int]) -> list[np.ndarray]:
    """The given 1-based pages of ``pdf`` as RGB arrays at ``dpi``."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for n in pages:
            bitmap = doc[n - 1].render(scale=dpi / 72)
            out.append(np.asarray(bitmap.to_pil().convert("RGB")).copy())
        return out
    finally:
        doc.close()


def kept_pages(v: Variant, total: int, keep: str) -> list[int]:
    if keep == "all":
        return list(range(1, total + 1))
    pages = {1}
    for info in v.tables.values():
        pages.update(info["pages"])
    return sorted(pages)


def degrade_pages(
    pages: list[np.ndarray],
    page_numbers: list[int],
    v: Variant,
    dpi: int,
    profile: str,
    seed: str,
) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Apply the profile's chain to every page; returns the pages and what was done."""
    p = PROFILES[profile]
    rng = np.random.default_rng(
        int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "little")
    )
    applied: dict[str, Any] = {"profile": profile, "pages": []}
    # the seal goes over the right part of table 四 (close to where the signature is)
    seal_box = v.tables["appeals"]["boxes"][-1]
    out = []
    for img, number in zip(pages, page_numbers, strict=True):
        steps: dict[str, Any] = {"page": number}
        img = degrade.paper(img, rng)
        if number == seal_box[0]:
            scale = dpi / 72
            cx = (seal_box[1] + (seal_box[3] - seal_box[1]) * rng.uniform(0.55, 0.8)) * scale
            cy = (seal_box[2] + seal_box[4]) / 2 * scale + rng.uniform(-20, 40) * scale
            img = degrade.seal(img, rng, dpi, v.agency, (cx, cy))
            steps["seal"] = [round(cx / scale, 1), round(cy / scale, 1)]
        if p.get("perspective"):
            img = degrade.perspective(img, rng, p["perspective"])
            steps["perspective"] = p["perspective"]
        if p["skew"]:
            angle = float(rng.uniform(-p["skew"], p["skew"]))
            img = degrade.rotate(img, angle)
            steps["skew"] = round(angle, 2)
        if p["light"][1]:
            strength = float(rng.uniform(*p["light"]))
            img = degrade.uneven_lighting(img, rng, strength)
            steps["lighting"] = round(strength, 2)
        if p["blur"][1]:
            sigma = float(rng.uniform(*p["blur"])) * dpi / 200
            img = degrade.blur(img, sigma)
            steps["blur"] = round(sigma, 2)
        if p["noise"][1]:
            sigma = float(rng.uniform(*p["noise"]))
            img = degrade.noise(img, rng, sigma)
            steps["noise"] = round(sigma, 1)
        if p.get("binary"):
            img = degrade.binarize(img)
            steps["binary"] = True
        elif profile == "poor":
            img = degrade.jpeg(img, 40)  # saved twice along the way
            steps["jpeg_twice"] = True
        out.append(img)
        applied["pages"].append(steps)
    applied["quality"] = int(rng.integers(p["quality"][0], p["quality"][1] + 1))
    return out, applied


def _long_image(pages: list[np.ndarray]) -> Image.Image:
    """Pages stacked top to bottom with a thin grey gap, as in a shared 长图."""
    gap = 12
    w = max(p.shape[1] for p in pages)
    h = sum(p.shape[0] for p in pages) + gap * (len(pages) - 1)
    canvas = Image.new("RGB", (w, h), (200, 200, 200))
    y = 0
    for p in pages:
        canvas.paste(Image.fromarray(p), (0, y))
        y += p.shape[0] + gap
    return canvas


def write_scan(
    job: Job, out: Path, v: Variant, cells: dict[str, Printed], rng: random.Random
) -> dict:
    """Generate the scan/image document of ``job`` under ``out/scan``; returns the truth."""
    from samples.generate import truth, write_json

    folder = out / "scan"
    folder.mkdir(parents=True, exist_ok=True)
    dpi = int(job.scan["dpi"])
    fmt = job.scan.get("format", "pdf")
    profile = job.scan.get("profile", "office")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        total = render_pdf(job.maker, pdf, v, cells, rng)
        numbers = kept_pages(v, total, job.scan.get("keep", "tables"))
        pages = rasterize(pdf, dpi, numbers)
    pages, applied = degrade_pages(pages, numbers, v, dpi, profile, job.seed)
    quality = applied["quality"]
    grey = bool(job.scan.get("grey", False))
    kind = "scan" if fmt == "pdf" else "image"
    if fmt == "pdf":
        target = folder / f"{job.name}.pdf"
        write_image_pdf(target, [degrade.encode_jpeg(p, quality, grey) for p in pages], dpi)
        page_count = len(pages)
    elif fmt == "tiff":
        target = folder / f"{job.name}.tif"
        if applied.get("profile") == "fax":
            images = [Image.fromarray(p).convert("L").convert("1") for p in pages]
            options: dict[str, Any] = {"compression": "group4"}
        else:
            images = [Image.fromarray(p).convert("L") for p in pages]
            options = {"compression": "jpeg", "quality": quality}
        images[0].save(target, save_all=True, append_images=images[1:], dpi=(dpi, dpi), **options)
        page_count = len(images)
    else:
        long = _long_image(pages)
        suffix = {"png": "png", "jpeg": "jpg"}[fmt]
        target = folder / f"{job.name}.{suffix}"
        if fmt == "png":
            long.save(target, "PNG", dpi=(dpi, dpi), optimize=True)
        else:
            long.save(target, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
        page_count = 1
    record = truth(v, cells, target.name, kind, page_count)
    record["dpi"] = dpi
    applied.update(format=fmt, grey=grey, source_pages=numbers, source_page_count=total)
    record["variant"]["scan"] = applied
    write_json(folder / f"{job.name}.json", record)
    return record
