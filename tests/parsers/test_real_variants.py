"""Layouts seen in real annual reports that differ from the official form (titles, headings, dates,
labels, units, column orders). Every fixture is hand-written to mimic one variant; none is real text."""

from parsers import parse


def text_report(*lines: str) -> bytes:
    return "\n".join(lines).encode("utf-8")


def meta(*lines: str) -> dict:
    return parse(text_report(*lines), filename="r.txt")["metadata"]


def tab(*rows) -> str:
    """A text-dump table: each cell a TAB line, rows separated by a blank line."""
    out = []
    for row in rows:
        out += ["\t" + c for c in row]
        out.append("")
    return "\n".join(out) + "\n"


def values_of(result) -> dict:
    return {v["key"]: v["value"] for v in result["values"]}


# --- metadata -----------------------------------------------------------------------------------

def test_overview_points_named_like_parts_do_not_steal_the_parts():
    # "（一）主动公开" / "（二）依申请公开" as points of 一、总体情况, then the real part 二、
    m = meta("某某区信访局2021年政府信息公开工作年度报告",
             "一、总体情况", "本局坚持以公开为常态。", "（一）主动公开", "主动公开信息25条。",
             "（二）依申请公开", "收到申请3件。",
             "二、主动公开政府信息情况", "见下表。",
             "三、收到和处理政府信息公开申请情况", "共3件。",
             "四、政府信息公开行政复议、行政诉讼情况", "无。",
             "五、存在的主要问题及改进情况", "专业性不足。",
             "六、其他需要报告的事项", "无其他事项。")
    s = m["sections"]
    assert s["overview"] == "本局坚持以公开为常态。\n（一）主动公开\n主动公开信息25条。\n（二）依申请公开\n收到申请3件。"
    assert s["proactive"] == "见下表。"
    assert s["requests"] == "共3件。"
    assert s["problems"] == "专业性不足。"


def test_parts_numbered_in_parentheses():
    m = meta("某某县人民政府", "2021年政府信息公开工作年度报告",
             "（一）总体情况", "甲。", "（二）主动公开政府信息情况", "乙。",
             "（三）收到和处理政府信息公开申请情况", "丙。", "（四）政府信息公开行政复议、行政诉讼情况", "丁。",
             "（五）存在的主要问题及改进情况", "戊。", "（六）其他需要报告的事项", "己。")
    assert m["sections"] == {"overview": "甲。", "proactive": "乙。", "requests": "丙。", "appeals": "丁。",
                             "problems": "戊。", "other": "己。"}


def test_parts_numbered_as_bu_fen():
    m = meta("某某县人民政府2021年政府信息公开工作年度报告", "第一部分 总体情况", "甲。",
             "第二部分 主动公开政府信息情况", "乙。", "第五部分 存在的主要问题及改进情况", "戊。")
    assert (m["sections"]["overview"], m["sections"]["proactive"], m["sections"]["problems"]) == ("甲。", "乙。", "戊。")


def test_overview_heading_variants():
    for heading in ("一、政府信息公开总体工作情况", "一、基本工作情况"):
        m = meta("某某区人民政府2017年政府信息公开工作年度报告", heading, "甲。", "二、主动公开政府信息情况", "乙。")
        assert (m["sections"]["overview"], m["sections"]["proactive"]) == ("甲。", "乙。")


def test_statistics_period_without_end_year_gives_the_year():
    m = meta("某某区审计局政府信息公开工作年度报告", "本年度报告中所列数据统计期限为2022年1月1日至12月31日。",
             "一、总体情况", "甲。")
    assert (m["year"], m["agency"]) == (2022, "某某区审计局")


def test_agency_and_date_on_one_closing_line():
    m = meta("2021年政府信息公开工作年度报告", "一、总体情况", "甲。", "六、其他需要报告的事项", "无。",
             "某某镇人民政府　2022年1月20日")
    assert (m["agency"], m["published"], m["year"]) == ("某某镇人民政府", "2022-01-20", 2021)
    assert m["sections"]["other"] == "无。"


def test_closing_date_with_month_only_is_not_text():
    m = meta("2021年政府信息公开工作年度报告", "一、总体情况", "甲。", "六、其他需要报告的事项", "无。",
             "某某街道办事处", "2022年1月")
    assert (m["agency"], m["published"]) == ("某某街道办事处", None)
    assert m["sections"]["other"] == "无。"


def test_closing_date_with_yuan_yue():
    m = meta("某某局2021年政府信息公开工作年度报告", "一、总体情况", "甲。", "某某局", "二○二二年元月二十日")
    assert m["published"] == "2022-01-20"
    assert m["sections"]["overview"] == "甲。"


