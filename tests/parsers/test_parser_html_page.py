"""A hand-written portal page (SH19-like: metadata block, navigation, <br> labels, &nbsp; blanks,
real rowspans) through the real HTML reader and the mapper."""

from parsers import parse

APPL = "<td>自然人</td><td>商业<br/>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td>"


def row(label_cells: str, nums) -> str:
    return "<tr>" + label_cells + "".join(f"<td>{n}</td>" for n in nums) + "</tr>"


def page() -> bytes:
    t3 = ["<table border=1>",
          '<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
          '<td colspan="7">申请人情况</td></tr>',
          '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
          "<tr><td>商业<br/>企业</td><td>科研<br/>机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
          row('<td colspan="3">一、本年新收政府信息公开申请数量</td>', [859, 0, 0, 0, 0, 0, 859]),
          row('<td colspan="3">二、上年结转政府信息公开申请数量</td>', [18, 0, 0, 0, 0, 0, 18]),
          row('<td rowspan="4">三、<br/>本<br/>年<br/>度<br/>办<br/>理<br/>结<br/>果</td><td colspan="2">（一）予以公开</td>',
              [767, "&nbsp;", "&nbsp;", "&nbsp;", "&nbsp;", "&nbsp;", "&nbsp;"]),
          row('<td colspan="2">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td>', [38] + ["&nbsp;"] * 6),
          row('<td colspan="2">（六）其他处理</td>', [0] * 6 + ["&nbsp;"]),
          row('<td colspan="2">（七）总计</td>', [805, 0, 0, 0, 0, 0, 805]),
          row('<td colspan="3">四、结转下年度继续办理</td>', [72, 0, 0, 0, 0, 0, 72]),
          "</table>"]
    v = ["结<br/>果<br/>维<br/>持", "结<br/>果<br/>纠<br/>正", "其<br/>他<br/>结<br/>果", "尚<br/>未<br/>审<br/>结", "总<br/>计"]
    t4 = ["<table border=1>", '<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>',
          "<tr>" + "".join(f'<td rowspan="2">{x}</td>' for x in v)
          + '<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>',
          "<tr>" + "".join(f"<td>{x}</td>" for x in v * 2) + "</tr>",
          "<tr>" + "".join(f"<td>{x}</td>" for x in [5, 2, 0, 0, 7, 8, 1, 0, 0, 9, 0, 0, 0, 0, 0]) + "</tr>",
          "</table>"]
    html = f"""<html><head><meta charset="utf-8"><title>2019年上海市某某局政府信息公开工作年度报告_上海市某某局</title></head>
<body><div class="nav">首页 &gt; 政府信息公开 &gt; 年度报告</div>
<table class="meta"><tr><td>索引号：</td><td>SH0001-2020-001</td><td>发布机构：</td><td>上海市某某局</td></tr>
<tr><td>发布日期：</td><td>2020-01-31</td><td>文号：</td><td>无</td></tr></table>
<h1>2019年上海市某某局政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>本局全面贯彻《条例》。</p>
<p>三、收到和处理政府信息公开申请情况</p>{''.join(t3)}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{''.join(t4)}
<p>五、存在的主要问题及改进情况</p><p>问题。</p><p>六、其他需要报告的事项</p><p>无。</p>
</body></html>"""
    return html.encode("utf-8")


def test_portal_page():
    r = parse(page(), filename="index.html", url="http://www.example.gov.cn/a.html")
    m = r["metadata"]
    assert m["format"] == "html"
    assert m["title"] == "2019年上海市某某局政府信息公开工作年度报告"
    assert m["agency"] == "上海市某某局"
    assert (m["year"], m["published"], m["template"]) == (2019, "2020-01-31", "2019")
    assert m["page_meta"].get("索引号") == "SH0001-2020-001"
    v = {x["key"]: x["value"] for x in r["values"]}
    assert v["requests.new_received.natural_person"] == 859
    assert v["requests.granted.natural_person"] == 767
    assert v["requests.granted.total"] is None  # &nbsp; is blank, not 0
    assert v["requests.partially_granted.natural_person"] == 38
    assert v["requests.handled_total.total"] == 805
    assert v["requests.carried_forward.total"] == 72
    assert v["appeals.review.total"] == 7 and v["appeals.litigation_direct.total"] == 9
    errors = {i["rule"] for i in r["issues"] if i["severity"] == "error"}
    # 859+18 = 805+72 holds; (七) 805 != 767+38+0: the page leaves the (三)-(五) rows out
    assert "requests.balance.total" not in errors
    assert "requests.handled_sum.natural_person" not in errors  # rows missing: not checked
    assert errors == set()
    warn = {i["rule"] for i in r["issues"]}
    assert "completeness.table_proactive" in warn
