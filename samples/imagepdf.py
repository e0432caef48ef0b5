"""Write an image-only PDF: one JPEG per page, passed through unchanged (DCTDecode).

A few dozen lines instead of a dependency, and byte-for-byte deterministic; reportlab
would re-encode (ASCII85) and Pillow would recompress the JPEGs.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image


def write_image_pdf(path: Path, jpegs: list[bytes], dpi: int) -> None:
    """Each JPEG becomes a page whose size in points is its pixel size at ``dpi``."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages = add(b"")
    kids = []
    for data in jpegs:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            space = b"/DeviceGray" if im.mode == "L" else b"/DeviceRGB"
        image = add(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
            % (w, h, space, len(data), data)
        )
        pw, ph = w * 72 / dpi, h * 72 / dpi
        draw = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] "
                b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages, pw, ph, image, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[pages - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    path.write_bytes(bytes(out))
