"""Distributed crawling: a shared frontier of host groups in Redis, run by RQ workers on any machine.

The unit of work is a *host group*: the sources whose start URLs share a host (the grouping the
single-process crawl uses to keep per-host politeness). ``enqueue`` puts one RQ job per group on
the queue; ``run_worker`` is an RQ worker that takes a group, crawls it with the ordinary spiders
into its own capture shard (``DATA/shards/<worker-id>/``: WARC files + captures.db) and takes the
next. Politeness across all workers, at most CONCURRENT_REQUESTS_PER_DOMAIN (2) transfers per host
in total, holds on two levels:

- per transfer (crawler/politeness.py): every job's requests pass ``XXGK_HOST_SLOTS_URL``, so each
  transfer holds one of the host's 2 redis-py ``Lock`` slots (``xxgk:slot:<host>:<i>``, renewed while
  it runs, expiring ``XXGK_HOST_LOCK_SECONDS`` after a killed process). This covers every host a job
  fetches from (attachment and file hosts, redirect targets, robots.txt), not just its start host;
  inside each process a per-host gate already keeps every crawler within the limit;
- per job: a job holds a ``Lock`` on each of its sources' start hosts (``xxgk:host:<host>``, taken in
  sorted order, renewed by a thread) for its whole crawl, so a job re-queued while its first copy
  still runs (an orphan: the worker died, its work horse did not) waits until the orphan has left
  the host instead of crawling it side by side (tests/ops/test_distributed.py measures this).

Killed workers: RQ heartbeats every running job; a job whose worker died (SIGKILL, machine lost)
is found expired in RQ's StartedJobRegistry and re-queued (``Retry``), and another worker crawls the
group again. The dead shard keeps what it indexed (its torn WARC tail is cut by
``CaptureStore.recover`` at the next start of that worker or at merge time) and ``crawler.shards``
merges every shard into DATA/captures.db for ``xxgk build``.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from urllib.parse import urlsplit

QUEUE_NAME = "xxgk"
SHARDS_DIR = "shards"
ENV_SHARD = "XXGK_SHARD_DIR"  # set in the worker, inherited by the forked job process
ENV_QUEUE = "XXGK_QUEUE_URL"
# A dead worker's job is re-queued this many seconds after its last heartbeat (RQ itself adds 60).
DEFAULT_GRACE = 60
DEFAULT_MONITOR = 10  # seconds between heartbeats of a running job
HOST_LOCK_SECONDS = 60  # per-host lock lifetime; extended every third of it while the job runs
RETRIES = 5  # a group whose worker died (or whose crawl raised) is tried again this many times


def connect(url: str):
    from redis import Redis

    return Redis.from_url(url)


def queue(url: str, name: str = QUEUE_NAME):
    from rq import Queue

    return Queue(name, connection=connect(url))


def host_groups(sources: list[dict]) -> dict[str, list[dict]]:
    """host -> the sources starting there, in registry order (one job each)."""
    groups: dict[str, list[dict]] = {}
    for src in sources:
        host = urlsplit(src["start_urls"][0]).netloc.lower()
        groups.setdefault(host, []).append(src)
    return groups


def enqueue(
    url: str,
    sources: list[dict],
    run_id: str,
    overrides: dict | None = None,
    contact: str | None = None,
    name: str = QUEUE_NAME,
) -> dict:
    """One job per host group of this run. Job ids are ``<run_id>-<host>``: enqueueing a run again
    adds only the groups not queued yet."""
    from rq import Retry
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    q = queue(url, name)
    q.connection.ping()  # an unreachable frontier is an error even when there is nothing to queue
    added, present = [], []
    for host, group in host_groups(sources).items():
        job_id = re.sub(r"[^A-Za-z0-9_-]", "_", f"{run_id}-{host}")  # RQ's job id alphabet
        try:
            Job.fetch(job_id, connection=q.connection)
            present.append(job_id)
            continue
        except NoSuchJobError:
            pass
        q.enqueue(
            "crawler.frontier.crawl_group",
            group,
            run_id,
            overrides or {},
            contact,
            host,
            job_id=job_id,
            job_timeout=-1,
            result_ttl=7 * 86400,
            failure_ttl=30 * 86400,
            retry=Retry(max=RETRIES),
            description=f"crawl {host} ({len(group)} source(s)) run {run_id}",
        )
        added.append(job_id)
    return {
        "queue": name,
        "run_id": run_id,
        "added": len(added),
        "already_queued": len(present),
        "groups": len(added) + len(present),
        "jobs": added + present,
    }


def wait_for_jobs(
    url: str, job_ids: list[str], timeout: float | None = None, poll: float = 1.0, name: str = QUEUE_NAME
) -> dict:
    """Wait until every job is finished or failed for good (retries spent), or ``timeout`` seconds
    pass. Returns the job ids by state: ``finished``, ``failed`` and ``pending`` (left at timeout)."""
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    q = queue(url, name)
    started = StartedJobRegistry(queue=q)
    deadline = None if not timeout else time.monotonic() + timeout
    while True:
        started.count  # noqa: B018 - RQ's cleanup: re-queues jobs of dead workers even with none idle
        jobs = Job.fetch_many(job_ids, connection=q.connection)
        state = {"finished": [], "failed": [], "pending": []}
        for job_id, job in zip(job_ids, jobs, strict=True):
            status = job.get_status(refresh=False) if job is not None else None
            if status == JobStatus.FINISHED:
                state["finished"].append(job_id)
            elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED) or job is None:
                state["failed"].append(job_id)  # None: expired or deleted, it will never finish
            else:
                state["pending"].append(job_id)
        if not state["pending"] or (deadline is not None and time.monotonic() >= deadline):
            return state
        time.sleep(poll)


def job_hosts(sources: list[dict]) -> list[str]:
    """The hosts a group's job locks for its whole run: every start URL's host (sorted, the order
    every job takes them in, so two jobs never wait on each other crosswise)."""
    return sorted({(urlsplit(u).hostname or "").lower() for src in sources for u in src["start_urls"]})


class _HostLocks:
    """redis-py Locks on a job's hosts, kept alive by a thread while the job runs."""

    def __init__(self, redis, hosts: list[str], seconds: float):
        from redis.lock import Lock

        self.locks = [
            Lock(redis, f"xxgk:host:{host}", timeout=seconds, blocking=True, thread_local=False)
            for host in hosts
        ]
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep, daemon=True)

    def _keep(self):
        while not self._stop.wait(self.seconds / 3):
            for lock in self.locks:
                try:
                    lock.reacquire()
                except Exception:  # noqa: BLE001 - Redis gone: the lock expires, the crawl goes on
                    return

    def __enter__(self):
        held = []
        try:
            for lock in self.locks:
                lock.acquire()
                held.append(lock)
        except BaseException:
            for lock in held:
                _release(lock)
            raise
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        for lock in reversed(self.locks):
            _release(lock)


