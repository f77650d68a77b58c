"""VSB/博达 columns: first page ``<col>.htm`` (often ``list.htm``), further pages numbered downward in a
folder named after it (``list/11.htm`` … ``list/1.htm``); articles ``/info/<tree>/<news>.htm``; body
``#vsb_content .v_news_content``; attachments via ``download.jsp?...wbfileid=`` named in Content-Disposition."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.spiders.paged_html import PagedHtmlSpider


class VsbSpider(PagedHtmlSpider):
    family = "vsb"

    def looks_like_column(self, url: str) -> bool:
        path = urlsplit(url).path
        return path.endswith(".htm") and "/info/" not in path

    def page_urls(self, response, doc) -> list[str]:
        path = urlsplit(response.url).path
        if not path.endswith(".htm") or "/info/" in path:
            return []
        pager = re.match(r"^(.*)/(\d+)\.htm$", path)
        # page k of a column lives at <folder>/<k>.htm, the first page at <folder>.htm
        folder = pager.group(1) if pager else path[:-4]
        numbers = set()
        for href in doc.xpath("//a/@href"):
            target = urlsplit(urljoin(response.url, href)).path
            n = re.match(re.escape(folder) + r"/(\d+)\.htm$", target)
            if n:
                numbers.add(int(n.group(1)))
        if not numbers:
            return []
        folder_url = urljoin(response.url, folder + "/")
        if not pager:
            # page 1's "next" link carries the highest number, and every number below it exists
            return [urljoin(folder_url, f"{k}.htm") for k in range(max(numbers), 0, -1)]
        return [urljoin(folder_url, f"{k}.htm") for k in sorted(numbers, reverse=True)]
