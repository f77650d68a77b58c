"""Retry with exponential backoff: Scrapy's RetryMiddleware re-queues at once, which hammers a
portal that is already failing."""

from __future__ import annotations

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task


class BackoffRetryMiddleware(RetryMiddleware):
    """Waits RETRY_BACKOFF_BASE * 2**(attempt-1) seconds (capped by RETRY_BACKOFF_MAX) before a retry."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _delay(self, retry_request):
        attempt = retry_request.meta.get("retry_times", 1)
        delay = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        if delay > 0:
            from twisted.internet import reactor

            await maybe_deferred_to_future(task.deferLater(reactor, delay))

    async def process_response(self, request, response):
        result = super().process_response(request, response)
        if result is not response and hasattr(result, "meta"):
            await self._delay(result)
        return result

    async def process_exception(self, request, exception):
        result = super().process_exception(request, exception)
        if result is not None and hasattr(result, "meta") and not hasattr(result, "status"):
            await self._delay(result)
        return result


class AllowlistMiddleware:
    """Refuses requests to hosts outside the government-host allowlist (crawler/hosts.py) before
    they leave: a link or redirect to a lookalike mirror domain is never fetched, so its copy of a
    government page is never archived. Loopback (the replica portals) stays allowed. Off with
    XXGK_HOST_ALLOWLIST = False."""

    def __init__(self, enabled: bool, stats=None):
        self.enabled = enabled
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getbool("XXGK_HOST_ALLOWLIST", True), crawler.stats)

    def process_request(self, request):
        from scrapy.exceptions import IgnoreRequest

        from crawler.hosts import is_allowed

        if self.enabled and not is_allowed(request.url):
            if self.stats is not None:
                self.stats.inc_value("xxgk/refused_offlist")
            raise IgnoreRequest(f"host outside the government-host allowlist: {request.url}")
        return None


class RedirectLoopMiddleware:
    """A redirect back to a URL already on the request's redirect chain (A -> B -> A) fails the request
    with the reason. Without it Scrapy's duplicate filter drops the looping hop silently and the page
    is lost without a trace. Sits between the downloader and RedirectMiddleware (600)."""

    def process_response(self, request, response, spider=None):
        if response.status in (301, 302, 303, 307, 308) and b"Location" in response.headers:
            from urllib.parse import urljoin

            from scrapy.exceptions import IgnoreRequest
            from w3lib.url import canonicalize_url

            target = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if canonicalize_url(target) in {canonicalize_url(u) for u in chain}:
                raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, target])}"[:500])
        return response
