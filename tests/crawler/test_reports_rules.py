"""Title recognition, metadata block, attachment links and Content-Disposition names."""

import pytest

from crawler.filenames import filename_from_disposition, filename_from_url
from crawler.reports import (
    attachment_links,
    find_date,
    is_annual_report,
    link_rows,
    names_disclosure_column,
    notice_kind,
    parse_html,
    read_page_meta,
    title_kind,
    title_year,
)

REPORTS = [
    "2021年政府信息公开工作年度报告",
    "杭州市发展和改革委员会2020年度政府信息公开工作年度报告",
    "XX局2019年政府信息公开年报",
    "2022年度信息公开工作年度报告",
    "弥勒市人力资源和社会保障局关于2020年政府信息公开工作年度报告",
    "二〇二一年政府信息公开工作年度报告",
    "２０２２年 政府信息公开 工作年度报告（区教育局）",
    "2018年政府信息公开年度工作报告",
]
NOT_REPORTS = [
    "政府信息公开工作年度报告",  # no year
    "2021年政务公开工作年度报告",  # 政务公开 summary, not the statutory report
    "关于做好2021年政府信息公开工作年度报告编制工作的通知",
    "XX局政府信息公开指南",
    "2021年政府信息公开目录",
    "XX局2021年政府信息公开情况统计表",
    "XX局2021年政府信息公开工作年度报告统计表",
    "图解：2021年政府信息公开工作年度报告",
    "2021年法治政府建设年度报告",
    "2021年部门预算公开",
    "XX局关于2021年度政府信息公开工作的自查报告",
    "",
    None,
]


@pytest.mark.parametrize("title", REPORTS)
def test_reports_accepted(title):
    assert is_annual_report(title)


@pytest.mark.parametrize("title", NOT_REPORTS)
def test_non_reports_rejected(title):
    assert not is_annual_report(title)


NOTICES = {
    "关于《XX局2021年政府信息公开工作年度报告》的更正说明": "correction",
    "XX局2021年政府信息公开工作年度报告更正声明": "correction",
    "关于2020年政府信息公开工作年度报告的更正公告": "correction",  # 更正 wins over 公告
    "2022年政府信息公开工作年度报告勘误": "correction",
    "XX区人民政府2021年政府信息公开工作年度报告补充说明": "supplement",
    "关于2021年度政府信息公开工作年度报告有关情况的说明": "explanation",
    "关于XX局2019年政府信息公开年报的说明": "explanation",
}
ABOUT_A_REPORT = [  # neither a report nor a notice to keep
    "《2021年政府信息公开工作年度报告》解读说明",
    "2021年政府信息公开工作年度报告图解",
    "一图读懂XX局2021年政府信息公开工作年度报告",
    "关于印发2022年政府信息公开工作要点的通知",
    "XX局2021年政府信息公开工作年度报告编制说明（指南）",
]


@pytest.mark.parametrize("title", sorted(NOTICES))
def test_notices_about_a_report_are_kept_apart(title):
    assert title_kind(title) == "notice" and not is_annual_report(title)
    assert notice_kind(title) == NOTICES[title]


@pytest.mark.parametrize("title", ABOUT_A_REPORT)
def test_interpretations_are_neither(title):
    assert title_kind(title) is None


def test_reports_and_non_reports_kinds():
    assert {title_kind(t) for t in REPORTS} == {"report"}
    assert {title_kind(t) for t in NOT_REPORTS} == {None}


def test_years_and_dates():
    assert title_year("二〇二一年政府信息公开工作年度报告") == 2021
    assert title_year("XX局2019年度政府信息公开年报") == 2019
    assert find_date("发布日期：2021年1月5日") == "2021-01-05"
    assert find_date("[2022-02-11]") == "2022-02-11"
    assert find_date("2022/13/01") is None


def test_column_names_for_generic_walk():
    assert names_disclosure_column("政府信息公开")
    assert names_disclosure_column("信息公开年报")
    assert names_disclosure_column("政务公开")
    assert not names_disclosure_column("XX局政府信息公开制度")
    assert not names_disclosure_column("政府信息公开指南")
    assert not names_disclosure_column("2021年政府信息公开工作年度报告")


HANWEB_TABLE = """<html><body><table class="xxgk_table">
<tr><td>索引号：</td><td>002482307/2021-00123</td><td>分类：</td><td>综合政务/政务公开</td></tr>
<tr><td>发布机构：</td><td>杭州市发展和改革委员会</td><td>发布日期：</td><td>2021-01-29</td></tr>
<tr><td>名称：</td><td>2020年政府信息公开工作年度报告</td></tr>
<tr><td>文号：</td><td></td><td>主题词：</td><td></td></tr></table>
<div id="zoom"><p>一、总体情况</p></div></body></html>"""

