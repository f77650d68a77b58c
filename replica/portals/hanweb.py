"""Hanweb 大汉 JCMS portal (Zhejiang, Jiangsu, Hubei...).

- Column page `/col/col<columnid>/index.html`: the first window of records embedded as
  `<script type="text/xml"><datastore><nextgroup/><recordset><record><![CDATA[<li>...]]></record>...`
  plus the jpage call `totalRecord:N`, `perPage:P` and the ajaxParam (webid, columnid, unitid).
- Further windows: `POST` (or `GET`) `/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`
  with form `col=1&appid=1&webid=&path=/&columnid=&unitid=&webname=&permissiontype=0`, answering
  XML: `<datastore><recordset><record><![CDATA[...]]></record>...</recordset><totalrecord>N</totalrecord>`.
  Also served under `/module/jpage/dataproxy.jsp`. A wrong columnid answers an empty datastore.
- Articles `/art/YYYY/M/D/art_<columnid>_<id>.html`: `<meta name="ArticleTitle|PubDate|ContentSource|ColumnName">`,
  `table.xxgk_table` (索引号/主题分类, 发布机构/成文日期, 名称, 文号/发布日期), body `div#zoom`.
- Some portals (xxgk module) publish each agency-year report at
  `/module/xxgk/xxgkAnnualReport.jsp?area=<统一社会信用代码>&fbtime=<year>`, linked from the column; the
  page carries the report directly.
- Attachments: `/module/download/downfile.jsp?classid=0&filename=<32hex>.<ext>` answering 302 to
  `/attach/0/<32hex>.<ext>` (name in the link text), or `downfile.jsp?classid=0&fileid=<n>` naming the
  file only in Content-Disposition.
"""

from __future__ import annotations

import random

from .content import Attachment, Item, attachment_links, esc
from .server import Request, Response
from .site import Site

DATAPROXY = ("/module/web/jpage/dataproxy.jsp", "/module/jpage/dataproxy.jsp")
ANNUAL_REPORT_JSP = "/module/xxgk/xxgkAnnualReport.jsp"


