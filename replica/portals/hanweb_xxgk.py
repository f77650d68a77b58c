"""Hanweb 大汉 信息公开 module (``/module/xxgk/``: 温州, 丽水, 桐乡, 济宁, 泰安, 威海, 大连).

- ``/module/xxgk/xxgkAnnualReport.jsp?area=<统一社会信用代码>&fbtime=<YYYY>`` (parameters in any order):
  the agency-year's report in the answer itself; a year with no report answers 200 with an empty
  shell (``暂无信息``), as the real module does for every year it has nothing for.
- ``POST /module/xxgk/search.jsp?standardXxgk=1&isAllList=1&texttype=&fbtime=&vc_all=&…&currpage=N&
  sortfield=,compaltedate:0`` with form ``infotypeId`` (the 年报 category), ``jdid``, ``area``, ``divid``,
  ``currpage``: an HTML fragment with rows ``tr.tr_main_value_odd|even`` (``td a[title][href]``, date
  cell), ``table.tb_title`` saying ``共N条 共N页 第N页`` and ``funGoPage('/module/xxgk/search.jsp',n)``
  links. A wrong area or category answers no rows. The category lists the JSP reports, a second report
  of a year as an ``/art/`` page, and other items filed under it (通知, 解读…).
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

from .content import Attachment, Item, attachment_links, esc
from .faults import request_key
from .server import Request, Response
from .site import Site

ANNUAL_REPORT_JSP = "/module/xxgk/xxgkAnnualReport.jsp"
SEARCH_JSP = "/module/xxgk/search.jsp"
SEARCH_QUERY = (
    "standardXxgk=1&isAllList=1&texttype=&fbtime=&vc_all=&vc_filenumber=&vc_title=&vc_number="
    "&currpage=1&sortfield=,compaltedate:0"
)


class HanwebXxgkSite(Site):
    family = "hanweb_xxgk"
    id_range = (20000, 9000000)
    robots_extra = "/module/manage/"

    def setup(self, rng: random.Random) -> None:
        org = "".join(rng.choice("0123456789") for _ in range(9))
        self.area = f"11{self.agency.place.code}{org}{rng.choice('0123456789ABCDEFGHJKLMNPQRTUWXY')}"
        self.jdid = rng.choice((3096, 3099, 2571, 4120))
        self.infotype = rng.choice(("A0701", "NMA2", "A02003", "C1201"))
        self.divid = f"div{rng.randint(1000000, 1999999)}"
        self.columnid = rng.randint(1229000000, 1229999999)
        self.perpage = rng.choice((5, 8, 10))
        self.lishui_order = rng.random() < 0.3  # fbtime before area, as 丽水 links it

    def jsp_path(self, year: int) -> str:
        query = (
            {"fbtime": year, "area": self.area} if self.lishui_order else {"area": self.area, "fbtime": year}
        )
        return f"{ANNUAL_REPORT_JSP}?{urlencode(query)}"

    def item_path(self, item: Item) -> str:
        item.classify = 1 if item.kind in ("report", "notice") or item.id % 2 == 0 else 0
        if item.kind == "report":
            path = self.jsp_path(item.year)
            if request_key(path) not in self.pages:
                return path  # a second report for a year gets an /art/ page
        d = item.date
        return f"/art/{d.year}/{d.month}/{d.day}/art_{self.columnid}_{item.id}.html"

    def attachment(
        self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random
    ) -> Attachment:
        hexname = f"{rng.getrandbits(128):032x}.{fmt}"
        return Attachment(
            f"/module/download/downfile.jsp?classid=0&filename={hexname}",
            filename,
            fmt,
            filename,
            redirect_to=f"/attach/0/{hexname}",
        )

    def search_url(self) -> str:
        return f"{SEARCH_JSP}?{SEARCH_QUERY}"

    def start_urls(self) -> list[str]:
        return [self.search_url()]

    def params(self) -> dict:
        years = sorted({it.year for it in self.items if it.kind == "report"})
        # one year before the first report: the module answers its empty shell
        return {
            "area": self.area,
            "infotypeId": self.infotype,
            "jdid": self.jdid,
            "divid": self.divid,
            "annual_report_areas": [self.area],
            "annual_report_years": [years[0] - 1, *years],
        }

    def listed_items(self) -> list[Item]:
        return [it for it in self.listed() if it.classify == 1]

    def page_count(self) -> int:
        return max(1, -(-len(self.listed_items()) // self.perpage))

    def listing_targets(self) -> list[str]:
        return [self.search_url()]

    def is_listing(self, path: str) -> bool:
        return path == SEARCH_JSP

    def search(self, req: Request) -> Response:
        q = req.query
        ok = (
            q.get("area") == self.area
            and q.get("infotypeId") == self.infotype
            and q.get("jdid") == str(self.jdid)
        )
        page = int(q["currpage"]) if q.get("currpage", "").isdigit() else 1
        items = self.listed_items() if ok else []
        count = max(1, -(-len(items) // self.perpage))
        rows = []
        for i, it in enumerate(items[(page - 1) * self.perpage : page * self.perpage]):
            cls = "tr_main_value_odd" if i % 2 == 0 else "tr_main_value_even"
            rows.append(
                f'<tr class="{cls}"><td align="left"><a href="{esc(it.path)}" title="{esc(it.title)}" '
                f'target="_blank">{self.shown(it.title)}</a></td><td>{it.date.isoformat()}</td></tr>'
            )
        pager = " ".join(
            f"<a href=\"javascript:funGoPage('{SEARCH_JSP}',{n})\">{n}</a>" for n in range(1, count + 1)
        )
        body = f"""<table class="tb_main" width="100%">
<tr class="tr_main_title"><td>名称</td><td>发布日期</td></tr>
{"".join(rows)}
</table>
<table class="tb_title" width="100%"><tr><td>共{len(items)}条 共{count}页 第{page}页 {pager}</td></tr></table>"""
        return self.html(self.page("信息公开目录", body))

    def route(self, req: Request) -> Response | None:
        if req.path == "/":
            return self.html(
                self.page(self.agency.name, f'<iframe src="{self.search_url()}"></iframe>'), self.clock
            )
        if req.path == SEARCH_JSP:
            return self.search(req)
        if (
            req.path == ANNUAL_REPORT_JSP
            and req.query.get("area") == self.area
            and req.query.get("fbtime", "").isdigit()
        ):
            if request_key(req.target) not in self.pages:
                body = '<div class="nb-title"></div><div class="nb-content" id="zoom">暂无信息</div>'
                return self.html(self.page("政府信息公开年报", body))
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        page = f"""<div class="nb-title">{esc(item.title)}</div>
<table class="xxgk_table nb-info">
<tr><td>索引号：</td><td>{esc(m["索引号"])}</td><td>主题分类：</td><td>{esc(m["主题分类"])}</td></tr>
<tr><td>发布机构：</td><td>{esc(m["发布机构"])}</td><td>成文日期：</td><td>{esc(m["成文日期"])}</td></tr>
<tr><td>文号：</td><td>{esc(m["文号"])}</td><td>发布日期：</td><td>{esc(m["发布日期"])}</td></tr>
</table>
<div class="nb-content" id="zoom">
{body}
</div>
{attachment_links(item)}"""
        return self.page(item.title, page, f'<meta name="ArticleTitle" content="{esc(item.title)}">')
