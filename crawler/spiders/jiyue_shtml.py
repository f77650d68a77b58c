"""集约化 provincial platforms with ``/YYYYMM/<32hex>.shtml`` articles (江西, 新疆, 西藏, 海南, 陕西汉中;
also seen in 江苏 and 湖南; ../shared/sources/platforms.md "other").

- Column ``/<site>/<column>/``: its list page ``list.shtml`` (some sites name it ``xlist``,
  ``common_list``, …), further pages ``list_2.shtml`` … ``list_N.shtml``; the page count is the second
  argument of ``createPageHTML('page_div', N, current, 'list', 'shtml', total)``.
- Articles ``/<site>/<column>/YYYYMM/<32hex>.shtml`` (Hainan adds ``?ddtab=true``); the page's
  breadcrumb links the column's list page, which is how a start URL that is one report finds it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.reports import link_rows
from crawler.spiders.platform_html import PlatformHtmlSpider

_REPORT = re.compile(r"/(?:19|20)\d{4}/[0-9a-f]{32}\.shtml(?:\?.*)?$")
_CREATE = re.compile(
    r"createPageHTML\(\s*['\"][\w-]*['\"]\s*,\s*(\d+)\s*,\s*\d+\s*,\s*['\"]([\w-]+)['\"]\s*,"
    r"\s*['\"](\w+)['\"]"
)
_LIST_PAGE = re.compile(r"/([a-z_]*list[a-z_]*|index)(?:_\d+)?\.shtml$", re.I)


def column_of(url: str) -> str:
    """The column folder of an article URL (…/<column>/YYYYMM/<hex>.shtml -> …/<column>/)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" + parts.path.rsplit("/", 2)[0] + "/"


class JiyueShtmlSpider(PlatformHtmlSpider):
    family = "jiyue_shtml"
    report_re = _REPORT
    subcolumn_depth = 0

    def row_allowed(self, url: str, parent: str) -> bool:
        # the list's own column: the site's other columns (news beside the list) share the shape
        return column_of(url) == urljoin(parent, "./")

    def list_urls(self, response, doc) -> list[str]:
        column = column_of(response.url)
        found = [
            link.url
            for link in link_rows(doc, response.url)
            if link.url.startswith(column)
            and _LIST_PAGE.search(urlsplit(link.url).path)
            and not self.is_report_url(link.url)
        ]
        # the column's first list page, not a numbered one; else the usual name
        firsts = [u for u in found if not re.search(r"_\d+\.shtml$", u)]
        return (firsts or found)[:1] or [urljoin(column, "list.shtml")]

    def page_urls(self, response, doc) -> list[str]:
        m = _CREATE.search(response.text)
        if not m:
            return []
        count, prefix, ext = int(m.group(1)), m.group(2), m.group(3)
        if urlsplit(response.url).path.rsplit("/", 1)[-1] != f"{prefix}.{ext}":
            return []  # only the first page spawns the others
        return [
            urljoin(response.url, f"{prefix}_{n}.{ext}") for n in range(2, min(count, self.max_pages) + 1)
        ]
