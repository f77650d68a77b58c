"""`xxgk crawl` and `xxgk sources check`.

A crawl runs Scrapy in-process (CrawlerProcess): one crawler per source, sources sharing a host run
one after another, at most XXGK_MAX_CONCURRENT_SOURCES hosts at a time. Per-host politeness across
the crawlers (hosts they share: file hosts, redirects) is crawler/politeness.py's process-wide gate. Failures of a portal are recorded in the store and never
change the exit status; only an unusable registry does.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler.registry import RegistryError, load_sources

SUMMARY_KEYS = ("listings", "reports", "attachments", "errors")
EXIT_LOCKED = 3  # another process holds DATA's lock (same code as `xxgk update`)


def source_history_row(run_id: str, src: dict, stats: dict, started: str, finished: str, seconds: float,
                       crashed: str | None) -> dict:
    """One run_sources row from the source's Scrapy stats collector."""
    def get(key):
        return stats.get(f"xxgk/{key}", 0) or 0

    from crawler.health import run_outcome

    failures = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("xxgk/failures/")}
    hosts: dict[str, dict] = {}
    for key, value in stats.items():
        if key.startswith("xxgk/hosts/"):
            host, _, kind = key[len("xxgk/hosts/"):].rpartition("/")
            hosts.setdefault(host, {})[kind] = value
    row = {
        "run_id": run_id, "source_id": src["id"], "family": src.get("family"),
        "status": "crashed" if crashed else "ok", "started": started, "finished": finished,
        "seconds": round(seconds, 3), "responses": get("responses"),
        "listings": get("listings"), "items": get("reports_listed") + get("rows_skipped"),
        "reports_listed": get("reports_listed"), "reports": get("reports"), "reports_new": get("reports_new"),
        "reports_changed": get("reports_changed"), "reports_unchanged": get("reports_unchanged"),
        "attachments": get("attachments"), "errors": get("errors"), "failures": failures,
        "bytes": get("bytes"), "crashed": crashed, "challenges": get("challenges"), "hosts": hosts,
    }
    row["outcome"] = run_outcome(row, answered=get("answered"))
    return row


def add_crawl_arguments(p) -> None:
    """The options `xxgk crawl` and `xxgk update` share."""
    p.add_argument("--sources", help="source registry YAML (or --real)")
    p.add_argument("--real", action="store_true",
                   help="crawl real portals of the shipped registry (crawler/sources/*.yaml); needs --province")
    p.add_argument("--province", help="with --real: the province to crawl (浙江, 浙江省 or zhejiang)")
    p.add_argument("--data", required=True, help="capture store folder (DATA)")
    p.add_argument("--source", action="append", default=[], metavar="ID", help="crawl only these sources")
    p.add_argument("--run-id", help="run id (default: UTC timestamp)")
    p.add_argument("--contact", help="contact named in the User-Agent (default: $XXGK_CONTACT)")
    p.add_argument("--fast", action="store_true",
                   help="lift politeness (no delays, no AutoThrottle): for replica portals only")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a Scrapy setting")
    p.add_argument("--progress-every", type=float, default=5.0, help="seconds between progress lines")


