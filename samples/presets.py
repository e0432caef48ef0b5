"""The committed sample set: each job pins the variant fields it is meant to cover, the seed
draws the rest. ``python -m samples.generate --preset committed`` regenerates it exactly.
"""

from __future__ import annotations

from samples.generate import Job

_DENSE = ["denied", "unavailable", "not_processed"]
# Unless a job pins them: no deliberate errors, ruled grid tables.
_DEFAULTS: dict = {"errors": [], "rules": "grid"}

TEXT: list[tuple[str, dict]] = [
    # name, pinned variant fields
    (
        "county-2019",
        dict(
            year=2019,
            level="county",
            font_set="ming",
            rules="grid",
            zero_style={"disclosure": "0", "applications": "0", "appeals": "0"},
            thousands=True,
            numbering="1.",
            keep_tables_together=True,
        ),
    ),
    (
        "city-2020-dash",
        dict(
            year=2020,
            level="city",
            font_set="kai",
            amount_unit="万元",
            zero_style={"disclosure": "-", "applications": "-", "appeals": "-"},
            org_subtotal=True,
            keep_tables_together=False,
            repeat_header=True,
        ),
    ),
    (
        "province-2021-split",
        dict(
            year=2021,
            level="province",
            font_set="hei",
            keep_tables_together=False,
            repeat_header=True,
            body_paragraphs=6,
            other_single_row=False,
        ),
    ),
    (
        "township-2022-blank",
        dict(
            year=2022,
            level="township",
            font_set="droid",
            zero_style={"disclosure": "", "applications": "", "appeals": ""},
            other_single_row=True,
        ),
    ),
    (
        "bureau-2023-norules",
        dict(
            year=2023,
            level="bureau",
            font_set="mixed",
            rules="none",
            other_single_row=False,
            keep_tables_together=True,
        ),
    ),
    (
        "ministry-2024-frame",
        dict(
            year=2024,
            level="ministry",
            font_set="ming",
            rules="frame",
            landscape_applications=True,
            repeat_header=False,
        ),
    ),
    (
        "county-2025-errors",
        dict(
            year=2025,
            level="county",
            font_set="kai",
            errors=["appeals_total_zero", "row_total_off"],
        ),
    ),
    (
        "city-2021-subtotals",
        dict(
            year=2021,
            level="city",
            font_set="hei",
            other_single_row=False,
            subtotal_groups=_DENSE,
            subtotal_position="after",
            label_widths=(0.04, 0.09, 0.17),
        ),
    ),
    (
        "county-2022-subtotal-before",
        dict(
            year=2022,
            level="county",
            font_set="mixed",
            other_single_row=False,
            subtotal_groups=[*_DENSE, "other"],
            subtotal_position="before",
        ),
    ),
    (
        "province-2023-labelrow",
        dict(
            year=2023,
            level="province",
            font_set="droid",
            other_single_row=False,
            subtotal_groups=["denied"],
            subtotal_position="label_row",
            fullwidth=1.0,
        ),
    ),
    (
        "township-2019-spaces",
        dict(year=2019, level="township", font_set="kai", label_noise="spaces", numbering="1、"),
    ),
    (
        "ministry-2020-cut",
        dict(
            year=2020,
            level="ministry",
            font_set="ming",
            label_noise="cut",
            numbering="（1）",
            errors=["column_total_off"],
            thousands=True,
        ),
    ),
    (
        "county-2023-norules-emdash",
        dict(
            year=2023,
            level="county",
            font_set="hei",
            rules="none",
            zero_style={"disclosure": "—", "applications": "—", "appeals": "—"},
        ),
    ),
    (
        "bureau-2024-wu",
        dict(
            year=2024,
            level="bureau",
            font_set="ming",
            zero_style={"disclosure": "无", "applications": "0", "appeals": "无"},
            keep_tables_together=False,
            repeat_header=False,
            body_paragraphs=7,
        ),
    ),
    (
        "city-2022-slash-errors",
        dict(
            year=2022,
            level="city",
            font_set="kai",
            zero_style={"disclosure": "/", "applications": "/", "appeals": "/"},
            other_single_row=False,
            subtotal_groups=["not_processed"],
            errors=["carried_forward_off", "subtotal_off"],
        ),
    ),
    (
        "county-2021-fullwidth-orgsub",
        dict(
            year=2021,
            level="county",
            font_set="mixed",
            zero_style={"disclosure": "－", "applications": "－", "appeals": "0"},
            fullwidth=0.05,
            org_subtotal=True,
            errors=["org_subtotal_off"],
        ),
    ),
    (
        "province-2025-landscape",
        dict(
            year=2025,
            level="province",
            font_set="hei",
            landscape_applications=True,
            repeat_header=True,
            thousands=True,
            table_size=9.0,
        ),
    ),
    (
        "county-2024-single-other",
        dict(
            year=2024,
            level="county",
            font_set="droid",
            other_single_row=True,
            body_paragraphs=7,
            keep_tables_together=False,
            repeat_header=False,
        ),
    ),
    (
        "city-2020-item-error",
        dict(
            year=2020,
            level="city",
            font_set="mixed",
            amount_unit="元",
            errors=["item_off"],
            mixed_zeros=True,
            zero_style={"disclosure": "0", "applications": "-", "appeals": "0"},
        ),
    ),
    (
        "district-2023-hzq-like",
        dict(
            year=2023,
            level="county",
            font_set="ming",
            other_single_row=True,
            label_noise="cut",
            header_fill=True,
            errors=["appeals_total_zero"],
            keep_tables_together=False,
            repeat_header=False,
            value_size=11.0,
            table_size=8.0,
        ),
    ),
]


