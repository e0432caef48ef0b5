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


def committed_jobs() -> list[Job]:
    """Every document of the committed set, in generation order."""
    jobs = [
        Job("text", f"t{i:02d}-{name}", f"committed/text/{i}", _DEFAULTS | overrides)
        for i, (name, overrides) in enumerate(TEXT, 1)
    ]
    return jobs
