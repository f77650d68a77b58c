"""TRS WCM columns: ``index.html``, ``index_1.html``…, page count from ``createPageHTML(N, cur, "index", "html")``
(or ``var countPage = N``), articles ``./YYYYMM/tYYYYMMDD_N.html``, body ``.TRS_Editor``, attachments
``./P0YYYYMMDD….pdf`` next to the article (found by the base spider's attachment rules)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.spiders.paged_html import PagedHtmlSpider

_CREATE_RE = re.compile(
    r"createPageHTML\(\s*([\w.]+)\s*,\s*([\w.]+)\s*(?:,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"'])?")
_VAR_RE = r"(?:var\s+)?{name}\s*=\s*(\d+)"


class TrsWcmSpider(PagedHtmlSpider):
    family = "trs_wcm"

    def looks_like_column(self, url: str) -> bool:
        path = urlsplit(url).path
        return path.endswith("/") or bool(re.search(r"/index(_\d+)?\.s?html?$", path))

    def page_urls(self, response, doc) -> list[str]:
        text = response.text
        m, count = None, None
        for m in _CREATE_RE.finditer(text):
            # pages often define `function createPageHTML(_nPageCount, ...)` inline before the call:
            # the definition's parameter names are not the count, the call's arguments are
            if re.search(r"function\s*$", text[max(0, m.start() - 20):m.start()]):
                continue
            count = self._number(m.group(1), text)
            if count:
                break
        if not count or count <= 1:
            return []
        prefix = m.group(3) or "index"
        last = urlsplit(response.url).path.rsplit("/", 1)[-1]
        ext = m.group(4) or (last.rsplit(".", 1)[-1] if "." in last else "html")
        return [urljoin(response.url, f"{prefix}_{i}.{ext}") for i in range(1, count)]

    @staticmethod
    def _number(token: str, text: str) -> int | None:
        if token.isdigit():
            return int(token)
        m = re.search(_VAR_RE.format(name=re.escape(token.split(".")[-1])), text)
        return int(m.group(1)) if m else None
