"""Born-digital PDFs whose text layer is nonsense although the pages look right.

Real reports sometimes come out of a PDF printer with a broken or missing ToUnicode map: the
glyphs are drawn correctly, but copying the text gives garbage, so an extractor must notice
and fall back to OCR. We reproduce that by falsifying the ToUnicode CMap reportlab writes for
each embedded font subset:

- ``shuffled``: every code maps to a wrong CJK character (text reads as random Chinese);
- ``private``: every code maps into the Private Use Area (U+E000…);
- ``missing``: no ToUnicode at all, and codes that are not ASCII (``asciiReadable`` off), so
  extractors can only guess from the byte codes.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from samples import fonts
from samples.render import render_report
from samples.values import Printed
from samples.variant import Variant

if TYPE_CHECKING:
    from samples.generate import Job

MODES = ("shuffled", "private", "missing")
_BFCHAR = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{4})>")


def _false_code_point(code: int, unicode: int, mode: str) -> int:
    if mode == "private":
        return 0xE000 + code
    # a fixed bijection of the BMP's CJK block, so the result is deterministic
    return 0x4E00 + (unicode * 7919 + 1013) % 20902


class GarbledTTFont(TTFont):
    """A TTFont that writes a false (or no) ToUnicode CMap for its subsets."""

    mode = "shuffled"

    def _false_entry(self, m: re.Match) -> str:
        code, unicode = int(m.group(1), 16), int(m.group(2), 16)
        return f"<{m.group(1)}> <{_false_code_point(code, unicode, self.mode):04X}>"

    def addObjects(self, doc) -> None:  # noqa: N802 (reportlab's name)
        before = set(doc.idToObject)
        fonts_before = dict(doc.idToObject["BasicFonts"].dict)
        super().addObjects(doc)
        for name in set(doc.idToObject) - before:
            if not name.startswith("toUnicodeCMap:"):
                continue
            stream = doc.idToObject[name]
            if self.mode == "missing":
                stream.content = ""
                continue
            stream.content = _BFCHAR.sub(self._false_entry, stream.content)
        if self.mode == "missing":
            for key, font in doc.idToObject["BasicFonts"].dict.items():
                if key not in fonts_before and hasattr(font, "ToUnicode"):
                    del font.ToUnicode


def register_garbled(mode: str) -> str:
    """Register garbled twins of all sample fonts; returns the name prefix to render with."""
    prefix = f"garbled-{mode}-"
    for font_id, (path, index) in fonts.FONTS.items():
        name = prefix + font_id
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        cls = type(f"Garbled_{mode}", (GarbledTTFont,), {"mode": mode})
        font = cls(name, str(fonts.FONT_DIR / path), subfontIndex=index, asciiReadable=False)
        # registerFont() hands out the first font registered for a face name, so the garbled
        # twin would silently be the normal font (or the other way round): store it directly.
        pdfmetrics._fonts[name] = font
        fonts.register(font_id, prefix)  # records the prefix for the fallback lookup
    return prefix


_CMAP_BLOCK = re.compile(rb"(beginbf(?:char|range))(.*?)(endbf(?:char|range))", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]{2,8})>")
_TO_UNICODE = re.compile(rb"/ToUnicode\s+\d+\s+\d+\s+R")


def _garble_block(m: re.Match, mode: str) -> bytes:
    """Rewrite the destinations of one bfchar/bfrange block (the source codes stay)."""
    body = m.group(2)
    out = []
    for line in body.split(b"\n"):
        codes = _HEX.findall(line)
        n_src = 1 if m.group(1) == b"beginbfchar" else 2
        if len(codes) <= n_src:
            out.append(line)
            continue
        head = b"".join(b"<" + c + b"> " for c in codes[:n_src])
        dests = []
        for c in codes[n_src:]:
            unicode = int(c[:4], 16)
            false = 0xE000 + unicode % 0x1800 if mode == "private" else _false_code_point(
                unicode, unicode, mode)
            dests.append(b"<%04X>" % false)
        tail = b" ".join(dests)
        out.append(head + (b"[" + tail + b"]" if b"[" in line else tail))
    return m.group(1) + b"\n".join(out) + m.group(3)


def garble_pdf(pdf: Path, mode: str) -> None:
    """Falsify the ToUnicode maps of a PDF another program made (qpdf's QDF form, edited).

    ``shuffled``/``private`` rewrite every destination code point (a range keeps its start
    shifted); ``missing`` drops the maps (but pdfminer and others then decode LibreOffice's
    and Chromium's embedded TrueType subsets by their own cmap, so for those makers
    ``write_garbled`` uses ``private`` instead).
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        qdf = Path(tmp) / "in.qdf"
        subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(pdf), str(qdf)],
                       check=True, capture_output=True)
        data = qdf.read_bytes()
        if mode == "missing":
            data = _TO_UNICODE.sub(b"", data)
        else:
            data = _CMAP_BLOCK.sub(lambda m: _garble_block(m, mode), data)
        fixed = Path(tmp) / "fixed.qdf"
        with open(fixed, "wb") as out:
            subprocess.run(["fix-qdf"], input=data, stdout=out, check=True)
        subprocess.run(["qpdf", str(fixed), str(pdf)], check=True, capture_output=True)


def write_garbled(
    job: Job, out: Path, v: Variant, cells: dict[str, Printed], rng: random.Random
) -> dict:
    """Render the report with garbled fonts under ``out/garbled``; returns the truth."""
    from samples.generate import truth, write_json

    folder = out / "garbled"
    folder.mkdir(parents=True, exist_ok=True)
    mode = requested = job.scan.get("mode") or random.Random(job.seed).choice(MODES)
    pdf = folder / f"{job.name}.pdf"
    if job.maker == "reportlab":
        pages = render_report(pdf, v, cells, rng, font_prefix=register_garbled(mode))
    else:  # LibreOffice's or Chromium's PDF, its ToUnicode maps falsified afterwards
        from samples.makers import render_pdf

        pages = render_pdf(job.maker, pdf, v, cells, rng)
        if mode == "missing":  # their embedded TrueType cmaps still decode: nearest is PUA
            mode = "private"
        garble_pdf(pdf, mode)
    record = truth(v, cells, pdf.name, "garbled", pages)
    record["variant"]["garble"] = mode
    if mode != requested:
        record["variant"]["garble_requested"] = requested
    write_json(folder / f"{job.name}.json", record)
    return record
