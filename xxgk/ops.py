"""`xxgk update` (incremental crawl, then build: for cron or a systemd timer) and `xxgk status`
(source health from the run history).

Exit codes of `xxgk update` (also printed by `xxgk update --help`):

    0  every source crawled and the archive built
    1  fatal: the crawl or the build failed (nothing or only part of the run was archived)
    2  bad arguments or an unusable source registry (nothing done)
    3  locked: another `xxgk update` (or `xxgk crawl`) is running on this DATA (nothing done)
    4  the archive was updated but some sources failed (unreachable, blocked, crashed, listing
       shape changed, or, with --queue, a host group's job failed for good): `xxgk status --data
       DATA` says which and why
    5  with --queue: the workers did not finish the run within --wait-timeout (nothing built; the
       run goes on on the frontier, a later `xxgk update --queue ... --run-id R` waits for it again)

`xxgk update --queue redis://H:P/D` is the distributed form: the host groups go on the frontier
(as `xxgk crawl --enqueue`), `xxgk worker` processes crawl them into DATA/shards/<worker-id>/, and
the update waits for them, merges the shards and builds as the single-process one does.

`xxgk status` exits 0 when no source is broken, 4 when some are, 2 when DATA has no capture store.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
import traceback
from contextlib import closing
from pathlib import Path

from crawler.cli import EXIT_LOCKED, SelectionError, add_crawl_arguments, crawl_overrides, select_sources
from crawler.health import DEFAULT_EMPTY_RUNS, history, host_health, run_totals, source_health

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_USAGE = 2
EXIT_SOURCES_FAILED = 4
EXIT_TIMEOUT = 5
EXIT_CODES = """exit codes: 0 ok; 1 fatal (crawl or build failed); 2 bad arguments or registry;
3 locked (another update or crawl is running on DATA); 4 archive updated but some sources failed;
5 with --queue: the workers did not finish within --wait-timeout (nothing built)"""
BROKEN_SHOWN = 8  # broken sources listed in the summary; `xxgk status` lists all


def register(sub) -> None:
    import argparse

    p = sub.add_parser(
        "update",
        help="incremental crawl, then build the archive (for cron / systemd timers)",
        description="Crawl every source incrementally into DATA, build DATA/archive.db, print a "
        "one-screen summary and optionally alert a webhook about broken sources.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_crawl_arguments(p)
    p.set_defaults(progress_every=60.0)
    p.add_argument("--workers", type=int, default=None, help="parser processes of the build (default: cores)")
    p.add_argument("--parse-timeout", type=float, default=120.0, help="seconds per document in the build")
    p.add_argument("--no-build", action="store_true", help="crawl only")
    p.add_argument(
        "--webhook", metavar="URL", help="POST a JSON alert listing broken sources (default: $XXGK_WEBHOOK)"
    )
    p.add_argument(
        "--alert-every-run",
        action="store_true",
        help="alert whenever a source is broken, not only when one breaks",
    )
    p.add_argument(
        "--empty-runs",
        type=int,
        default=DEFAULT_EMPTY_RUNS,
        help="runs without any report listed before a source is called empty (default 3)",
    )
    p.add_argument("--json", metavar="FILE", help="also write the summary as JSON to FILE")
    p.add_argument(
        "--queue",
        metavar="redis://HOST:PORT/DB",
        help="distributed: queue the host groups on this frontier for `xxgk worker --data DATA` "
        "processes, wait for them, merge their shards, build",
    )
    p.add_argument("--queue-name", default="xxgk", help="RQ queue name (default xxgk)")
    p.add_argument(
        "--wait-timeout",
        type=float,
        default=24 * 3600.0,
        help="with --queue: seconds to wait for the workers before giving up with exit 5 (default 24 h)",
    )
    p.set_defaults(func=run_update)

    s = sub.add_parser(
        "status",
        help="source health: last success, failures in a row, empty sources, "
        "changed listings, hosts answering challenges or errors",
    )
    s.add_argument("--data", required=True, help="capture store folder (DATA)")
    s.add_argument(
        "--empty-runs",
        type=int,
        default=DEFAULT_EMPTY_RUNS,
        help="runs without any report listed before a source is called empty (default 3)",
    )
    s.add_argument("--all", action="store_true", help="list healthy sources too (default: only the others)")
    s.add_argument("--runs", type=int, default=5, help="recent runs shown (default 5)")
    s.add_argument("--json", action="store_true", help="print JSON (sources, hosts, runs)")
    s.set_defaults(func=run_status)


# ---- xxgk update -------------------------------------------------------------------------------
def run_update(args) -> int:
    from crawler.locking import UPDATE_LOCK, FileLock, LockBusy

    try:
        sources = select_sources(args)
    except SelectionError as exc:
        print(f"xxgk update: {exc}", file=sys.stderr)
        return EXIT_USAGE
    data = Path(args.data).resolve()
    try:
        lock = FileLock(data / UPDATE_LOCK).acquire()
    except OSError as exc:  # DATA unusable (a file, no permission, disk full)
        print(f"xxgk update: cannot use {data}: {exc} (exit {EXIT_FATAL})", file=sys.stderr)
        return EXIT_FATAL
    except LockBusy as exc:
        print(
            f"xxgk update: another update is running on {data}: {exc}; exiting (code {EXIT_LOCKED})",
            file=sys.stderr,
        )
        return EXIT_LOCKED
    try:
        return _update(args, sources, data)
    finally:
        lock.release()


def _update(args, sources, data: Path) -> int:
    from crawler.cli import crawl
    from crawler.locking import LockBusy

    t0 = time.monotonic()
    overrides = crawl_overrides(args)
    # every failed request is recorded and summed up at the end: Scrapy's own tracebacks of given-up
    # retries would only fill the cron mail (`-s LOG_LEVEL=WARNING` brings them back)
    overrides.setdefault("LOG_LEVEL", "CRITICAL")
    failed_groups: list[str] = []
    if args.queue:
        try:
            crawl_summary, failed_groups = _crawl_on_frontier(args, sources, data, overrides)
        except _FrontierGaveUp as exc:
            print(f"xxgk update: {exc}", file=sys.stderr)
            return exc.code
    else:
        try:
            crawl_summary = crawl(
                [s.to_dict() for s in sources],
                data,
                run_id=args.run_id,
                overrides=overrides,
                contact=args.contact,
                progress_every=args.progress_every,
                out=sys.stderr,
            )
        except LockBusy as exc:
            print(
                f"xxgk update: a crawl is running on {data}: {exc}; exiting (code {EXIT_LOCKED})",
                file=sys.stderr,
            )
            return EXIT_LOCKED
        except Exception:  # noqa: BLE001 - a cron job must say what broke and exit with the fatal code
            traceback.print_exc()
            print(f"xxgk update: the crawl failed (exit {EXIT_FATAL})", file=sys.stderr)
            return EXIT_FATAL
    crawl_seconds = time.monotonic() - t0
    build_stats, build_error = None, None
    if not args.no_build:
        from archive.build import build

        try:
            build_stats = build(data, workers=args.workers, progress=False, parse_timeout=args.parse_timeout)
        except Exception as exc:  # noqa: BLE001 - reported in the summary, exit code fatal
            traceback.print_exc()
            build_error = f"{type(exc).__name__}: {exc}"
    run_id = crawl_summary["run_id"]
    with closing(_connect(data)) as conn:
        totals = run_totals(conn, run_id)
        health = source_health(conn, empty_runs=args.empty_runs)
    from xxgk import alerts

    broken = alerts.broken_entries(health, run_id)
    summary = {
        "run_id": run_id,
        "data": str(data),
        "seconds": round(time.monotonic() - t0, 2),
        "crawl_seconds": round(crawl_seconds, 2),
        "sources": totals["sources"],
        "failed": len(broken),
        "outcomes": totals["outcomes"],
        "pages": totals["responses"],
        "bytes": totals["bytes"],
        "reports_listed": totals["reports_listed"],
        "reports_new": totals["reports_new"],
        "reports_changed": totals["reports_changed"],
        "failures": totals["failures"],
        "challenges": totals["challenges"],
        "broken": broken,
        "failed_groups": failed_groups,
        "build": _build_part(build_stats),
        "build_error": build_error,
    }
    code = EXIT_FATAL if build_error else (EXIT_SOURCES_FAILED if broken or failed_groups else EXIT_OK)
    summary["exit_code"] = code
    url = alerts.webhook_url(args.webhook)
    if url and alerts.should_alert(broken, args.alert_every_run):
        part = {
            k: summary[k]
            for k in ("sources", "failed", "pages", "reports_new", "reports_changed", "bytes", "failures")
        }
        status, line = alerts.post(url, alerts.alert_body(run_id, str(data), broken, part))
        summary["alert"] = {"url": url, "status": status, "message": line}
    print_update_summary(summary)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str), "utf-8")
    return code


class _FrontierGaveUp(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def _crawl_on_frontier(args, sources, data: Path, overrides: dict) -> tuple[dict, list[str]]:
    """The crawl of a distributed update: the host groups on the frontier, the workers' work awaited,
    their shards merged into DATA/captures.db. Returns ({"run_id"}, the jobs that failed for good)."""
    from redis.exceptions import RedisError

    from crawler.cli import default_run_id
    from crawler.frontier import enqueue, wait_for_jobs
    from crawler.shards import merge_shards
    from crawler.store import CaptureStore

    run_id = args.run_id or default_run_id()
    t0 = time.monotonic()
    try:
        queued = enqueue(
            args.queue, [s.to_dict() for s in sources], run_id, overrides, args.contact, name=args.queue_name
        )
        print(
            f"run {run_id}: {queued['groups']} host group(s) on {args.queue} ({queued['added']} queued now); "
            "waiting for the workers",
            file=sys.stderr,
            flush=True,
        )
        state = wait_for_jobs(
            args.queue, queued["jobs"], timeout=args.wait_timeout, poll=1.0, name=args.queue_name
        )
    except RedisError as exc:
        raise _FrontierGaveUp(
            f"the frontier {args.queue} failed: {exc} (exit {EXIT_FATAL})", EXIT_FATAL
        ) from None
    if state["pending"]:
        raise _FrontierGaveUp(
            f"{len(state['pending'])} of {len(queued['jobs'])} host group(s) still queued or running after "
            f"{time.monotonic() - t0:.0f} s (--wait-timeout {args.wait_timeout:g}); nothing built, the run "
            f"goes on on the frontier (exit {EXIT_TIMEOUT})",
            EXIT_TIMEOUT,
        )
    for job_id in state["failed"]:
        print(f"xxgk update: host group job {job_id} failed (RQ's failed registry has why)", file=sys.stderr)
    CaptureStore(data).close()  # DATA/captures.db exists even when no worker wrote a shard
    merged = merge_shards(data)  # also for --no-build: the summary reads the merged run history
    if merged["busy"]:
        print(
            f"xxgk update: shard(s) still in use, merged as they are: {', '.join(merged['busy'])}",
            file=sys.stderr,
        )
    return {"run_id": run_id}, state["failed"]


def _build_part(stats: dict | None) -> dict | None:
    if stats is None:
        return None
    return {
        k: stats.get(k, 0)
        for k in (
            "new_reports",
            "updated_reports",
            "parsed_documents",
            "failed_documents",
            "reports",
            "seconds",
        )
    }


def _connect(data: Path) -> sqlite3.Connection:
    path = data / "captures.db"
    if not path.exists():
        raise FileNotFoundError(f"no capture store at {data} (captures.db missing)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return conn


def human_bytes(n: int | None) -> str:
    n = float(n or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _kinds(failures: dict) -> str:
    return (
        ", ".join(f"{k} {v}" for k, v in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"
    )


def print_update_summary(s: dict, out=None) -> None:
    """The one-screen summary at the end of `xxgk update` (at most ~20 lines)."""
    out = out or sys.stdout
    verdict = {EXIT_OK: "ok", EXIT_FATAL: "FATAL", EXIT_SOURCES_FAILED: f"{s['failed']} source(s) failed"}
    w = 10
    lines = [
        f"xxgk update {s['run_id']} -> {s['data']}: {verdict.get(s['exit_code'], s['exit_code'])}",
        f"{'duration':{w}}{s['seconds']:.1f} s (crawl {s['crawl_seconds']:.1f} s"
        + (f", build {s['build']['seconds']:.1f} s)" if s.get("build") else ")"),
        f"{'sources':{w}}{s['sources']} crawled: {s['sources'] - s['failed']} ok, {s['failed']} failed"
        + (
            " (" + _kinds({k: v for k, v in s["outcomes"].items() if k != "ok"}) + " by outcome)"
            if set(s["outcomes"]) - {"ok"}
            else ""
        ),
        f"{'pages':{w}}{s['pages']} responses, {human_bytes(s['bytes'])} received ({s['bytes']} bytes)",
        f"{'reports':{w}}{s['reports_listed']} listed, {s['reports_new']} new, {s['reports_changed']} changed",
        f"{'failures':{w}}{_kinds(s['failures'])}",
    ]
    b = s.get("build")
    if b:
        lines.append(
            f"{'archive':{w}}{b['new_reports']} new report versions, {b['updated_reports']} re-parsed, "
            f"{b['parsed_documents']} documents parsed ({b['failed_documents']} failed), "
            f"{b['reports']} reports in all"
        )
    elif s.get("build_error"):
        lines.append(f"{'archive':{w}}BUILD FAILED: {s['build_error']}")
    else:
        lines.append(f"{'archive':{w}}not built (--no-build)")
    if s["broken"]:
        lines.append("broken sources:")
        for e in s["broken"][:BROKEN_SHOWN]:
            flag = "new " if e["new"] else f"x{e['consecutive_failures']:<3}"
            lines.append(
                f"  {flag} {e['source_id'][:34]:34} {(e['family'] or '')[:12]:12} {e['reason']}"[:160]
            )
        if len(s["broken"]) > BROKEN_SHOWN:
            lines.append(f"  ... and {len(s['broken']) - BROKEN_SHOWN} more: xxgk status --data {s['data']}")
    if s.get("failed_groups"):
        lines.append(
            f"{'jobs':{w}}{len(s['failed_groups'])} host group job(s) failed: "
            + ", ".join(s["failed_groups"])[:140]
        )
    if s.get("alert"):
        lines.append(f"{'alert':{w}}{s['alert']['message']}")
    lines.append(f"{'exit':{w}}{s['exit_code']}")
    print("\n".join(lines), file=out, flush=True)


# ---- xxgk status -------------------------------------------------------------------------------
def status_report(data: Path, empty_runs: int = DEFAULT_EMPTY_RUNS, runs: int = 5) -> dict:
    with closing(_connect(data)) as conn:
        health = source_health(conn, empty_runs=empty_runs)
        hosts = host_health(conn)
        run_ids = [
            r[0] for r in conn.execute("select id from crawl_runs order by started desc limit ?", [runs])
        ]
        hist = history(conn)
        recent = [run_totals(conn, rid, hist) for rid in run_ids]
    counts: dict[str, int] = {}
    for h in health:
        counts[h["health"]] = counts.get(h["health"], 0) + 1
    return {
        "data": str(data),
        "counts": counts,
        "sources": health,
        "hosts": hosts,
        "runs": recent,
        "empty_runs": empty_runs,
    }


def run_status(args) -> int:
    data = Path(args.data).resolve()
    try:
        report = status_report(data, args.empty_runs, args.runs)
    except FileNotFoundError as exc:
        print(f"xxgk status: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        print_status(report, show_all=args.all)
    return EXIT_SOURCES_FAILED if report["counts"].get("broken") else EXIT_OK


def print_status(report: dict, show_all: bool = False, out=None) -> None:
    out = out or sys.stdout
    c = report["counts"]
    order = ("broken", "empty", "degraded", "never_run", "ok")
    print(
        f"{report['data']}: {sum(c.values())} source(s): "
        + ", ".join(f"{c[k]} {k}" for k in order if c.get(k)),
        file=out,
    )
    shown = [h for h in report["sources"] if show_all or h["health"] != "ok"]
    if shown:
        print(
            f"\n{'source':34} {'family':12} {'health':9} {'last success':20} {'fails':>5} {'empty':>5} "
            f"{'listed':>6} {'new':>4} {'chg':>4} {'errors':>6}  reason",
            file=out,
        )
        for h in shown:
            print(
                f"{h['source_id'][:34]:34} {(h['family'] or '')[:12]:12} {h['health']:9} "
                f"{(h['last_success'] or 'never')[:19]:20} {h['consecutive_failures']:>5} "
                f"{h['nothing_found_runs']:>5} {h['reports_listed'] or 0:>6} {h['reports_new'] or 0:>4} "
                f"{h['reports_changed'] or 0:>4} {h['errors'] or 0:>6}  {h['reason'] or ''}",
                file=out,
            )
    changed = [h["source_id"] for h in report["sources"] if h["shape_changed"]]
    if changed:
        print(
            f"\nlisting shape changed (no reports where earlier runs found some): {', '.join(changed)}",
            file=out,
        )
    empty = [
        h["source_id"]
        for h in report["sources"]
        if h["nothing_found_runs"] >= report["empty_runs"] and h["health"] != "broken"
    ]
    if empty:
        print(f"\nnothing found for {report['empty_runs']}+ runs: {', '.join(empty)}", file=out)
    if report["hosts"]:
        print(
            f"\n{'host':36} {'responses':>9} {'challenges':>10} {'errors':>6} {'passed with':11}  kinds  (sources)",
            file=out,
        )
        for h in report["hosts"]:
            print(
                f"{h['host'][:36]:36} {h['responses']:>9} {h['challenges']:>10} {h['errors']:>6} "
                f"{h.get('transport') or '-':11}  {_kinds(h['kinds'])}  ({', '.join(h['sources'])})",
                file=out,
            )
    if report["runs"]:
        print(
            f"\n{'run':22} {'status':8} {'sources':>7} {'failed':>6} {'pages':>6} {'new':>5} {'chg':>5} "
            f"{'bytes':>10}  failures",
            file=out,
        )
        for r in report["runs"]:
            print(
                f"{r['run_id'][:22]:22} {(r['status'] or '')[:8]:8} {r['sources']:>7} {r['failed']:>6} "
                f"{r['responses']:>6} {r['reports_new']:>5} {r['reports_changed']:>5} "
                f"{human_bytes(r['bytes']):>10}  {_kinds(r['failures'])}",
                file=out,
            )
    out.flush()
