"""The canonical schema of the three statistical tables, as data.

Everything that knows a key, an official label or a layout variant reads it from here:
the reconciler matches against these labels, the samples generator prints them, and the
result lists exactly the keys of a report's layout (``layout_keys``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Format = Literal["2019", "2021"]
ValueKind = Literal["count", "signed", "decimal"]
TableId = Literal["disclosure", "applications", "appeals"]


class ColumnSpec(BaseModel):
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: ValueKind = "count"


class RowSpec(BaseModel):
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # disclosure rows only: the column keys this row has
    group: str | None = None  # applications rows: the group this item belongs to


class GroupSpec(BaseModel):
    """A labelled group of table 三 rows (（三）不予公开 …), or a column group of table 四."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()


class TableSpec(BaseModel):
    id: TableId
    number: str  # 二, 三, 四
    title: str


TABLES: tuple[TableSpec, ...] = (
    TableSpec(id="disclosure", number="二", title="主动公开政府信息情况"),
    TableSpec(id="applications", number="三", title="收到和处理政府信息公开申请情况"),
    TableSpec(id="appeals", number="四", title="政府信息公开行政复议、行政诉讼情况"),
)

# --- Table 二: disclosure ---------------------------------------------------------------

DISCLOSURE_COLUMNS: dict[Format, tuple[ColumnSpec, ...]] = {
    "2021": (
        ColumnSpec(key="issued", label="本年制发件数", aliases=("本年新制发件数", "制发件数")),
        ColumnSpec(key="repealed", label="本年废止件数", aliases=("废止件数",)),
        ColumnSpec(key="in_force", label="现行有效件数", aliases=("有效件数",)),
        ColumnSpec(key="decisions", label="本年处理决定数量", aliases=("处理决定数量",)),
        ColumnSpec(
            key="amount",
            label="本年收费金额（单位：万元）",
            aliases=("本年收费金额", "收费金额（万元）", "收费金额"),
            kind="decimal",
        ),
    ),
    "2019": (
        ColumnSpec(key="made", label="本年新制作数量", aliases=("本年制作数量", "新制作数量")),
        ColumnSpec(key="published", label="本年新公开数量", aliases=("新公开数量",)),
        ColumnSpec(key="total_public", label="对外公开总数量", aliases=("公开总数量",)),
        ColumnSpec(key="previous", label="上一年项目数量", aliases=("上年项目数量",)),
        ColumnSpec(
            key="change", label="本年增/减", aliases=("本年增减", "增/减", "增减"), kind="signed"
        ),
        ColumnSpec(key="decisions", label="处理决定数量", aliases=("本年处理决定数量",)),
        ColumnSpec(key="projects", label="采购项目数量", aliases=("政府集中采购项目数量",)),
        ColumnSpec(
            key="amount",
            label="采购总金额",
            aliases=("政府集中采购总金额", "采购总金额（万元）"),
            kind="decimal",
        ),
    ),
}

DISCLOSURE_ROWS: dict[Format, tuple[RowSpec, ...]] = {
    "2021": (
        RowSpec(key="regulations", label="规章", columns=("issued", "repealed", "in_force")),
        RowSpec(
            key="normative_documents",
            label="行政规范性文件",
            aliases=("规范性文件",),
            columns=("issued", "repealed", "in_force"),
        ),
        RowSpec(key="licensing", label="行政许可", columns=("decisions",)),
        RowSpec(key="punishment", label="行政处罚", columns=("decisions",)),
        RowSpec(key="enforcement", label="行政强制", columns=("decisions",)),
        RowSpec(key="fees", label="行政事业性收费", columns=("amount",)),
    ),
    "2019": (
        RowSpec(key="regulations", label="规章", columns=("made", "published", "total_public")),
        RowSpec(
            key="normative_documents",
            label="规范性文件",
            aliases=("行政规范性文件",),
            columns=("made", "published", "total_public"),
        ),
        RowSpec(key="licensing", label="行政许可", columns=("previous", "change", "decisions")),
        RowSpec(
            key="other_services",
            label="其他对外管理服务事项",
            columns=("previous", "change", "decisions"),
        ),
        RowSpec(key="punishment", label="行政处罚", columns=("previous", "change", "decisions")),
        RowSpec(key="enforcement", label="行政强制", columns=("previous", "change", "decisions")),
        RowSpec(key="fees", label="行政事业性收费", columns=("previous", "change")),
        RowSpec(key="procurement", label="政府集中采购", columns=("projects", "amount")),
    ),
}

