"""Base spider: one instance per source (a registry line), stateless beyond the store and the run id.

Subclasses (one per access pattern, then one per CMS family) only find listing pages and the rows
on them; this class decides what to fetch (incremental rules), fetches report pages, reads their
metadata block and attachments, and records failures.

Incremental rules (the store is the memory):
- listing pages are always requested, conditionally (If-None-Match / If-Modified-Since) when the
  last capture had validators; a 304 is answered from the stored body;
- a report URL already captured whose listing date is unchanged is not requested at all; if the
  date changed it is fetched again (a new capture row = a new version when the bytes changed);
  with no listing date it is re-checked conditionally;
- identical payloads become WARC revisit records (the store), so nothing is stored twice.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from w3lib.url import canonicalize_url

from crawler.capture import META_CAPTURE_ID, META_FILENAME, META_PARENT, META_ROLE, META_TITLE, get_store
from crawler.filenames import ATTACHMENT_EXTS
from crawler.reports import (
    attachment_links,
    page_title,
    parse_html,
    read_page_meta,
    title_kind,
)
from crawler.store import failure_kind

_IP_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_SLD = ("gov.cn", "com.cn", "org.cn", "net.cn", "edu.cn")


def registrable_domain(netloc: str) -> str:
    host = netloc.split(":")[0].lower()
    if _IP_RE.match(host) or host == "localhost":
        return netloc.lower()
    labels = host.split(".")
    keep = 3 if any(host.endswith("." + s) for s in _SLD) else 2
    return ".".join(labels[-keep:])


class XxgkSpider(scrapy.Spider):
    family = "base"
    name = "xxgk"

    def __init__(self, source: dict, *args, **kwargs):
        super().__init__(*args, name=f"{self.family}:{source['id']}", **kwargs)
        self.source = source
        self.params = dict(source.get("params") or {})
        self.start_urls = list(source["start_urls"])
        self.hosts = {urlsplit(u).netloc.lower() for u in self.start_urls}
        self.domains = {registrable_domain(h) for h in self.hosts}
        self.max_pages = int(self.params.get("max_pages", 200))
        self._asked_reports: dict[str, str] = {}  # canonical URL -> the URL requested this run

    # ---- context -------------------------------------------------------------------------------
    @property
    def store(self):
        return get_store(self.crawler.settings.get("XXGK_DATA_DIR"))

    @property
    def run_id(self) -> str:
        return self.crawler.settings.get("XXGK_RUN_ID")

    def in_portal(self, url: str) -> bool:
        return urlsplit(url).netloc.lower() in self.hosts

    def in_domain(self, url: str) -> bool:
        netloc = urlsplit(url).netloc.lower()
        return netloc in self.hosts or registrable_domain(netloc) in self.domains

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"xxgk/{key}", n)

    async def start(self):
        for req in self.initial_requests():
            yield req

    def initial_requests(self):
        for url in self.start_urls:
            yield self.listing_request(url, self.parse_listing)

    def parse_listing(self, response):  # pragma: no cover - every family overrides
        raise NotImplementedError

    # ---- requests ------------------------------------------------------------------------------
    def _meta(self, role: str, **extra) -> dict:
        meta = {META_ROLE: role}
        meta.update({k: v for k, v in extra.items() if v is not None})
        return meta

    def _conditional_headers(self, prev: dict | None) -> dict:
        headers = {}
        if prev:
            if prev.get("etag"):
                headers["If-None-Match"] = prev["etag"]
            if prev.get("last_modified"):
                headers["If-Modified-Since"] = prev["last_modified"]
        return headers

    def listing_request(self, url: str, callback, *, method: str = "GET", formdata: dict | None = None,
                        headers: dict | None = None, cb_kwargs: dict | None = None, parent: str | None = None):
        """A listing page; conditional when the last capture had validators (304 -> stored body)."""
        meta = self._meta("listing", **{META_PARENT: parent})
        meta["handle_httpstatus_list"] = [304]
        kwargs = {"callback": self._on_listing, "errback": self.on_error, "meta": meta,
                  "cb_kwargs": {"handler": callback, "extra": cb_kwargs or {}}}
        if method == "POST":
            return scrapy.FormRequest(url, formdata={k: str(v) for k, v in (formdata or {}).items()},
                                      headers=headers, **kwargs)
        prev = self.store.latest_ok(url) if self.store else None
        cond = self._conditional_headers(prev)
        meta["xxgk_prev"] = prev["id"] if prev and cond else None
        return scrapy.Request(url, headers={**(headers or {}), **cond}, **kwargs)

    def _on_listing(self, response, handler, extra):
        if response.status == 304:
            prev_id = response.meta.get("xxgk_prev")
            prev = self.store.capture(prev_id) if prev_id else None
            if prev is None:
                return
            self.count("listing_not_modified")
            body = self.store.read_payload(prev)
            headers = {"Content-Type": prev["content_type"]} if prev.get("content_type") else {}
            cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
            response = cls(url=response.url, status=200, headers=headers, body=body, request=response.request)
        self.count("listings")
        yield from handler(response, **extra) or ()

    def report_request(self, url: str, title: str | None, listed_date: str | None = None,
                       parent: str | None = None, attachments: list[tuple[str, str]] | None = None):
        """Request for an annual-report page, or None when the incremental rules say skip."""
        if not (self.in_portal(url) or self.in_domain(url)):
            return None
        key = canonicalize_url(url)
        if key in self._asked_reports:
            # asked for already this run (an entry page, an agency-year from params): a listing
            # that shows it now gives its date, so that the next crawl can skip it
            if listed_date and self.store:
                self.store.set_listed_date(self._asked_reports[key], self.source["id"], listed_date, self.run_id)
            return None
        self._asked_reports[key] = url
        self.count("reports_listed")
        store = self.store
        prev = store.latest_ok(url) if store else None
        headers = {}
        if prev is not None and prev.get("role") == "other":
            # answered last time without a report (an empty agency-year): asked again, conditionally
            headers = self._conditional_headers(prev)
            self.count("reports_rechecked")
        elif prev is not None:
            old_date = store.listed_date(url)
            complete = store.pending_attachments(url) == []
            if old_date and listed_date in (None, old_date) and complete:
                # same date, or an undated row (a dated row for the URL governs re-fetching)
                self.count("reports_unchanged")
                return None
            if not complete:
                # captured by a run killed before the page was read or its attachments answered:
                # fetch it again (unchanged bytes become a revisit) and ask for what is missing
                self.count("reports_resumed")
            elif not (listed_date and old_date):
                headers = self._conditional_headers(prev)
        meta = self._meta("report", **{META_TITLE: title, META_PARENT: parent})
        meta["xxgk_listed_date"] = listed_date
        meta["xxgk_attachments"] = attachments or []
        meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(url, headers=headers, callback=self.parse_report, errback=self.on_error,
                              meta=meta)

    def attachment_request(self, url: str, name: str | None, parent: str):
        if not self.in_domain(url):
            self.count("attachments_offsite")
            return None
        filename = name if name and name.lower().endswith(ATTACHMENT_EXTS) else None
        meta = self._meta("attachment", **{META_PARENT: parent, META_FILENAME: filename, META_TITLE: name})
        return scrapy.Request(url, callback=self.parse_attachment, errback=self.on_error, meta=meta)

    # ---- report pages ------------------------------------------------------------------------
    def parse_report(self, response):
        store = self.store
        listed_date = response.meta.get("xxgk_listed_date")
        if listed_date and store:
            # the listed URL and, when redirected, the final one
            for url in {response.url, *response.meta.get("redirect_urls", [])}:
                store.set_listed_date(url, self.source["id"], listed_date, self.run_id)
        capture_id = response.meta.get(META_CAPTURE_ID)
        only = None  # None: every attachment; a set: only these (the page is unchanged)
        if response.status == 304:  # only complete pages are asked conditionally
            self.count("reports_not_modified")
            return
        self.count("reports")
        row = store.capture(capture_id) if store and capture_id else None
        if row is not None and row["record_type"] == "revisit":
            # unchanged bytes (a resumed page): ask only for attachments never answered; the
            # archive joins this run's captures to the killed run's (archive.build.report_instances)
            pending = store.pending_attachments(response.url)
            only = set(pending) if pending is not None else None
        wanted = list(response.meta.get("xxgk_attachments") or [])
        if isinstance(response, TextResponse):
            doc = parse_html(response.text, base_url=response.url)
            meta = read_page_meta(doc)
            title = response.meta.get(META_TITLE) or page_title(doc)
            if store and capture_id:
                fields = {"title": title}
                if meta:
                    fields["page_meta"] = meta
                store.update_capture(capture_id, **fields)
            wanted.extend((link.url, link.text) for link in attachment_links(doc, response.url))
        seen, requests = set(), []
        for url, name in wanted:
            if url in seen or url == response.url:
                continue
            seen.add(url)
            req = self.attachment_request(url, name, parent=response.url)
            if req is not None:
                requests.append(req)
        if store and capture_id:
            # before any attachment is asked for: a kill from here on leaves them pending, not lost
            store.record_report_page(capture_id, response.url, self.source["id"], self.run_id,
                                     [r.url for r in requests])
        for req in requests:
            if only is None or req.url in only:
                yield req

    def parse_attachment(self, response):
        self.count("attachments")

    # ---- rows -> requests ---------------------------------------------------------------------
    def report_from_row(self, url: str, title: str, date: str | None, parent: str,
                        attachments: list[tuple[str, str]] | None = None):
        kind = title_kind(title)
        if kind == "notice":
            return self.notice_request(url, title, date, parent)
        if kind != "report":
            self.count("rows_skipped")
            return None
        return self.report_request(url, title, date, parent, attachments)

    # ---- notices about a report (更正说明, 补充说明, …的说明) ------------------------------------
    def notice_request(self, url: str, title: str, listed_date: str | None, parent: str):
        """A notice correcting or completing a report: captured (role ``notice``) for the archive to
        link to the report it is about, never counted as a report. Fetched once unless its listing
        date moves."""
        if not (self.in_portal(url) or self.in_domain(url)):
            return None
        self.count("notices_listed")
        store = self.store
        if store and store.latest_ok(url) is not None:
            old_date = store.listed_date(url)
            if listed_date in (None, old_date):
                return None
        meta = self._meta("notice", **{META_TITLE: title, META_PARENT: parent})
        meta["xxgk_listed_date"] = listed_date
        return scrapy.Request(url, callback=self.parse_notice, errback=self.on_error, meta=meta)

    def parse_notice(self, response):
        self.count("notices")
        store, capture_id = self.store, response.meta.get(META_CAPTURE_ID)
        listed_date = response.meta.get("xxgk_listed_date")
        if store and listed_date:
            store.set_listed_date(response.url, self.source["id"], listed_date, self.run_id)
        if store and capture_id and isinstance(response, TextResponse):
            doc = parse_html(response.text, base_url=response.url)
            fields = {"title": response.meta.get(META_TITLE) or page_title(doc)}
            meta = read_page_meta(doc)
            if meta:
                fields["page_meta"] = meta
            store.update_capture(capture_id, **fields)

    # ---- failures -----------------------------------------------------------------------------
    def _mark_refused(self, request, error: str) -> None:
        """A response captured and then refused downstream (a body that inflates past
        DOWNLOAD_MAXSIZE: a gzip bomb) keeps its WARC record as evidence but is marked, so that no
        build parses it."""
        capture_id = request.meta.get(META_CAPTURE_ID)
        row = self.store.capture(capture_id) if capture_id else None
        if row and row["url"] == request.url and 200 <= (row["status"] or 0) < 300 and not row["error"]:
            self.store.update_capture(capture_id, error=f"refused: {error}"[:500])

    def on_error(self, failure):
        request = failure.request
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}" + (" after retries" if request.meta.get("retry_times") else "")
        elif failure.check(IgnoreRequest):
            error = f"ignored: {failure.value}"
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        kind = failure_kind(error, status)
        self.count("errors")
        self.count(f"failures/{kind}")
        if kind != "challenge":  # the capture middleware counted the challenge page against its host
            self.count(f"hosts/{urlsplit(request.url).netloc.lower()}/{kind}")
        if self.store:
            self._mark_refused(request, error)
            self.store.record_error(
                run_id=self.run_id, url=request.url, method=request.method, error=error,
                source_id=self.source["id"], parent_url=request.meta.get(META_PARENT),
                title=request.meta.get(META_TITLE), status=status,
            )
        self.logger.info("error %s %s", request.url, error)