def test_title_broken_before_its_last_words():
    m = meta("某某市教育局", "2021年政府信息公开", "工作年度报告", "一、总体情况", "甲。")
    assert (m["title"], m["agency"], m["year"]) == ("某某市教育局2021年政府信息公开工作年度报告", "某某市教育局", 2021)
    m = meta("某某局2021年度政府信息公开", "工作年度报告", "一、总体情况", "甲。")
    assert (m["title"], m["agency"]) == ("某某局2021年度政府信息公开工作年度报告", "某某局")


def test_agency_from_a_title_that_publishes_the_report():
    m = meta("某某县人民政府办公室关于印发2021年政府信息公开工作年度报告的通知", "一、总体情况", "甲。")
    assert (m["agency"], m["year"]) == ("某某县人民政府办公室", 2021)


def test_titles_that_call_the_report_otherwise():
    m = meta("某某局关于2020年度政府信息公开工作情况的报告", "现将2020年度政府信息公开工作情况报告如下：", "一、总体情况", "甲。")
    assert (m["title"], m["agency"], m["year"]) == ("某某局关于2020年度政府信息公开工作情况的报告", "某某局", 2020)
    m = meta("【2020年】某某区卫生健康局政府信息公开工作年度报告", "一、总体情况", "甲。")
    assert (m["agency"], m["year"]) == ("某某区卫生健康局", 2020)


# --- table 三 ------------------------------------------------------------------------------------

def _td(x, rs=1, cs=1) -> str:
    return f'<td rowspan="{rs}" colspan="{cs}">{x}</td>'


def _page(*parts: str) -> bytes:
    return ("<html><head><meta charset='utf-8'></head><body><p>某某县科学技术局2021年政府信息公开工作年度报告</p>"
            + "".join(parts) + "</body></html>").encode("utf-8")


def test_applicant_columns_renamed_and_reordered():
    # 法人或其他组织 columns in another order and under other names; 总计 before 自然人
    subs = ["科研企业", "律师事务所", "企业", "社会公益机构", "其他组织"]  # 科研企业: a misprint seen in the wild
    keys = ["research", "legal_services", "commercial", "public_interest", "other_org"]
    head = ("<table border=1><tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
            + _td("申请人情况", 1, 7) + "</tr><tr>" + _td("总计", 2) + _td("自然人", 2)
            + _td("法人或其他组织", 1, 5) + "</tr><tr>" + "".join(_td(x) for x in subs) + "</tr>")
    nums = [9, 4, 1, 2, 0, 1, 1]  # 总计, 自然人, then the five in the order above
    body = ("<tr>" + _td("一、本年新收政府信息公开申请数量", 1, 3) + "".join(_td(n) for n in nums) + "</tr>"
            + "<tr>" + _td("三、本年度办理结果", 2) + _td("（六）其他处理", 2) + _td("1.申请人无正当理由逾期不补正")
            + "".join(_td(n) for n in [2, 1, 0, 0, 0, 1, 0]) + "</tr>"
            + "<tr>" + _td("2.申请人逾期未按收费通知要求缴纳费用") + "".join(_td(n) for n in [1, 0, 0, 0, 1, 0, 0])
            + "</tr></table>")
    r = parse(_page("<p>三、收到和处理政府信息公开申请情况</p>", head, body), filename="a.html")
    v = values_of(r)
    assert v["requests.new_received.total"] == 9
    assert v["requests.new_received.natural_person"] == 4
    assert {k: v[f"requests.new_received.{k}"] for k in keys} == dict(zip(keys, [1, 2, 0, 1, 1], strict=True))
    # labels cut short of "、行政机关不再处理其政府信息公开申请"
    assert v["requests.other_no_correction.total"] == 2 and v["requests.other_no_correction.public_interest"] == 1
    assert v["requests.other_fee_unpaid.commercial"] == 1
    assert "requests.other_handling.total" not in v


# --- cell values --------------------------------------------------------------------------------

