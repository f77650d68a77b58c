"""TRS WCM portal (static pages published by the CMS).

- Column `<col>/index.html` (or `.shtml`), further pages `index_1.html`, `index_2.html`, ...; the page
  count in `var countPage = N` and `createPageHTML(N, current0based, "index", "html");`. Pages past
  the last answer 404, or on some sites a small stale stub page with no rows.
  On about half the sites the page first defines `function createPageHTML(_nPageCount, ...)` inline.
- Rows `<li><a href="./YYYYMM/tYYYYMMDD_<id>.html" title="...">...</a><span>YYYY-MM-DD</span></li>`.
- Articles `<col>YYYYMM/tYYYYMMDD_<id>.html`, body `div.TRS_Editor`, metadata `div.xxgk-info`.
- Attachments beside the article: `./P0YYYYMMDD<digits>.<ext>` (name in the link text).
"""

from __future__ import annotations

import random

from .content import Attachment, Item, esc
from .server import Request, Response
from .site import Site

# The pager function as real TRS templates define it inline (parameter names first, a count check
# inside): a page-count reader that takes the first `createPageHTML(` it sees reads the definition.
INLINE_PAGER = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
if(_nPageCount == null || _nPageCount<=1){ return; }
var nCurrIndex = _nCurrIndex || 0;
if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
for(var i=1; i<_nPageCount; i++){
document.write("<a href=\\""+_sPageName+"_"+i+"."+_sPageExt+"\\">"+(i+1)+"</a>&nbsp;");
}
}
"""
COLUMNS = ("/zwgk/zfxxgknb/", "/xxgk/xxgknb/", "/zfxxgk/ndbg/", "/govxxgk/zfxxgkndbg/", "/zwgk/xxgkzl/xxgknb/")


class TrsSite(Site):
    family = "trs_wcm"
    id_range = (1000000, 9000000)
    robots_extra = "/wcm/"
    has_handler = False

    def setup(self, rng: random.Random) -> None:
        self.col = rng.choice(COLUMNS)
        self.ext = "shtml" if rng.random() < 0.3 else "html"
        self.perpage = rng.choice((8, 10, 12))
        # some sites leave stale stub pages past the last one (a crawler must trust countPage)
        self.stub_pages = rng.random() < 0.5
        self.date_style = random.Random(f"{self.seed}:date-style").choice(("iso", "iso", "paren", "zh"))
        # many real TRS pages define the pager function inline, before calling it
        self.inline_pager = random.Random(f"{self.seed}:pager").random() < 0.5

    def start_urls(self) -> list[str]:
        return [f"{self.col}index.{self.ext}"]

    def page_count(self) -> int:
        return max(1, -(-len(self.items) // self.perpage))

    def page_path(self, n: int) -> str:
        return f"{self.col}index.{self.ext}" if n == 0 else f"{self.col}index_{n}.{self.ext}"

    def listing_targets(self) -> list[str]:
        return [self.page_path(n) for n in range(self.page_count())]

    def is_listing(self, path: str) -> bool:
        return path.startswith(self.col + "index")

    def item_path(self, item: Item) -> str:
        d = item.date
        return f"{self.col}{d:%Y%m}/t{d:%Y%m%d}_{item.id}.{self.ext}"

    def attachment(self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random) -> Attachment:
        d = item.date
        name = f"P0{d:%Y%m%d}{rng.randint(10**11, 10**12 - 1)}.{fmt}"
        return Attachment(f"{self.col}{d:%Y%m}/{name}", filename, fmt, filename, href=f"./{name}")

    def listing_page(self, n: int) -> Response:
        count = self.page_count()
        if n >= count:
            if self.stub_pages and n < count + 3:
                stub = '<html><head><meta charset="utf-8"></head><body><div class="list_con"><ul class="list"></ul></div></body></html>'
                return self.html(stub, self.clock)
            return Response.not_found()
        rows = []
        for it in self.listed()[n * self.perpage : (n + 1) * self.perpage]:
            href = "./" + it.path[len(self.col):]
            t = esc(it.title)
            shown_date = {"iso": f"{it.date:%Y-%m-%d}", "paren": f"({it.date:%Y-%m-%d})",
                          "zh": f"{it.date.year}年{it.date.month:02d}月{it.date.day:02d}日"}[self.date_style]
            rows.append(f'<li><a href="{href}" title="{t}" target="_blank">{self.shown(it.title)}</a><span>{shown_date}</span></li>')
        row_text = "\n".join(rows)
        body = f"""<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="{self.col}index.{self.ext}">政府信息公开年报</a></div>
<div class="list_con"><ul class="list">
{row_text}
</ul></div>
<div class="page">
<script language="JavaScript">
{INLINE_PAGER if self.inline_pager else ""}var currentPage = {n};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
createPageHTML({count}, {n}, "index", "{self.ext}");
</script>
</div>"""
        return self.html(self.page(f"政府信息公开年报_{self.agency.name}", body), self.clock)

    def route(self, req: Request) -> Response | None:
        if req.path in ("/", "/index.html"):
            body = (f'<h1>{esc(self.agency.name)}</h1><ul class="nav"><li><a href="/">首页</a></li>'
                    f'<li><a href="{self.col}index.{self.ext}">政府信息公开年报</a></li></ul>')
            return self.html(self.page(self.agency.name, body), self.clock)
        if req.path == f"{self.col}index.{self.ext}":
            return self.listing_page(0)
        prefix = f"{self.col}index_"
        if req.path.startswith(prefix) and req.path.endswith("." + self.ext):
            number = req.path[len(prefix) : -len(self.ext) - 1]
            if number.isdigit() and int(number) > 0:
                return self.listing_page(int(number))
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        meta = "\n".join(f"<li><b>{label}：</b><span>{esc(m[label])}</span></li>"
                         for label in ("索引号", "主题分类", "发布机构", "成文日期", "文号", "发布日期"))
        links = "".join(f'<p><a href="{esc(a.href)}" title="{esc(a.filename)}">{esc(a.link_text)}</a></p>'
                        for a in item.attachments)
        page = f"""<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="{self.col}index.{self.ext}">政府信息公开年报</a></div>
<div class="xxgk-info"><ul>
{meta}
</ul></div>
<h1 class="article-title">{esc(item.title)}</h1>
<div class="article-info"><span>发布时间：{item.date.isoformat()}</span> <span>来源：{esc(self.agency.name)}</span></div>
<div class="view TRS_UEDITOR trs_paper_default trs_web"><div class="TRS_Editor">
{body}
</div></div>
<div class="appendix">{('<p>附件：</p>' + links) if links else ''}</div>"""
        return self.page(item.title, page, f'<meta name="ArticleTitle" content="{esc(item.title)}">')
