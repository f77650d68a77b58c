"""Hand-made 2021-format and legacy-format reports (formats-research.md 1.2-1.5 and 4), written as
text dumps the way the seeds are, so that 2021 and legacy mapping are tested, not only 2019."""

import json
from pathlib import Path

import pytest

from parsers import parse

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def table(*rows) -> str:
    """A text-dump table: each cell a TAB line, rows separated by a blank line."""
    out = []
    for row in rows:
        out += ["\t" + c for c in row]
        out.append("")
    return "\n".join(out) + "\n\n"


APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total")
REQ_2021 = [  # (label cells, row key)
    (["一、本年新收政府信息公开申请数量"], "new_received"),
    (["二、上年结转政府信息公开申请数量"], "carried_over"),
    (["三、本年度办理结果", "（一）予以公开"], "granted"),
    (["", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"], "partially_granted"),
    (["", "（三）不予公开", "1.属于国家秘密"], "withheld_state_secret"),
    (["", "", "2.其他法律行政法规禁止公开"], "withheld_law_prohibited"),
    (["", "", "3.危及“三安全一稳定”"], "withheld_security_stability"),
    (["", "", "4.保护第三方合法权益"], "withheld_third_party"),
    (["", "", "5.属于三类内部事务信息"], "withheld_internal_affairs"),
    (["", "", "6.属于四类过程性信息"], "withheld_process_info"),
    (["", "", "7.属于行政执法案卷"], "withheld_enforcement_file"),
    (["", "", "8.属于行政查询事项"], "withheld_admin_query"),
    (["", "（四）无法提供", "1.本机关不掌握相关政府信息"], "unavailable_not_held"),
    (["", "", "2.没有现成信息需要另行制作"], "unavailable_needs_creation"),
    (["", "", "3.补正后申请内容仍不明确"], "unavailable_still_unclear"),
    (["", "（五）不予处理", "1.信访举报投诉类申请"], "not_processed_petition"),
    (["", "", "2.重复申请"], "not_processed_repeat"),
    (["", "", "3.要求提供公开出版物"], "not_processed_publication"),
    (["", "", "4.无正当理由大量反复申请"], "not_processed_excessive"),
    (["", "", "5.要求行政机关确认或重新出具已获取信息"], "not_processed_confirmation"),
    (["", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"], "other_no_correction"),
    (["", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"], "other_fee_unpaid"),
    (["", "", "3.其他"], "other_misc"),
    (["", "（七）总计"], "handled_total"),
    (["四、结转下年度继续办理"], "carried_forward"),
]
# per row, the six applicant numbers (总计 is computed): consistent except where a test changes it
NUMBERS = {
    "new_received": [40, 5, 1, 0, 2, 1], "carried_over": [3, 1, 0, 0, 0, 0],
    "granted": [20, 2, 1, 0, 1, 0], "partially_granted": [3, 1, 0, 0, 0, 0],
    "withheld_state_secret": [1, 0, 0, 0, 0, 0], "withheld_third_party": [2, 0, 0, 0, 0, 0],
    "unavailable_not_held": [8, 1, 0, 0, 1, 0], "not_processed_repeat": [2, 0, 0, 0, 0, 0],
    "other_no_correction": [1, 0, 0, 0, 0, 1], "other_misc": [1, 1, 0, 0, 0, 0],
    "handled_total": [38, 5, 1, 0, 2, 1], "carried_forward": [5, 1, 0, 0, 0, 0],
}


def requests_table(numbers=NUMBERS, blank_totals=False, split_after=None) -> str:
    header = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["", "自然人", "法人或其他组织", "总计"],
        ["", "", "商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他", ""],
    ]
    rows = []
    for labels, key in REQ_2021:
        nums = numbers.get(key, [0] * 6)
        total = "" if blank_totals else str(sum(nums))
        rows.append(labels + [str(n) for n in nums] + [total])
    if split_after is None:
        return table(*header, *rows)
    return table(*header, *rows[:split_after]) + "\n" + table(*rows[split_after:])


APPEALS = [2, 1, 0, 1, 4, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1]


def appeals_table(values=APPEALS) -> str:
    outcomes = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
    return table(["行政复议", "行政诉讼"], [*outcomes, "未经复议直接起诉", "复议后起诉"],
                 ["", "", "", "", "", *outcomes, *outcomes], [str(v) for v in values])


def report_2021(**kw) -> bytes:
    text = "\n".join([
        "北京市某某区市场监督管理局",
        "2022年政府信息公开工作年度报告",
        "",
        "本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。",
        "一、总体情况",
        "2022年，本局深入贯彻《中华人民共和国政府信息公开条例》。",
        "二、主动公开政府信息情况",
    ]) + "\n" + table(
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "5"],
        ["行政规范性文件", "3", "1", "12"],
        ["第二十条第（五）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", "1,230"],
        ["第二十条第（六）项"],
        ["信息内容", "本年处理决定数量"],
        ["行政处罚", "56"],
        ["行政强制", "——"],
        ["第二十条第（八）项"],
        ["信息内容", "本年收费金额（单位：万元）"],
        ["行政事业性收费", "70.49"],
    ) + "三、收到和处理政府信息公开申请情况\n" + requests_table(**kw) + \
        "四、政府信息公开行政复议、行政诉讼情况\n" + appeals_table() + "\n".join([
            "五、存在的主要问题及改进情况",
            "一是公开质量有待提高。",
            "六、其他需要报告的事项",
            "本年度未收取信息处理费。",
            "",
            "北京市某某区市场监督管理局",
            "2023年1月20日",
        ])
    return text.encode("utf-8")


def values_of(result):
    return {v["key"]: v["value"] for v in result["values"]}


def errors_of(result):
    return {i["rule"]: i for i in result["issues"] if i["severity"] == "error"}


def test_2021_report_maps_every_cell():
    r = parse(report_2021(), filename="r.txt")
    v = values_of(r)
    m = r["metadata"]
    assert m["template"] == "2021"
    assert m["year"] == 2022 and m["published"] == "2023-01-20"
    assert m["title"] == "北京市某某区市场监督管理局2022年政府信息公开工作年度报告"
    assert m["agency"] == "北京市某某区市场监督管理局"
    assert v["proactive.regulations.issued"] == 1
    assert v["proactive.normative_documents.in_force"] == 12
    assert v["proactive.licensing.decisions"] == 1230
    assert v["proactive.penalty.decisions"] == 56
    assert v["proactive.coercion.decisions"] is None  # —— is blank, never 0
    assert v["proactive.fees.amount_yuan"] == 704900  # 70.49 under a 万元 header
    assert len([k for k in v if k.startswith("proactive.")]) == 10
    assert len([k for k in v if k.startswith("requests.")]) == 25 * 7
    assert v["requests.other_misc.commercial"] == 1
    assert v["requests.other_no_correction.other_org"] == 1
    assert v["requests.other_fee_unpaid.total"] == 0
    assert v["requests.handled_total.total"] == 47
    assert "requests.other_handling.total" not in v
    assert v["appeals.review.upheld"] == 2 and v["appeals.review.total"] == 4
    assert v["appeals.litigation_after_review.total"] == 1
    assert errors_of(r) == {}
    assert r["metadata"]["sections"]["other"] == "本年度未收取信息处理费。"
    assert not [i for i in r["issues"] if i["rule"].startswith("completeness")]


def test_2021_inconsistencies_are_reported_with_both_sides():
    nums = dict(NUMBERS, granted=[21, 2, 1, 0, 1, 0])  # one more granted than the totals say
    r = parse(report_2021(numbers=nums))
    errs = errors_of(r)
    assert set(errs) == {"requests.handled_sum.natural_person", "requests.handled_sum.total"}
    e = errs["requests.handled_sum.natural_person"]
    assert (e["left"], e["right"]) == (38, 39)
    assert e["message"] == "(七)总计 = 38 but sum of (一) to (六) = 39"


def test_2021_blank_totals_are_not_checked():
    r = parse(report_2021(blank_totals=True))
    v = values_of(r)
    assert v["requests.granted.total"] is None
    assert errors_of(r) == {}


def test_2021_table_split_in_two_pieces():
    r = parse(report_2021(split_after=8))
    v = values_of(r)
    assert len([k for k in v if k.startswith("requests.")]) == 25 * 7
    assert v["requests.withheld_third_party.natural_person"] == 2  # first row of the second piece
    assert v["requests.other_misc.commercial"] == 1
    assert errors_of(r) == {}


LEGACY = "\n".join([
    "某某县环境保护局2016年政府信息公开工作年度报告",
    "一、概述",
    "本年度我局认真贯彻落实《条例》。",
    "二、主动公开政府信息情况",
]) + "\n" + table(
    ["统　计　指　标", "单位", "统计数"],
    ["一、主动公开情况", "——", ""],
    ["（一）主动公开政府信息数\n（不同渠道和方式公开相同信息计1条）", "条", "215"],
    ["其中：主动公开规范性文件数", "条", "4"],
    ["制发规范性文件总数", "件", "6"],
    ["（二）通过不同渠道和方式公开政府信息的情况", "——", ""],
    ["1.政府公报公开政府信息数", "条", "10"],
    ["2.政府网站公开政府信息数", "条", "200"],
) + "三、依申请公开情况\n" + table(
    ["统计指标", "单位", "统计数"],
    ["（一）收到申请数", "件", "9"],
    ["1.当面申请数", "件", "2"],
    ["2.传真申请数", "件", "0"],
    ["3.网络申请数", "件", "6"],
    ["4.信函申请数", "件", "1"],
    ["（二）申请办结数", "件", "9"],
    ["（三）申请答复数", "件", "9"],
    ["1.属于已主动公开范围数", "件", "1"],
    ["2.同意公开答复数", "件", "5"],
    ["3.同意部分公开答复数", "件", "1"],
    ["4.不同意公开答复数", "件", "2"],
    ["其中：涉及国家秘密", "件", "1"],
    ["涉及商业秘密", "件", "1"],
    ["5.不属于本行政机关公开数", "件", "0"],
    ["6.申请信息不存在数", "件", "0"],
    ["四、行政复议数量", "件", "3"],
    ["维持具体行政行为数", "件", "2"],
    ["被依法纠错数", "件", "1"],
    ["其他情形数", "件", "0"],
    ["五、行政诉讼数量", "件", "1"],
    ["维持具体行政行为或者驳回原告诉讼请求数", "件", "1"],
    ["被依法纠错数", "件", "0"],
    ["其他情形数", "件", "0"],
    ["六、举报投诉数量", "件", "0"],
    ["七、依申请公开信息收取的费用", "万元", "0.12"],
) + "四、机构建设\n" + table(
    ["指标名称", "计量单位", "本年度", "历年累计"],
    ["从事政府信息公开工作人员数", "人", "5", "30"],
    ["专职人员数", "人", "2", "10"],
    ["兼职人员数", "人", "2", "20"],
) + "\n".join(["五、存在的主要问题及改进情况", "信息更新不够及时。", "六、其他需要报告的事项", "无。",
               "某某县环境保护局", "二〇一七年三月二十八日"])


def test_legacy_report():
    r = parse(LEGACY.encode("gb18030"), filename="legacy.txt")
    v = values_of(r)
    m = r["metadata"]
    assert m["template"] == "legacy"
    assert m["year"] == 2016 and m["published"] == "2017-03-28"
    assert m["agency"] == "某某县环境保护局"
    assert v["legacy.proactive.items"] == 215
    assert v["legacy.proactive.normative_documents_published"] == 4
    assert v["legacy.proactive.normative_documents_issued"] == 6
    assert v["legacy.proactive.via_website"] == 200
    assert v["legacy.requests.received"] == 9
    assert v["legacy.requests.by_letter"] == 1
    assert v["legacy.requests.completed"] == 9
    assert v["legacy.requests.refused"] == 2
    assert v["legacy.requests.refused_commercial_secret"] == 1
    assert v["legacy.appeals.reviews"] == 3
    assert v["legacy.appeals.reviews_upheld"] == 2
    assert v["legacy.appeals.reviews_corrected"] == 1
    assert v["legacy.appeals.lawsuits_upheld"] == 1
    assert v["legacy.appeals.lawsuits_corrected"] == 0
    assert v["legacy.appeals.complaints"] == 0
    assert v["legacy.fees.collected_yuan"] == 1200  # 0.12 with unit 万元
    assert v["legacy.org.staff"] == 5  # the year's column, not 历年累计
    assert v["legacy.requests.online"] == 6
    assert not any(k.startswith(("requests.", "proactive.", "appeals.")) for k in v)
    cumulative = [c for c in r["cells"] if c["col_label"] == "历年累计"]
    assert [c["raw"] for c in cumulative] == ["30", "10", "20"]
    assert cumulative[0]["row_label"] == "从事政府信息公开工作人员数"
    errs = errors_of(r)
    # 5 != 2 + 2; the channel, answer and refused sums hold
    assert set(errs) == {"legacy.org.staff_sum"}
    assert (errs["legacy.org.staff_sum"]["left"], errs["legacy.org.staff_sum"]["right"]) == (5, 4)
    # before 2019 every report was due by 31 March: 28 March is in time
    assert not [i for i in r["issues"] if i["rule"] == "deadline"]


def test_handmade_outputs_validate_against_schema():
    jsonschema = pytest.importorskip("jsonschema")
    path = SHARED / "spec" / "parse-output.schema.json"
    if not path.exists():
        pytest.skip("../shared/spec is absent")
    schema = json.loads(path.read_text("utf-8"))
    for data in (report_2021(), LEGACY.encode("utf-8")):
        jsonschema.validate(json.loads(json.dumps(parse(data))), schema)
