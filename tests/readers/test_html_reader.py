"""HTML reader: encodings, portal chrome, metadata blocks, nested tables, odd markup."""

import time

from parsers.readers import html
from parsers.readers.detect import sniff

BODY = "<p>一、总体情况</p><p>本机关镕铸改革，公开信息171条。</p>"  # 镕 is GBK-only (not in GB2312)


def _page(head="", body=BODY):
    return f"<html><head>{head}<title>某局年报</title></head><body><div id='zoom'>{body}</div></body></html>"


def test_gbk_with_meta_charset():
    doc = html.read(_page('<meta http-equiv="Content-Type" content="text/html; charset=gbk">').encode("gbk"))
    assert doc.paragraphs == ["一、总体情况", "本机关镕铸改革，公开信息171条。"]
    assert doc.issues == []


def test_gb2312_declared_page_with_gbk_only_character_decodes_as_gb18030():
    doc = html.read(_page('<meta charset="gb2312">').encode("gbk"))
    assert doc.paragraphs[1] == "本机关镕铸改革，公开信息171条。"


def test_charset_only_in_http_header():
    doc = html.read(_page().encode("gbk"), content_type="text/html; charset=GBK")
    assert doc.paragraphs[1] == "本机关镕铸改革，公开信息171条。"


def test_no_charset_anywhere_is_sniffed():
    doc = html.read(_page().encode("gb18030"))
    assert doc.paragraphs == ["一、总体情况", "本机关镕铸改革，公开信息171条。"]


def test_header_claims_utf8_but_page_is_gbk_with_meta():
    data = _page('<meta charset="gbk">').encode("gbk")
    doc = html.read(data, content_type="text/html; charset=utf-8")
    assert doc.paragraphs[1] == "本机关镕铸改革，公开信息171条。"


def test_utf8_bom_and_utf16():
    assert html.read(b"\xef\xbb\xbf" + _page().encode("utf-8")).paragraphs[0] == "一、总体情况"
    data = _page().encode("utf-16")
    assert sniff(data) == "html"
    assert html.read(data).paragraphs[0] == "一、总体情况"


CHROME = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>北仑区商务局2020年政府信息公开工作年度报告_北仑区人民政府</title>
<meta name="ArticleTitle" content="北仑区商务局2020年政府信息公开工作年度报告">
<script>var x = "<p>不是正文</p>";</script><style>p {color: red}</style></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/hd">互动交流</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/nb">政府信息公开年报</a></div>
<table class="xxgk_table">
 <tr><th>索 引 号：</th><td>11330206002/2021-00012</td><th>分类：</th><td>年报</td></tr>
 <tr><th>发布机构：</th><td>北仑区商务局</td><th>发布日期：</th><td>2021年1月22日</td></tr>
 <tr><th>成文日期：</th><td>2021-01-20</td><th>文号：</th><td>仑商〔2021〕1号</td></tr>
 <tr><th>主题分类：</th><td>综合政务/政务公开</td><th>名称：</th><td>年报</td></tr>
</table>
<div class="main">
 <div class="left"><ul><li><a href="/a">政府信息公开指南</a></li><li><a href="/b">政府信息公开制度</a></li>
   <li><a href="/c">法定主动公开内容</a></li><li><a href="/d">政府信息公开年报</a></li></ul></div>
 <div class="right">
  <h1>北仑区商务局2020年政府信息公开工作年度报告</h1>
  <div class="info">发布时间：2021-01-22 来源：北仑区商务局 浏览次数：123</div>
  <div class="TRS_Editor">
   <p style="text-indent:2em">　　2020年，北仑区商务局紧紧围绕贯彻落实党中央、国务院的重大决策部署，聚焦商务决策、商务政策、基本民生等重点领域，深入推进政务公开工作。</p>
   <p>一、总体情况</p><p>（一）加强组织领导。我局始终把政务公开工作作为一项重要工作来抓，不断强化组织领导，健全组织机构。</p>
   <p>二、主动公开政府信息情况</p>
   <table border="1"><tr><td colspan="4">第二十条第（一）项</td></tr>
    <tr><td>信息内容</td><td>本年新<br>制作数量</td><td>本年新<br/>公开数量</td><td>对外公开总数量</td></tr>
    <tr><td>规章</td><td>&nbsp;0</td><td>0</td><td>0</td></tr></table>
   <p style="display:none">隐藏的文字</p>
   <p>六、其他需要报告的事项</p><p>无。</p>
  </div>
  <div class="share">分享到：<a>微信</a><a>微博</a></div>
 </div>
