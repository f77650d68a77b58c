"""Access pattern: HTML column pages with numbered pages (TRS WCM, VSB, Hanweb's static part).

Rows are ``<a>`` elements (title attribute or text, date from the same row). Families say how to
find the other pages of a column and what a column URL looks like (for year sub-columns).
"""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.reports import is_annual_report, link_rows, normalize_title, parse_html
from crawler.spiders.base import XxgkSpider

_SUBCOLUMN_RE = re.compile(
    r"^((19|20)\d{2}年?度?)?(政府)?(信息公开)?(工作)?(年度报告|年报)?(专栏)?$"
)


class PagedHtmlSpider(XxgkSpider):
    subcolumn_depth = 2

    def looks_like_column(self, url: str) -> bool:
        return False

    def page_urls(self, response, doc) -> list[str]:
        return []

    def is_subcolumn(self, link) -> bool:
        text = normalize_title(link.text)
        if not text or is_annual_report(text) or not self.in_portal(link.url):
            return False
        if not _SUBCOLUMN_RE.match(text) or not re.search(r"\d{4}|年报|年度报告", text):
            return False
        return self.looks_like_column(link.url)

    def parse_listing(self, response, depth: int = 0):
        if not isinstance(response, TextResponse):
            return
        doc = parse_html(response.text, base_url=response.url)
        yield from self.rows_to_requests(link_rows(doc, response.url), response.url)
        pages = self.page_urls(response, doc)[: self.max_pages]
        for url in pages:
            yield self.listing_request(url, self.parse_listing, cb_kwargs={"depth": depth}, parent=response.url)
        if depth < self.subcolumn_depth:
            for link in link_rows(doc, response.url):
                if self.is_subcolumn(link):
                    yield self.listing_request(link.url, self.parse_listing, cb_kwargs={"depth": depth + 1},
                                               parent=response.url)

    def rows_to_requests(self, rows, parent: str):
        for link in rows:
            if not self.in_portal(link.url):
                continue
            req = self.report_from_row(link.url, link.text, link.date, parent)
            if req is not None:
                yield req
