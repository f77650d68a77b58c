"""gov.cn-style portal whose list comes from a JSON API (central ministries).

- `/zhengce/xxgk/ndbg/index.htm`: an HTML shell (no links in the markup) whose script reads the API.
- `GET /api/xxgk/list?channel=<channel>&p=<page, from 1>&n=<size, default 20, at most 100>` ->
  `{"code": 200, "msg": "成功", "searchVO": {"totalCount": N, "totalpage": P, "page": p, "size": n,
  "listVO": [item...]}}`. Items: `title`, `url` (absolute), `pubtime` (epoch ms), `pubtimeStr`
  (`YYYY.MM.DD`), `puborg` (发布机构), `index` (索引号), `pcode` (文号), `childtype` (主题分类), `summary`,
  `attachments` [{name, url}]. A page past the end answers an empty listVO; a wrong channel code 404.
- Articles `/zhengce/content/YYYYMM/content_<id>.htm`: `table.bd1` metadata, `h1#ti`, body `#UCAP-CONTENT`.
- Attachments `/zhengce/content/YYYYMM/<32hex>/files/<32hex>.<ext>` (name in the link text), or
  `/api/xxgk/download?fileid=<n>` naming the file only in Content-Disposition.

Portal.params describes the API for the json_api spider: url_template (relative, with {page}),
items_path, total_path, first_page, title_field, url_field, date_field, attachments_field.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta, timezone

from .content import Attachment, Item, attachment_links, esc
from .server import Request, Response
from .site import Site

API = "/api/xxgk/list"
SHELL = "/zhengce/xxgk/ndbg/index.htm"
CST = timezone(timedelta(hours=8))


class JsonApiSite(Site):
    family = "json_api"
    id_range = (5000000, 5900000)
    robots_extra = "/search/"

    def setup(self, rng: random.Random) -> None:
        self.channel = f"{rng.getrandbits(64):016x}"
        self.page_size = 20

    def start_urls(self) -> list[str]:
        return [SHELL]

    def params(self) -> dict:
        # the json_api spider's vocabulary (crawler/registry.py FAMILY_PARAMS)
        return {
            "url_template": f"{API}?channel={self.channel}&p={{page}}&n={self.page_size}",
            "items_path": "searchVO.listVO", "total_path": "searchVO.totalCount", "first_page": 1,
            "title_field": "title", "url_field": "url", "date_field": "pubtimeStr", "attachments_field": "attachments",
        }

    def listing_targets(self) -> list[str]:
        return [SHELL]

    def is_listing(self, path: str) -> bool:
        return path in (SHELL, API)

    def item_path(self, item: Item) -> str:
        return f"/zhengce/content/{item.date:%Y%m}/content_{item.id}.htm"

    def attachment(self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random) -> Attachment:
        if mode == "link":
            return Attachment(f"/zhengce/content/{item.date:%Y%m}/{rng.getrandbits(128):032x}/files/"
                              f"{rng.getrandbits(128):032x}.{fmt}", filename, fmt, filename)
        return Attachment(f"/api/xxgk/download?fileid={item.id * 10 + n}", filename, fmt, "下载附件", disposition=mode)

    def item_json(self, item: Item) -> dict:
        ms = int(datetime.combine(item.date, time(10, 0), tzinfo=CST).timestamp()) * 1000
        return {
            "title": item.title, "url": self.base_url + item.path, "pubtime": ms,
            "pubtimeStr": f"{item.date:%Y.%m.%d}", "puborg": self.agency.name, "index": item.meta["索引号"],
            "pcode": item.meta["文号"], "childtype": item.meta["主题分类"], "summary": "",
            "attachments": [{"name": a.filename, "url": self.base_url + a.path} for a in item.attachments],
        }

    def api(self, req: Request) -> Response:
        if req.query.get("channel") != self.channel:
            return Response(404, json.dumps({"code": 404, "msg": "栏目不存在"}, ensure_ascii=False).encode(),
                            "application/json;charset=UTF-8")
        try:
            page = max(1, int(req.query.get("p") or 1))
            size = min(100, max(1, int(req.query.get("n") or self.page_size)))
        except ValueError:
            return Response(400, b'{"code": 400, "msg": "p and n must be integers"}', "application/json")
        items = self.listed()
        chosen = items[(page - 1) * size : page * size]
        data = {"code": 200, "msg": "成功", "searchVO": {
            "totalCount": len(items), "totalpage": -(-len(items) // size), "page": page, "size": size,
            "listVO": [self.item_json(it) for it in chosen]}}
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return Response(200, body, "application/json;charset=UTF-8", last_modified=self.clock, etag=self.etag)

    def route(self, req: Request) -> Response | None:
        if req.path in ("/", "/index.htm"):
            body = (f'<h1>{esc(self.agency.name)}</h1><ul class="nav"><li><a href="/">首页</a></li>'
                    f'<li><a href="{SHELL}">政府信息公开年报</a></li></ul>')
            return self.html(self.page(self.agency.name, body), self.clock)
        if req.path == SHELL:
            script = (f"var CHANNEL = '{self.channel}';\n"
                      f"$.getJSON('{API}', {{channel: CHANNEL, p: 1, n: {self.page_size}}}, renderList);")
            body = f'<div class="list" id="list"></div>\n<div id="pager"></div>\n<script>{script}</script>'
            return self.html(self.page(f"政府信息公开年报_{self.agency.name}", body), self.clock)
        if req.path == API:
            return self.api(req)
        return None

    def article(self, item: Item, body: str) -> str:
        m = item.meta
        page = f"""<table class="bd1" width="100%">
<tr><td><b>索引号：</b></td><td>{esc(m['索引号'])}</td><td><b>主题分类：</b></td><td>{esc(m['主题分类'])}</td></tr>
<tr><td><b>发布机构：</b></td><td>{esc(m['发布机构'])}</td><td><b>成文日期：</b></td><td>{esc(m['成文日期'])}</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">{esc(item.title)}</td></tr>
<tr><td><b>文号：</b></td><td>{esc(m['文号'])}</td><td><b>发布日期：</b></td><td>{esc(m['发布日期'])}</td></tr>
</table>
<h1 id="ti">{esc(item.title)}</h1>
<div class="pages-date">{item.date:%Y-%m-%d} 10:00 <span class="font">来源：{esc(self.agency.name)}</span></div>
<div id="UCAP-CONTENT" class="pages_content">
{body}
</div>
{attachment_links(item)}"""
        return self.page(item.title, page)
