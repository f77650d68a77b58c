"""Label matching is robust to the variants real reports print."""

import pytest

from parsers.labels import clean_cell, core, norm
from parsers.map_proactive import _indexes as proactive_indexes
from parsers.map_requests import match_row


@pytest.mark.parametrize("label,row", [
    ("一、本年新收政府信息公开申请数量", "new_received"),
    ("一、本年新收到政府信息公开申请数量", "new_received"),
    ("本年新收\n政府信息\n公开申请数量", "new_received"),
    ("二、上年转结政府信息公开申请数量", "carried_over"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("四、转结下年度继续办理", "carried_forward"),
    ("四 、结转下年度继续办理", "carried_forward"),
    ("(一)予以公开", "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("（二）部分公开", "partially_granted"),
    ("1.属于国家秘密", "withheld_state_secret"),
    ("1、属于国家秘密", "withheld_state_secret"),
    ("（1）属于国家秘密", "withheld_state_secret"),
    ("3.危及\"三安全一稳定\"", "withheld_security_stability"),
    ("3.危及“三安全一稳定”", "withheld_security_stability"),
    ("2.其他法律行政法规禁止公开", "withheld_law_prohibited"),
    ("2.其它法律行政法规禁止公开", "withheld_law_prohibited"),
    ("1.本机关不掌握相关政府信息", "unavailable_not_held"),
    ("1.本机关不掌握相关的政府信息", "unavailable_not_held"),  # a small variant: fuzzy
    ("5.要求行政机关确认或重新出具已获取信息", "not_processed_confirmation"),
    ("（六）其他处理", "other_handling"),
    ("（七）总计", "handled_total"),
])
def test_request_rows(label, row):
    assert match_row([label]) == row


def test_request_row_uses_group_for_other():
    assert match_row(["三、本年度办理结果", "（六）其他处理", "3.其他"]) == "other_misc"
    assert match_row(["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]) \
        == "other_no_correction"
    assert match_row(["3.其他"]) is None  # without its group "其他" names no row
    # vertical one-char-per-line group cell
    assert match_row(["三、\n本\n年\n度\n办\n理\n结\n果", "（三）不\n予公开", "8.属于行政\n查询事项"]) \
        == "withheld_admin_query"


def test_group_and_header_cells_name_no_row():
    assert match_row(["（三）不予公开"]) is None
    assert match_row(["三、本年度办理结果"]) is None
    assert match_row(["申请人情况"]) is None
    assert match_row(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"]) is None


@pytest.mark.parametrize("label,item", [
    ("规章", "regulations"), ("规范性文件", "normative_documents"), ("行政规范性文件", "normative_documents"),
    ("行政许可", "licensing"), ("其他对外管理服务事项", "other_services"), ("行政处罚", "penalty"),
    ("行政强制", "coercion"), ("行政事业性收费", "fees"), ("政府集中采购", "centralized_procurement"),
    ("行 政 许 可", "licensing"),
])
def test_proactive_items(label, item):
    assert proactive_indexes()[0].match(label) == item


@pytest.mark.parametrize("label,measure", [
    ("本年新\n制作数量", "new_made"), ("本年新公开数量", "new_published"), ("对外公开总数量", "total_published"),
    ("本年增/减", "change"), ("本年增／减", "change"), ("处理决定数量", "decisions"),
    ("本年处理决定数量", "decisions"), ("本年制发件数", "issued"), ("本年废止件数", "repealed"),
    ("现行有效件数", "in_force"), ("本年收费金额（单位：万元）", "amount_yuan"), ("采购总金额（元）", "amount_yuan"),
    ("采购项目数量", "projects"), ("上一年项目数量", "prev_items"),
])
def test_proactive_measures(label, measure):
    assert proactive_indexes()[1].match(label) == measure


def test_norm_variants():
    assert norm("第二十条第（一）项") == norm("第二十条（一）项") == norm("第二十条 第(一)项")
    assert norm("结\n果\n纠\n正") == "结果纠正"
    assert norm("（三）不予公开") == norm("(三)不予公开") == "不予公开"
    assert core("（一）主动公开政府信息数\n（不同渠道和方式公开相同信息计1条）") == "主动公开政府信息数"
    assert norm("其中：涉及国家秘密") == "涉及国家秘密"
    assert clean_cell("[bookmark: Field_1]171") == "171"