def register(sub) -> None:
    p = sub.add_parser("crawl", help="crawl sources into a capture store (WARC + captures.db)")
    add_crawl_arguments(p)
    p.add_argument("--queue", metavar="redis://HOST:PORT/DB",
                   help="with --enqueue: put one job per host group on this distributed frontier (RQ)")
    p.add_argument("--enqueue", action="store_true",
                   help="fill the frontier for `xxgk worker` processes instead of crawling here")
    p.add_argument("--queue-name", default="xxgk", help="RQ queue name (default xxgk)")
    p.set_defaults(func=run_crawl)

    w = sub.add_parser("worker", help="crawl host groups from a distributed frontier into DATA/shards/WORKER-ID")
    w.add_argument("--queue", required=True, metavar="redis://HOST:PORT/DB", help="the frontier's Redis")
    w.add_argument("--data", required=True, help="DATA (the shard is DATA/shards/WORKER-ID)")
    w.add_argument("--worker-id", required=True, help="this worker's name, [A-Za-z0-9_.-]+, one process per id")
    w.add_argument("--queue-name", default="xxgk")
    w.add_argument("--until-done", action="store_true",
                   help="exit when no job is queued or running (default: keep waiting for jobs)")
    w.add_argument("--grace", type=float, default=60.0,
                   help="seconds after a job's last heartbeat before it is re-queued (default 60)")
    w.add_argument("--monitor", type=float, default=10.0, help="seconds between job heartbeats (default 10)")
    w.set_defaults(func=run_worker)

    s = sub.add_parser("sources", help="source registry tools")
    ssub = s.add_subparsers(dest="sources_command", metavar="SUBCOMMAND")
    c = ssub.add_parser("check", help="validate registries (default: the shipped one): entries, duplicates, "
                                      "hosts outside the allowlist, region codes; exit 1 on any problem")
    c.add_argument("file", nargs="*", help="registry YAML files (default: crawler/sources/*.yaml)")
    c.set_defaults(func=run_check)
    ls = ssub.add_parser("list", help="one line per source (default: the shipped registry)")
    ls.add_argument("file", nargs="*")
    ls.add_argument("--province", help="only this province of the shipped registry")
    ls.add_argument("--family", action="append", default=[])
    ls.set_defaults(func=run_list)
    st = ssub.add_parser("stats", help="sources by family, level and province")
    st.add_argument("file", nargs="*")
    st.set_defaults(func=run_stats)
    pr = ssub.add_parser("probe", help="fetch a page, guess family and params, print the registry line")
    pr.add_argument("url")
    pr.add_argument("--agency")
    pr.add_argument("--region")
    pr.add_argument("--level")
    pr.add_argument("--timeout", type=float, default=20.0)
    pr.set_defaults(func=run_probe)
    s.set_defaults(func=lambda args: (s.print_help(), 2)[1])


def run_check(args) -> int:
    from crawler.sourcetools import check_files

    sources, problems = check_files(args.file or None)
    for problem in problems:
        print(problem)
    where = " ".join(args.file) if args.file else "shipped registry (crawler/sources)"
    print(f"{where}: {len(sources)} valid source(s), {len(problems)} problem(s)")
    return 1 if problems else 0


def _chosen(args):
    from crawler.sourcetools import check_files, select_real

    if getattr(args, "province", None):
        return select_real(args.province, families=args.family or None), []
    sources, problems = check_files(args.file or None)
    if getattr(args, "family", None):
        sources = [s for s in sources if s.family in set(args.family)]
    return sources, problems


def run_list(args) -> int:
    try:
        sources, problems = _chosen(args)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    for s in sources:
        print(f"{s.id:36} {s.family:17} {s.level:10} {s.region_code} {s.region} {s.agency} {s.start_urls[0]}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(sources)} source(s)", file=sys.stderr)
    return 1 if problems else 0


def run_stats(args) -> int:
    import json

    from crawler.sourcetools import stats

    sources, problems = _chosen(args)
    print(json.dumps(stats(sources), ensure_ascii=False, indent=1))
    return 1 if problems else 0


def run_probe(args) -> int:
    from crawler.sourcetools import probe, registry_line

    try:
        entry = probe(args.url, agency=args.agency, region=args.region, level=args.level, timeout=args.timeout)
    except OSError as exc:
        print(f"cannot fetch {args.url}: {exc}", file=sys.stderr)
        return 2
    print(registry_line(entry), end="")
    return 0


def _parse_value(text: str):
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


class SelectionError(ValueError):
    """The sources asked for cannot be chosen (bad registry, unknown id, missing option)."""


def select_sources(args) -> list:
    """The sources `xxgk crawl` / `xxgk update` arguments name (--sources FILE or --real, --source ID)."""
    ids = list(args.source or [])
    if args.real:
        from crawler.sourcetools import select_real

        if not args.province and not ids:
            raise SelectionError("--real needs --province (or --source ID) to choose from the shipped registry")
        try:
            return select_real(args.province, ids=ids or None)
        except ValueError as exc:
            raise SelectionError(str(exc)) from None
    if not args.sources:
        raise SelectionError("give --sources FILE, or --real --province P for the shipped registry")
    try:
        sources = load_sources(args.sources)
    except RegistryError as exc:
        raise SelectionError(str(exc)) from None
    if ids:
        known = {s.id for s in sources}
        missing = [i for i in ids if i not in known]
        if missing:
            raise SelectionError(f"unknown source id(s): {', '.join(missing)}")
        sources = [s for s in sources if s.id in set(ids)]
    return sources