GARBLED: list[tuple[str, dict, str]] = [
    # name, pinned variant fields, garbling mode
    ("county-2023-shuffled", dict(year=2023, level="county", font_set="ming"), "shuffled"),
    ("city-2021-private", dict(year=2021, level="city", font_set="hei"), "private"),
    ("ministry-2019-missing", dict(year=2019, level="ministry", font_set="droid"), "missing"),
    (
        "bureau-2024-missing",
        dict(year=2024, level="bureau", font_set="kai", errors=["appeals_total_zero"]),
        "missing",
    ),
]

SCANS: list[tuple[str, dict, dict]] = [
    # name, pinned variant fields, scan options (dpi, format, profile, keep, grey)
    (
        "county-2023-office-200",
        dict(year=2023, level="county", font_set="ming"),
        dict(dpi=200, profile="office"),
    ),
    (
        "city-2020-poor-150",
        dict(year=2020, level="city", font_set="kai"),
        dict(dpi=150, profile="poor"),
    ),
    (
        "province-2022-office-300-grey",
        dict(year=2022, level="province", font_set="hei"),
        dict(dpi=300, profile="office", grey=True),
    ),
    (
        "township-2024-photo-200",
        dict(year=2024, level="township", font_set="mixed"),
        dict(dpi=200, profile="photo"),
    ),
    (
        "bureau-2021-office-150-all",
        dict(
            year=2021,
            level="bureau",
            font_set="droid",
            zero_style={"disclosure": "-", "applications": "", "appeals": "-"},
        ),
        dict(dpi=150, profile="office", keep="all"),
    ),
    (
        "county-2019-poor-300-grey",
        dict(year=2019, level="county", font_set="ming", errors=["row_total_off"]),
        dict(dpi=300, profile="poor", grey=True),
    ),
    (
        "city-2025-photo-150",
        dict(year=2025, level="city", font_set="hei", landscape_applications=True),
        dict(dpi=150, profile="photo"),
    ),
    (
        "county-2022-split-200",
        dict(
            year=2022,
            level="county",
            font_set="kai",
            keep_tables_together=False,
            repeat_header=True,
            other_single_row=True,
        ),
        dict(dpi=200, profile="office"),
    ),
    (
        "ministry-2023-fax-300",
        dict(year=2023, level="ministry", font_set="ming"),
        dict(dpi=300, profile="fax", format="tiff"),
    ),
    (
        "county-2021-tiff-150",
        dict(
            year=2021,
            level="county",
            font_set="mixed",
            subtotal_groups=["denied", "not_processed"],
            other_single_row=False,
        ),
        dict(dpi=150, profile="office", format="tiff"),
    ),
    (
        "district-2024-long-png-150",
        dict(year=2024, level="county", font_set="hei"),
        dict(dpi=150, profile="clean", format="png"),
    ),
    (
        "city-2023-long-jpeg-200",
        dict(year=2023, level="city", font_set="ming", errors=["appeals_total_zero"]),
        dict(dpi=200, profile="office", format="jpeg"),
    ),
    # Tables printed without inner rules: laid out from the text's alignment (unruled.py).
    (
        "bureau-2022-frame-200",
        dict(year=2022, level="bureau", font_set="hei", rules="frame"),
        dict(dpi=200, profile="office"),
    ),
    (
        "county-2024-norules-300",
        dict(year=2024, level="county", font_set="ming", rules="none"),
        dict(dpi=300, profile="clean", format="png"),
    ),
]


