"""Generic portals: from the start URLs, follow in-portal links whose text names a 信息公开
column or annual reports (年报/年度报告), and pager links inside such columns, to a bounded depth
(``max_depth``, default 3; ``max_pages`` pages at most). Never leaves the portal host."""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.reports import link_rows, names_disclosure_column, parse_html
from crawler.spiders.base import XxgkSpider

_PAGER_TEXTS = {"下一页", "下页", "后页", "尾页", "末页", "next", "Next", ">", "»", "›"}


class GenericSpider(XxgkSpider):
    family = "generic"

    def __init__(self, source, *args, **kwargs):
        super().__init__(source, *args, **kwargs)
        self.max_depth = int(self.params.get("max_depth", 3))
        self.pages_requested = 0

    def parse_listing(self, response, depth: int = 0):
        if not isinstance(response, TextResponse):
            return
        doc = parse_html(response.text, base_url=response.url)
        for link in link_rows(doc, response.url):
            if not self.in_portal(link.url):
                continue
            req = self.report_from_row(link.url, link.text, link.date, response.url)
            if req is not None:
                yield req
                continue
            text = re.sub(r"\s+", "", link.text or "")
            follow = None
            if depth < self.max_depth and names_disclosure_column(link.text):
                follow = depth + 1
            elif depth >= 1 and (text in _PAGER_TEXTS or (text.isdigit() and len(text) <= 3)):
                follow = depth  # pages of a column already entered
            if follow is not None and self.pages_requested < self.max_pages:
                self.pages_requested += 1
                yield self.listing_request(link.url, self.parse_listing, cb_kwargs={"depth": follow},
                                           parent=response.url)
