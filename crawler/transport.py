"""Transports: how a request reaches a host, escalated per host when the host answers a challenge.

``default``: Scrapy's own HTTP/1.1 handler (Twisted + OpenSSL). ``impersonate``: curl_cffi through
scrapy-impersonate, with a browser's TLS and HTTP/2 fingerprint (for WAFs that refuse a Python TLS
stack). ``browser``: a real headless Chromium (scrapy-playwright on Debian's /usr/bin/chromium) opens
the page once per host, runs the challenge's script until the real page shows, and hands its cookies
to the default handler, which fetches that host's pages from then on (a page load costs a browser
about a second; a request with the cookies costs what any request does).

A source starts with the transport of its registry entry (``transport:``, default ``default``) or
the one that last worked for its host (the capture store's ``host_transports``), whichever is higher.
A challenge answer (crawler/challenges.py, recorded by the capture middleware) is retried with the
next transport up to ``XXGK_TRANSPORT_MAX``; the host stays at the transport that got through, and
that transport is stored for the next run. Past the top the request fails with kind ``challenge``.
The User-Agent stays the project's own on every transport: the crawler says who it is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urlsplit

TRANSPORTS = ("default", "impersonate", "browser")
META_TRANSPORT = "xxgk_transport"
META_ESCALATED = "xxgk_escalated_from"  # transports tried before this attempt, in order
META_RESOLVED = "xxgk_browser_again"  # asked again after the browser solved its host a second time
IMPERSONATE_TARGET = "chrome"  # curl_cffi's newest Chrome fingerprint
BROWSER_EXECUTABLE = "/usr/bin/chromium"  # Debian's chromium: no browser is ever downloaded
BROWSER_SOLVE_SECONDS = 20.0  # how long a page may take to get past its challenge
BROWSER_IDLE_SECONDS = 5.0  # ... and how long it may sit on one without navigating
BROWSER_CLOSE_SECONDS = 15.0  # how long closing Playwright and Chromium may take at the end of a crawl
_REDIRECT_META = ("redirect_urls", "redirect_times", "redirect_ttl", "redirect_reasons", "xxgk_redirected")

logger = logging.getLogger(__name__)


def level(transport: str | None) -> int:
    return TRANSPORTS.index(transport) if transport in TRANSPORTS else 0


def higher(a: str | None, b: str | None) -> str:
    return TRANSPORTS[max(level(a), level(b))]


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


# ---- per-host memory ------------------------------------------------------------------------------
class HostTransports:
    """The transport each host is at in this process, seeded from and saved to the capture store."""

    def __init__(self, store=None):
        self.store = store
        self.current: dict[str, str] = {}
        self.saved: dict[str, str] = {}

    def transport_for(self, host: str, floor: str | None = None) -> str:
        if host not in self.current:
            remembered = self.store.host_transport(host) if self.store is not None else None
            self.saved[host] = remembered or "default"
            self.current[host] = higher(remembered, floor)
        elif floor and level(floor) > level(self.current[host]):
            self.current[host] = floor
        return self.current[host]

    def raise_to(self, host: str, transport: str) -> None:
        self.current[host] = higher(self.current.get(host), transport)

    def worked(self, host: str, transport: str, run_id: str | None) -> None:
        """A non-challenge answer came through ``transport``: the next run starts there."""
        if self.store is None or self.saved.get(host) == transport:
            return
        if level(transport) < level(self.saved.get(host)):
            return  # a lower transport answered only because the host was already solved above it
        self.store.set_host_transport(host, transport, run_id)
        self.saved[host] = transport


_STATES: dict[str, HostTransports] = {}


def host_transports(store) -> HostTransports:
    """One HostTransports per capture store and process (every crawler of a crawl shares it)."""
    key = str(getattr(store, "data_dir", None))
    state = _STATES.get(key)
    if state is None or state.store is not store:
        state = _STATES[key] = HostTransports(store)
    return state


class TransportMiddleware:
    """Downloader middleware: sets each request's transport (meta ``xxgk_transport``) from its
    source's registry entry and its host's state, unless an escalation set it already."""

    def __init__(self, crawler):
        from crawler.capture import get_store

        self.crawler = crawler
        self.state = host_transports(get_store(crawler.settings.get("XXGK_DATA_DIR")))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if META_TRANSPORT not in request.meta:
            source = getattr(self.crawler.spider, "source", None) or {}
            request.meta[META_TRANSPORT] = self.state.transport_for(
                host_of(request.url), source.get("transport")
            )
        return None


def escalate(request, settings, state: HostTransports, stats=None):
    """The request again with the next transport, or None at the top (or with escalation off).
    A challenge met after redirects (a WZWS 307 to /WZWSREL…) retries the URL first asked for."""
    if not settings.getbool("XXGK_TRANSPORT_ESCALATE", True):
        return None
    top = level(settings.get("XXGK_TRANSPORT_MAX", "browser"))
    tried = request.meta.get(META_TRANSPORT, "default")
    host = host_of(request.url)
    if tried == "browser" and request.meta.get("redirect_urls") and not request.meta.get(META_RESOLVED):
        # redirected to a challenge although the host was solved (its cookies expired): the
        # handler has just solved it again, so the page first asked for is asked once more
        meta = {k: v for k, v in request.meta.items() if k not in _REDIRECT_META}
        meta[META_RESOLVED] = True
        if stats is not None:
            stats.inc_value("xxgk/escalations/browser_again")
        return request.replace(url=request.meta["redirect_urls"][0], meta=meta, dont_filter=True)
    # another request of the host may have got further meanwhile: start from there
    nxt = min(top, max(level(tried) + 1, level(state.current.get(host))))
    if nxt <= level(tried):
        return None
    state.raise_to(host, TRANSPORTS[nxt])
    url = (request.meta.get("redirect_urls") or [request.url])[0]
    meta = {k: v for k, v in request.meta.items() if k not in _REDIRECT_META}
    meta[META_TRANSPORT] = TRANSPORTS[nxt]
    meta[META_ESCALATED] = [*request.meta.get(META_ESCALATED, []), tried]
    meta.pop("retry_times", None)
    if stats is not None:
        stats.inc_value("xxgk/escalations")
        stats.inc_value(f"xxgk/escalations/{TRANSPORTS[nxt]}")
    logger.info("challenge from %s with %s: retrying %s with %s", host, tried, url, TRANSPORTS[nxt])
    return request.replace(url=url, meta=meta, dont_filter=True)


# ---- the download handler ------------------------------------------------------------------------
# host -> cookies a browser got past its challenge with; None: the browser did not get past it
_COOKIES: dict[str, list[dict] | None] = {}
_SOLVE_LOCKS: dict[str, asyncio.Lock] = {}
_FAILED_SOLVES: dict[str, int] = {}  # host -> browser failures (timeouts, crashes) this run


class TransportDownloadHandler:
    """DOWNLOAD_HANDLERS entry for http/https: hands each request to its transport's handler. The
    curl_cffi and browser handlers are made on first use (a crawl of plain portals never starts a
    browser)."""

    lazy = False

    def __init__(self, crawler):
        from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

        self.crawler = crawler
        self.default = HTTP11DownloadHandler(crawler)
        self._impersonate = None
        self._browser = None
        self._slots = None  # the distributed per-host slots (crawler/politeness.py), in frontier jobs
        url = crawler.settings.get("XXGK_HOST_SLOTS_URL")
        if url:
            from crawler.politeness import SLOT_SECONDS, RedisSlots

            self._slots = RedisSlots(url, crawler.settings.getfloat("XXGK_HOST_SLOT_SECONDS", SLOT_SECONDS))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def download_request(self, request):
        """The transfer, inside the host's politeness bound (crawler/politeness.py): every crawler of
        the process, and with XXGK_HOST_SLOTS_URL every process, counts against one per-host limit."""
        from scrapy.utils.httpobj import urlparse_cached

        from crawler.politeness import hold, limit_for

        host = (urlparse_cached(request).hostname or "").lower()
        async with hold(host, limit_for(self.crawler.settings, host), self._slots):
            return await self._transfer(request)

    async def _transfer(self, request):
        transport = request.meta.get(META_TRANSPORT, "default")
        if transport == "impersonate":
            request.meta["impersonate"] = IMPERSONATE_TARGET
            # as the default handler does: its timeout, and certificates checked only when asked
            # (many government hosts serve expired or mis-chained ones)
            settings = self.crawler.settings
            request.meta.setdefault(
                "impersonate_args",
                {
                    "timeout": request.meta.get("download_timeout")
                    or settings.getfloat("DOWNLOAD_TIMEOUT", 180),
                    "verify": settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES", False),
                },
            )
            return await self._impersonate_handler().download_request(request)
        if transport == "browser":
            return await self._through_browser(request)
        return await self.default.download_request(request)

    async def close(self) -> None:
        await self.default.close()
        if self._slots is not None:
            await self._slots.close()
        if self._impersonate is not None:
            await self._impersonate.close()
        if self._browser is not None:
            await self._release_browser()

    # ---- impersonate ----
    def _impersonate_handler(self):
        if self._impersonate is None:
            from scrapy_impersonate import ImpersonateDownloadHandler

            self._impersonate = ImpersonateDownloadHandler(self.crawler)
        return self._impersonate

    # ---- browser ----
    async def _through_browser(self, request):
        """Cookies for the host (solved in the browser when there are none), then the default
        handler; a challenge in spite of them (cookies expired) is solved once more."""
        from crawler.capture import response_challenge

        host = host_of(request.url)
        fresh = False
        if urlsplit(request.url).path == "/robots.txt":  # never a page to solve a challenge on
            return await self.default.download_request(_with_cookies(request, _COOKIES.get(host)))
        if host not in _COOKIES:
            fresh = await self._solve(request, host)
        if _COOKIES.get(host) is None:  # unsolved: the challenge answer is what gets recorded
            return await self.default.download_request(request)
        response = await self.default.download_request(_with_cookies(request, _COOKIES.get(host)))
        if not fresh and response_challenge(response):
            _COOKIES.pop(host, None)
            await self._solve(request, host)
            response = await self.default.download_request(_with_cookies(request, _COOKIES.get(host)))
        return response

    async def _solve(self, request, host: str) -> bool:
        """Open the page in Chromium until it is no challenge; keep the context's cookies for
        the host. True when this call solved it (another request may have meanwhile)."""
        lock = _SOLVE_LOCKS.setdefault(host, asyncio.Lock())
        async with lock:
            if host in _COOKIES:
                return False
            stats = self.crawler.stats
            started = time.monotonic()
            ua = request.headers.get("User-Agent", b"").decode("latin-1") or self.crawler.settings.get(
                "USER_AGENT"
            )
            # the page first asked for: after a redirect to a challenge URL (/WZWSREL…), that is
            # where the browser must end up
            solve = request.replace(
                url=(request.meta.get("redirect_urls") or [request.url])[0],
                method="GET",
                body=b"",
                headers={"User-Agent": ua},
                dont_filter=True,
                meta={
                    "playwright": True,
                    "playwright_include_page": True,
                    "playwright_context": f"xxgk:{host}",
                    "playwright_context_kwargs": {"user_agent": ua, "java_script_enabled": True},
                    # the challenge reloads at once: take the first document, then wait ourselves
                    "playwright_page_goto_kwargs": {"wait_until": "commit"},
                },
            )
            settings = self.crawler.settings
            seconds = settings.getfloat("XXGK_BROWSER_SOLVE_SECONDS", BROWSER_SOLVE_SECONDS)

            async def attempt():
                from playwright.async_api import Error as PlaywrightError

                handler = await self._browser_handler()
                for tries in range(3):
                    try:
                        await handler.download_request(solve)
                        break
                    except PlaywrightError as e:
                        # scrapy-playwright reads the page while the challenge's script reloads it:
                        # the context keeps the cookie set so far, so the page is opened again
                        if "navigating" not in str(e) or tries == 2:
                            raise
                        await _close_page(solve.meta.pop("playwright_page", None))
                        await asyncio.sleep(0.5)
                return await _wait_past_challenge(
                    solve.meta["playwright_page"], seconds,
                    settings.getfloat("XXGK_BROWSER_IDLE_SECONDS", BROWSER_IDLE_SECONDS),
                )

            try:
                # one solve at a time in the process, each bounded: two hosts solved side by side in
                # the one Chromium could leave a solve waiting forever, and the crawl with it
                async with _SOLVE_ALL:
                    try:
                        cookies = await asyncio.wait_for(attempt(), seconds + BROWSER_CLOSE_SECONDS + 15)
                    finally:
                        await _close_page(solve.meta.get("playwright_page"))
            except Exception as exc:  # noqa: BLE001 - a browser failure is a failed solve, never a crash
                # this request goes on without cookies (its challenge is recorded); the host's next
                # request tries again, twice at most
                stats.inc_value("xxgk/browser/errors")
                _FAILED_SOLVES[host] = _FAILED_SOLVES.get(host, 0) + 1
                if _FAILED_SOLVES[host] >= 2:
                    _COOKIES[host] = None
                logger.warning("browser could not open %s: %s: %s", solve.url, type(exc).__name__, exc)
                return True
            stats.inc_value("xxgk/browser/pages")
            stats.inc_value("xxgk/browser/seconds", round(time.monotonic() - started, 3))
            if cookies is None:
                stats.inc_value("xxgk/browser/unsolved")
                _COOKIES[host] = None  # not tried again this run
                return True
            stats.inc_value("xxgk/browser/solved")
            _COOKIES[host] = cookies
            return True

    async def _browser_handler(self):
        """The process's one browser (sources crawled side by side share it; it closes with the
        last handler using it)."""
        async with _BROWSER["lock"]:
            if self._browser is None:
                if _BROWSER["handler"] is None:
                    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                    handler = ScrapyPlaywrightDownloadHandler(self.crawler)
                    # made after engine_started, so its start-up hook is called here (scrapy-playwright
                    # 0.0.48 starts the Playwright driver there; Chromium starts with the first page)
                    started = time.monotonic()
                    await handler._launch()
                    await handler._maybe_launch_browser()  # Chromium now: solve times are solves only
                    self.crawler.stats.set_value(
                        "xxgk/browser/launch_seconds", round(time.monotonic() - started, 3)
                    )
                    _BROWSER["handler"] = handler
                _BROWSER["users"] += 1
                self._browser = _BROWSER["handler"]
        return self._browser

    async def _release_browser(self) -> None:
        async with _BROWSER["lock"]:
            self._browser = None
            _BROWSER["users"] -= 1
            if _BROWSER["users"] == 0 and _BROWSER["handler"] is not None:
                handler, _BROWSER["handler"] = _BROWSER["handler"], None
                try:
                    # Playwright's shutdown sometimes never returns (it waits on its driver process): the
                    # crawl must still end; the driver exits when this process closes its pipe
                    await asyncio.wait_for(handler.close(), BROWSER_CLOSE_SECONDS)
                except TimeoutError:
                    self.crawler.stats.inc_value("xxgk/browser/close_timeouts")
                    logger.warning("browser did not close within %s s; left to exit with the process",
                                   BROWSER_CLOSE_SECONDS)
                except Exception as e:  # a browser that died already: nothing left to close
                    logger.warning("browser close failed: %s: %s", type(e).__name__, e)


_BROWSER: dict = {"handler": None, "users": 0, "lock": asyncio.Lock()}
_SOLVE_ALL = asyncio.Lock()
PAGE_CLOSE_SECONDS = 5.0


async def _close_page(page) -> None:
    """Close a solve's page; a close that hangs (Chromium amid the challenge's own reload) is given
    up after a few seconds: the cookies are already taken and the context stays usable."""
    if page is None or page.is_closed():
        return
    try:
        await asyncio.wait_for(page.close(), PAGE_CLOSE_SECONDS)
    except Exception as e:  # noqa: BLE001 - TimeoutError or a page gone with its browser
        logger.info("browser page not closed (%s); left to its context", type(e).__name__)


async def _wait_past_challenge(page, seconds: float, idle: float = BROWSER_IDLE_SECONDS) -> list[dict] | None:
    """Poll the page until its document is no challenge page; its context's cookies, or None when
    ``seconds`` pass or the page sits on a challenge for ``idle`` seconds without navigating (a
    challenge no script solves: a CAPTCHA, a block page)."""
    from playwright.async_api import Error as PlaywrightError

    from crawler.challenges import detect

    moved = [time.monotonic()]

    def navigated(frame):
        if frame == page.main_frame:
            moved[0] = time.monotonic()

    page.on("framenavigated", navigated)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and time.monotonic() - moved[0] < idle:
        try:
            await page.wait_for_load_state("load", timeout=max(1, int((deadline - time.monotonic()) * 1000)))
            html = await page.content()
        except PlaywrightError:  # navigating (the challenge reloads): ask again
            await asyncio.sleep(0.05)
            continue
        if detect(200, {"content-type": "text/html"}, html.encode("utf-8", "replace")) is None:
            return await page.context.cookies()
        await asyncio.sleep(0.05)
    return None


def _with_cookies(request, cookies: list[dict] | None):
    """The request with the browser's cookies merged into its Cookie header (they win by name)."""
    if not cookies:
        return request
    pairs: dict[str, str] = {}
    for header in request.headers.getlist("Cookie"):
        for part in header.decode("latin-1").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                pairs[name] = value
    for c in cookies:
        pairs[c["name"]] = c["value"]
    request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in pairs.items())
    return request
