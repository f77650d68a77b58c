"""Guangdong 政府信息公开目录管理平台 (gkmlpt).

- `/gkmlpt/index` and `/gkmlpt/annualreport`: Vue shells, no listing in the markup; the site config
  `window._CONFIG = {SID: '<digits>', TREE: [...], SERVICE_AREA_ID: ...}` (TREE nodes: id, name,
  children, post_count, jump_url). The annual-report classify is the node named 政府信息公开年报
  (also in Portal.params["classify_ids"]).
- `GET /gkmlpt/api/all/<classify>?page=<n>&sid=<SID>` -> JSON {classify: {id, name, post_count},
  articles: [...], total}; 100 articles a page, page 0 and page 1 the same batch; classify 0 = all.
  A wrong sid answers no articles. Article fields as on the real API (id, title, url, post_url,
  created_at, create_time, date, display_publish_time, document_number, identifier, publisher,
  keywords, abstract, classify_main, classify_main_name, classify_genre_name, classify_theme_name,
  relation, is_expired, is_abolished, attachment[] {id, name, type, mime, size, url}).
- Report pages `/gkmlpt/content/A/B/post_<id>.html` (A = id // 10**6, B = id // 1000): metadata
  table (索引号 分类 发布机构 成文日期 名称 文号 发布日期 主题词), `h1.content-title`, body `div.content`,
  attachments `<a class="nfw-cms-attachment" href="/attachment/a/b/<attid>/<postid>.<ext>" alt="<name>">`:
  the file is named for the post id; the real name is only in alt / link text / API.
- Some departments run the platform under a path prefix on a shared host (`/<dept>/gkmlpt/...`, as
  www.gdqy.gov.cn/qynyncj/gkmlpt/); attachments stay at the host root.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta, timezone

from .content import Attachment, Item, esc
from .server import Request, Response
from .site import Site

PER_PAGE = 100
CST = timezone(timedelta(hours=8))
MIME = {"pdf": "application/pdf", "doc": "application/msword", "wps": "application/kswps",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
NOISE_CLASSIFIES = ("机构职能", "政策文件", "通知公告", "规划计划", "财政信息")


class GkmlptSite(Site):
    family = "gkmlpt"
    id_range = (1000000, 9900000)
    noise_range = (105, 135)  # enough for a second API page of /api/all/0
    has_handler = False
    robots_extra = "/frontuc/"

    def setup(self, rng: random.Random) -> None:
        self.sid = str(rng.randint(200001, 799999))
        self.report_classify = rng.randint(2000, 9999)
        self.classifies = {self.report_classify + 1 + i: name for i, name in enumerate(NOISE_CLASSIFIES)}
        self.classifies[self.report_classify] = "政府信息公开年报"
        self.guide_classify = self.report_classify + 50
        # own stream, so that adding the prefix left every other draw of existing worlds unchanged
        prefixed = random.Random(f"{self.seed}:prefix").random() < 0.4
        self.prefix = "/" + self.agency.source_id.rsplit("-", 1)[-1] if prefixed else ""
        self.g = self.prefix + "/gkmlpt"

    def start_urls(self) -> list[str]:
        # registries list either the catalogue or the 年报 tab (its hash is the classify id)
        if random.Random(f"{self.seed}:start").random() < 0.5:
            return [f"{self.g}/annualreport#{self.report_classify}"]
        return [self.g + "/index"]

    def params(self) -> dict:
        return {"sid": self.sid, "classify_ids": [self.report_classify]}

    def listing_targets(self) -> list[str]:
        return [self.g + "/index", self.g + "/annualreport"]

    def is_listing(self, path: str) -> bool:
        return path in (self.g + "/index", self.g + "/annualreport") or path.startswith(self.g + "/api/")

    def item_path(self, item: Item) -> str:
        if item.kind in ("report", "notice") or item.id % 25 == 0:  # a few non-reports sit in the 年报 classify too
            item.classify = self.report_classify
        else:
            item.classify = self.report_classify + 1 + item.id % len(NOISE_CLASSIFIES)
        return f"{self.g}/content/{item.id // 1000000}/{item.id // 1000}/post_{item.id}.html"

    def attachment(self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random) -> Attachment:
        attid = rng.randint(1000000, 9999999)
        return Attachment(f"/attachment/{attid // 1000000}/{attid // 1000}/{attid}/{item.id}.{fmt}", filename, fmt, filename)

    # --- config and API -----------------------------------------------------------------------
    def tree(self) -> list[dict]:
        nodes = []
        for cid, name in sorted(self.classifies.items()):
            count = sum(1 for it in self.items if it.classify == cid)
            nodes.append({"id": cid, "name": name, "children": [], "post_count": count, "jump_url": ""})
        nodes.append({"id": self.guide_classify, "name": "政府信息公开指南", "children": [], "post_count": 0,
                      "jump_url": self.g + "/mguide"})
        return [{"id": 1, "name": "全部", "children": nodes, "post_count": len(self.items), "jump_url": ""}]

    def shell(self, title: str) -> Response:
        config = (f"window._CONFIG = {{SID: '{self.sid}', TREE: {json.dumps(self.tree(), ensure_ascii=False)}, "
                  f"SERVICE_AREA_ID: {self.sid[:4]}}};")
        body = (f'<div id="app"></div>\n<script>{config}</script>\n'
                f'<script src="{self.g}/gkml/pc/js/chunk-common.3f2a1b9c.js"></script>')
        return self.html(self.page(f"{title}-{self.agency.name}", body), self.clock)

    def article_json(self, item: Item) -> dict:
        ts = int(datetime.combine(item.date, time(9, 30), tzinfo=CST).timestamp())
        url = self.base_url + item.path
        atts = []
        for a in item.attachments:
            size = len(self.world.report_bytes(self, item, a.render_fmt))
            atts.append({"id": int(a.path.split("/")[4]), "name": a.filename, "type": a.fmt, "mime": MIME[a.fmt],
                         "size": str(size), "url": self.base_url + a.path})
        return {
            "id": item.id, "title": item.title, "url": url, "post_url": url,
            "created_at": f"{item.date.isoformat()} 09:30:00", "create_time": ts, "date": ts,
            "display_publish_time": ts, "document_number": item.meta["文号"], "identifier": item.meta["索引号"],
            "publisher": self.agency.name, "keywords": "", "abstract": "",
            "classify_main": item.classify, "classify_main_name": self.classifies[item.classify],
            "classify_genre_name": "年度报告" if item.kind == "report" else "其他",
            "classify_theme_name": "综合政务", "relation": "[]", "is_expired": False, "is_abolished": False,
            "attachment": atts,
        }

    def api(self, req: Request, classify: str) -> Response:
        try:
            cid = int(classify)
            page = int(req.query.get("page") or 1)
        except ValueError:
            return Response(400, b'{"error": "classify and page must be integers"}', "application/json")
        if cid != 0 and cid not in self.classifies:
            return Response(404, b'{"error": "classify not found"}', "application/json")
        items = self.listed(None if cid == 0 else cid) if req.query.get("sid") == self.sid else []
        start = (max(page, 1) - 1) * PER_PAGE  # page 0 and page 1 are the same batch
        data = {
            "classify": {"id": cid, "name": self.classifies.get(cid, "全部"), "post_count": len(items)},
            "articles": [self.article_json(it) for it in items[start : start + PER_PAGE]],
            "total": len(items),
        }
        return Response(200, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")

    def route(self, req: Request) -> Response | None:
        if req.path in ("/", "/index.html"):
            body = (f'<h1>{esc(self.agency.name)}</h1><ul class="nav"><li><a href="/">首页</a></li>'
                    f'<li><a href="{self.g}/index">政府信息公开</a></li></ul>')
            return self.html(self.page(self.agency.name, body), self.clock)
        if req.path == self.g + "/index":
            return self.shell("政府信息公开")
        if req.path == self.g + "/annualreport":
            return self.shell("政府信息公开年报")
        if req.path == self.g + "/mguide":
            return self.html(self.page("政府信息公开指南", f"<div class='guide'>{esc(self.agency.name)}政府信息公开指南</div>"))
        if req.path.startswith(self.g + "/api/all/"):
            return self.api(req, req.path[len(self.g + "/api/all/"):])
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        links = "".join(
            f'<p><a class="nfw-cms-attachment" href="{esc(a.path)}" alt="{esc(a.filename)}">{esc(a.link_text)}</a></p>'
            for a in item.attachments)
        detail = {"id": item.id, "title": item.title, "abstract": "", "content": body + links}
        detail_json = json.dumps(detail, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")
        page = f"""<div class="introduce"><table>
<tr><td class="first"><label>索引号：</label><span>{esc(m['索引号'])}</span></td><td class="second"><label>分类：</label><span>{esc(m['主题分类'])}</span></td></tr>
<tr><td class="first"><label>发布机构：</label><span>{esc(m['发布机构'])}</span></td><td class="second"><label>成文日期：</label><span>{esc(m['成文日期'])}</span></td></tr>
<tr><td class="first" colspan="2"><label>名称：</label><span>{esc(item.title)}</span></td></tr>
<tr><td class="first"><label>文号：</label><span>{esc(m['文号'])}</span></td><td class="second"><label>发布日期：</label><span>{esc(m['发布日期'])}</span></td></tr>
<tr><td class="first" colspan="2"><label>主题词：</label><span></span></td></tr>
</table></div>
<div class="article">
<h1 class="content-title">{esc(item.title)}</h1>
<div class="content-desc"><span>发布日期:{item.date.isoformat()}</span>  <span>浏览次数:-</span></div>
<div class="content">
{body}
{links}
</div></div>
<script>window._CONFIG = {{DETAIL: {detail_json}, TREE: []}};</script>"""
        return self.page(item.title, page)
