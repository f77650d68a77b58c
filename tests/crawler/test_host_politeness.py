"""Per-host politeness in one crawl process (crawler/politeness.py): CONCURRENT_REQUESTS_PER_DOMAIN
bounds the transfers to a host across every crawler of the process, measured from the replica's own
request log (each request from its headers read to its answer ready: inside the client's own span, so
two logged spans that overlap were truly in flight at once)."""

import asyncio
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pytest
import yaml
from end_to_end import run_xxgk

from crawler.politeness import gate, hold
from replica.portals import ReplicaWorld
from replica.portals.server import max_in_flight


def test_two_sources_sharing_a_slow_host_stay_within_the_per_host_limit(tmp_path):
    """Source A starts on host P; source B starts on host Q and lists P's start page as well (a
    registry entry whose start URLs span two hosts). The two are different host groups, so their
    crawlers run side by side, each with its own Scrapy slot for P."""
    with ReplicaWorld(
        seed=13,
        agencies_per_family=2,
        years=(2020, 2021, 2022),
        allow_doc=False,
        families=("generic",),
        latency=(0.3, 0.5),
    ) as world:
        sources = tmp_path / "sources.yaml"
        world.write_sources(sources)
        registry = yaml.safe_load(sources.read_text(encoding="utf-8"))
        a, b = registry["sources"]
        b["start_urls"] = b["start_urls"] + a["start_urls"]
        sources.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
        p_host, q_host = (urlsplit(u["start_urls"][0]).netloc for u in (a, b))
        run_xxgk("crawl", "--sources", sources, "--data", tmp_path / "d", "--fast",
                 "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "--progress-every", 60)
        by_host = defaultdict(list)
        for host, served in world.timed_log:
            by_host[host].append(served)
    assert set(by_host) == {p_host, q_host}
    # P was crawled by both crawlers: its report pages answered twice (each crawler has its own
    # duplicate filter), once per source
    answered = Counter(s.target for s in by_host[p_host] if s.status == 200 and "/robots.txt" not in s.target)
    assert sum(1 for n in answered.values() if n == 2) >= 7, answered
    for host, spans in by_host.items():
        crowded = sorted((round(s.start, 2), round(s.end, 2), s.target) for s in spans)
        assert max_in_flight(spans) == 2, (host, crowded[:12])  # the limit is reached, never passed


def test_the_host_gate_is_freed_on_success_error_and_cancellation():
    async def main():
        order, release = [], asyncio.Event()

        async def fetch(name, fail=False):
            async with hold("gate.test", 2):
                order.append(name)
                await release.wait()
                if fail:
                    raise OSError("connection reset")

        first = asyncio.create_task(fetch("first", fail=True))
        second = asyncio.create_task(fetch("second"))
        waiting = asyncio.create_task(fetch("cancelled while waiting"))
        third = asyncio.create_task(fetch("third"))
        await asyncio.sleep(0.01)
        g = gate("gate.test")
        assert (order, g.busy, len(g.waiting)) == (["first", "second"], 2, 2)
        waiting.cancel()
        await asyncio.sleep(0.01)
        assert (g.busy, len(g.waiting)) == (2, 1)
        second.cancel()  # cancelled mid-transfer: its place goes to the next waiter
        await asyncio.sleep(0.01)
        assert order == ["first", "second", "third"] and g.busy == 2
        release.set()
        results = await asyncio.gather(first, second, waiting, third, return_exceptions=True)
        assert [type(r).__name__ for r in results] == [
            "OSError",
            "CancelledError",
            "CancelledError",
            "NoneType",
        ]
        assert (g.busy, len(g.waiting), g.peak) == (0, 0, 2)

    asyncio.run(main())


@pytest.mark.parametrize("limit", [1, 3])
def test_the_gate_holds_each_limit(limit):
    async def main():
        now = {"in": 0, "peak": 0}

        async def fetch():
            async with hold(f"limit{limit}.test", limit):
                now["in"] += 1
                now["peak"] = max(now["peak"], now["in"])
                await asyncio.sleep(0.001)
                now["in"] -= 1

        await asyncio.gather(*(fetch() for _ in range(10)))
        return now["peak"]

    assert asyncio.run(main()) == limit