TRS_LIST = """<html><body><div class="xxgk-info"><ul>
<li><b>索引号：</b><span>512000728/2022-38055</span></li>
<li><b>主题分类：</b><span>综合政务/政府信息公开</span></li>
<li><b>发布机构：</b><span>济宁市教育局</span></li>
<li><b>成文日期：</b><span>2022年1月19日</span></li>
<li><b>文号：</b><span>济教发〔2022〕3号</span></li>
<li><b>发布日期：</b><span>2022-01-19</span></li></ul></div></body></html>"""

INLINE = """<html><body><div class="info">索引号：11330100/2021-1 发布机构：XX局 发布日期：2021-02-03</div>
<p>正文……发布日期：1999-01-01</p></body></html>"""


def test_metadata_block_layouts():
    assert read_page_meta(parse_html(HANWEB_TABLE)) == {
        "索引号": "002482307/2021-00123", "发布机构": "杭州市发展和改革委员会", "发布日期": "2021-01-29",
        "主题分类": "综合政务/政务公开"}
    assert read_page_meta(parse_html(TRS_LIST)) == {
        "索引号": "512000728/2022-38055", "发布机构": "济宁市教育局", "成文日期": "2022-01-19",
        "发布日期": "2022-01-19", "文号": "济教发〔2022〕3号", "主题分类": "综合政务/政府信息公开"}
    assert read_page_meta(parse_html(INLINE)) == {"索引号": "11330100/2021-1", "发布机构": "XX局",
                                                  "发布日期": "2021-02-03"}
    gbk = "<html><head><meta charset='gbk'></head><body><dl><dt>索引号</dt><dd>X-1</dd></dl></body></html>"
    assert read_page_meta(parse_html(gbk.encode("gbk").decode("gbk"))) == {"索引号": "X-1"}


def test_listing_rows_and_attachment_links():
    page = """<html><body><ul class="nav"><li><a href="/files/申请表.doc">申请表.doc</a></li></ul>
    <ul><li><a href="./202101/t20210122_1.html" title="2020年政府信息公开工作年度报告">2020年政府…</a>
    <span>2021-01-22</span></li></ul>
    <div class="TRS_Editor"><p>见附件</p></div>
    <p>附件：<a href="./P020210122123.pdf">年报.pdf</a>
    <a href="/module/download/downfile.jsp?classid=0&amp;filename=ab12.docx">下载</a>
    <a href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&amp;owner=1&amp;wbfileid=9">附件1</a>
    <a href="/info/1/2.htm">相关阅读</a></p></body></html>"""
    doc = parse_html(page, base_url="http://x.gov.cn/col/index.html")
    rows = link_rows(doc, "http://x.gov.cn/col/index.html")
    assert rows[1].url == "http://x.gov.cn/col/202101/t20210122_1.html"
    assert rows[1].text == "2020年政府信息公开工作年度报告" and rows[1].date == "2021-01-22"
    atts = [a.url for a in attachment_links(doc, "http://x.gov.cn/col/202101/t1.html")]
    assert atts == ["http://x.gov.cn/col/202101/P020210122123.pdf",
                    "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12.docx",
                    "http://x.gov.cn/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=9"]


NAME = "2021年政府信息公开工作年度报告.pdf"


def test_content_disposition_names():
    assert filename_from_disposition(b'attachment; filename="' + NAME.encode("gbk") + b'"') == NAME
    assert filename_from_disposition(b'attachment; filename="' + NAME.encode("utf-8") + b'"') == NAME
    from urllib.parse import quote

    assert filename_from_disposition(f"attachment; filename*=UTF-8''{quote(NAME)}".encode()) == NAME
    assert filename_from_disposition(
        f"attachment; filename=\"fallback.pdf\"; filename*=utf-8''{quote(NAME)}".encode()) == NAME
    assert filename_from_disposition(f"attachment; filename={quote(NAME)}".encode()) == NAME
    assert filename_from_disposition(b"attachment; filename*=GBK''" + quote(NAME.encode("gbk")).encode()) == NAME
    assert filename_from_disposition(b'attachment; filename="../../etc/passwd"') == "passwd"
    assert filename_from_disposition(b"inline") is None
    assert filename_from_disposition(None) is None
    assert filename_from_url("http://x.cn/a/%E5%B9%B4%E6%8A%A5.pdf?x=1") == "年报.pdf"
