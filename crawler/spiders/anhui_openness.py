"""Anhui 政务公开 platform (安徽: 铜陵, 池州, 宣城, 涡阳, 马鞍山花山; ../shared/sources/platforms.md section 4).

- Reports ``/openness/OpennessAnnualReport/show/<N>.html`` (铜陵), ``/OpennessAnnualReport/show/<N>.html``
  (池州), ``/XxgkAnnualReport/show/<N>.html`` (宣城, 涡阳), ``/openness/detail/annual_report/<24hex>.html``
  (the older MongoDB platform). Page: breadcrumb ``您现在所在的位置: 网站首页 > 政府信息公开 > <机关> >
  政府信息公开年报`` (the last link is the agency's 年报 list), title, ``发布时间:… 来源:…``.
- Lists: the agency's 年报 list linked from that breadcrumb (numeric platform: ``…AnnualReport/showList/
  <branch>/0/page_<n>.html``, the shape of the seen ``XxgkContent/showList/790/0/page_1.html`` [inf];
  older platform ``/opennessAnnualReport/?branch_id=<id>&page=<n>``). Pages up to 尾页 / 共N页.
- A start URL that is an agency's platform page (``XxgkContent/showList/…``) leads to its 年报 list by
  the nav link naming it. Other agencies' lists (the branch menu) are never walked.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.reports import link_rows, names_disclosure_column
from crawler.spiders.platform_html import PlatformHtmlSpider

_REPORT = re.compile(
    r"/(?:openness/)?(?:OpennessAnnualReport|XxgkAnnualReport)/show/\d+\.html$"
    r"|/openness/detail/annual_report/[0-9a-f]{24}\.html$",
    re.I,
)
_LIST = re.compile(r"annualreport", re.I)
_PAGE_PATH = re.compile(r"^(.*/page_)(\d+)(\.html?)$")
_PAGE_QUERY = re.compile(r"([?&]page=)(\d+)")
_BREADCRUMB_WORDS = ("所在的位置", "当前位置", "您的位置", "所在位置")


class AnhuiOpennessSpider(PlatformHtmlSpider):
    family = "anhui_openness"
    report_re = _REPORT

    def is_list_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return bool(_LIST.search(parts.path + "?" + parts.query)) and not self.is_report_url(url)

    def list_urls(self, response, doc) -> list[str]:
        # the breadcrumb: the smallest element saying where we are, its 年报 list link(s)
        crumbs = [
            el
            for el in doc.iter()
            if isinstance(el.tag, str)
            and el.tag not in ("html", "body")
            and any(w in (el.text or "") for w in _BREADCRUMB_WORDS)
        ]
        for el in crumbs:
            # the words may sit in a <span> beside the links: then its parent holds them
            for holder in (el, el.getparent()):
                if holder is None or len(holder.xpath(".//a")) > 8:  # a small breadcrumb, not the page
                    continue
                found = [link.url for link in link_rows(holder, response.url) if self.is_list_url(link.url)]
                if found:
                    return found[-1:]
        return [
            link.url
            for link in link_rows(doc, response.url)
            if self.is_list_url(link.url) and names_disclosure_column(link.text)
        ][:1]

    def parse_listing(self, response, depth: int = 0):
        yield from super().parse_listing(response, depth)
        if not self.is_list_url(response.url) and hasattr(response, "text"):
            # an agency's platform page: its own 年报 list is the nav link naming it
            from crawler.reports import parse_html

            doc = parse_html(response.text, base_url=response.url)
            for url in self.list_urls(response, doc)[:1]:
                yield self.listing_request(url, self.parse_listing, parent=response.url)

    def page_urls(self, response, doc) -> list[str]:
        if not self.is_list_url(response.url):
            return []
        parts = urlsplit(response.url)
        m = _PAGE_PATH.match(parts.path)
        if m:
            rx = re.compile("^" + re.escape(m.group(1)) + r"(\d+)" + re.escape(m.group(3)) + "$")
            template = f"{parts.scheme}://{parts.netloc}{m.group(1)}{{}}{m.group(3)}"
            return self.numbered_pages(response, doc, rx, template)
        base = re.sub(r"[?&]page=\d+", "", response.url)
        sep = "&" if "?" in base else "?"
        rx = re.compile(re.escape(urlsplit(base).path) + r"\?(?:.*&)?page=(\d+)")
        return self.numbered_pages(response, doc, rx, base + sep + "page={}")