def _release(lock) -> None:
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - expired meanwhile: nothing to release
        pass


def crawl_group(sources: list[dict], run_id: str, overrides: dict, contact: str | None, host: str) -> dict:
    """The RQ job: crawl one host group into this worker's shard (runs in RQ's forked work horse,
    so every job gets a fresh Twisted reactor). The job holds its start hosts' locks for the whole
    crawl, and every transfer of it takes one of its host's Redis slots (crawler/politeness.py)."""
    from crawler.cli import crawl

    shard = os.environ.get(ENV_SHARD)
    if not shard:
        raise RuntimeError(f"{ENV_SHARD} is not set: crawl_group runs inside `xxgk worker`")
    url = os.environ[ENV_QUEUE]
    seconds = float(os.environ.get("XXGK_HOST_LOCK_SECONDS", HOST_LOCK_SECONDS))
    overrides = {**overrides, "XXGK_HOST_SLOTS_URL": url, "XXGK_HOST_SLOT_SECONDS": seconds}
    with _HostLocks(connect(url), job_hosts(sources), seconds):
        summary = crawl(
            sources, shard, run_id=run_id, overrides=overrides, contact=contact, progress_every=600.0
        )
    return {"sources": list(summary["sources"]), "totals": summary["totals"], "shard": shard}


def _worker_class():
    from rq import Worker

    class FrontierWorker(Worker):
        """RQ's forking worker with a configurable grace after the last heartbeat (RQ's own is 60 s)
        before a dead worker's job counts as abandoned."""

        grace = DEFAULT_GRACE
        jobs_run = 0

        def execute_job(self, job, queue):
            self.jobs_run += 1
            return super().execute_job(job, queue)

        def subscribe(self):
            """RQ's command channel, read every second: RQ's own 60 s wait makes every stop of a
            worker (end of a burst) hang for up to a minute while the listener holds the connection."""
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(
                sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
            )

        def get_heartbeat_ttl(self, job) -> int:
            return int(self.job_monitoring_interval + self.grace)

    return FrontierWorker


def run_worker(
    url: str,
    data_dir,
    worker_id: str,
    name: str = QUEUE_NAME,
    until_done: bool = False,
    grace: float = DEFAULT_GRACE,
    monitor: float = DEFAULT_MONITOR,
    poll: float = 1.0,
    out=None,
) -> int:
    """Work on the frontier until stopped (or, ``until_done``, until no job is queued or running).
    Returns the number of jobs this worker ran."""
    from pathlib import Path

    from rq.registry import StartedJobRegistry

    from crawler.locking import FileLock

    out = out or sys.stdout
    shard = Path(data_dir).resolve() / SHARDS_DIR / worker_id
    shard.mkdir(parents=True, exist_ok=True)
    lock = FileLock(shard / "worker.lock").acquire()  # LockBusy: this worker id runs already
    os.environ[ENV_SHARD] = str(shard)
    os.environ[ENV_QUEUE] = url
    import scrapy.crawler  # noqa: F401 - imported once here, shared by every forked job

    import crawler.spiders  # noqa: F401

    q = queue(url, name)
    started = StartedJobRegistry(queue=q)
    cls = _worker_class()
    cls.grace = grace
    worker = cls(
        [q],
        connection=q.connection,
        name=f"{worker_id}.{os.getpid()}",
        job_monitoring_interval=max(1, int(monitor)),
        maintenance_interval=max(1, int(monitor)),
    )
    try:
        while True:
            worker.work(burst=True, logging_level="WARNING")
            # queue empty; counting the started registry re-queues jobs whose worker died
            running = started.count
            if q.count:
                continue
            if until_done and running == 0:
                break
            time.sleep(poll)
    finally:
        lock.release()
    print(f"worker {worker_id}: {worker.jobs_run} job(s) run, shard {shard}", file=out, flush=True)
    return worker.jobs_run


def frontier_status(url: str, name: str = QUEUE_NAME) -> dict:
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    q = queue(url, name)
    return {
        "queued": q.count,
        "running": StartedJobRegistry(queue=q).count,
        "finished": FinishedJobRegistry(queue=q).count,
        "failed": FailedJobRegistry(queue=q).count,
    }
