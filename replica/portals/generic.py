"""A plain portal with no known CMS: the annual reports are found by following link text.

Home `/index.html` (nav: 首页, 新闻动态, a 信息公开 column under one of several names, 互动交流, 后台管理)
-> `/xxgk/index.html` (on rebuilt portals the nav still links the old `/zwgk/index.html`, answering 301) (sidebar: 信息公开指南, 法定主动公开内容, 政府信息公开年报, ...) -> the year-report
column `/xxgk/<col>/index.html`, paged by 下一页/尾页 links (`index_2.html` ... or `list.jsp?page=N`).
Reports sit among other items there; other items also fill 新闻动态 and 法定主动公开内容.
Articles `/xxgk/<col>/YYYYMM/<id>.html` (and `/news/...`, `/xxgk/fdzdgknr/...`), metadata `dl.xxgk-meta`,
body `div.article-content`. Attachments `/uploadfile/YYYY/MMDD/<id><n>.<ext>` (name in the link text) or
`/download.jsp?id=<n>` naming the file only in Content-Disposition.
"""

from __future__ import annotations

import random

from .content import Attachment, Item, attachment_links, esc
from .server import Request, Response
from .site import Site

GK_NAMES = ("政府信息公开", "信息公开", "政务公开")
REPORT_COLUMNS = (("ndbg", "政府信息公开年报"), ("xxgknb", "信息公开年度报告"), ("gknb", "政府信息公开工作年度报告"))
# item.classify: which column lists the item
REPORTS, STATUTORY, NEWS = 1, 2, 3
OLD_GK = "/zwgk/index.html"
COLUMN_DIRS = {STATUTORY: ("/xxgk/fdzdgknr/", "法定主动公开内容"), NEWS: ("/news/", "新闻动态")}