# Section rows of table 二 that carry no values (第二十条第（一）项 …) and its header cell.
DISCLOSURE_SECTION_PREFIX = "第二十条"
DISCLOSURE_HEADER_LABEL = "信息内容"

# --- Table 三: applications -------------------------------------------------------------

APPLICATION_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(key="natural_person", label="自然人"),
    ColumnSpec(key="commercial", label="商业企业", aliases=("企业",)),
    ColumnSpec(key="research", label="科研机构"),
    ColumnSpec(key="nonprofit", label="社会公益组织", aliases=("公益组织",)),
    ColumnSpec(key="legal_service", label="法律服务机构"),
    ColumnSpec(key="other_org", label="其他"),
    ColumnSpec(key="total", label="总计", aliases=("合计总计",)),
)
ORG_SUBTOTAL_COLUMN = ColumnSpec(key="org_subtotal", label="小计", aliases=("合计",))
ORG_COLUMNS: tuple[str, ...] = ("commercial", "research", "nonprofit", "legal_service", "other_org")
APPLICANT_COLUMNS: tuple[str, ...] = ("natural_person", *ORG_COLUMNS)
ORG_GROUP_LABEL = "法人或其他组织"
APPLICANT_HEADER_LABEL = "申请人情况"
# The note the 2021 template prints in the header's corner: no row or column of its own.
APPLICATION_NOTE_LABEL = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

APPLICATION_GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(key="results", label="三、本年度办理结果", aliases=("本年度办理结果", "办理结果")),
    GroupSpec(key="denied", label="（三）不予公开"),
    GroupSpec(key="unavailable", label="（四）无法提供"),
    GroupSpec(key="not_processed", label="（五）不予处理"),
    GroupSpec(key="other", label="（六）其他处理"),
)
# Groups whose items may be replaced or accompanied by a subtotal (`<group>.subtotal`).
SUBTOTAL_GROUPS: tuple[str, ...] = ("denied", "unavailable", "not_processed", "other")
SUBTOTAL_LABELS: tuple[str, ...] = ("小计", "合计")

APPLICATION_ROWS: tuple[RowSpec, ...] = (
    RowSpec(
        key="new_received",
        label="一、本年新收政府信息公开申请数量",
        aliases=("本年新收申请数量",),
    ),
    RowSpec(
        key="carried_over",
        label="二、上年结转政府信息公开申请数量",
        aliases=("上年结转申请数量",),
    ),
    RowSpec(key="granted", label="（一）予以公开"),
    RowSpec(
        key="partially_granted",
        label="（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        aliases=("（二）部分公开",),
    ),
    RowSpec(key="denied.state_secret", label="1.属于国家秘密", group="denied"),
    RowSpec(key="denied.prohibited_by_law", label="2.其他法律行政法规禁止公开", group="denied"),
    RowSpec(key="denied.endangers_security", label="3.危及“三安全一稳定”", group="denied"),
    RowSpec(key="denied.third_party_rights", label="4.保护第三方合法权益", group="denied"),
    RowSpec(key="denied.internal_affairs", label="5.属于三类内部事务信息", group="denied"),
    RowSpec(key="denied.process_information", label="6.属于四类过程性信息", group="denied"),
    RowSpec(key="denied.enforcement_case_file", label="7.属于行政执法案卷", group="denied"),
    RowSpec(key="denied.administrative_query", label="8.属于行政查询事项", group="denied"),
    RowSpec(key="unavailable.not_held", label="1.本机关不掌握相关政府信息", group="unavailable"),
    RowSpec(
        key="unavailable.needs_creation", label="2.没有现成信息需要另行制作", group="unavailable"
    ),
    RowSpec(key="unavailable.still_unclear", label="3.补正后申请内容仍不明确", group="unavailable"),
    RowSpec(key="not_processed.petition", label="1.信访举报投诉类申请", group="not_processed"),
    RowSpec(key="not_processed.duplicate", label="2.重复申请", group="not_processed"),
    RowSpec(key="not_processed.publication", label="3.要求提供公开出版物", group="not_processed"),
    RowSpec(key="not_processed.excessive", label="4.无正当理由大量反复申请", group="not_processed"),
    RowSpec(
        key="not_processed.confirmation",
        label="5.要求行政机关确认或重新出具已获取信息",
        group="not_processed",
    ),
    RowSpec(
        key="other.no_correction",
        label="1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        aliases=("1.申请人无正当理由逾期不补正",),
        group="other",
    ),
    RowSpec(
        key="other.unpaid_fee",
        label="2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        aliases=("2.申请人逾期未按收费通知要求缴纳费用",),
        group="other",
    ),
    RowSpec(key="other.other", label="3.其他", group="other"),
    RowSpec(key="total", label="（七）总计", aliases=("总计",)),
    RowSpec(key="carried_forward", label="四、结转下年度继续办理", aliases=("结转下年度继续办理",)),
)
OTHER_ITEM_KEYS: tuple[str, ...] = ("other.no_correction", "other.unpaid_fee", "other.other")

