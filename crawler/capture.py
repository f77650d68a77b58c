"""Downloader middleware that writes every exchange to the capture store.

It sits closest to the downloader (priority 950, above HttpCompressionMiddleware 590 and
RetryMiddleware 550), so it sees each attempt, including retried 5xx and redirects, with the body
as received (still gzip/deflate encoded) and the original headers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.challenges import detect as detect_challenge
from crawler.filenames import filename_from_disposition, filename_from_url
from crawler.transport import META_TRANSPORT

META_ROLE = "xxgk_role"
META_TITLE = "xxgk_title"
META_PARENT = "xxgk_parent"
META_FILENAME = "xxgk_filename"
META_CAPTURE_ID = "xxgk_capture_id"
META_REDIRECTED = "xxgk_redirected"  # a redirect hop led here


def _headers_list(headers) -> list[tuple[str, str]]:
    out = []
    for key, values in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        for v in values:
            out.append((k, v.decode("latin-1") if isinstance(v, bytes) else str(v)))
    return out


_STORES: dict[str, object] = {}


def get_store(data_dir: str | None):
    """The process's CaptureStore for DATA (settings are deep-copied, so they carry the path only)."""
    if not data_dir:
        return None
    key = str(data_dir)
    if key not in _STORES:
        from crawler.store import CaptureStore

        _STORES[key] = CaptureStore(key)
    return _STORES[key]


def close_stores() -> None:
    for store in _STORES.values():
        store.close()
    _STORES.clear()


def response_challenge(response) -> str | None:
    """The challenge kind of a Scrapy response (crawler/challenges.py), or None."""
    if len(response.body) > 64 * 1024:
        return None  # signature pages are a few KB; a big body is content
    from crawler.store import decode_content

    headers = {k.decode("latin-1").lower(): v[-1].decode("latin-1") for k, v in response.headers.items() if v}
    return detect_challenge(response.status, headers, decode_content(response.body, headers.get("content-encoding")))


class CaptureMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.store = get_store(settings.get("XXGK_DATA_DIR"))
        self.run_id = settings.get("XXGK_RUN_ID")
        self.stats = crawler.stats
        from crawler.transport import host_transports

        self.transports = host_transports(self.store) if self.store is not None else None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if self.store is None:
            return response
        meta = request.meta
        role = meta.get(META_ROLE) or "other"
        if urlsplit(request.url).path == "/robots.txt":
            role = "robots"
        elif 300 <= response.status < 400 and response.status != 304 and b"Location" in response.headers:
            role = "other"  # a redirect hop; the target gets the role
        filename = None
        if role in ("attachment", "report"):
            filename = filename_from_disposition(response.headers.get(b"Content-Disposition"))
            if not filename and role == "attachment":
                filename = meta.get(META_FILENAME) or filename_from_url(response.url)
        source = getattr(spider or self.crawler.spider, "source", None)
        row = self.store.write_exchange(
            run_id=self.run_id,
            url=request.url,
            method=request.method,
            request_headers=_headers_list(request.headers),
            request_body=request.body or b"",
            status=response.status,
            protocol=(response.protocol or "HTTP/1.1") if hasattr(response, "protocol") else "HTTP/1.1",
            response_headers=_headers_list(response.headers),
            body=response.body,
            role=role,
            source_id=source["id"] if source else None,
            parent_url=meta.get(META_PARENT),
            title=meta.get(META_TITLE),
            filename=filename,
        )
        meta[META_CAPTURE_ID] = row["id"]
        self.stats.inc_value(f"xxgk/captured/{row['record_type']}")
        # every response and its body bytes as received (content-encoding intact): the run history's
        # `responses` and `bytes` (Scrapy's downloader/ counters miss the challenges refused below)
        self.stats.inc_value("xxgk/responses")
        self.stats.inc_value("xxgk/bytes", len(response.body))
        host = urlsplit(request.url).netloc.lower()
        self.stats.inc_value(f"xxgk/hosts/{host}/responses")
        transport = meta.get(META_TRANSPORT, "default")
        self.stats.inc_value(f"xxgk/transport/{transport}")
        challenge = response_challenge(response)
        if challenge:
            self.store.update_capture(row["id"], error=f"challenge: {challenge} ({transport})")
            self.stats.inc_value("xxgk/challenges")
            self.stats.inc_value(f"xxgk/hosts/{host}/challenge")
            if role != "robots":  # robots.txt failures are the robots middleware's to handle
                from crawler.transport import escalate

                retry = escalate(request, self.crawler.settings, self.transports, self.stats)
                if retry is not None:
                    return retry
                raise IgnoreRequest(f"challenge: {challenge} (HTTP {response.status}, transport {transport})")
            return response
        if role != "robots":
            # the portal answered (a page, a 304, a redirect): a source with none is unreachable. A
            # redirect counts once its chain ends in something other than a challenge (a WZWS 307
            # leads to its script page: that portal is challenged, not answering)
            if 300 <= response.status < 400 and response.status != 304 and b"Location" in response.headers:
                meta[META_REDIRECTED] = True
            else:
                # no challenge at the end of the chain: the host's next run starts with this transport
                self.transports.worked(host, transport, self.run_id)
                if response.status < 400 or meta.get(META_REDIRECTED):
                    self.stats.inc_value("xxgk/answered")
        if 200 <= response.status < 300:
            self.stats.inc_value(f"xxgk/{role}")
            if role == "report":
                self.stats.inc_value(f"xxgk/reports_{self._report_change(row)}")
        return response

    def _report_change(self, row: dict) -> str:
        """'new', 'changed' or 'same' against the previous report capture of the URL (run history)."""
        prev = self.store.db.execute(
            "select sha256 from captures where url = ? and role = 'report' and status between 200 and 299"
            " and id < ? order by id desc limit 1", [row["url"], row["id"]]).fetchone()
        if prev is None:
            return "new"
        return "changed" if prev[0] != row["sha256"] else "same"
