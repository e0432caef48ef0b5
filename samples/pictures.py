"""Reports whose tables are pictures, made the way agencies make them.

An agency takes its report, crops each table off the page as a screenshot and pastes the
picture under the section's heading in its Word file; that file is then published as is,
exported to PDF, or put on the web (the picture inline as a `data:` URI, or saved beside
the page in a `<name>_files/` folder, as browsers save "Web page, complete").

`picture_report(pdf, truth, out_dir, stem)` does this to a rendered text PDF (a generated
sample or a real report): the tables are found on the text layer (pdfplumber), cropped
from a pypdfium2 render, and the text lines around them kept as paragraphs, in page order.
The printed values do not change, so the truth is the PDF's own with a new file and kind.

    python -m samples.pictures REPORT.pdf TRUTH.json OUT_DIR [--dpi 200] [--no-pdf]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}
MARGIN_PT = 3.0  # white kept around a table's frame when it is cropped
TEXT_WIDTH_IN = 6.3  # A4 with 1 inch margins less a little: pictures are shrunk to fit


@dataclass
class Block:
    """One thing on a page, top to bottom: a text line or a table's picture."""

    top: float
    text: str = ""
    png: bytes = b""
    width_in: float = 0.0  # printed width of the picture


def page_blocks(pdf_path: Path, dpi: float = 200.0) -> list[list[Block]]:
    """Every page's text lines and table pictures in reading order."""
    pages: list[list[Block]] = []
    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        with pdfplumber.open(pdf_path) as pdf:
            for index, page in enumerate(pdf.pages):
                boxes = [t.bbox for t in page.find_tables(TABLE_SETTINGS) if len(t.rows) >= 2]
                render = doc[index].render(scale=dpi / 72.0).to_pil().convert("RGB")
                blocks = [Block(top=line["top"], text=line["text"].strip())
                          for line in page.extract_text_lines()
                          if line["text"].strip() and not _inside(line, boxes)]
                for x0, top, x1, bottom in boxes:
                    box = [max(x0 - MARGIN_PT, 0), max(top - MARGIN_PT, 0),
                           min(x1 + MARGIN_PT, page.width), min(bottom + MARGIN_PT, page.height)]
                    crop = render.crop(tuple(round(v * dpi / 72.0) for v in box))
                    buffer = io.BytesIO()
                    crop.save(buffer, format="PNG", dpi=(dpi, dpi))
                    blocks.append(Block(top=top, png=buffer.getvalue(),
                                        width_in=(box[2] - box[0]) / 72.0))
                pages.append(sorted(blocks, key=lambda b: b.top))
    finally:
        doc.close()
    return pages


def _inside(line: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def write_docx(pages: list[list[Block]], path: Path) -> None:
    """A Word file: the text as paragraphs, each table a picture at its printed size."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.27), Inches(11.69)
    section.left_margin = section.right_margin = Inches(0.95)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "宋体", Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for blocks in pages:
        for block in blocks:
            if block.png:
                doc.add_picture(io.BytesIO(block.png), width=Inches(min(block.width_in,
                                                                          TEXT_WIDTH_IN)))
            else:
                doc.add_paragraph(block.text)
    doc.save(str(path))


def write_html(pages: list[list[Block]], path: Path, inline: bool) -> None:
    """A web page: pictures as `data:` URIs (`inline`) or files in `<stem>_files/`."""
    folder = path.with_name(f"{path.stem}_files")
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>report</title></head>'
             "<body>"]
    count = 0
    for blocks in pages:
        for block in blocks:
            if not block.png:
                parts.append(f"<p>{_escape(block.text)}</p>")
                continue
            count += 1
            width = round(min(block.width_in, TEXT_WIDTH_IN) * 96)  # CSS pixels
            if inline:
                src = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
            else:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"table{count}.png").write_bytes(block.png)
                src = f"{folder.name}/table{count}.png"
            parts.append(f'<p><img src="{src}" width="{width}" alt="表格"></p>')
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    """Export the Word file to PDF with LibreOffice, as WPS/Word "save as PDF" does."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is needed: apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory(prefix="lo-") as profile:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
                       check=True, capture_output=True, timeout=300)
    return out_dir / f"{docx.stem}.pdf"


def picture_report(pdf: Path, truth: dict, out_dir: Path, stem: str, dpi: float = 200.0,
                   make_pdf: bool = True) -> dict[str, Path]:
    """The report with its tables as pictures: a .docx, two web pages (inline and saved
    folder) and, with LibreOffice, a PDF; each with its truth file beside it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = page_blocks(pdf, dpi)
    made: dict[str, Path] = {}
    made["docx"] = out_dir / f"{stem}-pictures.docx"
    write_docx(pages, made["docx"])
    made["html"] = out_dir / f"{stem}-pictures-inline.html"
    write_html(pages, made["html"], inline=True)
    made["html_files"] = out_dir / f"{stem}-pictures-saved.html"
    write_html(pages, made["html_files"], inline=False)
    if make_pdf:
        made["pdf"] = docx_to_pdf(made["docx"], out_dir)
    kinds = {"docx": "docx", "html": "html", "html_files": "html", "pdf": "mixed"}
    for key, path in made.items():
        copy = dict(truth, file=path.name, kind=kinds[key])
        copy.pop("pages", None)
        copy["variant"] = dict(truth.get("variant") or {}, pictures={"from": pdf.name,
                                                                      "dpi": dpi})
        path.with_suffix(".json").write_text(json.dumps(copy, ensure_ascii=False, indent=1),
                                             encoding="utf-8")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--dpi", type=float, default=200.0)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    made = picture_report(args.pdf, truth, args.out, args.pdf.stem, args.dpi,
                          make_pdf=not args.no_pdf)
    for path in made.values():
        print(path)


if __name__ == "__main__":
    main()
