"""tesseract kept loaded (tesserocr's C API) against tesseract's command line (pytesseract).

Both read the same cell crops of a real report page (hzq2023, rendered at 200 dpi and
degraded like a scan): the texts must be the same and the confidences on the same scale,
so the reader flags (below 0.8) and re-reads (below 0.95) the same cells either way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.ocr import available_engines
from extractor.ocr.cells import cell_ink, faint_level
from extractor.ocr.engines import TesseractEngine, _api, _tesserocr_ok
from extractor.ocr.lines import find_tables
from extractor.ocr.preprocess import prepare
from extractor.ocr.reading import OCR_FLAG_THRESHOLD, VERIFY_BELOW, _value_shaped
from extractor.ocr.synth import SCAN_PRESETS, degrade
from extractor.sources.images import render_pdf_page

HZQ = Path(__file__).resolve().parent.parent / "samples" / "real" / "hzq2023.pdf"

pytestmark = [
    pytest.mark.skipif("tesseract" not in available_engines(), reason="tesseract not installed"),
    pytest.mark.skipif(not _tesserocr_ok(), reason="tesserocr not installed"),
]


@pytest.fixture(scope="module")
def crops() -> dict[str, list]:
    """One-line ink crops of every non-blank cell of page 3's tables, by kind."""
    image, _ = degrade(render_pdf_page(HZQ, 2, 200), SCAN_PRESETS["mild"], 200)
    prepared = prepare(image, 200)
    out: dict[str, list] = {"value": [], "label": []}
    for table in find_tables(prepared.binary, 200, prepared.stamp):
        faint = faint_level(prepared.gray, prepared.binary)
        for cell in table.cells:
            ink = cell_ink(prepared.gray, prepared.binary, cell.box, table.line_px, 200, faint)
            if ink.blank or ink.dash:
                continue
            if _value_shaped(ink):
                out["value"].append(ink.crop)
            else:
                out["label"] += ink.line_crops or [ink.crop]
    assert len(out["value"]) > 50 and len(out["label"]) > 20
    return out


@pytest.mark.parametrize("kind", ["value", "label"])
def test_loaded_engine_reads_as_the_command_line(crops: dict[str, list], kind: str) -> None:
    api = TesseractEngine(backend="api").read(crops[kind], kind)
    cli = TesseractEngine(backend="cli").read(crops[kind], kind)
    # The wheel's libtesseract (5.5) is newer than Debian's command line (5.3): crops
    # read at a confidence that flags them anyway (garbage, 0.0) may read differently, but
    # what either side is sure of both read alike.
    sure = [(a, c) for a, c in zip(api, cli, strict=True)
            if max(a.confidence, c.confidence) >= OCR_FLAG_THRESHOLD]
    assert len(sure) >= 0.5 * len(cli)
    assert all(a.text == c.text for a, c in sure), [(a, c) for a, c in sure if a.text != c.text]
    for a, c in sure:
        assert abs(a.confidence - c.confidence) <= 0.08, (a, c)
    # Values between the two thresholds are re-read by the second engine; labels are not.
    for threshold in (OCR_FLAG_THRESHOLD, VERIFY_BELOW) if kind == "value" else (
            OCR_FLAG_THRESHOLD,):
        agree = sum((a.confidence < threshold) == (c.confidence < threshold)
                    for a, c in zip(api, cli, strict=True))
        assert agree >= 0.95 * len(cli), threshold


def test_engine_is_loaded_once_per_thread(crops: dict[str, list]) -> None:
    engine = TesseractEngine(backend="api")
    engine.read(crops["value"][:3], "value")
    loaded = _api("eng", 6, "0123456789.,-/")
    engine.read(crops["value"][3:6], "value")
    TesseractEngine(backend="api").read(crops["value"][:3], "value")
    assert _api("eng", 6, "0123456789.,-/") is loaded


def test_single_crop_read(crops: dict[str, list]) -> None:
    crop = crops["value"][0]
    api = TesseractEngine(backend="api").read_single(crop, "value")
    cli = TesseractEngine(backend="cli").read_single(crop, "value")
    assert api.text == cli.text and api.text
