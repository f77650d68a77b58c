"""Per-host politeness: at most CONCURRENT_REQUESTS_PER_DOMAIN transfers to one host at a time, for
the whole process and, in a distributed crawl, for every process sharing the frontier's Redis.

Scrapy's own per-domain limit does not give that. Its slots are per crawler (a crawl runs one crawler
per source, and sources of different hosts can fetch from a common host: attachments on a file host,
redirects, robots.txt, start URLs on several hosts), and in Scrapy 2.19 on the asyncio reactor a slot
does not even hold inside one crawler: ``Downloader._process_queue`` schedules each download as a task
and counts it in ``slot.transferring`` only when that task starts, so a slot that frees with N
requests queued hands all N to the download handler at once (measured: 4 transfers to one host with
CONCURRENT_REQUESTS_PER_DOMAIN = 2).

``hold(host, limit, ...)`` is entered by ``crawler.transport.TransportDownloadHandler`` around exactly
one transfer (whatever its transport), so every http(s) request of every crawler passes it:

- in the process: a FIFO gate per host (Twisted Deferreds, awaited through Scrapy's
  ``maybe_deferred_to_future``: works on the asyncio reactor and on a plain one);
- across processes (``XXGK_HOST_SLOTS_URL``, set by ``crawler.frontier`` in every job): ``limit``
  redis-py ``Lock`` s per host, ``xxgk:slot:<host>:<i>``; a transfer holds one of them, renewed every
  third of its lifetime (``XXGK_HOST_SLOT_SECONDS``) while it runs, so a process killed mid-transfer
  frees its slot when the lock expires.

Both are released when the transfer ends, fails or is cancelled.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from contextlib import asynccontextmanager

SLOT_PREFIX = "xxgk:slot:"
SLOT_POLL = (0.02, 0.1)  # seconds between tries for a busy Redis slot (random: no lock-step)
SLOT_SECONDS = 60.0  # a Redis slot's lifetime; renewed while its transfer runs


class _Waiter:
    __slots__ = ("deferred", "granted", "limit")

    def __init__(self, limit: int):
        from twisted.internet.defer import Deferred

        self.limit = limit
        self.granted = False
        self.deferred = Deferred()


class HostGate:
    """The transfers to one host in this process: at most ``limit`` at a time, waiters in order
    (each waiter brings its crawler's limit; crawlers of one crawl share their settings)."""

    def __init__(self):
        self.busy = 0
        self.peak = 0
        self.waiting: deque[_Waiter] = deque()

    def acquire(self, limit: int) -> _Waiter:
        waiter = _Waiter(max(1, limit))
        self.waiting.append(waiter)
        self._wake()
        return waiter

    def release(self) -> None:
        self.busy -= 1
        self._wake()

    def forget(self, waiter: _Waiter) -> None:
        """A waiter given up (its request cancelled): its place, or its grant, goes to the next."""
        if waiter.granted:
            self.release()
        else:
            try:
                self.waiting.remove(waiter)
            except ValueError:
                pass
            self._wake()

    def _wake(self) -> None:
        while self.waiting and self.busy < self.waiting[0].limit:
            waiter = self.waiting.popleft()
            if waiter.deferred.called:  # cancelled while waiting (its task is about to forget it)
                continue
            waiter.granted = True
            self.busy += 1
            self.peak = max(self.peak, self.busy)
            waiter.deferred.callback(None)


_GATES: dict[str, HostGate] = {}


def gate(host: str) -> HostGate:
    """The process's gate for ``host`` (one per process: every crawler of a crawl shares it)."""
    g = _GATES.get(host)
    if g is None:
        g = _GATES[host] = HostGate()
    return g


def limit_for(settings, host: str) -> int:
    """CONCURRENT_REQUESTS_PER_DOMAIN, or the host's DOWNLOAD_SLOTS concurrency when one is set."""
    per_slot = (settings.getdict("DOWNLOAD_SLOTS") or {}).get(host) or {}
    return max(1, int(per_slot.get("concurrency") or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2)))


async def _sleep(seconds: float) -> None:
    from scrapy.utils.asyncio import is_asyncio_available

    if is_asyncio_available():
        await asyncio.sleep(seconds)
    else:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        await deferLater(reactor, seconds)


class RedisSlots:
    """``limit`` redis-py (asyncio) locks per host shared by every process on one Redis."""

    def __init__(self, url: str, lifetime: float):
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url)
        self.lifetime = lifetime

    async def keep(self, lock) -> None:
        """Renew a held slot until cancelled (the transfer ended)."""
        from redis.exceptions import RedisError

        while True:
            await asyncio.sleep(self.lifetime / 3)
            try:
                await lock.reacquire()
            except RedisError:  # Redis gone or the slot lost: the transfer goes on regardless
                return

    async def take(self, host: str, limit: int):
        """A held lock of one of the host's ``limit`` slots (waits while all are held)."""
        from redis.asyncio.lock import Lock

        while True:
            for i in random.sample(range(limit), limit):
                lock = Lock(self.redis, f"{SLOT_PREFIX}{host}:{i}", timeout=self.lifetime, blocking=False)
                if await lock.acquire():
                    return lock
            await _sleep(random.uniform(*SLOT_POLL))

    @staticmethod
    async def give_back(lock) -> None:
        from redis.exceptions import LockError

        try:
            await lock.release()
        except LockError:  # expired meanwhile (a transfer longer than the lifetime): nothing to free
            pass

    async def close(self) -> None:
        await self.redis.aclose()


@asynccontextmanager
async def hold(host: str, limit: int, slots: RedisSlots | None = None):
    """One transfer to ``host``: waits for a free place in the process (and in Redis), frees it at
    the end whatever happens."""
    from scrapy.utils.defer import maybe_deferred_to_future

    g = gate(host)
    waiter = g.acquire(limit)
    try:
        if not waiter.granted:
            await maybe_deferred_to_future(waiter.deferred)
    except BaseException:
        g.forget(waiter)
        raise
    try:
        lock = await slots.take(host, limit) if slots is not None else None
        keeper = asyncio.ensure_future(slots.keep(lock)) if lock is not None else None
        try:
            yield
        finally:
            if lock is not None:
                keeper.cancel()
                await asyncio.shield(RedisSlots.give_back(lock))
    finally:
        g.release()
