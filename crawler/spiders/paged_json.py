"""Access pattern: a JSON list endpoint paged by number (gkmlpt, gov.cn-style APIs).

Page ``first`` is fetched first; when it tells the total, every other page is requested at once,
otherwise pages are walked one by one until an empty page (bounded by ``max_pages``).
"""

from __future__ import annotations

import json
import math

from crawler.spiders.base import XxgkSpider


def dig(data, path: str | None):
    """Value at a dotted path (``data.list``, ``searchVO.listVO``); None when absent."""
    if not path:
        return data
    cur = data
    for part in str(path).split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    return cur


class PagedJsonSpider(XxgkSpider):
    first_page = 1

    def api_url(self, page: int, ctx: dict) -> str:
        raise NotImplementedError

    def items(self, data, ctx: dict) -> list:
        raise NotImplementedError

    def total(self, data, ctx: dict) -> int | None:
        return None

    def item_row(self, item: dict, api_url: str, ctx: dict):
        """(url, title, date, attachments [(url, name)]) of one list item, or None."""
        raise NotImplementedError

    def api_request(self, page: int, ctx: dict, parent: str | None = None):
        return self.listing_request(self.api_url(page, ctx), self.parse_api,
                                    cb_kwargs={"page": page, "ctx": ctx}, parent=parent)

    def parse_api(self, response, page: int, ctx: dict):
        try:
            data = json.loads(response.text if hasattr(response, "text") else response.body)
        except (ValueError, AttributeError) as exc:
            self._bad_payload(response, f"not JSON: {exc}")
            return
        items = self.items(data, ctx)
        if not isinstance(items, list):
            self._bad_payload(response, "no item list at the configured path")
            return
        for item in items:
            if not isinstance(item, dict):
                continue
            row = self.item_row(item, response.url, ctx)
            if row is None:
                continue
            url, title, date, attachments = row
            if not url or not self.in_portal(url):
                continue
            req = self.report_from_row(url, title, date, response.url, attachments)
            if req is not None:
                yield req
        if not items:
            return
        total = self.total(data, ctx)
        last_allowed = self.first_page + self.max_pages - 1
        if page == self.first_page and total:
            pages = math.ceil(total / len(items))
            for n in range(self.first_page + 1, min(self.first_page + pages - 1, last_allowed) + 1):
                yield self.api_request(n, ctx, parent=response.url)
        elif total is None and page < last_allowed:
            yield self.api_request(page + 1, ctx, parent=response.url)

    def _bad_payload(self, response, why: str) -> None:
        self.count("errors")
        if self.store:
            self.store.record_error(run_id=self.run_id, url=response.url, error=why,
                                    source_id=self.source["id"], status=response.status)
