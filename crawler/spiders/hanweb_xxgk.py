"""Hanweb 大汉 信息公开 module (``/module/xxgk/``; 浙江 温州/丽水/桐乡, 山东 济宁/泰安/威海, 大连;
../shared/sources/platforms.md section 2).

- ``xxgkAnnualReport.jsp?area=<unit code>&fbtime=<YYYY>``: one agency-year per URL, the report body in
  the answer itself; requested for every ``annual_report_areas`` x ``annual_report_years`` and for a
  start URL of that shape. A year with no report answers an empty page: it is kept as ``other``,
  not as a report.
- Lists: ``POST /module/xxgk/search.jsp?standardXxgk=&isAllList=1&…&currpage=N&sortfield=,compaltedate:0``
  with form ``infotypeId`` (the 年报 category), ``jdid`` (site), ``area`` (unit code), ``divid``,
  ``currpage``; the answer's rows ``tr.tr_main_value_odd`` / ``tr.tr_main_value_even`` (first
  ``td a[title][href]``), pager ``共N页`` in ``table.tb_title`` and ``funGoPage('/module/xxgk/search.jsp', n)``.
  The registry's params win over the start URL's query.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy.http import TextResponse

from crawler.capture import META_CAPTURE_ID
from crawler.reports import attachment_links, find_date, page_title, parse_html, title_kind
from crawler.spiders.base import XxgkSpider

ANNUAL_REPORT_JSP = "/module/xxgk/xxgkAnnualReport.jsp"
SEARCH_JSP = "/module/xxgk/search.jsp"
FORM_KEYS = ("infotypeId", "jdid", "area", "divid", "standardXxgk")
_PAGES = (
    re.compile(r"共\s*(\d{1,4})\s*页"),
    re.compile(r"funGoPage\(\s*['\"][^'\"]*['\"]\s*,\s*(\d{1,4})\s*\)"),
)


def _listify(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


class HanwebXxgkSpider(XxgkSpider):
    family = "hanweb_xxgk"

    def initial_requests(self):
        seen = set()
        for url in self.start_urls:
            path = urlsplit(url).path
            if path.endswith(SEARCH_JSP):
                yield self.search_request(url, 1)
            elif path.endswith(ANNUAL_REPORT_JSP):
                seen.add(url)
                req = self.report_request(url, None, None)
                if req is not None:
                    yield req
            else:  # a page that embeds or links the module's list
                yield self.listing_request(url, self.parse_search, cb_kwargs={"search_url": None})
        for area in _listify(self.params.get("annual_report_areas")):
            for year in _listify(self.params.get("annual_report_years")):
                url = urljoin(
                    self.start_urls[0], ANNUAL_REPORT_JSP + "?" + urlencode({"area": area, "fbtime": year})
                )
                if url not in seen:
                    seen.add(url)
                    req = self.report_request(url, None, None)
                    if req is not None:
                        yield req

    # ---- search.jsp lists ----------------------------------------------------------------------
    def search_request(self, search_url: str, page: int):
        parts = urlsplit(search_url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.setdefault("isAllList", "1")
        query.setdefault("sortfield", ",compaltedate:0")
        query["currpage"] = str(page)
        form = {k: query[k] for k in FORM_KEYS if k in query}
        form.update({k: str(self.params[k]) for k in FORM_KEYS if k in self.params})
        form.update({"currpage": str(page), "sortfield": query["sortfield"]})
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
        return self.listing_request(
            url,
            self.parse_search,
            method="POST",
            formdata=form,
            cb_kwargs={"search_url": search_url, "page": page},
        )

    def parse_search(self, response, search_url: str | None, page: int = 1):
        if not isinstance(response, TextResponse):
            return
        doc = parse_html(response.text, base_url=response.url)
        for row in doc.xpath("//tr[contains(@class, 'tr_main_value')]"):
            links = row.xpath(".//td//a[@href]")
            if not links:
                continue
            a = links[0]
            url = urljoin(response.url, a.get("href").strip())
            if not self.in_portal(url):
                continue
            title = re.sub(r"\s+", "", a.get("title") or a.text_content() or "")
            req = self.report_from_row(url, title, find_date(row.text_content()), response.url)
            if req is not None:
                yield req
        if search_url is None:
            # a page linking the module: follow its search.jsp links once
            for href in doc.xpath("//a/@href|//iframe/@src"):
                target = urljoin(response.url, href)
                if urlsplit(target).path.endswith(SEARCH_JSP) and self.in_portal(target):
                    yield self.search_request(target, 1)
            return
        if page != 1:
            return
        pages = 1
        text = doc.text_content()
        # 共N页 in the visible text, funGoPage(…, n) in the links' script
        for rx, where in zip(_PAGES, (text, response.text), strict=True):
            pages = max([pages, *(int(n) for n in rx.findall(where))])
        for n in range(2, min(pages, self.max_pages) + 1):
            yield self.search_request(search_url, n)

    # ---- the agency-year JSP -------------------------------------------------------------------
    def parse_report(self, response):
        if (
            urlsplit(response.url).path.endswith(ANNUAL_REPORT_JSP)
            and isinstance(response, TextResponse)
            and response.status == 200
            and not self._holds_report(response)
        ):
            self.count("annual_report_empty")
            capture_id = response.meta.get(META_CAPTURE_ID)
            if self.store and capture_id:
                self.store.update_capture(capture_id, role="other", title=None)
            return
        yield from super().parse_report(response)

    @staticmethod
    def _holds_report(response) -> bool:
        """The answer carries a report: a report title, a file, or a body of some length (the
        empty answer is a shell saying 暂无信息)."""
        doc = parse_html(response.text, base_url=response.url)
        if title_kind(page_title(doc)) == "report" or attachment_links(doc, response.url):
            return True
        for bad in doc.xpath("//script|//style|//head"):
            bad.drop_tree()
        return len(re.sub(r"\s+", "", doc.text_content())) > 400
