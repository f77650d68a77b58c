"""Family spiders on markup shaped like the real CMS pages (platforms.md), beyond what the replica
serves: Hanweb pager parameters from <nextgroup>/jpage JS, TRS `var countPage`, VSB numbering,
gkmlpt SID/TREE discovery, xxgkAnnualReport.jsp links."""

from urllib.parse import parse_qs, urlsplit

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.spiders.gkmlpt import GkmlptSpider
from crawler.spiders.hanweb_jcms import HanwebJcmsSpider
from crawler.spiders.trs_wcm import TrsWcmSpider
from crawler.spiders.vsb import VsbSpider


def source(family, url, **params):
    return {"id": "t-src", "agency": "测试局", "region": "浙江省", "region_code": "330000", "level": "province",
            "family": family, "start_urls": [url], "params": params}


def spider_for(cls, src, tmp_path):
    """A spider bound to a real crawler and a real (empty) capture store."""
    crawler = get_crawler(cls, settings_dict={"XXGK_DATA_DIR": str(tmp_path), "XXGK_RUN_ID": "t"})
    return cls.from_crawler(crawler, source=src)


def response(url, body):
    return HtmlResponse(url=url, body=body.encode("utf-8"), encoding="utf-8", request=Request(url))


HANWEB_COLUMN = """<html><head><meta name="SiteName" content="杭州市人民政府"></head><body>
<div id="4567"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3096&path=/&columnid=1229&unitid=4567&webname=%E6%9D%AD%E5%B7%9E&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2021/1/29/art_1229_5908.html" title="2020年政府信息公开工作年度报告">2020年…</a><span>2021-01-29</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/1/2/art_1229_5800.html" title="关于做好2020年政府信息公开工作年度报告编制的通知">通知</a><span>2021-01-02</span></li>]]></record>
<record><![CDATA[<li><a href="/module/xxgk/xxgkAnnualReport.jsp?area=11330100002482307L&fbtime=2019" title="2019年度">2019年度</a><span>2020-01-20</span></li>]]></record>
</recordset></datastore></script>
<script>$('#4567').jpage({dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 1, groupSize: 3,
totalRecord: 10});</script></div></body></html>"""


def test_hanweb_windows_and_form_from_the_page():
    spider = HanwebJcmsSpider(source("hanweb_jcms", "http://www.hz.gov.cn/col/col1229/index.html"))
    form_url, form = spider._form(HANWEB_COLUMN, "http://www.hz.gov.cn/col/col1229/index.html")
    assert form_url == "http://www.hz.gov.cn/module/web/jpage/dataproxy.jsp"
    assert form == {"col": "1", "appid": "1", "path": "/", "permissiontype": "0", "webid": "3096",
                    "columnid": "1229", "unitid": "4567", "webname": "杭州"}
    rows = spider._record_rows(HANWEB_COLUMN, "http://www.hz.gov.cn/col/col1229/index.html")
    assert [(r.text, r.date) for r in rows][:2] == [("2020年政府信息公开工作年度报告", "2021-01-29"),
                                                   ("关于做好2020年政府信息公开工作年度报告编制的通知", "2021-01-02")]


def test_hanweb_window_requests(tmp_path):
    spider = spider_for(HanwebJcmsSpider, source("hanweb_jcms", "http://www.hz.gov.cn/col/col1229/index.html"),
                        tmp_path)
    resp = response("http://www.hz.gov.cn/col/col1229/index.html", HANWEB_COLUMN)
    made = list(spider._window_requests(resp, HANWEB_COLUMN, 3))
    queries = [parse_qs(urlsplit(r.url).query) for r in made]
    assert [(q["startrecord"][0], q["endrecord"][0], q["perpage"][0]) for q in queries] == [
        ("4", "6", "1"), ("7", "9", "1"), ("10", "10", "1")]
    assert all(r.method == "POST" and parse_qs(r.body.decode())["unitid"] == ["4567"] for r in made)
    assert made[0].headers[b"X-Requested-With"] == b"XMLHttpRequest"
    assert made[0].headers[b"Content-Type"] == b"application/x-www-form-urlencoded"


def test_trs_page_count_from_variable():
    spider = TrsWcmSpider(source("trs_wcm", "http://x.gov.cn/zfxxgknb/index.shtml"))
    body = 'var countPage = 3;var currentPage = 0;createPageHTML(countPage, currentPage, "index", "shtml");'
    resp = response("http://x.gov.cn/zfxxgknb/index.shtml", f"<html><script>{body}</script></html>")
    assert spider.page_urls(resp, None) == ["http://x.gov.cn/zfxxgknb/index_1.shtml",
                                            "http://x.gov.cn/zfxxgknb/index_2.shtml"]


