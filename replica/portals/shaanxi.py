"""Shaanxi 集约化 sites with 19-digit snowflake article ids (西安 高陵/临潼/莲湖, 延安 富县/吴起/黄龙, 杨凌).

- 年报 column ``…/zfxxgknb/`` (first page also at ``…/zfxxgknb/1.html``), pages ``2.html`` … with a
  pager (首页 上一页 下一页 尾页, ``共N页``); sub-columns by kind and year below it: ``zfnb/``,
  ``bm/2022n/``, ``xz/2021/`` (the column page links them in its left menu).
- Articles ``<folder>/<19-digit snowflake id>.html`` (Twitter-style: milliseconds since
  2010-11-04 shifted by 22 bits), breadcrumb, an info table, body ``div#zoom``; attachments
  ``/uploadfile/YYYYMM/<id>.<ext>``.
- Every page also shows the site's other 信息公开 content (same id shape, outside the 年报 column),
  some of it titled like another body's annual report: a crawler of this column must not take it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time

from .content import Attachment, Item, esc, report_title
from .server import Request, Response
from .site import Site

ROOTS = ("/zfxxgk/zfxxgknb/", "/zwgk/zfxxgknb/", "/zwgk/xxgkml/xxgknb/", "/zwgk/gknb/")
KINDS = (("zfnb", "政府年报"), ("bm", "部门年报"), ("xz", "乡镇（街道）年报"))
EPOCH_MS = 1288834974657


def snowflake(day, seq: int) -> int:
    ms = int(datetime.combine(day, time(9, 30), tzinfo=UTC).timestamp() * 1000) - EPOCH_MS
    return (ms << 22) | (1 << 12) | (seq % 4096)


class ShaanxiSite(Site):
    family = "shaanxi_snowflake"
    robots_extra = "/manage/"

    def setup(self, rng: random.Random) -> None:
        self.root = rng.choice(ROOTS)
        self.other = self.root.split("/")[1] + "/fdzdgknr/"
        self.year_suffix = rng.choice(("n", ""))
        self.kind = "zfnb" if self.agency.name.endswith("人民政府") else "bm"
        self.perpage = rng.choice((4, 5, 6))

    def folder_of(self, item: Item) -> str:
        if item.classify == 2:  # another body's report, beside the column
            return f"/{self.other}"
        if item.kind in ("report", "notice"):
            if self.kind == "zfnb":
                return f"{self.root}zfnb/"
            return f"{self.root}bm/{item.year}{self.year_suffix}/"
        # noise: a third in the column's own lists, the rest in other 信息公开 columns
        if item.id % 3 == 0:
            return self.root
        return f"/{self.other}"

    def item_path(self, item: Item) -> str:
        folder = self.folder_of(item)
        item.classify = 1 if folder.startswith(self.root) else (item.classify or 0)
        item.id = snowflake(item.date, item.id)
        return f"{folder}{item.id}.html"

    def attachment(
        self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random
    ) -> Attachment:
        return Attachment(f"/uploadfile/{item.date:%Y%m}/{item.id + n}.{fmt}", filename, fmt, filename)

    def populate(self, years, noise, allow_doc) -> None:
        super().populate(years, noise, allow_doc)
        # another body's reports, shown beside the column on every page (not this column's)
        rng = random.Random(f"{self.seed}:beside")
        for year in years[-2:]:
            title = report_title(rng, self.agency.place.short + "审计局", year)
            it = Item(
                rng.randint(1, 4000), "noise", title, self.clock, None, text=f"{title}\n全文略。", classify=2
            )
            it.path = self.item_path(it)
            it.meta = dict(self.items[0].meta)
            self.pages[it.path] = it
            self.items.append(it)

    def folders(self) -> list[str]:
        out = {self.root}
        for it in self.items:
            if it.classify == 1:
                out.add(it.path.rsplit("/", 1)[0] + "/")
        out.add(f"{self.root}xz/")  # an empty kind column
        for f in list(out):  # every parent below the root is a column too
            while f != self.root and f.startswith(self.root):
                f = f.rstrip("/").rsplit("/", 1)[0] + "/"
                out.add(f)
        return sorted(out)

    def in_folder(self, folder: str) -> list[Item]:
        return [it for it in self.listed() if it.path.rsplit("/", 1)[0] + "/" == folder]

    def page_count(self, folder: str) -> int:
        return max(1, -(-len(self.in_folder(folder)) // self.perpage))

    def start_urls(self) -> list[str]:
        return [self.root]

    def listing_targets(self) -> list[str]:
        return [
            f + ("" if n == 1 else f"{n}.html")
            for f in self.folders()
            for n in range(1, self.page_count(f) + 1)
        ]

    def is_listing(self, path: str) -> bool:
        last = path.rsplit("/", 1)[-1]
        return path.startswith(self.root) and (
            last in ("", "index.html") or (last[:-5].isdigit() and len(last) <= 9)
        )

    def menu(self) -> str:
        rows = []
        for f in self.folders():
            if f == self.root:
                continue
            label = f[len(self.root) :].strip("/")
            name = dict(KINDS).get(label.split("/")[0], label)
            if "/" in label:
                name = label.split("/")[1].rstrip("n") + "年"
            rows.append(f'<li><a href="{f}">{esc(name)}</a></li>')
        return f'<div class="left-menu"><h3>政府信息公开年报</h3><ul>{"".join(rows)}</ul></div>'

    def beside(self) -> str:
        other = [it for it in self.listed() if it.classify != 1][:6]
        rows = "".join(
            f'<li><a href="{it.path}" title="{esc(it.title)}">{self.shown(it.title)}</a>'
            f"<span>{it.date.isoformat()}</span></li>"
            for it in other
        )
        return f'<div class="right-box"><h3>法定主动公开内容</h3><ul>{rows}</ul></div>'

    def list_page(self, folder: str, n: int) -> Response:
        count = self.page_count(folder)
        if not 1 <= n <= count:
            return Response.not_found()
        rows = "\n".join(
            f'<li><a href="{it.path}" target="_blank" title="{esc(it.title)}">{self.shown(it.title)}</a>'
            f'<span class="date">{it.date.isoformat()}</span></li>'
            for it in self.in_folder(folder)[(n - 1) * self.perpage : n * self.perpage]
        )
        pager = ['<a href="1.html">首页</a>']
        if n > 1:
            pager.append(f'<a href="{n - 1}.html">上一页</a>')
        if n < count:
            pager.append(f'<a href="{n + 1}.html">下一页</a>')
        pager.append(f'<a href="{count}.html">尾页</a> <span>共{count}页</span>')
        body = f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{self.root}">政府信息公开年报</a></div>
{self.menu()}
<div class="list"><ul>
{rows}
</ul></div>
<div class="page">{" ".join(pager)}</div>
{self.beside()}"""
        return self.html(self.page(f"政府信息公开年报 - {self.agency.name}", body), self.clock)

    def route(self, req: Request) -> Response | None:
        if req.path == "/":
            return self.html(
                self.page(self.agency.name, f'<a href="{self.root}">政府信息公开年报</a>{self.beside()}')
            )
        folder, _, last = req.path.rpartition("/")
        folder += "/"
        if folder in self.folders():
            if last == "" or last == "index.html":
                return self.list_page(folder, 1)
            if last.endswith(".html") and last[:-5].isdigit() and len(last) <= 9:
                return self.list_page(folder, int(last[:-5]))
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        links = "".join(f'<p><a href="{a.path}">{esc(a.link_text)}</a></p>' for a in item.attachments)
        page = f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{self.root}">政府信息公开年报</a></div>
<table class="xxgk-info">
<tr><th>索引号</th><td>{esc(m["索引号"])}</td><th>发布机构</th><td>{esc(m["发布机构"])}</td></tr>
<tr><th>成文日期</th><td>{esc(m["成文日期"])}</td><th>发布日期</th><td>{esc(m["发布日期"])}</td></tr>
</table>
<h1 class="title">{esc(item.title)}</h1>
<div id="zoom">
{body}
</div>
{links}
{self.beside()}"""
        return self.page(item.title, page)