</div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/1">2019年报</a></li><li><a href="/2">2018年报</a></li></ul></div>
<div class="footer">主办：宁波市北仑区人民政府办公室 地址：宁波市北仑区新大路1号 电话：0574-86781234 浙ICP备12345号</div>
</body></html>"""


def test_body_found_inside_portal_chrome_with_meta_block():
    doc = html.read(CHROME.encode("utf-8"))
    assert doc.title_hint == "北仑区商务局2020年政府信息公开工作年度报告"
    assert doc.page_meta == {
        "索引号": "11330206002/2021-00012",
        "发布机构": "北仑区商务局",
        "发布日期": "2021-01-22",
        "成文日期": "2021-01-20",
        "文号": "仑商〔2021〕1号",
        "主题分类": "综合政务/政务公开",
    }
    assert doc.paragraphs == [
        "2020年，北仑区商务局紧紧围绕贯彻落实党中央、国务院的重大决策部署，聚焦商务决策、商务政策、基本民生等重点领域，深入推进政务公开工作。",
        "一、总体情况",
        "（一）加强组织领导。我局始终把政务公开工作作为一项重要工作来抓，不断强化组织领导，健全组织机构。",
        "二、主动公开政府信息情况",
        "六、其他需要报告的事项",
        "无。",
    ]
    assert [type(b).__name__ for b in doc.blocks].index("Table") == 4
    rows = [[(c.text, c.rowspan, c.colspan) for c in row] for row in doc.tables[0].rows]
    assert rows == [
        [("第二十条第（一）项", 1, 4)],
        [("信息内容", 1, 1), ("本年新\n制作数量", 1, 1), ("本年新\n公开数量", 1, 1), ("对外公开总数量", 1, 1)],
        [("规章", 1, 1), ("\xa00", 1, 1), ("0", 1, 1), ("0", 1, 1)],
    ]


def test_densest_block_without_known_container_and_li_dl_meta():
    page = """<html><body>
    <div id="top"><a href="/">首页</a><a href="/x">新闻中心</a><a href="/y">政务公开</a><a href="/z">办事服务</a></div>
    <ul class="meta"><li><span>索引号：</span><span>A01-2022-0003</span></li><li>发布机构：某县统计局</li></ul>
    <dl><dt>成文日期</dt><dd>2022-01-18</dd><dt>发布日期</dt><dd>2022/1/25</dd></dl>
    <div id="wrap"><div id="col-a"><a href="/1">通知公告一</a><a href="/2">通知公告二</a></div>
      <div id="col-b"><div><h2>某县统计局2021年政府信息公开工作年度报告</h2>
        <div><p>根据《中华人民共和国政府信息公开条例》规定，编制本报告。本报告由总体情况、主动公开政府信息情况等部分组成。</p>
        <p>一、总体情况</p><p>2021年，我局认真贯彻落实条例，全年主动公开政府信息共计二百余条，办理依申请公开三件。</p></div></div></div>
    </div>
    <div id="foot">版权所有 某县人民政府 技术支持 某公司</div></body></html>"""
    doc = html.read(page.encode("utf-8"))
    assert doc.paragraphs[0] == "某县统计局2021年政府信息公开工作年度报告"
    assert doc.paragraphs[-1].startswith("2021年，我局认真贯彻落实条例")
    assert len(doc.paragraphs) == 4
    assert doc.page_meta == {"索引号": "A01-2022-0003", "发布机构": "某县统计局",
                             "成文日期": "2022-01-18", "发布日期": "2022-01-25"}
    assert doc.title_hint == "某县统计局2021年政府信息公开工作年度报告"


def test_one_line_meta_strip_of_hanweb_article():
    page = """<html><head><meta name="PubDate" content="2020-01-31 10:00"></head><body>
    <div class="bt-title">年报</div><div class="bt-info">发布日期：2021-01-29 浏览次数：  来源：市统计局 字体：[大 中 小]</div>
    <div id="zoom"><p>一、总体情况</p><p>内容内容内容内容内容内容内容内容内容内容内容内容。</p></div></body></html>"""
    doc = html.read(page.encode("utf-8"))
    assert doc.page_meta == {"发布日期": "2021-01-29"}


def test_layout_wrapper_table_and_nested_table_in_a_cell(build):
    inner = build.html_table(build.TABLE3)
    page = f"""<html><body><table width="100%"><tr><td><a href="/">首页</a></td></tr>
    <tr><td><p>三、收到和处理政府信息公开申请情况</p>{inner}<p>四、行政复议</p>
    <table border=1><tr><td>项目</td><td><table><tr><td>甲</td><td>乙</td></tr><tr><td>丙</td></tr></table></td></tr>
    <tr><td>合计</td><td>3</td></tr></table></td></tr></table></body></html>"""
    doc = html.read(page.encode("utf-8"))
    assert len(doc.tables) == 2
    assert build.cells_of(doc.tables[0]) == build.TABLE3
    assert doc.paragraphs == ["三、收到和处理政府信息公开申请情况", "四、行政复议"]
    assert [[c.text for c in row] for row in doc.tables[1].rows] == [["项目", "甲 乙\n丙"], ["合计", "3"]]


def test_odd_spans_are_clamped():
    page = """<html><body><table><tr><td rowspan="9">甲</td><td colspan="2;">乙</td></tr>
    <tr><td rowspan="0">丙</td><td colspan="x">丁</td></tr><tr><td colspan="99999">戊</td></tr></table></body></html>"""
    rows = html.read(page.encode()).tables[0].rows
    assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in rows] == [
        [("甲", 3, 1), ("乙", 1, 2)], [("丙", 2, 1), ("丁", 1, 1)], [("戊", 1, 1000)]]


def test_page_without_tables_and_script_only_page():
    doc = html.read(b"<html><body><div class='content'><p>\xe6\x9c\xac\xe6\x8a\xa5\xe5\x91\x8a</p></div></body></html>")
    assert doc.paragraphs == ["本报告"] and doc.tables == []
    doc = html.read(b"<html><head><script>alert(1)</script></head><body>  </body></html>")
    assert doc.blocks == []
    assert [i["rule"] for i in doc.issues] == ["parse.no_text"]


def test_deeply_nested_and_broken_markup_is_bounded():
    deep = b"<html><body>" + b"<div>" * 20000 + "深处".encode() + b"</div>" * 20000 + b"</body></html>"
    start = time.perf_counter()
    doc = html.read(deep)
    assert time.perf_counter() - start < 30  # generous bound: no runaway, not a speed assertion
    assert isinstance(doc.blocks, list)
    broken = "<html><body><table><tr><td>甲<td>乙<tr><td>1<td>2</table><p>尾".encode()
    doc = html.read(broken)
    assert [[c.text for c in r] for r in doc.tables[0].rows] == [["甲", "乙"], ["1", "2"]]
    assert doc.paragraphs == ["尾"]


def test_gkmlpt_label_span_meta_and_a_whole_page_pasted_into_zoom():
    report = "".join(f"<p>第{i}段：本机关依法公开政府信息，按时办理依申请公开事项，回应社会关切。</p>" for i in range(8))
    page = f"""<html><body><div class="introduce"><table>
    <tr><td><label>索引号：</label><span>007/2022-1</span></td><td><label>分类：</label><span>年度报告</span></td></tr>
    <tr><td><label>发布机构：</label><span>江门市财政局</span></td><td><label>成文日期：</label><span>2022-02-24</span></td></tr>
    </table></div>
    <div id="zoom" class="nb-content"><div class="header"><div class="logo">江门市人民政府门户网站</div></div>
      <div class="position">当前位置：首页 &gt; 政府信息公开年报</div>
      <div class="content" id="zoom">{report}</div>
      <div class="footer">主办：江门市财政局　技术支持：某公司</div></div></body></html>"""
    doc = html.read(page.encode("utf-8"))
    assert doc.page_meta == {"索引号": "007/2022-1", "主题分类": "年度报告", "发布机构": "江门市财政局",
                             "成文日期": "2022-02-24"}
    assert len(doc.paragraphs) == 8
    assert doc.paragraphs[0].startswith("第0段") and doc.paragraphs[-1].startswith("第7段")


def test_full_label_wins_over_bare_fenlei():
    page = """<html><body><table class="xxgk_table"><tr><td>分类：</td><td>年报</td>
    <td>主题分类：</td><td>综合政务</td></tr></table><div id="zoom"><p>正文内容正文内容</p></div></body></html>"""
    assert html.read(page.encode("utf-8")).page_meta == {"主题分类": "综合政务"}


def test_gkmlpt_body_rendered_by_script_is_read_from_config_detail():
    import json

    detail = {"id": 4688997, "title": "年报", "abstract": "",
              "content": '<p>一、总体情况 "全年"</p><table><tr><td>项目</td><td>数量</td></tr><tr><td>规章</td><td>2</td></tr></table>'}
    detail_json = json.dumps(detail, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")
    page = (f"<html><body><div id='app'></div><script>window._CONFIG = {{DETAIL: {detail_json}, "
            "TREE: []};</script></body></html>")
    doc = html.read(page.encode("utf-8"))
    assert doc.paragraphs == ['一、总体情况 "全年"']
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [["项目", "数量"], ["规章", "2"]]


def test_old_portal_layout_table_with_long_text_cells_is_not_a_data_table():
    body = "".join(f"<p>第{i}部分：本机关认真贯彻落实政府信息公开条例，依法主动公开政府信息，规范办理依申请公开，持续加强平台建设和监督保障。</p>"
                   for i in range(6))
    page = f"""<html><body><table width="980"><tr>
      <td width="200"><a href="/1">机构概况</a><br><a href="/2">政策文件</a><br>联系电话：0571-1234</td>
      <td>{body}<table border="1"><tr><td>自然人</td><td>总计</td></tr><tr><td>1</td><td>1</td></tr></table></td>
    </tr></table></body></html>"""
    doc = html.read(page.encode("utf-8"))
    assert len(doc.tables) == 1
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [["自然人", "总计"], ["1", "1"]]
    assert sum(p.startswith("第") for p in doc.paragraphs) == 6


WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv=Content-Type content="text/html; charset=gb2312"><!--[if gte mso 9]><xml><w:WordDocument>
<w:View>Print</w:View></w:WordDocument></xml><![endif]--><style><!-- p.MsoNormal {margin:0cm} --></style></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><div class=WordSection1>
<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt'>某局2020年政府信息公开工作年度报告<o:p></o:p></span></b></p>
<p class=MsoNormal><span>一、总体情况<o:p></o:p></span></p>
<p class=MsoNormal><![if !supportLists]><span>（一）<span style='mso-spacerun:yes'>&nbsp;</span></span><![endif]><span>主动公开<o:p></o:p></span></p>
<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>
 <tr><td rowspan=2 style='border:solid windowtext 1.0pt'><p class=MsoNormal><span>信息<o:p></o:p></span></p><p class=MsoNormal><span>内容<o:p></o:p></span></p></td>
  <td><p class=MsoNormal><span>本年新<br>制作数量<o:p></o:p></span></p></td></tr>
 <tr><td><p class=MsoNormal><span lang=EN-US>12<o:p></o:p></span></p></td></tr>
 <tr><td><p class=MsoNormal><span>规章<o:p></o:p></span></p></td><td><p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p></td></tr>
</table>
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
</div></body></html>"""


