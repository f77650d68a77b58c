"""Access pattern: HTML lists of a provincial 信息公开 platform, entered from a list page or from one
report page (most registry lines of these platforms know only a report URL, see
crawler/sources/build_registry.py).

A start URL with the family's report shape is fetched as a report; the list it belongs to is found
among its links (``list_urls``: the breadcrumb's 年报 column, the column folder's list page) and
walked. The list found is remembered by the capture store (its listing capture has the report as
``parent_url``), so a later crawl asks for the list directly even when the report is unchanged.
Rows count only when their URL has the report shape and their title is a report (or a notice).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from crawler.reports import link_rows, parse_html
from crawler.spiders.paged_html import PagedHtmlSpider


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class PlatformHtmlSpider(PagedHtmlSpider):
    report_re: re.Pattern = re.compile(r"$^")  # path (and query) of a report page

    def is_report_url(self, url: str) -> bool:
        return bool(self.report_re.search(_target(url)))

    def list_urls(self, response, doc) -> list[str]:
        """List pages linked from a report page (family rule)."""
        return []

    # ---- entering ----------------------------------------------------------------------------
    def initial_requests(self):
        for url in self.start_urls:
            if not self.is_report_url(url):
                yield self.listing_request(url, self.parse_listing)
                continue
            known = self._known_lists(url)
            for list_url in known:
                yield self.listing_request(list_url, self.parse_listing, parent=url)
            req = self.report_request(url, None, None)
            if req is not None:
                req.meta["xxgk_entry"] = not known
                yield req

    def _known_lists(self, report_url: str) -> list[str]:
        store = self.store
        if store is None:
            return []
        rows = store.db.execute(
            "select distinct url from captures where role = 'listing' and parent_url = ? and status in (200, 304)",
            [report_url],
        ).fetchall()
        return [r[0] for r in rows if r[0] != report_url]

    def parse_report(self, response):
        yield from super().parse_report(response) or ()
        if response.meta.get("xxgk_entry") and isinstance(response, TextResponse):
            doc = parse_html(response.text, base_url=response.url)
            found = [u for u in self.list_urls(response, doc) if self.in_portal(u) and u != response.url]
            if not found:
                self.count("entry_without_list")
            for url in dict.fromkeys(found):
                yield self.listing_request(url, self.parse_listing, parent=response.url)

    # ---- rows ----------------------------------------------------------------------------------
    def row_allowed(self, url: str, parent: str) -> bool:
        """A row of this list, not of the site's other columns shown beside it (family rule)."""
        return True

    def rows_to_requests(self, rows, parent: str):
        for link in rows:
            if (
                self.in_portal(link.url)
                and self.is_report_url(link.url)
                and self.row_allowed(link.url, parent)
            ):
                req = self.report_from_row(link.url, link.text, link.date, parent)
                if req is not None:
                    yield req

    def parse_listing(self, response, depth: int = 0):
        if not isinstance(response, TextResponse):
            return
        if self.is_report_url(response.url):
            return  # a list URL that answers a report page (moved column): nothing to walk
        yield from super().parse_listing(response, depth)

    @staticmethod
    def numbered_pages(response, doc, pattern: re.Pattern, template: str) -> list[str]:
        """Pages 2..N of a list whose page links match ``pattern`` (group 1 = the page number) and
        are built by ``template.format(n)``: N from the highest page linked (尾页) or a 共N页 text."""
        numbers = set()
        for link in link_rows(doc, response.url):
            m = pattern.search(_target(link.url))
            if m:
                numbers.add(int(m.group(1)))
        m = re.search(r"共\s*(\d{1,4})\s*页", doc.text_content())
        if m:
            numbers.add(int(m.group(1)))
        last = max(numbers, default=1)
        return [template.format(n) for n in range(2, last + 1)]
