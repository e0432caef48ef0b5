"""tesseract kept loaded (the system's libtesseract) against tesseract's command line.

Both read the same cell crops of a real report page (hzq2023, rendered at 200 dpi and
degraded like a scan): being one library, they must give the same texts and the same
confidences, so the reader flags (below 0.8) and re-reads (below 0.95) the same cells
whichever way tesseract is called.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.ocr import available_engines, libtesseract
from extractor.ocr.cells import cell_ink, faint_level
from extractor.ocr.engines import TesseractEngine, _api
from extractor.ocr.lines import find_tables
from extractor.ocr.preprocess import prepare
from extractor.ocr.reading import _value_shaped
from extractor.ocr.synth import SCAN_PRESETS, degrade
from extractor.sources.images import render_pdf_page

HZQ = Path(__file__).resolve().parent.parent / "samples" / "real" / "hzq2023.pdf"

pytestmark = [
    pytest.mark.skipif("tesseract" not in available_engines(), reason="tesseract not installed"),
    pytest.mark.skipif(not libtesseract.available(), reason="libtesseract not installed"),
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
    assert [(a.text, a.confidence) for a in api] == [(c.text, c.confidence) for c in cli]
    assert sum(bool(c.text) for c in cli) >= 0.9 * len(cli)  # the crops were read at all


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
