"""What one sample report looks like: the random choices behind it (``Variant``).

Every choice is drawn from a seeded ``random.Random`` so a seed always gives the same report.
The variant is written into the truth file so a failing extraction can be traced to the
layout feature that caused it.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from models.schema import Format, Layout, layout_keys

# Agency levels and how busy such a body typically is (new applications per year).
LEVELS: dict[str, tuple[int, int]] = {
    "ministry": (150, 2500),
    "province": (200, 3000),
    "city": (60, 700),
    "county": (10, 160),
    "township": (0, 12),
    "bureau": (2, 90),
}

_PLACE_A = "青临云白安东西南北清长永宁平新金丰兴和嘉华泰德明"
_PLACE_B = "山川溪沙平湖江河阳宁城源州岭泉浦林川桥原峰"
_PROVINCES = ["江淮省", "东海省", "南岭省", "北川省", "西江省", "中原省"]
_MINISTRIES = [
    "国家数据标准局",
    "国家林草资源管理局",
    "水利资源部",
    "国家统计调查总局",
    "国家海洋信息局",
    "自然资源规划部",
]
_BUREAUS = [
    "生态环境局",
    "教育局",
    "住房和城乡建设局",
    "市场监督管理局",
    "自然资源和规划局",
    "交通运输局",
    "卫生健康委员会",
    "人力资源和社会保障局",
]


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_A) + rng.choice(_PLACE_B)


def agency_name(rng: random.Random, level: str) -> tuple[str, str]:
    """A fictitious agency of ``level``: (full name, the place/short name used in body text)."""
    if level == "ministry":
        name = rng.choice(_MINISTRIES)
        return name, "本部门"
    if level == "province":
        prov = rng.choice(_PROVINCES)
        return f"{prov}人民政府", prov
    city = _place(rng) + "市"
    if level == "city":
        return f"{city}人民政府", city
    county = _place(rng) + rng.choice(["区", "县"])
    if level == "county":
        return f"{county}人民政府", county
    if level == "township":
        town = _place(rng) + rng.choice(["镇", "乡", "街道"])
        suffix = "办事处" if town.endswith("街道") else "人民政府"
        return f"{county}{town}{suffix}", town
    bureau = rng.choice(_BUREAUS)
    owner = rng.choice([city, county])
    return f"{owner}{bureau}", f"{owner}{bureau}"


FONT_SETS: dict[str, dict[str, str]] = {
    # role -> font id (see samples/fonts.py); the sets imitate 仿宋/宋体/黑体/楷体 documents
    "ming": {"title": "zenhei", "heading": "zenhei", "body": "uming", "table": "uming"},
    "kai": {"title": "uming", "heading": "zenhei", "body": "ukai", "table": "uming"},
    "hei": {"title": "zenhei", "heading": "microhei", "body": "microhei", "table": "microhei"},
    "droid": {"title": "zenhei", "heading": "zenhei", "body": "droid", "table": "droid"},
    "mixed": {"title": "ukai", "heading": "zenhei", "body": "uming", "table": "microhei"},
}

ZERO_STYLES = ("0", "0", "0", "0", "", "-", "—", "/", "－", "无")


@dataclass
class Variant:
    """Every layout and content choice of one generated report."""

    seed: str
    format: Format
    year: int
    level: str
    agency: str
    place: str
    other_single_row: bool
    subtotal_groups: list[str]
    subtotal_position: str  # "after" | "before" | "label_row"
    org_subtotal: bool
    title_style: str  # "agency_first" | "year_first" | "two_lines"
    font_set: str
    body_size: float
    table_size: float
    value_size: float
    margins: tuple[float, float, float, float]  # top, right, bottom, left in points
    rules: str  # "grid" | "frame" | "none"
    line_width: float
    header_fill: bool
    landscape_applications: bool
    keep_tables_together: bool
    repeat_header: bool
    zero_style: dict[str, str]  # table id -> how a zero is printed
    mixed_zeros: bool
    thousands: bool
    fullwidth: float  # share of value cells printed in full-width digits
    amount_unit: str  # "" | "万元" | "元"
    label_noise: str  # "none" | "spaces" | "cut"
    numbering: str  # "1." | "1、" | "（1）" | "1．"
    appeals_header: str  # "nested" | "tall"
    label_widths: tuple[float, float, float]  # share of table 三 width for the label columns
    body_paragraphs: int
    errors: list[str] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)  # filled in by the renderer
    maker: str = "reportlab"  # "reportlab" | "word" | "browser": who made the document
    # what the maker did with the variant (fonts, sizes, and the nearest option it could honour)
    maker_style: dict[str, Any] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        return Layout(
            format=self.format,
            other_single_row=self.other_single_row,
            subtotal_groups=tuple(self.subtotal_groups),
            org_subtotal=self.org_subtotal,
        )

    def layout_keys(self) -> list[str]:
        return layout_keys(self.layout)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("seed", "format", "year", "agency", "place"):
            data.pop(name)
        return data


ERROR_KINDS = (
    "appeals_total_zero",
    "row_total_off",
    "column_total_off",
    "carried_forward_off",
    "item_off",
    "subtotal_off",
    "org_subtotal_off",
)


def choose_variant(seed: str, **overrides: Any) -> Variant:
    """Draw a variant from ``seed``; ``overrides`` pin chosen fields (presets use them)."""
    rng = random.Random(seed)
    year = overrides.get("year", rng.randint(2019, 2025))
    fmt: Format = "2019" if year <= 2020 else "2021"
    fmt = overrides.get("format", fmt)
    level = overrides.get("level", rng.choice(list(LEVELS)))
    agency, place = agency_name(rng, level)
    other_single = fmt == "2019" or rng.random() < 0.3
    subtotal_groups = [g for g in ("denied", "unavailable", "not_processed") if rng.random() < 0.2]
    if not other_single and rng.random() < 0.15:
        subtotal_groups.append("other")
    zero_base = rng.choice(ZERO_STYLES)
    zero_style = {t: zero_base for t in ("disclosure", "applications", "appeals")}
    if rng.random() < 0.3:
        zero_style[rng.choice(list(zero_style))] = rng.choice(ZERO_STYLES)
    body_size = rng.choice([12.0, 14.0, 15.0, 16.0])
    table_size = rng.choice([7.5, 8.0, 9.0, 10.0, 10.5])
    lw = rng.uniform(0.16, 0.28)
    lw_group = rng.uniform(0.1, 0.2)
    values = dict(
        seed=seed,
        format=fmt,
        year=year,
        level=level,
        agency=agency,
        place=place,
        other_single_row=other_single,
        subtotal_groups=subtotal_groups,
        subtotal_position=rng.choice(["after", "after", "before", "label_row"]),
        org_subtotal=rng.random() < 0.2,
        title_style=rng.choice(["agency_first", "year_first", "two_lines"]),
        font_set=rng.choice(list(FONT_SETS)),
        body_size=body_size,
        table_size=table_size,
        value_size=table_size + rng.choice([0.0, 0.0, 1.0, 2.0]),
        margins=(
            rng.choice([60.0, 72.0, 90.0]),
            rng.choice([56.0, 72.0, 80.0]),
            rng.choice([60.0, 72.0, 80.0]),
            rng.choice([56.0, 72.0, 80.0]),
        ),
        rules=rng.choices(["grid", "frame", "none"], weights=[8, 1, 1])[0],
        line_width=rng.choice([0.5, 0.75, 1.0]),
        header_fill=rng.random() < 0.25,
        landscape_applications=rng.random() < 0.15,
        keep_tables_together=rng.random() < 0.4,
        repeat_header=rng.random() < 0.4,
        zero_style=zero_style,
        mixed_zeros=rng.random() < 0.15,
        thousands=rng.random() < 0.4,
        fullwidth=rng.choice([0.0] * 8 + [0.05, 1.0]),
        amount_unit=rng.choice(["", "", "万元", "元"] if fmt == "2019" else ["", "", "", "万元"]),
        label_noise=rng.choices(["none", "spaces", "cut"], weights=[6, 2, 2])[0],
        numbering=rng.choices(["1.", "1、", "（1）", "1．"], weights=[5, 3, 1, 1])[0],
        appeals_header=rng.choice(["nested", "tall"]),
        label_widths=(round(rng.uniform(0.035, 0.06), 3), round(lw_group, 3), round(lw, 3)),
        body_paragraphs=rng.randint(2, 7),
        errors=[],
    )
    if rng.random() < 0.15:
        values["errors"] = rng.sample(ERROR_KINDS, rng.choice([1, 1, 2]))
    values.update(overrides)
    if values["format"] == "2019":
        values["other_single_row"] = True
    if values["other_single_row"] and "other" in values["subtotal_groups"]:
        values["subtotal_groups"] = [g for g in values["subtotal_groups"] if g != "other"]
    return Variant(**values)
