"""Anhui 政务公开 platform (安徽: 铜陵, 池州, 宣城, 涡阳, 马鞍山花山; ../shared/sources/platforms.md section 4).

Four variants, as the real addresses show:
- ``openness`` (铜陵): reports ``/openness/OpennessAnnualReport/show/<N>.html``;
- ``annual`` (池州): ``/OpennessAnnualReport/show/<N>.html``;
- ``xxgk`` (宣城, 涡阳): ``/XxgkAnnualReport/show/<N>.html``, pages opening with the
  ``行政规范性文件 / 用微信扫描二维码分享至好友和朋友圈`` chrome, the agency's platform page
  ``/XxgkContent/showList/<branch>/0/page_1.html`` (seen) linking its 年报 list;
- ``mongo`` (花山, the older CodeIgniter + MongoDB platform): ``/openness/detail/annual_report/<24hex>.html``,
  list ``/opennessAnnualReport/?branch_id=<24hex>&page=N`` (seen in its public source).
Numeric variants list an agency's reports at ``<prefix>/showList/<branch>/0/page_<n>.html`` ([inf]: the
shape of the seen XxgkContent list). Every page has the breadcrumb ``您现在所在的位置：网站首页 > 政府信息公开 >
<机关> > 政府信息公开年报`` (the last link is the agency's list) and a branch menu linking other agencies'
年报 lists, which hold other agencies' reports: a crawler of this agency must not walk them. Report
pages: ``发布时间：… 来源：… 字体：[ ]``, a 索引号 table, body ``div.wzcon``; attachments under
``/group<k>/M00/`` (FastDFS paths).
"""

from __future__ import annotations

import hashlib
import random

from .agencies import DEPARTMENTS
from .content import Attachment, Item, esc, noise_date, report_title
from .faults import request_key
from .server import Request, Response
from .site import Site

PREFIXES = {
    "openness": "/openness/OpennessAnnualReport",
    "annual": "/OpennessAnnualReport",
    "xxgk": "/XxgkAnnualReport",
}
OTHER_BRANCHES = 3  # other agencies in the branch menu, each with a list of its own reports