def test_units_and_digits_inside_cells():
    t2 = ("<table border=1><tr>" + _td("第二十条第（一）项", 1, 4) + "</tr><tr>" + _td("信息内容")
          + _td("本年制发件数") + _td("本年废止件数") + _td("现行有效件数") + "</tr>"
          + "<tr>" + _td("规章") + _td("０") + _td("0件") + _td("１２件") + "</tr>"
          + "<tr>" + _td("行政规范性文件") + _td("3（件）") + _td("不适用") + _td("15") + "</tr>"
          + "<tr>" + _td("第二十条第（五）项", 1, 4) + "</tr><tr>" + _td("信息内容") + _td("本年处理决定数量", 1, 3)
          + "</tr><tr>" + _td("行政许可") + _td("1.2万", 1, 3) + "</tr>"
          + "<tr>" + _td("第二十条第（八）项", 1, 4) + "</tr><tr>" + _td("信息内容") + _td("本年收费金额", 1, 3)
          + "</tr><tr>" + _td("行政事业性收费") + _td("0.35万", 1, 3) + "</tr></table>")
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    t4 = ("<table border=1><tr>" + _td("行政复议", 1, 5) + _td("行政诉讼", 1, 10) + "</tr><tr>"
          + "".join(_td(o, 2) for o in outcomes) + _td("未经复议直接起诉", 1, 5) + _td("复议后起诉", 1, 5) + "</tr><tr>"
          + "".join(_td(o) for o in outcomes * 2) + "</tr><tr>"
          + "".join(_td(f"{n}起") for n in [1, 0, 0, 0, 1, 2, 1, 0, 0, 3, 0, 0, 1, 0, 1]) + "</tr></table>")
    r = parse(_page("<p>二、主动公开政府信息情况</p>", t2, "<p>四、政府信息公开行政复议、行政诉讼情况</p>", t4),
              filename="a.html")
    v = values_of(r)
    assert v["proactive.regulations.issued"] == 0 and v["proactive.regulations.in_force"] == 12
    assert v["proactive.normative_documents.issued"] == 3
    assert v["proactive.normative_documents.repealed"] is None
    assert v["proactive.licensing.decisions"] == 12000
    assert v["proactive.fees.amount_yuan"] == 3500  # 万 alone is 万元 in a money cell
    assert v["appeals.review.upheld"] == 1 and v["appeals.litigation_direct.total"] == 3
    assert v["appeals.litigation_after_review.other"] == 1
    assert not [i for i in r["issues"] if i["rule"] == "parse.not_a_number"]


def test_2019_proactive_rows_with_notes_and_other_names():
    t2 = ("<table border=1><tr>" + _td("第二十条第（一）项", 1, 4) + "</tr>"
          + _tr("信息内容", "本年新<br/>制作数量", "本年新<br/>公开数量", "对外公开总数量")
          + _tr("规章（设区的市、自治州人民政府应提供相关数据）", "0", "0", "0")
          + _tr("规范性文件（行政机关制定发布的决定、公告、通告，一般情况下属于规范性文件）", "34", "4", "47")
          + _tr("其他主动公开文件（含以本单位名义正式签发的）", "12", "12", "80")
          + "<tr>" + _td("第二十条第（九）项", 1, 4) + "</tr>"
          + _tr("信息内容", "采购项目数量", "采购总金额（万元）", "") + _tr("政府采购", "13", "477.35", "") + "</table>")
    r = parse(_page("<p>二、主动公开政府信息情况</p>", t2), filename="a.html")
    v = values_of(r)
    assert v["proactive.normative_documents.new_made"] == 34 and v["proactive.normative_documents.total_published"] == 47
    assert v["proactive.regulations.new_published"] == 0
    assert v["proactive.centralized_procurement.projects"] == 13
    assert v["proactive.centralized_procurement.amount_yuan"] == 4773500
    assert [c["raw"] for c in r["cells"] if c["row_label"].startswith("其他主动公开文件")] == ["12", "12", "80"]


# --- legacy forms -------------------------------------------------------------------------------

def _tr(*cells) -> str:
    return "<tr>" + "".join(_td(c) for c in cells) + "</tr>"


def test_legacy_statistics_form_with_row_codes():
    # 指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计, with a 甲乙丙 row: the code is never the figure
    t = ("<table border=1>" + _tr("指 标 名 称", "计量单位", "代码", "本期实际", "本年累计") + _tr("甲", "乙", "丙", "1", "2")
         + _tr("主动公开信息数", "条", "01", "120", "340") + _tr("申请总数", "条", "10", "7", "9")
         + _tr("其中：1.当面申请数", "条", "11", "2", "3") + _tr("对申请的答复总数", "条", "17", "7", "9")
         + _tr("其中：1.同意公开答复数", "条", "18", "5", "6") + _tr("3.否决公开答复总数", "条", "20", "1", "2")
         + _tr("行政复议数", "件", "32", "1", "1") + "</table>")
    r = parse(_page("<p>附表</p>", t), filename="a.html")
    assert values_of(r) == {"legacy.proactive.items": 120, "legacy.requests.received": 7,
                            "legacy.requests.in_person": 2, "legacy.requests.answered": 7,
                            "legacy.requests.granted": 5, "legacy.requests.refused": 1, "legacy.appeals.reviews": 1}
    assert [c["raw"] for c in r["cells"] if c["col_label"] == "代码"][:3] == ["丙", "01", "10"]


