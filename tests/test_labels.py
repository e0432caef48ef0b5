import pytest

from extractor.reconcile import vocabulary as vocab
from extractor.reconcile.labels import best_match, content, split_numbering


@pytest.mark.parametrize(
    "printed, number, rest",
    [("（三）不予公开", "3", "不予公开"), ("1、属于国家秘密", "1", "属于国家秘密"),
     ("(2)重复申请", "2", "重复申请"), ("3．其他", "3", "其他"), ("规章", None, "规章"),
     ("二丶上年结转", "2", "上年结转")],  # 丶: how RapidOCR reads 、
)
def test_numbering_styles(printed, number, rest):
    assert split_numbering(printed) == (number, rest)


def test_spaced_and_wrapped_label_content():
    assert content("三 、本 年 度办 理 结果") == "本年度办理结果"
    assert content("社会\n公益\n组织") == "社会公益组织"


@pytest.mark.parametrize(
    "printed, key",
    [
        ("2.其他法律行政止公开", "denied.prohibited_by_law"),  # cut short, as printed in hzq2023
        ("4.无正当理由大量反复 申请", "not_processed.excessive"),
        ("5.要求行政机关确认或重 新出具\n已获取信息", "not_processed.confirmation"),
        ("（1）属于国家秘密", "denied.state_secret"),
        ("1、属于国家秘蜜", "denied.state_secret"),  # one character misread
        ("3.危及\"三安全一稳定\"", "denied.endangers_security"),
    ],
)
def test_item_labels_match(printed, key):
    cands = vocab.application_items("denied") + vocab.application_items("not_processed")
    match = best_match(printed, cands)
    assert match is not None and match.key == key


def test_group_context_decides_between_items_sharing_a_number():
    other = best_match("3.其他", vocab.application_items("other"))
    assert other is not None and other.key == "other.other"


def test_unrelated_text_does_not_match():
    assert best_match("政务公开工作取得一定成效", vocab.application_all_rows()) is None
    assert best_match("予以公开", vocab.APPLICATION_GROUP_LABELS, threshold=0.8) is None


def test_headings_and_columns():
    heading = best_match("三、收到和处理政府信息公开申请情况", vocab.TABLE_HEADINGS)
    assert heading.key == "applications"
    assert best_match("商业\n企业", vocab.APPLICATION_COLUMN_LABELS).key == "commercial"
    assert best_match("其他", vocab.APPLICATION_COLUMN_LABELS).key == "other_org"
    assert best_match("本年制发件数", vocab.disclosure_columns("2021")).key == "issued"
    assert best_match("本年增/减", vocab.disclosure_columns("2019")).key == "change"


def test_a_cell_holding_two_rows_labels_is_no_match():
    """规章 and 规范性文件 read as one label cell (their rows' values beside it): matched
    whole it looked like 规范性文件 and took 规章's values, unflagged. A label wrapped over
    lines still matches its one row."""
    assert best_match("规章\n规范性文件", vocab.disclosure_rows()) is None
    assert best_match("规范性文件", vocab.disclosure_rows()).key == "normative_documents"
    wrapped = "1.申请人无正当理由逾期不补\n正、行政机关不再处理其政府\n信息公开申请"
    assert best_match(wrapped, vocab.application_all_rows()).key == "other.no_correction"