class AnhuiSite(Site):
    family = "anhui_openness"
    id_range = (100, 7000)
    robots_extra = "/admin.php/"

    def setup(self, rng: random.Random) -> None:
        self.variant = rng.choice(("openness", "annual", "xxgk", "mongo"))
        self.perpage = rng.choice((4, 5, 6))
        self.branch = self.hexid("branch") if self.variant == "mongo" else str(rng.randint(100, 999))
        names = [
            self.agency.place.short + d
            for d, _ in DEPARTMENTS
            if self.agency.place.short + d != self.agency.name
        ]
        others = rng.sample(names, OTHER_BRANCHES)
        self.others = [
            (
                self.hexid(f"other{i}") if self.variant == "mongo" else str(int(self.branch) + 7 * (i + 1)),
                name,
            )
            for i, name in enumerate(others)
        ]
        self.foreign: dict[str, list[Item]] = {}
        # most registry lines know one report page; some an agency's platform page or list
        self.entry = rng.choice(("report", "report", "platform" if self.variant == "xxgk" else "list"))

    def hexid(self, what: str) -> str:
        return hashlib.md5(f"{self.seed}:{what}".encode()).hexdigest()[:24]

    # --- URLs ---------------------------------------------------------------------------------
    def list_path(self, branch: str, page: int = 1) -> str:
        if self.variant == "mongo":
            return f"/opennessAnnualReport/?branch_id={branch}" + (f"&page={page}" if page > 1 else "")
        return f"{PREFIXES[self.variant]}/showList/{branch}/0/page_{page}.html"

    def report_path(self, ident: int) -> str:
        if self.variant == "mongo":
            return f"/openness/detail/annual_report/{self.hexid(f'item{ident}')}.html"
        return f"{PREFIXES[self.variant]}/show/{ident}.html"

    def item_path(self, item: Item) -> str:
        # reports, notices and a third of the noise sit in the 年报 list; the rest is other content
        if item.kind in ("report", "notice") or item.id % 3 == 0:
            item.classify = 1
            return self.report_path(item.id)
        item.classify = 0
        if self.variant == "mongo":
            return f"/openness/detail/content/{self.hexid(f'content{item.id}')}.html"
        return f"/XxgkContent/show/{item.id}.html"

    def populate(self, years, noise, allow_doc) -> None:
        super().populate(years, noise, allow_doc)
        rng = random.Random(f"{self.seed}:foreign")
        next_id = max(it.id for it in self.items) + 100
        for branch, name in self.others:
            items = []
            for year in years:
                title = report_title(rng, name, year)
                it = Item(next_id, "noise", title, noise_date(rng, year + 1), None)
                it.path, it.classify = self.report_path(next_id), 2
                it.meta = {
                    "索引号": f"{branch}/{year}-{next_id}",
                    "发布机构": name,
                    "成文日期": it.date.isoformat(),
                    "发布日期": it.date.isoformat(),
                    "文号": "",
                    "主题分类": "政府信息公开年报",
                }
                it.text = f"{title}\n{name}按照《中华人民共和国政府信息公开条例》要求编制本报告。"
                self.pages[request_key(it.path)] = it
                items.append(it)
                self.items.append(it)
                next_id += 1
            self.foreign[branch] = items

    def attachment(
        self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random
    ) -> Attachment:
        h = f"{rng.getrandbits(64):016X}"
        path = f"/group{rng.randint(1, 6)}/M00/{h[:2]}/{h[2:4]}/wKg{h[4:]}{n}.{fmt}"
        return Attachment(path, filename, fmt, filename)

    def start_urls(self) -> list[str]:
        reports = sorted((it for it in self.items if it.kind == "report"), key=lambda it: (it.date, it.id))
        if self.entry == "report" and reports:
            return [reports[-1].path]
        if self.entry == "platform":
            return [f"/XxgkContent/showList/{self.branch}/0/page_1.html"]
        return [self.list_path(self.branch)]

    def listed_in(self, branch: str) -> list[Item]:
        if branch == self.branch:
            return [it for it in self.listed() if it.classify == 1]
        return sorted(self.foreign.get(branch, []), key=lambda it: (it.date, it.id), reverse=True)

    def page_count(self, branch: str) -> int:
        return max(1, -(-len(self.listed_in(branch)) // self.perpage))

    def listing_targets(self) -> list[str]:
        return [self.list_path(self.branch, n) for n in range(1, self.page_count(self.branch) + 1)]

    def is_listing(self, path: str) -> bool:
        return "showList" in path or path.startswith("/opennessAnnualReport/")

    # --- pages ----------------------------------------------------------------------------------
    def crumbs(self, last: str | None = None) -> str:
        tail = (
            f' &gt; <a href="{esc(self.list_path(self.branch))}">政府信息公开年报</a>'
            if last is None
            else last
        )
        # older templates put the words in a <span> beside the links
        where = "<span>您现在所在的位置：</span>" if self.variant in ("annual", "mongo") else "您现在所在的位置："
        return (
            f'<div class="wz">{where}<a href="/">网站首页</a> &gt; <a href="/openness/">政府信息公开</a>'
            f' &gt; <a href="/XxgkContent/showList/{self.branch}/0/page_1.html">{esc(self.agency.name)}</a>{tail}</div>'
        )

    def branch_menu(self) -> str:
        links = "".join(
            f'<li><a href="{esc(self.list_path(b))}">{esc(name)}</a></li>' for b, name in self.others
        )
        return f'<div class="branch-menu"><h3>部门年报</h3><ul>{links}</ul></div>'

    def sidebar(self) -> str:
        latest = [it for it in self.listed() if it.classify == 0][:6]
        links = "".join(
            f'<li><a href="{esc(it.path)}" title="{esc(it.title)}">{self.shown(it.title)}</a>'
            f"<span>{it.date.isoformat()}</span></li>"
            for it in latest
        )
        return f'<div class="side"><h3>最新公开</h3><ul>{links}</ul></div>'

    def list_page(self, branch: str, page: int) -> Response:
        count = self.page_count(branch)
        if not 1 <= page <= count:
            return Response.not_found()
        rows = "\n".join(
            f'<li><a href="{esc(it.path)}" title="{esc(it.title)}" target="_blank">{self.shown(it.title)}</a>'
            f'<span class="date">{it.date.isoformat()}</span></li>'
            for it in self.listed_in(branch)[(page - 1) * self.perpage : page * self.perpage]
        )
        pager = [f'<a href="{esc(self.list_path(branch, 1))}">首页</a>']
        if page > 1:
            pager.append(f'<a href="{esc(self.list_path(branch, page - 1))}">上一页</a>')
        if page < count:
            pager.append(f'<a href="{esc(self.list_path(branch, page + 1))}">下一页</a>')
        pager.append(
            f'<a href="{esc(self.list_path(branch, count))}">尾页</a> <span>共{count}页 当前第{page}页</span>'
        )
        name = self.agency.name if branch == self.branch else dict(self.others)[branch]
        body = f"""{self.crumbs() if branch == self.branch else self.crumbs(" &gt; 政府信息公开年报")}
{self.branch_menu()}
<div class="list-title">{esc(name)} · 政府信息公开年报</div>
<ul class="doc-list">
{rows}
</ul>
<div class="pagination">{" ".join(pager)}</div>
{self.sidebar()}"""
        return self.html(self.page(f"政府信息公开年报_{name}", body), self.clock)

    def platform_page(self) -> Response:
        nav = (
            f'<ul class="gk-nav"><li><a href="/XxgkGuide/show/{self.branch}.html">政府信息公开指南</a></li>'
            f'<li><a href="/XxgkRules/showList/{self.branch}/0/page_1.html">政府信息公开制度</a></li>'
            f'<li><a href="/XxgkContent/showList/{self.branch}/0/page_1.html">法定主动公开内容</a></li>'
            f'<li><a href="{esc(self.list_path(self.branch))}">政府信息公开年报</a></li></ul>'
        )
        body = f"{self.crumbs(' &gt; 法定主动公开内容')}\n{nav}\n{self.branch_menu()}\n{self.sidebar()}"
        return self.html(self.page(f"{self.agency.name}_政府信息公开", body), self.clock)

    def route(self, req: Request) -> Response | None:
        if req.path in ("/", "/openness/"):
            body = f'<h1>{esc(self.agency.name)}</h1><a href="{esc(self.list_path(self.branch))}">政府信息公开年报</a>'
            return self.html(self.page(self.agency.name, body), self.clock)
        if self.variant == "mongo" and req.path == "/opennessAnnualReport/":
            branch = req.query.get("branch_id", "")
            page = req.query.get("page", "1")
            if (branch == self.branch or branch in self.foreign) and page.isdigit():
                return self.list_page(branch, int(page))
            return Response.not_found()
        if self.variant != "mongo" and "/showList/" in req.path and req.path.endswith(".html"):
            parts = req.path.split("/")
            if len(parts) >= 4 and parts[-1].startswith("page_") and parts[-1][5:-5].isdigit():
                branch, page = parts[-3], int(parts[-1][5:-5])
                if req.path.startswith(PREFIXES[self.variant] + "/showList/") and (
                    branch == self.branch or branch in self.foreign
                ):
                    return self.list_page(branch, page)
                if (
                    self.variant == "xxgk"
                    and req.path.startswith("/XxgkContent/showList/")
                    and branch == self.branch
                ):
                    return self.platform_page()
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        chrome = (
            '<div class="share">行政规范性文件 / 用微信扫描二维码分享至好友和朋友圈</div>'
            if self.variant == "xxgk"
            else ""
        )
        links = "".join(
            f'<p><a href="{esc(a.path)}" target="_blank">{esc(a.link_text)}</a></p>' for a in item.attachments
        )
        page = f"""{self.crumbs()}
{chrome}
<table class="table_suoyin">
<tr><th>索引号：</th><td>{esc(m["索引号"])}</td><th>信息分类：</th><td>{esc(m["主题分类"])}</td></tr>
<tr><th>发布机构：</th><td>{esc(m["发布机构"])}</td><th>生成日期：</th><td>{esc(m["成文日期"])}</td></tr>
<tr><th>发布日期：</th><td>{esc(m["发布日期"])}</td><th>文号：</th><td>{esc(m["文号"])}</td></tr>
</table>
<h1 class="newstitle">{esc(item.title)}</h1>
<div class="newsinfo">发布时间：{item.date.isoformat()} 来源：{esc(self.agency.name)} 字体：[ 大 中 小 ]</div>
<div class="wzcon j-fontContent">
{body}
</div>
{('<div class="fjdown">附件：' + links + "</div>") if links else ""}
{self.branch_menu()}
{self.sidebar()}"""
        return self.page(item.title, page)
