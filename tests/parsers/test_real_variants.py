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