def test_legacy_year_and_cumulative_columns_with_short_channel_labels():
    t = ("<table border=1>" + _tr("指标名称", "计量单位", "2012年度", "历年累计")
         + _tr("主动公开信息数", "条", "120", "340") + _tr("其中：1.政府网站", "条", "100", "300")
         + _tr("2.政府公报", "条", "3", "10") + "</table>")
    v = values_of(parse(_page("<p>附表</p>", t), filename="a.html"))
    assert v == {"legacy.proactive.items": 120, "legacy.proactive.via_website": 100, "legacy.proactive.via_gazette": 3}


def test_requests_with_a_subtotal_column_for_legal_persons():
    head = ("<table border=1><tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
            + _td("申请人情况", 1, 8) + "</tr><tr>" + _td("自然人", 2) + _td("法人或其他组织", 1, 6) + _td("总计", 2)
            + "</tr>" + _tr("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "小计"))
    body = "<tr>" + _td("一、本年新收政府信息公开申请数量", 1, 3) + "".join(_td(n) for n in [4, 1, 0, 2, 0, 0, 3, 7]) + "</tr>"
    v = values_of(parse(_page("<p>三、收到和处理政府信息公开申请情况</p>", head, body, "</table>"), filename="a.html"))
    assert [v[f"requests.new_received.{a}"] for a in ("natural_person", "commercial", "research", "public_interest",
                                                     "legal_services", "other_org", "total")] == [4, 1, 0, 2, 0, 0, 7]


def test_requests_labels_misspelt_or_merged_with_their_group():
    head = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
            ["", "自然人", "法人或其他组织", "总计"],
            ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]]
    rows = [["一、本年新收政府信息公开申请数量（件）", "5", "1", "0", "0", "0", "0", "6"],
            ["三、本年度办理结果（一）予以公开", "3", "1", "0", "0", "0", "0", "4"],  # group and item in one cell
            ["（二）部份公开", "1", "0", "0", "0", "0", "0", "1"],
            ["（七）总数", "4", "1", "0", "0", "0", "0", "5"],
            ["四、结转下年度继续办理", "1", "0", "0", "0", "0", "0", "1"]]
    data = "某某镇人民政府2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + tab(*head, *rows)
    v = values_of(parse(data.encode("utf-8"), filename="r.txt"))
    assert v["requests.new_received.total"] == 6
    assert v["requests.granted.commercial"] == 1 and v["requests.granted.total"] == 4
    assert v["requests.partially_granted.natural_person"] == 1
    assert v["requests.handled_total.total"] == 5
    assert v["requests.carried_forward.natural_person"] == 1


# --- table 四 ------------------------------------------------------------------------------------

def test_appeals_printed_as_two_tables():
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    review = ("<table border=1><tr>" + _td("行政复议", 1, 5) + "</tr>" + _tr(*outcomes)
              + _tr("1", "0", "&nbsp;", "0", "1") + "</table>")
    lawsuits = ("<table border=1><tr>" + _td("项目", 3) + _td("行政诉讼", 1, 10) + "</tr><tr>"
                + _td("复议后起诉", 1, 5) + _td("未经复议直接起诉", 1, 5) + "</tr>" + _tr(*outcomes * 2)
                + _tr("件数", "0", "0", "1", "0", "1", "2", "1", "0", "0", "3") + "</table>")
    r = parse(_page("<p>四、政府信息公开行政复议、行政诉讼情况</p>", review, lawsuits), filename="a.html")
    v = values_of(r)
    assert [v[f"appeals.review.{o}"] for o in ("upheld", "corrected", "other", "pending", "total")] == [1, 0, None, 0, 1]
    assert v["appeals.litigation_after_review.other"] == 1 and v["appeals.litigation_after_review.total"] == 1
    assert v["appeals.litigation_direct.upheld"] == 2 and v["appeals.litigation_direct.total"] == 3
    assert len([k for k in v if k.startswith("appeals.")]) == 15
    assert not [i for i in r["issues"] if i["rule"] in ("parse.table_unread", "parse.table_failed")]


def test_legacy_units_in_the_labels():
    t = ("<table border=1>" + _tr("统计指标", "数量") + _tr("主动公开政府信息数（条）", "215")
         + _tr("收到申请数（件）", "9") + _tr("依申请公开信息收取的费用（万元）", "0.12") + "</table>")
    v = values_of(parse(_page("<p>附表</p>", t), filename="a.html"))
    assert v == {"legacy.proactive.items": 215, "legacy.requests.received": 9, "legacy.fees.collected_yuan": 1200}


def test_fee_unit_in_the_item_label():
    t2 = ("<table border=1><tr>" + _td("第二十条第（八）项", 1, 2) + "</tr>" + _tr("信息内容", "本年收费金额")
          + _tr("行政事业性收费（万元）", "2.5") + "</table>")
    v = values_of(parse(_page("<p>二、主动公开政府信息情况</p>", t2), filename="a.html"))
    assert v["proactive.fees.amount_yuan"] == 25000
