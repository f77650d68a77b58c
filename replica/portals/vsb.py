"""VSB 博达 portal (static pages).

- Column first page `<col>.htm` (e.g. `/zfxxgk/list.htm`), then pages numbered downward:
  `<col>/<P-1>.htm` ... `<col>/1.htm` (the oldest items). Pager `span.p_pages` with 下页/尾页 links and
  `共N条` / `1/P`.
- Rows `<li id="line_u8_k"><a href="../info/<treeid>/<newsid>.htm" title>...</a><span>date</span></li>`
  (relative links).
- Articles `/info/<treeid>/<newsid>.htm`: `h2` title, body `#vsb_content .v_news_content`, metadata
  `table.xxgk_table`.
- Attachments: static `/__local/A/BC/DE/<hex>.<ext>` (name in the link text), or
  `/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=<owner>&wbfileid=<id>` naming the
  file only in Content-Disposition.
"""

from __future__ import annotations

import posixpath
import random

from .content import Attachment, Item, esc
from .server import Request, Response
from .site import Site

COLUMNS = ("/zfxxgk/list", "/xxgk/zfxxgknb", "/gkml/ndbg", "/zwgk/xxgknb")


class VsbSite(Site):
    family = "vsb"
    id_range = (1000, 90000)
    robots_extra = "/system/resource/code/"

    def setup(self, rng: random.Random) -> None:
        self.col = rng.choice(COLUMNS)
        if random.Random(f"{self.seed}:root-column").random() < 0.3:
            self.col = "/" + self.col.rsplit("/", 1)[1]  # a column at the site root: /xxgknb.htm
        self.treeid = rng.randint(1001, 1999)
        self.owner = rng.randint(1000000000, 1999999999)
        self.perpage = rng.choice((8, 10, 12))

    def start_urls(self) -> list[str]:
        return [f"{self.col}.htm"]

    def page_count(self) -> int:
        return max(1, -(-len(self.items) // self.perpage))

    def page_path(self, k: int) -> str:
        """k = 1 is the first (newest) page."""
        return f"{self.col}.htm" if k == 1 else f"{self.col}/{self.page_count() - k + 1}.htm"

    def listing_targets(self) -> list[str]:
        return [self.page_path(k) for k in range(1, self.page_count() + 1)]

    def is_listing(self, path: str) -> bool:
        return path == f"{self.col}.htm" or path.startswith(self.col + "/")

    def item_path(self, item: Item) -> str:
        return f"/info/{self.treeid}/{item.id}.htm"

    def attachment(self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random) -> Attachment:
        if mode == "link":
            h = f"{rng.getrandbits(96):024X}"
            return Attachment(f"/__local/{h[0]}/{h[1:3]}/{h[3:5]}/{h[5:]}_{n}.{fmt}", filename, fmt, filename)
        fileid = item.id * 10 + n
        path = f"/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner={self.owner}&wbfileid={fileid}"
        return Attachment(path, filename, fmt, "点击下载", disposition=mode)

    def listing_page(self, k: int) -> Response:
        count = self.page_count()
        if not 1 <= k <= count:
            return Response.not_found()
        here = posixpath.dirname(self.page_path(k))  # links are relative to the page, as VSB writes them
        rows = []
        for i, it in enumerate(self.listed()[(k - 1) * self.perpage : k * self.perpage]):
            t = esc(it.title)
            rows.append(f'<li id="line_u8_{i}"><a href="{posixpath.relpath(it.path, here)}" title="{t}">{self.shown(it.title)}</a>'
                        f'<span>{it.date.isoformat()}</span></li>')
        name = self.col.rsplit("/", 1)[1]

        def href(target: int) -> str:  # page link relative to the current page
            if target == 1:
                return f"{name}.htm" if k == 1 else f"../{name}.htm"
            number = count - target + 1
            return f"{name}/{number}.htm" if k == 1 else f"{number}.htm"

        pager = [f'<span class="p_t">共{len(self.items)}条</span> <span class="p_pages">']
        pager.append('<span class="p_first_d p_fun_d">首页</span>' if k == 1 else f'<span class="p_first p_fun"><a href="{href(1)}">首页</a></span>')
        if k > 1:
            pager.append(f'<span class="p_prev p_fun"><a href="{href(k - 1)}">上页</a></span>')
        for j in range(1, count + 1):
            pager.append(f'<span class="p_no_d">{j}</span>' if j == k else f'<span class="p_no"><a href="{href(j)}">{j}</a></span>')
        if k < count:
            pager.append(f'<span class="p_next p_fun"><a href="{href(k + 1)}">下页</a></span>')
            pager.append(f'<span class="p_last p_fun"><a href="{href(count)}">尾页</a></span>')
        pager.append(f'</span> <span class="p_t">{k}/{count}</span>')
        row_text = "\n".join(rows)
        body = f"""<div class="dqwz">当前位置：<a href="/">首页</a>&gt;&gt;政府信息公开年报</div>
<div class="list"><ul>
{row_text}
</ul></div>
<div class="pb_sys_common pb_sys_normal pb_sys_style1">{''.join(pager)}</div>"""
        return self.html(self.page(f"政府信息公开年报-{self.agency.name}", body), self.clock)

    def route(self, req: Request) -> Response | None:
        if req.path in ("/", "/index.htm", "/index.html"):
            body = (f'<h1>{esc(self.agency.name)}</h1><ul class="menu"><li><a href="/index.htm">首页</a></li>'
                    f'<li><a href="{self.col}.htm">政府信息公开年报</a></li></ul>')
            return self.html(self.page(self.agency.name, body), self.clock)
        if req.path == f"{self.col}.htm":
            return self.listing_page(1)
        if req.path.startswith(self.col + "/") and req.path.endswith(".htm"):
            number = req.path[len(self.col) + 1 : -4]
            if number.isdigit():
                k = self.page_count() - int(number) + 1
                return self.listing_page(k) if 2 <= k <= self.page_count() else Response.not_found()
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        links = "".join(
            f'<li>附件【<a href="{esc(a.path)}" target="_blank">{esc(a.link_text)}</a>】已下载<span id="nattach{item.id}{n}">0</span>次</li>'
            for n, a in enumerate(item.attachments))
        page = f"""<div class="dqwz">当前位置：<a href="/">首页</a>&gt;&gt;<a href="{self.col}.htm">政府信息公开年报</a>&gt;&gt;正文</div>
<table class="xxgk_table" width="100%">
<tr><th>索引号：</th><td>{esc(m['索引号'])}</td><th>主题分类：</th><td>{esc(m['主题分类'])}</td></tr>
<tr><th>发布机构：</th><td>{esc(m['发布机构'])}</td><th>成文日期：</th><td>{esc(m['成文日期'])}</td></tr>
<tr><th>文号：</th><td>{esc(m['文号'])}</td><th>发布日期：</th><td>{esc(m['发布日期'])}</td></tr>
</table>
<form name="_newscontent_fromname">
<div class="news_title"><h2>{esc(item.title)}</h2></div>
<div class="news_info">发布时间：{item.date.isoformat()} 点击：<script>_showDynClicks("wbnews", {self.owner}, {item.id})</script></div>
<div id="vsb_content"><div class="v_news_content">
{body}
</div></div>
{('<ul style="list-style-type:none;">' + links + '</ul>') if links else ''}
</form>"""
        return self.page(item.title, page)
