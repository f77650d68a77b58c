"""Distributed crawling: `xxgk crawl --enqueue` fills an RQ frontier in a real redis-server, `xxgk worker`
processes crawl it into their own shards (DATA/shards/<worker-id>/), `xxgk build` merges the shards.

One replica world, three crawls of it: a single-process `xxgk crawl` (the reference), three workers,
and two workers of which one is SIGKILLed (its whole process group: worker and job) after a set number
of requests served by the portal it is crawling. Measured from the replica's own request log (every
request with its start and end): the union is complete, no URL is fetched twice (after the kill, only
the killed job's portal is fetched again), at most 2 requests per host are in flight at any moment
across all workers, and one build over all shards equals the single-process archive value for value.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from end_to_end import archive_content, query, run_xxgk

from replica.portals import ReplicaWorld
from replica.portals.server import max_in_flight

ROOT = Path(__file__).resolve().parents[2]
KILL_AFTER = 6  # requests served by the killed worker's portal before the SIGKILL
POLITE = ["--fast", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]  # the production per-host limit, no delays
WORKER_ENV = dict(os.environ, XXGK_HOST_LOCK_SECONDS="3")

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    from redis import Redis

    client = Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def process_tree(pid: int) -> list[int]:
    """pid and its descendants (RQ runs each job in a forked work horse with its own process group)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return out


class KillingLog(list):
    """The replica's request log: SIGKILLs a worker and its job process (a lost machine) once `host`
    has served `at` requests."""

    def __init__(self, items=()):
        super().__init__(items)
        self.pgid, self.host, self.at, self.seen = None, None, None, 0
        self.parent_only = False  # kill the worker but leave its job process running (an orphan)
        self.orphans: list[int] = []

    def append(self, item):
        super().append(item)
        if self.pgid and urlsplit(item[1]).netloc == self.host:
            self.seen += 1
            if self.seen >= self.at:
                pid, self.pgid = self.pgid, None
                tree = process_tree(pid)
                if self.parent_only:
                    self.orphans = tree[1:]
                    tree = tree[:1]
                for p in tree:
                    os.kill(p, signal.SIGKILL)


xxgk = run_xxgk


