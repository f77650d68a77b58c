"""Guangdong 政府信息公开目录管理平台 (gkmlpt).

The front pages (``/gkmlpt/index``, ``/gkmlpt/annualreport#<classify>``) are Vue shells holding
``window._CONFIG = {SID: '…', TREE: [...]}``; lists come from
``GET <prefix>/gkmlpt/api/all/<classify>?page=N&sid=SID`` (``articles[]`` with title, url, created_at,
attachment[] {name, url}; ``total`` / ``classify.post_count``; page 0 == page 1). Report pages
``/gkmlpt/content/A/B/post_ID.html``; attachments are named by id, the real name only in the API
``attachment[].name`` or the link's ``alt``/text.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse

from crawler.reports import find_date
from crawler.spiders.paged_json import PagedJsonSpider

_SID_RE = re.compile(r"\bSID\s*:\s*['\"]?(\d+)")
_TREE_RE = re.compile(r"\bTREE\s*:\s*(\[.*?\])\s*,\s*\n?\s*[A-Z_]+\s*:", re.S)
_ANNUAL_NODE = ("年报", "年度报告")


def _prefix(url: str) -> str:
    """Everything before /gkmlpt/ (departments sit under a path prefix on a city host)."""
    parts = urlsplit(url)
    path = parts.path.split("/gkmlpt/")[0] if "/gkmlpt/" in parts.path else ""
    return f"{parts.scheme}://{parts.netloc}{path}"


def _walk(nodes):
    for node in nodes or []:
        if isinstance(node, dict):
            yield node
            yield from _walk(node.get("children"))


class GkmlptSpider(PagedJsonSpider):
    family = "gkmlpt"

    def initial_requests(self):
        for url in self.start_urls:
            fragment = urlsplit(url).fragment
            wanted = self.params.get("classify_ids") or self.params.get("classify") or []
            wanted = wanted if isinstance(wanted, list) else [wanted]
            classify = [int(c) for c in wanted if str(c).isdigit()]
            if not classify and fragment.isdigit():
                classify = [int(fragment)]
            sid = self.params.get("sid")
            ctx = {"prefix": _prefix(url), "sid": str(sid) if sid is not None else None, "classify": classify}
            if sid is not None and classify:
                for cid in classify:
                    yield self.api_request(self.first_page, {**ctx, "cid": cid})
            else:  # read SID/TREE from the front page
                yield self.listing_request(url.split("#", 1)[0], self.parse_front, cb_kwargs={"ctx": ctx})

    def parse_front(self, response, ctx: dict):
        text = response.text if isinstance(response, TextResponse) else ""
        sid = ctx.get("sid")
        if sid is None:
            m = _SID_RE.search(text)
            sid = m.group(1) if m else None
        if sid is None:
            self._bad_payload(response, "gkmlpt: no SID in the front page and none in params")
            return
        classify = list(ctx.get("classify") or [])
        if not classify:
            m = _TREE_RE.search(text)
            if m:
                try:
                    tree = json.loads(m.group(1))
                except ValueError:
                    tree = []
                for node in _walk(tree):
                    if any(w in str(node.get("name", "")) for w in _ANNUAL_NODE) and not node.get("jump_url"):
                        classify.append(node.get("id"))
        if not classify:
            classify = [0]  # all classifies; titles pick the reports out
        for cid in classify:
            yield self.api_request(self.first_page, {**ctx, "sid": sid, "cid": cid}, parent=response.url)

    def api_url(self, page: int, ctx: dict) -> str:
        return f"{ctx['prefix']}/gkmlpt/api/all/{ctx['cid']}?page={page}&sid={ctx['sid']}"

    def items(self, data, ctx):
        return data.get("articles") if isinstance(data, dict) else None

    def total(self, data, ctx):
        if not isinstance(data, dict):
            return None
        for value in (data.get("total"), (data.get("classify") or {}).get("post_count")
                      if isinstance(data.get("classify"), dict) else None):
            if isinstance(value, int | str) and str(value).isdigit():
                return int(value)
        return None

    def item_row(self, item, api_url, ctx):
        url = item.get("url") or item.get("post_url")
        if not url:
            return None
        url = urljoin(api_url, url)
        date = find_date(str(item.get("created_at") or item.get("display_publish_time") or ""))
        attachments = []
        for att in item.get("attachment") or []:
            if isinstance(att, dict) and att.get("url"):
                attachments.append((urljoin(url, att["url"]), att.get("name")))
        return url, item.get("title") or "", date, attachments