def test_vsb_pages_numbered_downward():
    from crawler.reports import parse_html

    spider = VsbSpider(source("vsb", "http://www.bs.gov.cn/xxgk/nb.htm"))
    html = ('<html><span class="p_pages"><a href="nb/11.htm">下页</a><a href="nb/1.htm">尾页</a></span>'
            '<a href="../info/4993/2861184.htm">2021年政府信息公开工作年度报告</a></html>')
    resp = response("http://www.bs.gov.cn/xxgk/nb.htm", html)
    urls = spider.page_urls(resp, parse_html(html, resp.url))
    assert urls[0] == "http://www.bs.gov.cn/xxgk/nb/11.htm" and urls[-1] == "http://www.bs.gov.cn/xxgk/nb/1.htm"
    assert len(urls) == 11


def test_gkmlpt_reads_sid_and_annual_report_classify(tmp_path):
    spider = spider_for(GkmlptSpider, source("gkmlpt", "http://www.gd.gov.cn/zwgk/gkmlpt/index"), tmp_path)
    page = """<html><script>window._CONFIG = {
      SID: '755041',
      TREE: [{"id": 1, "name": "机构职能", "children": []},
             {"id": 2629, "name": "政府信息公开年报", "children": [], "post_count": 12},
             {"id": 77, "name": "年报（旧）", "jump_url": "http://elsewhere"}],
      SERVICE_AREA_ID: 1};</script></html>"""
    ctx = {"prefix": "http://www.gd.gov.cn/zwgk", "sid": None, "classify": []}
    made = list(spider.parse_front(response("http://www.gd.gov.cn/zwgk/gkmlpt/index", page), ctx))
    assert [r.url for r in made] == ["http://www.gd.gov.cn/zwgk/gkmlpt/api/all/2629?page=1&sid=755041"]


def test_hanweb_annual_report_jsp_link_is_a_report(tmp_path):
    spider = spider_for(HanwebJcmsSpider, source("hanweb_jcms", "http://www.hz.gov.cn/col/col1229/index.html"),
                        tmp_path)
    rows = spider._record_rows(HANWEB_COLUMN, "http://www.hz.gov.cn/col/col1229/index.html")
    made = list(spider.rows_to_requests(rows, "http://www.hz.gov.cn/col/col1229/index.html"))
    # the 2020 report and the per agency-year JSP; the 通知 is skipped
    assert [r.url for r in made] == [
        "http://www.hz.gov.cn/art/2021/1/29/art_1229_5908.html",
        "http://www.hz.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11330100002482307L&fbtime=2019"]
    assert made[0].meta["xxgk_role"] == "report" and made[0].meta["xxgk_listed_date"] == "2021-01-29"


TRS_INLINE = """<script language="JavaScript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
if(_nPageCount == null || _nPageCount<=1){ return; }
for(var i=1; i<_nPageCount; i++){ document.write("<a href=\\""+_sPageName+"_"+i+"."+_sPageExt+"\\">"+(i+1)+"</a>"); }
}
var currentPage = 0;
createPageHTML(3, 0, "index", "html");
</script>"""


def test_trs_page_count_from_the_call_not_an_inline_definition():
    """Real TRS pages often define createPageHTML inline before calling it: the count is the call's."""
    spider = TrsWcmSpider(source("trs_wcm", "http://x.gov.cn/zfxxgknb/index.html"))
    resp = response("http://x.gov.cn/zfxxgknb/index.html", f"<html>{TRS_INLINE}</html>")
    assert spider.page_urls(resp, None) == ["http://x.gov.cn/zfxxgknb/index_1.html",
                                            "http://x.gov.cn/zfxxgknb/index_2.html"]
    # a definition alone (no call) gives no pages, and a variable count behind the definition still reads
    only_def = TRS_INLINE.replace('createPageHTML(3, 0, "index", "html");', "")
    assert spider.page_urls(response("http://x.gov.cn/zfxxgknb/index.html", only_def), None) == []
    var = TRS_INLINE.replace("createPageHTML(3, 0,", "var countPage = 4;\ncreatePageHTML(countPage, 0,")
    assert len(spider.page_urls(response("http://x.gov.cn/zfxxgknb/index.html", var), None)) == 3