def worker(url, data, worker_id, queue_name):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xxgk",
            "worker",
            "--queue",
            url,
            "--data",
            str(data),
            "--worker-id",
            worker_id,
            "--queue-name",
            queue_name,
            "--until-done",
            "--grace",
            "2",
            "--monitor",
            "1",
        ],
        cwd=ROOT,
        env=WORKER_ENV,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def fetched(segment):
    """(method, target, body) -> times answered without a 5xx (a retried 500 is not a second fetch)."""
    return Counter((host, s.method, s.target, s.body) for host, s in segment if s.status < 500)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory, redis_url):
    tmp = tmp_path_factory.mktemp("dist")
    with ReplicaWorld(seed=13, agencies_per_family=1, years=(2020, 2021, 2022), allow_doc=False) as world:
        log = KillingLog(world.request_log)
        world.request_log = log
        sources = tmp / "sources.yaml"
        world.write_sources(sources)
        hosts = [urlsplit(p.base_url).netloc for p in world.portals]
        out = {"truth": world.reports(), "hosts": hosts, "segments": {}}

        mark = len(world.timed_log)
        xxgk(
            "crawl",
            "--sources",
            sources,
            "--data",
            tmp / "single",
            "--run-id",
            "single",
            *POLITE,
            "--progress-every",
            "60",
        )
        out["segments"]["single"] = world.timed_log[mark:]

        def enqueue(data, name, *extra):
            """One RQ job per host group on queue ``name``, for workers writing their shards into ``data``."""
            xxgk("crawl", "--sources", sources, "--data", data, "--queue", redis_url, "--enqueue",
                 "--queue-name", name, "--run-id", name, *extra, *POLITE)

        # three workers
        mark = len(world.timed_log)
        data3 = tmp / "three"
        enqueue(data3, "three")
        procs = [worker(redis_url, data3, f"w{i}", "three") for i in range(3)]
        out["three"] = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
        out["segments"]["three"] = world.timed_log[mark:]

        # two workers, the first SIGKILLed mid-crawl of the first host group (it takes it: it starts alone)
        mark = len(world.timed_log)
        data2 = tmp / "killed"
        enqueue(data2, "killed")
        victim = worker(redis_url, data2, "victim", "killed")
        log.host, log.at, log.seen, log.pgid = hosts[0], KILL_AFTER, 0, victim.pid
        deadline = time.monotonic() + 120
        while log.seen == 0 and time.monotonic() < deadline and victim.poll() is None:
            time.sleep(0.05)  # the victim is crawling the first host: start the survivor
        survivor = worker(redis_url, data2, "survivor", "killed")
        out["victim"] = victim.communicate(timeout=300) + (victim.returncode,)
        out["survivor"] = survivor.communicate(timeout=300) + (survivor.returncode,)
        out["killed_served"] = log.seen
        out["segments"]["killed"] = world.timed_log[mark:]

        # the worker dies but its job process lives on (an orphan still crawling the host): the job is
        # re-queued, and the worker taking it waits on the host's lock instead of doubling the load
        mark = len(world.timed_log)
        world.latency = (0.8, 1.0)  # the orphan's crawl outlasts the re-queueing
        data_o = tmp / "orphan"
        enqueue(data_o, "orphan", "--source", world.portals[0].source_id)
        victim = worker(redis_url, data_o, "victim", "orphan")
        log.host, log.at, log.seen, log.pgid, log.parent_only = hosts[0], 2, 0, victim.pid, True
        deadline = time.monotonic() + 120
        while log.seen < 2 and time.monotonic() < deadline and victim.poll() is None:
            time.sleep(0.05)
        survivor = worker(redis_url, data_o, "survivor", "orphan")
        out["orphan_survivor"] = survivor.communicate(timeout=300) + (survivor.returncode,)
        victim.wait(timeout=60)
        while any(Path(f"/proc/{p}").exists() for p in log.orphans) and time.monotonic() < deadline:
            time.sleep(0.1)
        out["orphans"] = list(log.orphans)
        world.latency = None
        out["segments"]["orphan"] = world.timed_log[mark:]

    for name in ("single", "three", "killed"):
        proc = subprocess.run(
            [sys.executable, "-m", "xxgk", "build", "--data", str(tmp / name), "--quiet", "--workers", "1"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
    out["tmp"] = tmp
    yield out


def test_workers_ran_every_host_group_into_their_own_shards(crawls):
    for _, stderr, rc in crawls["three"]:
        assert rc == 0, stderr[-3000:]
    jobs = [
        int(re.search(r"^worker w\d: (\d+) job\(s\) run", out, re.M).group(1))
        for out, _, _ in crawls["three"]
    ]
    assert sum(jobs) == len(crawls["hosts"]) == 6
    assert sum(1 for n in jobs if n) >= 2  # the work was shared
    shards = crawls["tmp"] / "three" / "shards"
    assert sorted(p.name for p in shards.iterdir()) == ["w0", "w1", "w2"]
    crawled = [
        query(p / "captures.db", "select count(*) from run_sources")[0][0] for p in sorted(shards.iterdir())
    ]
    assert sum(crawled) == 6 and crawled == [n for n in jobs]
    for p in shards.iterdir():
        if query(p / "captures.db", "select count(*) from captures")[0][0]:
            assert list((p / "warc").glob("three-*.warc.gz"))


def test_union_is_complete_and_no_url_is_fetched_twice(crawls):
    pages = {r.page_url for r in crawls["truth"]}
    assert len(pages) == 18
    for name in ("three", "killed"):
        captured = {
            u
            for (u,) in query(
                crawls["tmp"] / name / "captures.db",
                "select url from captures where role = 'report' and status = 200",
            )
        }
        assert pages <= captured, name
    counts = fetched(crawls["segments"]["three"])
    assert counts and max(counts.values()) == 1, [k for k, v in counts.items() if v > 1]
    # the single-process crawl asked for exactly the same requests
    assert set(counts) == set(fetched(crawls["segments"]["single"]))


def test_killed_worker_lost_nothing_and_only_its_portal_was_fetched_again(crawls):
    stdout, stderr, rc = crawls["victim"]
    assert rc == -signal.SIGKILL, stderr[-2000:]
    assert crawls["killed_served"] == KILL_AFTER
    stdout, stderr, rc = crawls["survivor"]
    assert rc == 0, stderr[-3000:]
    assert "6 job(s) run" in stdout  # the five others and the re-queued one
    counts = fetched(crawls["segments"]["killed"])
    twice = {k for k, v in counts.items() if v > 1}
    assert max(counts.values()) == 2
    assert twice and {k[0] for k in twice} == {crawls["hosts"][0]}
    assert set(counts) == set(fetched(crawls["segments"]["three"]))
    data = crawls["tmp"] / "killed"
    victim = data / "shards" / "victim" / "captures.db"
    # the build repaired the dead shard: its run is killed there, its captures whole and merged
    assert query(victim, "select status from crawl_runs") == [("killed",)]
    kept = query(victim, "select count(*) from captures where warc_file is not null")[0][0]
    assert 0 < kept < KILL_AFTER
    assert (
        query(data / "captures.db", "select count(*) from shard_captures where shard = 'victim'")[0][0]
        == query(victim, "select count(*) from captures")[0][0]
    )
    # the merged run is complete: every source has a finished row
    assert query(data / "captures.db", "select status from crawl_runs where id = 'killed'") == [("ok",)]
    statuses = query(data / "captures.db", "select status, count(*) from run_sources group by status")
    assert statuses == [("ok", 6)]


def test_at_most_two_requests_per_host_in_flight_across_all_workers(crawls):
    peak = {}
    for name in ("single", "three", "killed"):  # the single-process crawl too
        by_host = defaultdict(list)
        for host, s in crawls["segments"][name]:
            by_host[host].append(s)
        assert set(by_host) == set(crawls["hosts"])
        for host, spans in by_host.items():
            peak[(name, host)] = max_in_flight(spans)
    worst = max(peak, key=peak.get)
    spans = sorted((s.start, s.end, s.target) for h, s in crawls["segments"][worst[0]] if h == worst[1])
    crowded = [(t, [x for x in spans if x[0] <= t < x[1]]) for t, _, _ in spans]
    crowded = [c for c in crowded if len(c[1]) > 2]
    assert max(peak.values()) == 2, (worst, crowded[:3])  # the limit is reached, never passed


def test_one_build_over_all_shards_equals_the_single_process_crawl(crawls):
    single = archive_content(crawls["tmp"] / "single" / "archive.db")
    assert len(single) == 18
    assert sum(1 for r in single.values() if r[3] > 0) >= 15
    for name in ("three", "killed"):
        merged = archive_content(crawls["tmp"] / name / "archive.db")
        assert merged == single, name
        n = query(crawls["tmp"] / name / "archive.db", "select count(*) from reports")[0][0]
        assert n == 18, name


def test_frontier_commands_refuse_bad_arguments_and_an_unreachable_redis(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: []\n", encoding="utf-8")

    run = partial(run_xxgk, timeout=120, ok=None)  # exit codes asserted below

    alone = run("crawl", "--sources", sources, "--data", tmp_path / "d", "--enqueue")
    assert alone.returncode == 2 and "--enqueue and --queue go together" in alone.stderr
    port = free_port()  # nothing listens there
    down = run(
        "crawl",
        "--sources",
        sources,
        "--data",
        tmp_path / "d",
        "--enqueue",
        "--queue",
        f"redis://127.0.0.1:{port}/0",
    )
    assert down.returncode == 1 and "cannot reach the frontier" in down.stderr
    bad_id = run(
        "worker", "--queue", f"redis://127.0.0.1:{port}/0", "--data", tmp_path / "d", "--worker-id", "a/b"
    )
    assert bad_id.returncode == 2 and "bad --worker-id" in bad_id.stderr
    assert not (tmp_path / "d").exists()  # nothing written


def test_a_requeued_job_waits_for_its_orphaned_first_copy_to_leave_the_host(crawls):
    assert crawls["orphans"]  # the job process outlived its worker
    stdout, stderr, rc = crawls["orphan_survivor"]
    assert rc == 0 and "1 job(s) run" in stdout, stderr[-3000:]
    spans = [s for h, s in crawls["segments"]["orphan"] if h == crawls["hosts"][0]]
    counts = fetched(crawls["segments"]["orphan"])
    assert max(counts.values()) == 2  # both copies crawled the host ...
    crowded = [
        [(round(x.start, 2), round(x.end, 2), x.target) for x in spans if x.start <= t.start < x.end]
        for t in spans
    ]
    assert max_in_flight(spans) <= 2, [c for c in crowded if len(c) > 2][:2]  # ... one after the other
    # the takeover's first request came after the orphan's last one
    firsts = {}
    for s in sorted(spans, key=lambda s: s.start):
        firsts.setdefault((s.method, s.target, s.body), []).append(s)
    second_round = min(v[1].start for v in firsts.values() if len(v) > 1)
    first_round_end = max(v[0].end for v in firsts.values())
    assert second_round >= first_round_end


def test_redis_host_slots_bound_transfers_across_processes_and_expire_with_a_dead_holder(redis_url):
    """crawler.politeness.RedisSlots: the per-host bound between processes (each RedisSlots has its
    own connection, as each job process does); a slot whose holder died frees itself on expiry."""
    import asyncio

    from crawler.politeness import RedisSlots

    async def main():
        dead = RedisSlots(redis_url, lifetime=1.0)
        await dead.take("slots.test", 2)  # held and never renewed nor released: a killed process
        now = {"in": 0, "peak": 0, "done": 0}

        async def transfer(slots):
            lock = await slots.take("slots.test", 2)
            keeper = asyncio.ensure_future(slots.keep(lock))
            now["in"] += 1
            now["peak"] = max(now["peak"], now["in"])
            await asyncio.sleep(0.3)  # six of them outlast the dead holder's lock
            now["in"] -= 1
            now["done"] += 1
            keeper.cancel()
            await slots.give_back(lock)

        processes = [RedisSlots(redis_url, lifetime=0.6) for _ in range(3)]
        # two transfers of three processes each: one slot free until the dead one's lock expires
        await asyncio.gather(*(transfer(p) for p in processes for _ in range(2)))
        for p in (dead, *processes):
            await p.close()
        return now

    now = asyncio.run(main())
    assert now == {"in": 0, "peak": 2, "done": 6}


def test_distributed_update_waits_for_the_workers_merges_and_builds(tmp_path, redis_url):
    """`xxgk update --queue`: the host groups go on the frontier, two workers crawl them into
    DATA/shards/, the update waits for them, merges and builds, with the update's summary and exit
    code; without workers it gives up after --wait-timeout with exit 5 and builds nothing."""
    from rq import Queue

    from crawler.frontier import connect

    with ReplicaWorld(
        seed=5,
        agencies_per_family=1,
        years=(2021, 2022),
        allow_doc=False,
        families=("trs_wcm", "vsb", "generic"),
    ) as world:
        sources = tmp_path / "sources.yaml"
        world.write_sources(sources)
        pages = {r.page_url for r in world.reports()}

        def update(data, queue_name, *extra):
            return [
                sys.executable,
                "-m",
                "xxgk",
                "update",
                "--sources",
                sources,
                "--data",
                data,
                "--queue",
                redis_url,
                "--queue-name",
                queue_name,
                *POLITE,
                "--workers",
                "1",
                *extra,
            ]

        alone = subprocess.run(
            update(tmp_path / "alone", "upd-alone", "--wait-timeout", "1"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert alone.returncode == 5, alone.stderr[-2000:]
        assert "3 of 3 host group(s) still queued or running" in alone.stderr
        assert not (tmp_path / "alone" / "archive.db").exists()

        data = tmp_path / "data"
        mark = len(world.timed_log)
        proc = subprocess.Popen(
            update(data, "upd"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        q = Queue("upd", connection=connect(redis_url))
        deadline = time.monotonic() + 60
        while q.count < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        workers = [worker(redis_url, data, w, "upd") for w in ("a", "b")]
        stdout, stderr = proc.communicate(timeout=300)
        ran = [w.communicate(timeout=120) + (w.returncode,) for w in workers]
        spans = defaultdict(list)
        for host, s in world.timed_log[mark:]:
            spans[host].append(s)
    assert proc.returncode == 0, stderr[-3000:]
    assert "3 host group(s) on" in stderr
    assert re.search(r"^sources\s+3 crawled: 3 ok, 0 failed", stdout, re.M), stdout
    assert re.search(r"^exit\s+0$", stdout, re.M), stdout
    jobs = [int(re.search(r"(\d+) job\(s\) run", out).group(1)) for out, _, rc in ran if rc == 0]
    assert len(jobs) == 2 and sum(jobs) == 3
    shards = sorted(p.name for p in (data / "shards").iterdir() if (p / "captures.db").exists())
    assert shards == sorted(w for w, n in zip(("a", "b"), jobs, strict=True) if n)
    archived = {u for (u,) in query(data / "archive.db", "select url from reports where is_latest = 1")}
    assert archived == pages and len(pages) == 6
    peaks = {h: max_in_flight(v) for h, v in spans.items()}
    assert len(peaks) == 3 and max(peaks.values()) == 2, peaks  # reached, never passed (a small host may not)
