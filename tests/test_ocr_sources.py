"""Text-layer trust and page-image loading (the OCR path's inputs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from extractor.sources.images import (
    estimate_dpi,
    load_image_frames,
    load_image_pages,
    render_pdf_page,
)
from extractor.sources.trust import classify_chars, classify_text_layer

ROOT = Path(__file__).resolve().parent.parent
HZQ = ROOT / "samples" / "real" / "hzq2023.pdf"



def test_real_pdf_text_layer_is_good() -> None:
    with pdfplumber.open(HZQ) as pdf:
        assert [classify_text_layer(p) for p in pdf.pages] == ["good"] * 5


def test_image_only_pdf_has_no_text_layer(tmp_path: Path) -> None:
    page = render_pdf_page(HZQ, 2, 72)
    path = tmp_path / "scan.pdf"
    Image.fromarray(page[:, :, ::-1]).save(path, resolution=72)
    with pdfplumber.open(path) as pdf:
        assert classify_text_layer(pdf.pages[0]) == "none"


@pytest.mark.parametrize(
    "chars",
    [
        [f"(cid:{i})" for i in range(200)],  # no ToUnicode map
        [chr(0xE000 + i % 300) for i in range(300)],  # private use area
        list("Ãæ¹Ø¶Óë¹«¿ªÇé¿ö" * 20),  # GBK bytes decoded as Latin-1
        [chr(0x9F00 + i % 150) for i in range(300)],  # CJK, but rare characters only
        [chr(0xE000 + i) for i in range(12)],  # a short page (a table's tail) in such a font
        list("政府信息公开" * 4) + [chr(0xE000), chr(0xE001)],  # 2 of 26 undecodable
    ],
)
def test_garbled_text_layers(chars: list[str]) -> None:
    assert classify_chars(chars) == "garbled"


def test_real_text_survives_a_few_cid_codes() -> None:
    with pdfplumber.open(HZQ) as pdf:
        texts = [c["text"] for c in pdf.pages[2].chars]
    assert classify_chars(texts + ["(cid:3)"] * 3) == "good"


def test_render_is_bgr_at_the_asked_resolution() -> None:
    image = render_pdf_page(HZQ, 0, 100)
    assert image.dtype == np.uint8 and image.shape[2] == 3
    assert abs(image.shape[1] - 595 * 100 / 72) <= 2


def test_multipage_tiff_and_dpi(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (827, 1169), (255, 255, 255 - i)) for i in range(3)]
    path = tmp_path / "pages.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(100, 100))
    images, dpi = load_image_pages(path)
    assert len(images) == 3 and dpi == pytest.approx(100, abs=1)
    pages = load_image_frames(path)
    assert len(pages) == 3
    assert pages[0].dpi == pytest.approx(100, abs=1) and not pages[0].dpi_estimated
    assert pages[2].image[0, 0].tolist() == [253, 255, 255]  # BGR

    jpeg = tmp_path / "photo.jpg"
    frames[0].resize((1654, 2338)).save(jpeg)  # no DPI in the file: A4 is assumed
    (page,) = load_image_frames(jpeg)
    assert page.dpi_estimated and page.dpi == pytest.approx(200, abs=2)


def test_a_photo_tagged_as_turned_is_loaded_upright_and_a_gray_scan_as_bgr(
        tmp_path: Path) -> None:
    """A phone stores its photo as the sensor saw it, with an EXIF tag saying how to turn
    it (6: a quarter turn clockwise): the page is read as the tag shows it."""
    photo = Image.new("RGB", (300, 100), (255, 255, 255))
    photo.paste((0, 0, 0), (0, 0, 100, 100))  # ink on the left, as stored
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "photo.jpg"
    photo.save(path, exif=exif)
    (page,) = load_image_frames(path)
    assert page.image.shape[:2] == (300, 100)  # turned: now tall
    assert page.image[:90].mean() < 40 and page.image[110:].mean() > 215  # ink on top

    gray = tmp_path / "gray.png"
    Image.new("L", (50, 40), 200).save(gray)
    (page,) = load_image_frames(gray)
    assert page.image.shape == (40, 50, 3) and page.image[0, 0].tolist() == [200, 200, 200]


def test_estimate_dpi_landscape() -> None:
    assert estimate_dpi(3508, 2480) == pytest.approx(300, abs=1)


def test_estimate_dpi_of_pages_stacked_in_one_long_image() -> None:
    """Five A4 pages at 200 dpi shared as one picture without a resolution: its width is a
    page's. Averaged with its length, the guess was 500 dpi, and every size in inches the
    reader judges by was two and a half times too large."""
    assert estimate_dpi(1654, 5 * 2339) == pytest.approx(200, abs=1)