def test_word_exported_html():
    doc = html.read(WORD_HTML.encode("gbk"))
    assert doc.paragraphs == ["某局2020年政府信息公开工作年度报告", "一、总体情况", "（一）\xa0主动公开"]
    assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in doc.tables[0].rows] == [
        [("信息\n内容", 2, 1), ("本年新\n制作数量", 1, 1)], [("12", 1, 1)], [("规章", 1, 1), ("", 1, 1)]]


def test_source_line_breaks_in_cells_are_spaces_but_br_and_p_break_lines():
    page = """<html><body><table><tr><td>本年新
      制作数量</td><td><span>本年新
      公开</span><br>数量</td><td><p>法律服务</p>
      <p>机构</p></td></tr><tr><td>1</td><td>2</td><td>3</td></tr></table></body></html>"""
    rows = html.read(page.encode("utf-8")).tables[0].rows
    assert [c.text for c in rows[0]] == ["本年新 制作数量", "本年新 公开\n数量", "法律服务\n机构"]


def test_tables_published_as_images_are_flagged():
    intro = "本报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况等部分。"
    page = f"""<html><body><div id="zoom"><p>{intro}</p><p>三、收到和处理政府信息公开申请情况</p>
    <p><img src="/pic/table3.png" alt=""></p><p>四、行政复议</p></div></body></html>"""
    doc = html.read(page.encode("utf-8"))
    assert doc.paragraphs == [intro, "三、收到和处理政府信息公开申请情况", "四、行政复议"]
    assert [i["rule"] for i in doc.issues] == ["parse.tables_as_images"]
    link_page = """<html><body><div id="zoom"><p><img src="/icon/docx.gif">
    <a href="/a.docx">2020年报.docx</a></p></div></body></html>"""
    assert html.read(link_page.encode("utf-8")).issues == []