DOCX: list[tuple[str, dict]] = [
    ("county-2022-word", dict(year=2022, level="county", subtotal_groups=["denied"])),
    ("bureau-2020-word-errors", dict(year=2020, level="bureau", other_single_row=True,
                                     errors=["row_total_off"])),
]


# Reports made the way agencies make them (samples/makers.py): each is one seed rendered as a
# text PDF by its maker, the .docx / .html it was made from (same truth), and some scans of it.
MADE: list[tuple[str, str, dict, list[dict]]] = [
    # name, maker, pinned variant fields, scans (dpi, profile, grey)
    (
        "county-2023-word-split",
        "word",
        dict(year=2023, level="county", font_set="ming", keep_tables_together=False,
             repeat_header=True, other_single_row=False),
        [dict(dpi=200, profile="office")],
    ),
    (
        "city-2020-word-landscape-errors",
        "word",
        dict(year=2020, level="city", font_set="kai", landscape_applications=True,
             errors=["row_total_off"], keep_tables_together=False, repeat_header=False),
        [dict(dpi=300, profile="office", grey=True)],
    ),
    (
        "county-2022-browser-thead",
        "browser",
        dict(year=2022, level="county", font_set="hei", keep_tables_together=False,
             repeat_header=True, subtotal_groups=["denied"]),
        [dict(dpi=150, profile="office")],
    ),
    (
        "bureau-2024-browser",
        "browser",
        dict(year=2024, level="bureau", font_set="mixed", zero_style={
            "disclosure": "-", "applications": "0", "appeals": "/"}),
        [],
    ),
]


def made_jobs() -> list[Job]:
    """The Word- and browser-made part of the committed set (``m01``…)."""
    jobs = []
    for i, (name, maker, o, scans) in enumerate(MADE, 1):
        seed, stem = f"committed/made/{i}", f"m{i:02d}-{name}"
        jobs.append(Job("text", stem, seed, _DEFAULTS | o, maker=maker))
        source = "docx" if maker == "word" else "html"
        jobs.append(Job(source, stem, seed, _DEFAULTS | o, maker=maker))
        for scan in scans:
            suffix = f"-scan{scan['dpi']}" + ("-grey" if scan.get("grey") else "")
            jobs.append(Job("scan", stem + suffix, seed, _DEFAULTS | o, scan, maker=maker))
    return jobs


def committed_jobs() -> list[Job]:
    """Every document of the committed set, in generation order."""
    jobs = [
        Job("text", f"t{i:02d}-{name}", f"committed/text/{i}", _DEFAULTS | overrides)
        for i, (name, overrides) in enumerate(TEXT, 1)
    ]
    jobs += [
        Job("garbled", f"g{i:02d}-{name}", f"committed/garbled/{i}", _DEFAULTS | o, {"mode": m})
        for i, (name, o, m) in enumerate(GARBLED, 1)
    ]
    for i, (name, o, scan) in enumerate(SCANS, 1):
        kind = "scan" if scan.get("format", "pdf") == "pdf" else "image"
        jobs.append(Job(kind, f"s{i:02d}-{name}", f"committed/scan/{i}", _DEFAULTS | o, scan))
    jobs += [
        Job("docx", f"w{i:02d}-{name}", f"committed/docx/{i}", _DEFAULTS | o)
        for i, (name, o) in enumerate(DOCX, 1)
    ]
    return jobs + made_jobs()
