"""集约化 platform with ``/YYYYMM/<32hex>.shtml`` articles (江西, 新疆, 西藏, 海南, 陕西汉中; the same
template as www.nhc.gov.cn and csrc.gov.cn columns).

- Column ``/<site>/<column>/``: list page ``list.shtml`` (some sites ``xlist.shtml`` or
  ``common_list.shtml``), further pages ``list_2.shtml`` … ``list_N.shtml``; the pager is
  ``createPageHTML('page_div', N, current1based, 'list', 'shtml', total)``. Pages past N answer 404.
- Rows ``<li><a href="/<site>/<column>/YYYYMM/<hex>.shtml" target="_blank" title="…">…</a>
  <span class="time">YYYY-MM-DD</span></li>``; Hainan sites add ``?ddtab=true`` to the links.
- Articles: breadcrumb ``当前位置：首页 > 政府信息公开年报`` linking the column's list page, an
  info table (索引号, 发布机构, 成文日期, 发布日期), body ``div#zoom``; attachments
  ``…/YYYYMM/<hex>/files/<hex>.<ext>``. A sidebar lists the site's other news (same URL shape, other
  column) on every page.
"""

from __future__ import annotations

import hashlib
import random

from .content import Attachment, Item, esc
from .server import Request, Response
from .site import Site

SITES = ("jaxrmzf", "xjgl", "lzslyj", "hzszf", "wlmqs", "gasrmzf")
COLUMNS = ("xxgknb", "gknb", "c120230", "2023nianbao", "zfxxgknb", "nbsz2025")
LIST_NAMES = ("list", "list", "xlist", "common_list")


class JiyueSite(Site):
    family = "jiyue_shtml"
    robots_extra = "/manage/"

    def setup(self, rng: random.Random) -> None:
        self.site = rng.choice(SITES)
        self.col = f"/{self.site}/{rng.choice(COLUMNS)}/"
        self.news = f"/{self.site}/xwdt/"
        self.list_name = rng.choice(LIST_NAMES)
        self.perpage = rng.choice((6, 8, 10))
        self.ddtab = rng.random() < 0.3  # Hainan: links carry ?ddtab=true

    def hexname(self, item: Item) -> str:
        return hashlib.md5(f"{self.seed}:{item.id}".encode()).hexdigest()

    def item_path(self, item: Item) -> str:
        # reports, notices and half the noise in the 年报 column; the rest is the site's news
        in_column = item.kind in ("report", "notice") or item.id % 2 == 0
        item.classify = 1 if in_column else 0
        path = f"{self.col if in_column else self.news}{item.date:%Y%m}/{self.hexname(item)}.shtml"
        return path + ("?ddtab=true" if self.ddtab else "")  # as the site links it (and answers it)

    def link(self, item: Item) -> str:
        return item.path

    def attachment(
        self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random
    ) -> Attachment:
        folder = item.path.split("?", 1)[0].rsplit(".", 1)[0]
        return Attachment(f"{folder}/files/{rng.getrandbits(128):032x}.{fmt}", filename, fmt, filename)

    def list_path(self, n: int = 1) -> str:
        return f"{self.col}{self.list_name}.shtml" if n == 1 else f"{self.col}{self.list_name}_{n}.shtml"

    def column_items(self) -> list[Item]:
        return [it for it in self.listed() if it.classify == 1]

    def page_count(self) -> int:
        return max(1, -(-len(self.column_items()) // self.perpage))

    def start_urls(self) -> list[str]:
        # the registry knows one report page of the column (the newest)
        newest = max((it for it in self.items if it.kind == "report"), key=lambda it: (it.date, it.id))
        return [self.link(newest)]

    def listing_targets(self) -> list[str]:
        return [self.list_path(n) for n in range(1, self.page_count() + 1)]

    def is_listing(self, path: str) -> bool:
        return path.startswith(self.col) and path.endswith(".shtml") and path.count("/") == 3

    def sidebar(self) -> str:
        news = [it for it in self.listed() if it.classify == 0][:6]
        rows = "".join(
            f'<li><a href="{esc(self.link(it))}" title="{esc(it.title)}">{self.shown(it.title)}</a></li>'
            for it in news
        )
        return f'<div class="side-news"><h3>要闻动态</h3><ul>{rows}</ul></div>'

    def crumbs(self) -> str:
        return (
            f'<div class="bt-position">当前位置：<a href="/{self.site}/index.shtml">首页</a> &gt; '
            f'<a href="/{self.site}/zfxxgk/index.shtml">政府信息公开</a> &gt; '
            f'<a href="{self.list_path()}">政府信息公开年报</a></div>'
        )

    def list_page(self, n: int) -> Response:
        count = self.page_count()
        if not 1 <= n <= count:
            return Response.not_found()
        rows = "\n".join(
            f'<li><a href="{esc(self.link(it))}" target="_blank" title="{esc(it.title)}">{self.shown(it.title)}</a>'
            f'<span class="time">{it.date.isoformat()}</span></li>'
            for it in self.column_items()[(n - 1) * self.perpage : n * self.perpage]
        )
        total = len(self.column_items())
        body = f"""{self.crumbs()}
<div class="list-box"><ul class="list">
{rows}
</ul></div>
<div id="page_div"></div>
<script>createPageHTML('page_div',{count}, {n},'{self.list_name}','shtml',{total});</script>
{self.sidebar()}"""
        return self.html(self.page(f"政府信息公开年报-{self.agency.name}", body), self.clock)

    def route(self, req: Request) -> Response | None:
        if req.path in ("/", f"/{self.site}/index.shtml"):
            body = f'<h1>{esc(self.agency.name)}</h1><a href="{self.list_path()}">政府信息公开年报</a>{self.sidebar()}'
            return self.html(self.page(self.agency.name, body), self.clock)
        if req.path == self.list_path():
            return self.list_page(1)
        prefix = f"{self.col}{self.list_name}_"
        if (
            req.path.startswith(prefix)
            and req.path.endswith(".shtml")
            and req.path[len(prefix) : -6].isdigit()
        ):
            n = int(req.path[len(prefix) : -6])
            return self.list_page(n) if n >= 2 else Response.not_found()
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        links = "".join(
            f'<p><a href="{esc(a.path)}" target="_blank">{esc(a.link_text)}</a></p>' for a in item.attachments
        )
        page = f"""{self.crumbs()}
<table class="info-table">
<tr><td>索引号：</td><td>{esc(m["索引号"])}</td><td>主题分类：</td><td>{esc(m["主题分类"])}</td></tr>
<tr><td>发布机构：</td><td>{esc(m["发布机构"])}</td><td>成文日期：</td><td>{esc(m["成文日期"])}</td></tr>
<tr><td>文号：</td><td>{esc(m["文号"])}</td><td>发布日期：</td><td>{esc(m["发布日期"])}</td></tr>
</table>
<div class="article"><h1>{esc(item.title)}</h1>
<div class="article-info">发布时间：{item.date.isoformat()} 来源：{esc(self.agency.name)}</div>
<div id="zoom">
{body}
</div>
{('<div class="attach">附件：' + links + "</div>") if links else ""}
</div>
{self.sidebar()}"""
        return self.page(item.title, page, f'<meta name="ArticleTitle" content="{esc(item.title)}">')
