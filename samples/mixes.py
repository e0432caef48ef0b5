"""Fresh sets of reports made the way agencies make them, for development and measurement.

``makers_jobs(seed)`` is a balanced set of 38 documents drawn from ``seed``: for each maker
(reportlab, Word via LibreOffice, a browser via Chromium) 4 text PDFs, 4 scans (150, 200 and
300 dpi office scans, one poor scan or phone photo; colour or grey; a red seal over table 四,
tilt, JPEG) and a long image, plus a multi-page TIFF, 4 PDFs with a garbled text layer (two of
them 2019-format reports), 3 web pages (the browser's HTML) and 3 Word files. Each maker has
one report with a deliberate arithmetic error. A seed never used while fixing the extractor
measures it honestly (`make bench`, bench/makers_bench.py).
"""

from __future__ import annotations

import random

from samples.generate import Job
from samples.makers import MAKERS
from samples.variant import ERROR_KINDS

FAX = {"dpi": 200, "format": "tiff", "profile": "fax"}


def _long_image(rng: random.Random) -> dict:
    """A long PNG (clean) or JPEG (an office scan) of the whole report, at 150 or 200 dpi."""
    fmt = rng.choice(["png", "jpeg"])
    return {"dpi": rng.choice([150, 200]), "format": fmt,
            "profile": "clean" if fmt == "png" else "office"}


def makers_jobs(seed: str) -> list[Job]:
    """The documents of one fresh makers set, deterministic in ``seed``."""
    rng = random.Random(f"makers-mix/{seed}")
    jobs: list[Job] = []

    def add(kind: str, maker: str, overrides: dict | None = None, scan: dict | None = None):
        n = len(jobs)
        name = f"{kind}-{maker}-{n:02d}"
        jobs.append(Job(kind, name, f"{seed}/{n}", overrides or {}, scan or {}, maker))

    for maker in MAKERS:
        add("text", maker, {"year": rng.choice([2019, 2020])})
        add("text", maker, {"errors": [rng.choice(ERROR_KINDS)]})
        add("text", maker)
        add("text", maker)
        for dpi, profile in ((150, "office"), (200, "office"), (300, "office"),
                             (200, rng.choice(["poor", "photo"]))):
            add("scan", maker, None, {"dpi": dpi, "profile": profile, "grey": rng.random() < 0.3})
        add("image", maker, None, _long_image(rng))
    add("image", rng.choice(MAKERS), None, dict(FAX))
    add("garbled", "reportlab", {"year": 2019}, {"mode": "shuffled"})
    add("garbled", "word", {"year": 2020}, {"mode": "shuffled"})
    # "missing" is made "private" for this maker (see samples/garble.py)
    add("garbled", "browser", None, {"mode": rng.choice(["shuffled", "private", "missing"])})
    add("garbled", "reportlab", None, {"mode": rng.choice(["private", "missing"])})
    for _ in range(3):
        add("html", "browser")
    for _ in range(3):
        add("docx", "word")
    return jobs


def image_jobs(seed: str) -> list[Job]:
    """A set of images only, deterministic in ``seed``: per maker a fax TIFF (two-toned,
    its seal turned black) and two long PNG/JPEG images, the kind of document the makers
    set has least of (one fax per set)."""
    rng = random.Random(f"img/{seed}")
    jobs: list[Job] = []
    for maker in MAKERS:
        for scan in [dict(FAX), _long_image(rng), _long_image(rng)]:
            n = len(jobs)
            jobs.append(Job("image", f"image-{maker}-{n:02d}", f"{seed}/{n}", {}, scan, maker))
    return jobs


def unruled_jobs(seed: str) -> list[Job]:
    """A set of tables printed without rules (or with a frame only), deterministic in
    ``seed``: per maker three scans and a long image. With no cell edges to look inside,
    a blank is told from a lost value by the ink on the page, and this set has the most
    blanks of that kind (zeros printed as blanks in some reports)."""
    rng = random.Random(f"unruled/{seed}")
    jobs: list[Job] = []
    for maker in MAKERS:
        scans = [{"dpi": dpi, "profile": profile, "grey": rng.random() < 0.3}
                 for dpi, profile in ((150, "office"), (200, rng.choice(["office", "poor"])),
                                      (300, "office"))]
        for n_kind, scan in enumerate([*scans, _long_image(rng)]):
            kind = "scan" if n_kind < len(scans) else "image"
            n = len(jobs)
            rules = rng.choice(["none", "none", "frame"])
            jobs.append(Job(kind, f"{kind}-{maker}-{n:02d}", f"{seed}/{n}", {"rules": rules},
                            scan, maker))
    return jobs


MIXES = {"makers": makers_jobs, "images": image_jobs, "unruled": unruled_jobs}