class HanwebSite(Site):
    family = "hanweb_jcms"
    id_range = (20000, 9000000)
    robots_extra = "/module/manage/"
    noise_range = (50, 70)  # more records than the embedded first window (3 x perpage <= 45)

    def setup(self, rng: random.Random) -> None:
        self.webid = rng.randint(1, 4000)
        self.columnid = rng.choice((rng.randint(1000, 99999), rng.randint(1229000000, 1229999999)))
        self.unitid = rng.randint(3000000, 9999999)
        self.perpage = rng.choice((10, 15))
        self.group = 3  # records embedded / per dataproxy window = group * perpage
        self.table_rows = rng.random() < 0.4  # records as table rows instead of <li>
        self.jsp_reports = rng.random() < 0.35  # reports at xxgkAnnualReport.jsp?area=&fbtime=
        self.full_urls = random.Random(f"{self.seed}:full-urls").random() < 0.4  # records link http://host/art/...
        org = "".join(rng.choice("0123456789") for _ in range(9))
        self.area = f"11{self.agency.place.code}{org}{rng.choice('0123456789ABCDEFGHJKLMNPQRTUWXY')}"

    @property
    def column_path(self) -> str:
        return f"/col/col{self.columnid}/index.html"

    def start_urls(self) -> list[str]:
        return [self.column_path]

    def params(self) -> dict:
        # annual_report_areas/_years are left out on purpose: the column links the JSP reports, and
        # a crawler must find them there (params would make it re-fetch them on every crawl)
        return {"webid": self.webid, "columnid": self.columnid, "unitid": self.unitid, "perpage": self.perpage,
                "webname": self.agency.name}

    def listing_targets(self) -> list[str]:
        return [self.column_path]

    def is_listing(self, path: str) -> bool:
        return path == self.column_path or path in DATAPROXY

    def item_path(self, item: Item) -> str:
        if self.jsp_reports and item.kind == "report":
            path = f"{ANNUAL_REPORT_JSP}?area={self.area}&fbtime={item.year}"
            if path not in self.pages:  # a second report for a year gets an /art/ page
                return path
        d = item.date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{self.columnid}_{item.id}.html"

    def attachment(self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random) -> Attachment:
        if mode == "link":
            hexname = f"{rng.getrandbits(128):032x}.{fmt}"
            return Attachment(f"/module/download/downfile.jsp?classid=0&filename={hexname}", filename, fmt,
                              filename, redirect_to=f"/attach/0/{hexname}")
        fileid = item.id * 10 + n
        return Attachment(f"/module/download/downfile.jsp?classid=0&fileid={fileid}", filename, fmt, "附件下载",
                          disposition=mode)

    # --- listings -----------------------------------------------------------------------------
    def record(self, item: Item) -> str:
        d = item.date.isoformat()
        t = esc(item.title)
        href = self.base_url + item.path if self.full_urls else item.path
        if self.table_rows:
            return (f'<table width="100%"><tr><td><a href="{href}" title="{t}" target="_blank">{self.shown(item.title)}</a></td>'
                    f'<td class="bt_time">{d}</td></tr></table>')
        return f'<li><a href="{href}" title="{t}" target="_blank">{self.shown(item.title)}</a><span class="bt-data-time">{d}</span></li>'

    def nextgroup(self) -> str:
        return (f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={self.webid}&path=/'
                f'&columnid={self.columnid}&unitid={self.unitid}&webname={esc(self.agency.name)}&permissiontype=0"></a>')

    def column_page(self) -> Response:
        items = self.listed()
        window = self.group * self.perpage
        records = "\n".join(f"<record><![CDATA[\n{self.record(it)}\n]]></record>" for it in items[:window])
        body = f"""<div class="header"><a href="/">{esc(self.agency.name)}</a></div>
<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="{self.column_path}">政府信息公开</a> &gt; 信息公开年报</div>
<div class="main-right"><div class="lm-title">政府信息公开年报</div>
<div id="{self.unitid}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{self.nextgroup()}]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script></div>
</div>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>
<script type="text/javascript">
$(document).ready(function(){{
  $('#{self.unitid}').jpage({{
    dataStore: $('#{self.unitid} script'),
    perPage:{self.perpage},
    showMode:'full',
    totalRecord:{len(items)},
    proxyUrl:'/module/web/jpage/dataproxy.jsp',
    groupSize:{self.group},
    barPosition:'bottom',
    ajaxParam:{{col:1,appid:1,webid:{self.webid},path:'/',columnid:{self.columnid},sourceContentType:1,unitid:{self.unitid},webname:'{esc(self.agency.name)}',permissiontype:0}},
    dataBefore:'<ul class="list">',
    dataAfter:'</ul>'
  }});
}});
</script>"""
        head = f'<meta name="ColumnName" content="信息公开年报">\n<meta name="SiteName" content="{esc(self.agency.name)}">'
        return self.html(self.page(f"信息公开年报 {self.agency.name}", body, head), self.clock)

    def dataproxy(self, req: Request) -> Response:
        q = req.query
        try:
            start = int(q.get("startrecord") or 1)
            perpage = int(q.get("perpage") or self.perpage)
            end = int(q.get("endrecord") or start + self.group * perpage - 1)
        except ValueError:
            return Response(400, b"startrecord, endrecord and perpage must be integers", "text/plain")
        items = self.listed() if q.get("columnid") == str(self.columnid) else []
        chosen = items[max(start, 1) - 1 : max(end, 0)]
        records = "\n".join(f"<record><![CDATA[\n{self.record(it)}\n]]></record>" for it in chosen)
        pages = -(-len(items) // perpage) if perpage > 0 else 0
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[{self.nextgroup()}]]></nextgroup>\n'
               f"<recordset>\n{records}\n</recordset>\n<totalrecord>{len(items)}</totalrecord>\n"
               f"<totalpage>{pages}</totalpage>\n</datastore>\n")
        return Response(200, xml.encode("utf-8"), "text/xml;charset=UTF-8")

    def home(self) -> Response:
        body = f"""<div class="header"><h1>{esc(self.agency.name)}</h1></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="{self.column_path}">政府信息公开</a></li>
<li><a href="/admin/login.jsp">网站管理</a></li></ul>"""
        return self.html(self.page(self.agency.name, body), self.clock)

    def route(self, req: Request) -> Response | None:
        if req.path in ("/", "/index.html"):
            return self.home()
        if req.path == self.column_path:
            return self.column_page()
        if req.path in DATAPROXY:
            return self.dataproxy(req)
        return None

    # --- articles -----------------------------------------------------------------------------
    def article(self, item: Item, body: str) -> str:
        if item.path.startswith(ANNUAL_REPORT_JSP):
            return self.annual_report_jsp(item, body)
        m = item.meta
        head = (f'<meta name="ArticleTitle" content="{esc(item.title)}">\n'
                f'<meta name="PubDate" content="{item.date.isoformat()} 09:30">\n'
                f'<meta name="ContentSource" content="{esc(self.agency.name)}">\n'
                f'<meta name="ColumnName" content="信息公开年报">\n<meta name="Keywords" content="">')
        page = f"""<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="{self.column_path}">信息公开年报</a></div>
<table class="xxgk_table" width="100%">
<tr><td class="td1">索引号：</td><td>{esc(m['索引号'])}</td><td class="td1">主题分类：</td><td>{esc(m['主题分类'])}</td></tr>
<tr><td class="td1">发布机构：</td><td>{esc(m['发布机构'])}</td><td class="td1">成文日期：</td><td>{esc(m['成文日期'])}</td></tr>
<tr><td class="td1">名称：</td><td colspan="3">{esc(item.title)}</td></tr>
<tr><td class="td1">文号：</td><td>{esc(m['文号'])}</td><td class="td1">发布日期：</td><td>{esc(m['发布日期'])}</td></tr>
</table>
<div class="article"><div class="title">{esc(item.title)}</div>
<div class="info">发布日期：{item.date.isoformat()} 浏览次数：<span id="hits">-</span> 来源：{esc(self.agency.name)} 字体：[ 大 中 小 ]</div>
<div id="zoom">
{body}
</div>
{attachment_links(item)}
</div>"""
        return self.page(item.title, page, head)

    def annual_report_jsp(self, item: Item, body: str) -> str:
        m = item.meta
        page = f"""<div class="nb-title">{esc(item.title)}</div>
<table class="xxgk_table nb-info">
<tr><td>索引号：</td><td>{esc(m['索引号'])}</td><td>主题分类：</td><td>{esc(m['主题分类'])}</td></tr>
<tr><td>发布机构：</td><td>{esc(m['发布机构'])}</td><td>成文日期：</td><td>{esc(m['成文日期'])}</td></tr>
<tr><td>文号：</td><td>{esc(m['文号'])}</td><td>发布日期：</td><td>{esc(m['发布日期'])}</td></tr>
</table>
<div class="nb-content" id="zoom">
{body}
</div>
{attachment_links(item)}"""
        return self.page(item.title, page)