class GenericSite(Site):
    family = "generic"
    id_range = (10000, 900000)

    def setup(self, rng: random.Random) -> None:
        self.gk_name = rng.choice(GK_NAMES)
        col, self.col_name = rng.choice(REPORT_COLUMNS)
        self.col = f"/xxgk/{col}/"
        self.query_paging = rng.random() < 0.4
        self.perpage = rng.choice((6, 8, 10))
        # a rebuilt portal: the old 信息公开 address answers 301 to the new one
        self.moved = random.Random(f"{self.seed}:moved").random() < 0.4

    def start_urls(self) -> list[str]:
        return ["/index.html"]

    def params(self) -> dict:
        return {"max_depth": 4}

    def columns(self) -> dict[int, tuple[str, str]]:
        return {REPORTS: (self.col, self.col_name), **COLUMN_DIRS}

    def page_path(self, classify: int, n: int) -> str:
        base = self.columns()[classify][0]
        if n == 1:
            return base + "index.html"
        return f"{base}list.jsp?page={n}" if self.query_paging else f"{base}index_{n}.html"

    def page_count(self, classify: int) -> int:
        return max(1, -(-sum(1 for it in self.items if it.classify == classify) // self.perpage))

    def listing_targets(self) -> list[str]:
        return [self.page_path(REPORTS, n) for n in range(1, self.page_count(REPORTS) + 1)]

    def is_listing(self, path: str) -> bool:
        return path in ("/", "/index.html", "/xxgk/index.html", OLD_GK) or any(
            path.startswith(base) and ("/index" in path or path.endswith("list.jsp"))
            for base, _ in self.columns().values())

    def item_path(self, item: Item) -> str:
        if item.kind in ("report", "notice") or item.id % 3 == 0:
            item.classify = REPORTS
        else:
            item.classify = STATUTORY if item.id % 3 == 1 else NEWS
        return f"{self.columns()[item.classify][0]}{item.date:%Y%m}/{item.id}.html"

    def attachment(self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random) -> Attachment:
        if mode == "link":
            return Attachment(f"/uploadfile/{item.date:%Y/%m%d}/{item.id}{n}.{fmt}", filename, fmt, filename)
        return Attachment(f"/download.jsp?id={item.id * 10 + n}", filename, fmt, "附件下载", disposition=mode)

    def nav(self) -> str:
        gk = OLD_GK if self.moved else "/xxgk/index.html"
        return (f'<ul class="nav"><li><a href="/index.html">首页</a></li><li><a href="/news/index.html">新闻动态</a></li>'
                f'<li><a href="{gk}">{self.gk_name}</a></li><li><a href="/hdjl/index.html">互动交流</a></li>'
                '<li><a href="/admin/login.html">后台管理</a></li></ul>')

    def home(self) -> Response:
        news = "".join(f'<li><a href="{it.path}">{esc(it.title)}</a></li>' for it in self.listed(NEWS)[:5])
        body = f"""<div class="top"><h1>{esc(self.agency.name)}</h1></div>
{self.nav()}
<div class="box"><h3>新闻动态</h3><ul>{news}</ul></div>
<div class="footer"><a href="/about/sitemap.html">网站地图</a> <a href="/about/contact.html">联系我们</a></div>"""
        return self.html(self.page(self.agency.name, body), self.clock)

    def gk_index(self) -> Response:
        side = "".join(f'<li><a href="{base}index.html">{name}</a></li>' for base, name in (
            ("/xxgk/zn/", "政府信息公开指南"), (self.col, self.col_name), ("/xxgk/fdzdgknr/", "法定主动公开内容"),
            ("/xxgk/ysqgk/", "依申请公开")))
        body = f'{self.nav()}\n<div class="side"><h3>{esc(self.gk_name)}</h3><ul>{side}</ul></div>'
        return self.html(self.page(f"{self.gk_name}-{self.agency.name}", body), self.clock)

    def listing(self, classify: int, n: int) -> Response:
        count = self.page_count(classify)
        if not 1 <= n <= count:
            return Response.not_found()
        base, name = self.columns()[classify]
        rows = "\n".join(
            f'<li><a href="{it.path}" title="{esc(it.title)}">{self.shown(it.title)}</a><span class="date">[{it.date.isoformat()}]</span></li>'
            for it in self.listed(classify)[(n - 1) * self.perpage : n * self.perpage])
        total = sum(1 for it in self.items if it.classify == classify)
        pager = f"共{total}条 第{n}/{count}页 "
        if n > 1:
            pager += f'<a href="{self.page_path(classify, 1)}">首页</a> <a href="{self.page_path(classify, n - 1)}">上一页</a> '
        if n < count:
            pager += f'<a href="{self.page_path(classify, n + 1)}">下一页</a> <a href="{self.page_path(classify, count)}">尾页</a>'
        body = f"""{self.nav()}
<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/xxgk/index.html">{esc(self.gk_name)}</a> &gt; {esc(name)}</div>
<ul class="news-list">
{rows}
</ul>
<div class="page">{pager}</div>"""
        return self.html(self.page(f"{name}-{self.agency.name}", body), self.clock)

    def route(self, req: Request) -> Response | None:
        path = req.path
        if path in ("/", "/index.html"):
            return self.home()
        if path == "/xxgk/index.html":
            return self.gk_index()
        if path == OLD_GK and self.moved:
            return Response(301, b"", headers=[("Location", "/xxgk/index.html")])
        for classify, (base, _) in self.columns().items():
            if path == base + "index.html":
                return self.listing(classify, 1)
            if self.query_paging and path == base + "list.jsp":
                page = req.query.get("page", "1")
                return self.listing(classify, int(page)) if page.isdigit() else Response.not_found()
            if not self.query_paging and path.startswith(base + "index_") and path.endswith(".html"):
                number = path[len(base) + 6 : -5]
                if number.isdigit() and int(number) > 1:
                    return self.listing(classify, int(number))
        if path in ("/xxgk/zn/index.html", "/xxgk/ysqgk/index.html", "/hdjl/index.html", "/about/sitemap.html"):
            return self.html(self.page(self.agency.name, f"{self.nav()}<p>{esc(self.agency.name)}</p>"), self.clock)
        return None  # /about/contact.html stays a broken link

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        meta = "".join(f"<dt>{label}</dt><dd>{esc(m[label])}</dd>"
                       for label in ("索引号", "发布机构", "成文日期", "发布日期", "文号", "主题分类"))
        page = f"""{self.nav()}
<dl class="xxgk-meta">{meta}</dl>
<h2 class="article-title">{esc(item.title)}</h2>
<div class="article-info">发布时间：{item.date.isoformat()}</div>
<div class="article-content">
{body}
</div>
{attachment_links(item)}"""
        return self.page(item.title, page)
