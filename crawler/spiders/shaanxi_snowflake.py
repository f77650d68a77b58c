"""Shaanxi 集约化 sites with 19-digit snowflake article ids (西安 高陵/临潼/莲湖, 延安 富县/吴起/黄龙, 杨凌,
西咸新区; ../shared/sources/platforms.md "other").

- 年报 column ``…/zfxxgknb/`` (its first page also at ``…/zfxxgknb/1.html``), further pages
  ``…/zfxxgknb/2.html`` … (pager links up to 尾页, or 共N页); sub-columns are folders below it, by
  kind and year (``bm/2022n/``, ``xz/2021/``, ``zfnb/``), walked from the column to ``max_depth``.
- Articles ``<column>/<19-digit id>.html``: a start URL that is one of them enters at its column.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.spiders.platform_html import PlatformHtmlSpider

_REPORT = re.compile(r"/\d{19}\.html$")
_PAGE = re.compile(r"/(\d{1,4})\.html$")


class ShaanxiSnowflakeSpider(PlatformHtmlSpider):
    family = "shaanxi_snowflake"
    report_re = _REPORT

    def __init__(self, source, *args, **kwargs):
        super().__init__(source, *args, **kwargs)
        self.subcolumn_depth = int(self.params.get("max_depth", 3))
        # the 年报 column(s): sub-columns are only ever looked for below them
        self.roots = [self.folder(u) for u in self.start_urls]

    @staticmethod
    def folder(url: str) -> str:
        path = urlsplit(url).path
        if _REPORT.search(path) or _PAGE.search(path) or path.endswith(("/index.html", "/index.htm")):
            path = path.rsplit("/", 1)[0] + "/"
        return path if path.endswith("/") else path + "/"

    def list_urls(self, response, doc) -> list[str]:
        return [urljoin(response.url, self.folder(response.url))]

    def row_allowed(self, url: str, parent: str) -> bool:
        return any(urlsplit(url).path.startswith(root) for root in self.roots)

    def is_subcolumn(self, link) -> bool:
        path = urlsplit(link.url).path
        if not self.in_portal(link.url) or self.is_report_url(link.url) or _PAGE.search(path):
            return False
        folder = self.folder(link.url)
        return (path.endswith("/") or path.endswith(("/index.html", "/index.htm"))) and any(
            folder.startswith(root) and folder != root for root in self.roots
        )

    def page_urls(self, response, doc) -> list[str]:
        folder = self.folder(response.url)
        if _PAGE.search(urlsplit(response.url).path) and not urlsplit(response.url).path.endswith("/1.html"):
            return []  # only the first page spawns the others
        rx = re.compile("^" + re.escape(folder) + r"(\d{1,4})\.html$")
        base = urljoin(response.url, folder)
        return self.numbered_pages(response, doc, rx, base + "{}.html")[: self.max_pages]
