"""Opening a PDF and reading each page the way it can be trusted: text layer or OCR."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from extractor.errors import BrokenFileError, EmptyDocumentError, EncryptedFileError
from extractor.sources.base import PageContent, SourceDocument
from extractor.sources.pdf_pictures import (
    PagePictures,
    in_reading_order,
    page_pictures,
    read_picture_regions,
)
from extractor.sources.pdf_text import page_grids
from extractor.sources.scan import ocr_pdf_pages, text_layer_trust
from extractor.sources.upright import upright_page


def read_pdf(path: Path) -> SourceDocument:
    try:
        pdf = pdfplumber.open(path)
        page_count = len(pdf.pages)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedFileError(_encrypted(path)) from exc
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        if _is_encryption(exc):
            raise EncryptedFileError(_encrypted(path)) from exc
        raise BrokenFileError(
            f"{path.name} is not a readable PDF (it may be truncated or damaged: {_short(exc)}); "
            "re-download or re-export it"
        ) from exc
    with pdf:
        if page_count == 0:
            raise EmptyDocumentError(f"{path.name} is a PDF with no pages")
        pages: list[PageContent] = []
        untrusted: list[int] = []
        pictured: list[PagePictures] = []
        for index, page in enumerate(pdf.pages):
            number = index + 1
            try:
                page = upright_page(page)  # a page rotated or drawn sideways, turned upright
                trust = text_layer_trust(page)
                if trust == "good":
                    grids, text = page_grids(page, number)
                    pages.append(PageContent(number=number, grids=grids, text=text))
                    found = page_pictures(page, number, grids)
                    if found:  # tables pasted as pictures on a page of real text
                        pictured.append(found)
                else:
                    untrusted.append(number)
                    pages.append(PageContent(number=number, reading="ocr",
                                             notes=[f"page {number}: text layer {trust}"]))
            except (PdfminerException, PDFSyntaxError) as exc:
                raise BrokenFileError(
                    f"{path.name}: page {number} cannot be read ({_short(exc)}); "
                    "the file may be truncated or damaged"
                ) from exc
            finally:
                page.close()  # its characters and layout: a long PDF is read page by page
    if untrusted:
        for content in ocr_pdf_pages(path, untrusted):
            pages[content.number - 1] = content
    for pictures in pictured:
        found, notes = read_picture_regions(path, pictures.number - 1, pictures.turn,
                                            pictures.regions)
        content = pages[pictures.number - 1]
        content.notes += notes
        if found:
            content.grids = in_reading_order(pictures, found)
            content.reading = "text+ocr"
    kind = _kind(pages)
    return SourceDocument(kind=kind, pages=pages, page_count=page_count)


def _kind(pages: list[PageContent]) -> str:
    readings = {p.reading for p in pages}
    if readings == {"text"}:
        return "text"
    if readings == {"ocr"}:
        return "scan"
    return "mixed"


def _is_encryption(exc: BaseException) -> bool:
    chain: BaseException | None = exc
    while chain is not None:
        if isinstance(chain, PDFPasswordIncorrect | PDFEncryptionError):
            return True
        if "password" in str(chain).lower() or "encrypt" in str(chain).lower():
            return True
        chain = chain.__cause__ or chain.__context__
    return False


def _encrypted(path: Path) -> str:
    return (f"{path.name} is encrypted (password-protected); "
            "open it with its password and save an unprotected copy")


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "…"
