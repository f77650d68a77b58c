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
