"""Which backend reads a file: decided by its content, not its name."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from extractor.errors import BrokenFileError, EmptyDocumentError, UnsupportedFileError
from extractor.limits import check_zip_size, damaged_word
from extractor.sources.base import SourceDocument

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003, WPS, Excel .xls


def sniff(path: Path) -> str:
    """'pdf', 'image', 'html' or 'docx' from the first bytes of the file."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head:
        raise EmptyDocumentError(f"{path.name} is empty (0 bytes); the download may have failed")
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(IMAGE_MAGIC):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "docx"  # or another zip: `_read_word` looks inside
    if head.startswith(OLE_MAGIC):
        raise UnsupportedFileError(
            f"{path.name} is an old-format Office or WPS file (.doc, .wps, .xls): open it "
            "and save it as .docx, or export it to PDF"
        )
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in lowered:
        return "html"
    raise UnsupportedFileError(
        f"{path.name} is not a PDF, image, web page or Word file this tool can read"
    )


def read_source(path: Path) -> SourceDocument:
    kind = sniff(path)
    if kind == "pdf":
        from extractor.sources.pdf import read_pdf

        return read_pdf(path)
    if kind == "html":
        from extractor.sources.html import read_html

        return read_html(path)
    if kind == "image":
        from extractor.sources.scan import read_image_file

        return read_image_file(path)
    return _read_word(path)


def _read_word(path: Path) -> SourceDocument:
    """A .docx, its unpacked size checked first; a damaged zip is an ordinary bad input.

    python-docx lets the zip, zlib and XML errors of a damaged file through as they are.
    """
    from lxml.etree import LxmlError

    from extractor.sources.word import read_docx

    if "word/document.xml" not in check_zip_size(path):
        raise UnsupportedFileError(
            f"{path.name} is a zip archive (or an Excel/PowerPoint file), not a Word "
            "document: unpack it and give the reports inside, one file each"
        )
    try:
        return read_docx(path)
    except (zipfile.BadZipFile, zlib.error, LxmlError, KeyError, ValueError, EOFError,
            OSError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError):
            raise
        raise BrokenFileError(damaged_word(path.name, exc)) from exc
