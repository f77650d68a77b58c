"""JSON list APIs configured by params (gov.cn-style and ministry sites).

params: the endpoint as ``api`` (path or URL, relative to the first start URL) + ``query`` (fixed
query parameters) + ``page_param`` (default page) + optional ``size_param``/``page_size``, or as
``url_template`` with ``{page}``; ``list_path`` (dotted path to the item list, alias
``items_path``); ``fields`` {title, url, date, attachments} naming the item keys (dotted paths
allowed; defaults title/url/pubtime); ``total_path`` (item count) or ``pages_path`` (page count);
``first_page`` (default 1); ``max_pages``.
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin, urlsplit

from crawler.reports import find_date
from crawler.spiders.paged_json import PagedJsonSpider, dig


def _as_int(value) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).strip().isdigit() else None


class JsonApiSpider(PagedJsonSpider):
    family = "json_api"

    def __init__(self, source, *args, **kwargs):
        super().__init__(source, *args, **kwargs)
        p = self.params
        self.first_page = int(p.get("first_page", 1))
        fields = dict(p.get("fields") or {})
        self.f_title = fields.get("title") or p.get("title_field", "title")
        self.f_url = fields.get("url") or p.get("url_field", "url")
        self.f_date = fields.get("date") or p.get("date_field", "pubtime")
        self.f_attachments = fields.get("attachments") or p.get("attachments_field")
        self.list_path = p.get("list_path") or p.get("items_path")

    def initial_requests(self):
        yield self.api_request(self.first_page, {})

    def api_url(self, page, ctx):
        p = self.params
        if p.get("url_template"):
            return urljoin(self.start_urls[0], str(p["url_template"]).replace("{page}", str(page)))
        base = urljoin(self.start_urls[0], str(p["api"]))
        query = dict(p.get("query") or {})
        query[p.get("page_param", "page")] = page
        if p.get("size_param") and p.get("page_size"):
            query[p["size_param"]] = p["page_size"]
        sep = "&" if urlsplit(base).query else "?"
        return base + sep + urlencode(query)

    def items(self, data, ctx):
        return dig(data, self.list_path)

    def total(self, data, ctx):
        p = self.params
        if p.get("total_path"):
            total = _as_int(dig(data, p["total_path"]))
            if total is not None:
                return total
        if p.get("pages_path"):
            pages = _as_int(dig(data, p["pages_path"]))
            items = self.items(data, ctx)
            if pages is not None and isinstance(items, list) and items:
                return pages * len(items)  # the last page may be short; ceil() below gives `pages`
        return None

    def item_row(self, item, api_url, ctx):
        url = dig(item, self.f_url)
        if not isinstance(url, str) or not url.strip():
            return None
        url = urljoin(api_url, url.strip())
        title = dig(item, self.f_title) or ""
        date = find_date(str(dig(item, self.f_date) or ""))
        attachments = []
        raw = dig(item, self.f_attachments) if self.f_attachments else None
        for att in raw if isinstance(raw, list) else []:
            if isinstance(att, str):
                attachments.append((urljoin(url, att), None))
            elif isinstance(att, dict):
                link = att.get("url") or att.get("href") or att.get("path")
                if link:
                    attachments.append((urljoin(url, link), att.get("name") or att.get("title")))
        return url, str(title), date, attachments

