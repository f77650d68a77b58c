"""Hanweb 大汉 JCMS.

- Column ``/col/colNNN/index.html`` embeds the first window of records in a ``<datastore>`` XML
  block (``<recordset><record><![CDATA[<li><a href title>…</a><span>date</span></li>]]></record>``)
  with ``<totalrecord>``/``totalRecord:N``; the pager JS names ``proxyUrl``, ``perPage``, ``groupSize``
  and ``<nextgroup>`` carries the proxy's query (webid, columnid, unitid, …).
- Further windows: ``POST /module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` with
  form col, appid, webid, path, columnid, unitid, webname, permissiontype (+ sourceContentType),
  answering the same XML.
- Articles ``/art/YYYY/M/D/art_COL_ID.html``; attachments ``/module/download/downfile.jsp?…`` (302).
- ``/module/xxgk/xxgkAnnualReport.jsp?area=&fbtime=``: one report per agency-year, requested when
  params give ``annual_report_areas`` and ``annual_report_years``, or when a listing links to it.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from scrapy.http import TextResponse

from crawler.reports import link_rows, parse_html, title_year
from crawler.spiders.paged_html import PagedHtmlSpider

_DATASTORE_RE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL_RES = (re.compile(r"<totalrecord>\s*(\d+)", re.I), re.compile(r"totalRecord\s*[:=]\s*['\"]?(\d+)", re.I))
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
FORM_KEYS = ("col", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype",
             "sourceContentType")


def _int(pattern: str, text: str) -> int | None:
    m = re.search(pattern, text, re.I)
    return int(m.group(1)) if m else None


class HanwebJcmsSpider(PagedHtmlSpider):
    family = "hanweb_jcms"

    def looks_like_column(self, url: str) -> bool:
        return bool(re.search(r"/col/col\d+/", urlsplit(url).path))

    def initial_requests(self):
        yield from super().initial_requests()
        areas = self.params.get("annual_report_areas") or []
        years = self.params.get("annual_report_years") or []
        if isinstance(areas, str | int):
            areas = [areas]
        if isinstance(years, str | int):
            years = [years]
        for area in areas:
            for year in years:
                url = urljoin(self.start_urls[0], "/module/xxgk/xxgkAnnualReport.jsp?"
                              + urlencode({"area": area, "fbtime": year}))
                req = self.report_request(url, None, None, parent=None)
                if req is not None:
                    yield req

    # ---- records ---------------------------------------------------------------------------
    def _record_rows(self, text: str, base_url: str):
        rows = []
        for rec in _RECORD_RE.findall(text):
            doc = parse_html(f"<ul>{rec}</ul>", base_url=base_url)
            rows.extend(link_rows(doc, base_url))
        return rows

    def rows_to_requests(self, rows, parent: str):
        for link in rows:
            if not self.in_portal(link.url):
                continue
            if "xxgkannualreport.jsp" in link.url.lower():
                year = dict(parse_qsl(urlsplit(link.url).query)).get("fbtime")
                if year and year.isdigit() or title_year(link.text):
                    req = self.report_request(link.url, link.text or None, link.date, parent)
                    if req is not None:
                        yield req
                continue
            req = self.report_from_row(link.url, link.text, link.date, parent)
            if req is not None:
                yield req

    def parse_listing(self, response, depth: int = 0):
        if not isinstance(response, TextResponse):
            return
        text = response.text
        # static links of the page (sub-columns, rare static lists) via the generic HTML walk
        yield from super().parse_listing(response, depth)
        block = _DATASTORE_RE.search(text)
        if not block:
            return
        records = _RECORD_RE.findall(block.group(1))
        yield from self.rows_to_requests(self._record_rows(block.group(1), response.url), response.url)
        yield from self._window_requests(response, text, len(records))

    def _form(self, text: str, column_url: str) -> tuple[str, dict]:
        form = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0"}
        proxy = None
        ng = _NEXTGROUP_RE.search(text)
        if ng:
            href = re.search(r"href\s*=\s*['\"]([^'\"]+)", html.unescape(ng.group(1)))
            if href:
                parts = urlsplit(urljoin(column_url, href.group(1)))
                proxy = parts.path
                for k, v in parse_qsl(parts.query, keep_blank_values=True):
                    if k in FORM_KEYS:
                        form[k] = v
        m = re.search(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)", text)
        if m:
            proxy = m.group(1)
        for key in ("webid", "unitid", "columnid"):
            if key not in form:
                m = re.search(key + r"\s*[=:]\s*['\"]?(\d+)", text, re.I)
                if m:
                    form[key] = m.group(1)
        if "columnid" not in form:
            m = re.search(r"/col/col(\d+)/", column_url)
            if m:
                form["columnid"] = m.group(1)
        if "webname" not in form:
            m = re.search(r"<meta\s+name=['\"]SiteName['\"]\s+content=['\"]([^'\"]*)", text, re.I)
            form["webname"] = m.group(1) if m else ""
        for key in FORM_KEYS:  # the registry wins over what the page says
            if key in self.params:
                form[key] = str(self.params[key])
        if "path" in self.params:
            form["path"] = str(self.params["path"])
        return urljoin(column_url, proxy or DEFAULT_PROXY), form

    def _window_requests(self, response, text: str, first_window: int):
        total = None
        for rx in _TOTAL_RES:
            m = rx.search(text)
            if m:
                total = int(m.group(1))
                break
        perpage = int(self.params.get("perpage") or _int(r"perPage\s*[:=]\s*['\"]?(\d+)", text) or 15)
        group = _int(r"groupSize\s*[:=]\s*['\"]?(\d+)", text) or 3
        step = max(first_window, perpage * group)
        if total is None or first_window == 0 or total <= first_window:
            return
        proxy, form = self._form(text, response.url)
        headers = {"X-Requested-With": "XMLHttpRequest", "Referer": response.url}
        start = first_window + 1
        windows = 0
        while start <= total and windows < self.max_pages:
            end = min(start + step - 1, total)
            url = f"{proxy}?startrecord={start}&endrecord={end}&perpage={perpage}"
            yield self.listing_request(url, self.parse_proxy, method="POST", formdata=form, headers=headers,
                                       parent=response.url, cb_kwargs={"column_url": response.url})
            start = end + 1
            windows += 1

    def parse_proxy(self, response, column_url: str):
        if not isinstance(response, TextResponse):
            return
        # record links are relative to the column page, not to the proxy
        yield from self.rows_to_requests(self._record_rows(response.text, column_url), column_url)