# --- Table 四: appeals ------------------------------------------------------------------

APPEAL_GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(key="review", label="行政复议"),
    GroupSpec(key="litigation_direct", label="未经复议直接起诉", aliases=("直接起诉",)),
    GroupSpec(key="litigation_after_review", label="复议后起诉"),
)
APPEAL_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(key="upheld", label="结果维持"),
    ColumnSpec(key="corrected", label="结果纠正"),
    ColumnSpec(key="other", label="其他结果"),
    ColumnSpec(key="pending", label="尚未审结"),
    ColumnSpec(key="total", label="总计"),
)
LITIGATION_LABEL = "行政诉讼"


# --- Layouts ----------------------------------------------------------------------------


class Layout(BaseModel):
    """Which variant of the canonical schema a report uses: it decides the key set."""

    format: Format = "2021"
    other_single_row: bool = False  # （六）其他处理 is one row with values → other.subtotal
    subtotal_groups: tuple[str, ...] = ()  # groups with a 小计 row (besides the single 其他处理)
    org_subtotal: bool = False  # the 小计 column under 法人或其他组织

    def application_row_keys(self) -> list[str]:
        keys: list[str] = []
        for row in APPLICATION_ROWS:
            if row.key in OTHER_ITEM_KEYS and self.other_single_row:
                continue
            keys.append(row.key)
            if row.group and self._ends_group(row) and row.group in self.subtotal_groups:
                keys.append(f"{row.group}.subtotal")
            if row.key == "not_processed.confirmation" and self.other_single_row:
                keys.append("other.subtotal")
        return keys

    @staticmethod
    def _ends_group(row: RowSpec) -> bool:
        items = [r.key for r in APPLICATION_ROWS if r.group == row.group]
        return row.key == items[-1]

    def application_column_keys(self) -> list[str]:
        cols = [c.key for c in APPLICATION_COLUMNS]
        if self.org_subtotal:
            cols.insert(cols.index("total"), "org_subtotal")
        return cols


def disclosure_keys(fmt: Format) -> list[str]:
    return [f"disclosure.{r.key}.{c}" for r in DISCLOSURE_ROWS[fmt] for c in r.columns]


def disclosure_column(fmt: Format, key: str) -> ColumnSpec:
    return next(c for c in DISCLOSURE_COLUMNS[fmt] if c.key == key)


def value_kind(key: str, fmt: Format = "2021") -> ValueKind:
    """The kind of value a full key holds: counts, signed changes or decimal amounts."""
    if key.startswith("disclosure."):
        return disclosure_column(fmt, key.rsplit(".", 1)[1]).kind
    return "count"


def layout_keys(layout: Layout) -> list[str]:
    """Every canonical key a report of this layout has, in reading order."""
    keys = disclosure_keys(layout.format)
    cols = layout.application_column_keys()
    keys += [f"applications.{r}.{c}" for r in layout.application_row_keys() for c in cols]
    keys += [f"appeals.{g.key}.{c.key}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS]
    return keys