def crawl_overrides(args) -> dict:
    overrides = {}
    if args.fast:
        from crawler.settings import FAST

        overrides.update(FAST)
    for item in args.set:
        name, _, value = item.partition("=")
        overrides[name.strip()] = _parse_value(value.strip())
    return overrides


def run_crawl(args) -> int:
    try:
        sources = select_sources(args)
    except SelectionError as exc:
        print(exc, file=sys.stderr)
        return 2
    overrides = crawl_overrides(args)
    if args.enqueue or args.queue:
        if not (args.enqueue and args.queue):
            print("--enqueue and --queue go together", file=sys.stderr)
            return 2
        from redis.exceptions import RedisError

        from crawler.frontier import enqueue

        try:
            result = enqueue(args.queue, [s.to_dict() for s in sources], args.run_id or default_run_id(),
                             overrides, args.contact, name=args.queue_name)
        except RedisError as exc:  # Redis unreachable: say so, nothing queued
            print(f"xxgk crawl --enqueue: cannot reach the frontier {args.queue}: {exc}", file=sys.stderr)
            return 1
        print(f"run {result['run_id']}: {result['added']} host group(s) queued on {args.queue} "
              f"({result['already_queued']} already there)")
        return 0
    from crawler.locking import LockBusy

    try:
        summary = crawl([s.to_dict() for s in sources], args.data, run_id=args.run_id, overrides=overrides,
                        contact=args.contact, progress_every=args.progress_every)
    except LockBusy as exc:
        print(f"xxgk crawl: another crawl is using this capture store: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    print_summary(summary)
    return 0


def run_worker(args) -> int:
    import re

    from crawler.frontier import run_worker as work
    from crawler.locking import LockBusy

    if not re.fullmatch(r"[A-Za-z0-9_.-]+", args.worker_id):
        print(f"bad --worker-id {args.worker_id!r}: letters, digits, _ . - only", file=sys.stderr)
        return 2
    try:
        work(args.queue, args.data, args.worker_id, name=args.queue_name, until_done=args.until_done,
             grace=args.grace, monitor=args.monitor)
    except LockBusy as exc:
        print(f"xxgk worker: worker {args.worker_id} is running already: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    return 0


def default_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _host_groups(sources: list[dict]) -> list[list[dict]]:
    groups: dict[str, list[dict]] = {}
    for src in sources:
        host = urlsplit(src["start_urls"][0]).netloc.lower()
        groups.setdefault(host, []).append(src)
    return list(groups.values())


def crawl(sources: list[dict], data_dir, run_id: str | None = None, overrides: dict | None = None,
          contact: str | None = None, progress_every: float = 5.0, out=None) -> dict:
    """Crawl sources into DATA; returns the summary (per source and totals). One call per process:
    Twisted's reactor cannot be restarted."""
    from scrapy.crawler import CrawlerProcess

    from crawler.capture import close_stores, get_store
    from crawler.settings import build_settings
    from crawler.spiders import SPIDERS

    out = out or sys.stdout
    data_dir = str(Path(data_dir).resolve())
    run_id = run_id or default_run_id()
    settings = build_settings(overrides, contact=contact)
    settings.set("XXGK_DATA_DIR", data_dir, priority="cmdline")
    settings.set("XXGK_RUN_ID", run_id, priority="cmdline")
    from crawler.locking import CRAWL_LOCK, FileLock
    from crawler.store import utcnow_iso

    lock = FileLock(Path(data_dir) / CRAWL_LOCK).acquire()  # LockBusy: another crawl on this DATA
    store = get_store(data_dir)
    recovered = store.recover()  # runs killed earlier: marked `killed`, WARC tails cut
    for name in recovered["killed_runs"]:
        print(f"run {name} never finished: marked killed", file=out, flush=True)
    store.save_sources(sources)
    store.start_run(run_id, [s["id"] for s in sources])

    from scrapy.utils.reactor import install_reactor

    install_reactor(settings.get("TWISTED_REACTOR"))
    process = CrawlerProcess(settings)
    from twisted.internet import reactor, task

    crawlers: dict[str, object] = {}
    done: list[str] = []
    failed: dict[str, str] = {}
    groups = _host_groups(sources)
    limit = max(1, settings.getint("XXGK_MAX_CONCURRENT_SOURCES", 8))
    started = time.monotonic()
    state = {"active": 0}

    def totals() -> dict:
        t = dict.fromkeys(SUMMARY_KEYS, 0)
        for c in crawlers.values():
            for k in SUMMARY_KEYS:
                t[k] += c.stats.get_value(f"xxgk/{k}", 0) or 0
        return t

    def progress():
        t = totals()
        print(f"[{time.monotonic() - started:6.1f}s] sources {len(done)}/{len(sources)} done | "
              + " ".join(f"{k} {t[k]}" for k in SUMMARY_KEYS), file=out, flush=True)

    def run_source(src):
        spider_cls = SPIDERS[src["family"]]
        crawler = process.create_crawler(spider_cls)
        crawlers[src["id"]] = crawler
        t_src, iso_src = time.monotonic(), utcnow_iso()
        d = process.crawl(crawler, source=src)

        def finished(result):
            done.append(src["id"])
            if hasattr(result, "getErrorMessage"):
                failed[src["id"]] = result.getErrorMessage()
                print(f"source {src['id']} crashed: {failed[src['id']]}", file=sys.stderr)
            s = crawler.stats
            store.record_run_source(source_history_row(
                run_id, src, s.get_stats(), iso_src, utcnow_iso(), time.monotonic() - t_src,
                failed.get(src["id"])))
            print(f"done {src['id']} ({src['family']}): "
                  + ", ".join(f"{k} {s.get_value(f'xxgk/{k}', 0) or 0}" for k in SUMMARY_KEYS),
                  file=out, flush=True)
            return None

        d.addBoth(finished)
        return d

    def run_group(group):
        state["active"] += 1
        d = run_source(group[0])
        for src in group[1:]:
            d.addCallback(lambda _, s=src: run_source(s))
        d.addBoth(group_finished)

    def group_finished(_):
        state["active"] -= 1
        if groups:
            run_group(groups.pop(0))
        elif state["active"] == 0:
            loop.stop() if loop.running else None
            reactor.callLater(0, reactor.stop)

    loop = task.LoopingCall(progress)
    if groups:
        def start_groups():
            for _ in range(limit):
                if groups:
                    run_group(groups.pop(0))

        reactor.callWhenRunning(start_groups)
        loop.start(progress_every, now=False)
        process.start(stop_after_crawl=False)
    per_source = {}
    for src in sources:
        c = crawlers.get(src["id"])
        stats = c.stats.get_stats() if c else {}
        per_source[src["id"]] = {
            "family": src["family"],
            **{k: stats.get(f"xxgk/{k}", 0) for k in SUMMARY_KEYS},
            "reports_unchanged": stats.get("xxgk/reports_unchanged", 0),
            "responses": stats.get("downloader/response_count", 0),
            "crashed": failed.get(src["id"]),
            # the browser transport (crawler/transport.py): challenge pages solved, seconds spent
            "browser_solves": stats.get("xxgk/browser/pages", 0),
            "browser_seconds": round(stats.get("xxgk/browser/seconds", 0), 3),
            "browser_launch_seconds": stats.get("xxgk/browser/launch_seconds", 0),
        }
    summary = {"run_id": run_id, "data": data_dir, "sources": per_source,
               "totals": {k: sum(v[k] for v in per_source.values()) for k in
                          (*SUMMARY_KEYS, "reports_unchanged", "responses")},
               "seconds": round(time.monotonic() - started, 2), "recovered": recovered}
    store.finish_run(run_id, "failed" if failed else "ok", summary)
    close_stores()
    lock.release()
    return summary


def print_summary(summary: dict, out=None) -> None:
    out = out or sys.stdout
    cols = ("listings", "reports", "attachments", "errors", "reports_unchanged", "responses")
    print(f"run {summary['run_id']} -> {summary['data']} ({summary['seconds']}s)", file=out)
    print(f"{'source':32} {'family':12} " + " ".join(f"{c[:11]:>11}" for c in cols), file=out)
    for sid, row in summary["sources"].items():
        flag = "  CRASHED" if row.get("crashed") else ""
        print(f"{sid:32} {row['family']:12} " + " ".join(f"{row[c]:>11}" for c in cols) + flag, file=out)
    t = summary["totals"]
    print(f"{'TOTAL':32} {'':12} " + " ".join(f"{t[c]:>11}" for c in cols), file=out, flush=True)
