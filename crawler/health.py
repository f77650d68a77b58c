"""Source health from the run history (``run_sources``): what `xxgk status`, `xxgk update` and the
site's ``source_health`` table say about each portal.

Each run of a source has an outcome (``run_outcome``): ``ok``; ``crashed`` (the spider raised);
``unreachable`` (no page answered); ``blocked`` (no page answered and the host sent an
anti-bot challenge, through every transport allowed, crawler/transport.py); ``no_reports`` (the portal answered, no annual-report row was listed);
``killed`` (the crawl process died: neither success nor failure). A run *fails* when it crashed, was
unreachable or blocked, or found no reports although an earlier run of the source did: the listing
changed shape (a redesign, a moved column). A source whose listings never showed a report is ``empty``
once that has lasted ``empty_runs`` runs, not broken.

The functions read a sqlite3 connection holding ``run_sources``, ``crawl_runs`` and ``sources``: the
capture store's captures.db or the archive's copy (archive.db).
"""

from __future__ import annotations

import json
import sqlite3

HARD_FAILURES = ("crashed", "unreachable", "blocked", "challenged")  # challenged: runs recorded before the rename
DEFAULT_EMPTY_RUNS = 3
HEALTH_COLUMNS = (
    "source_id",
    "agency",
    "family",
    "start_url",
    "health",
    "reason",
    "runs",
    "last_run",
    "last_started",
    "last_outcome",
    "last_success",
    "last_success_run",
    "consecutive_failures",
    "nothing_found_runs",
    "shape_changed",
    "reports_listed_before",
    "reports_listed",
    "reports_new",
    "reports_changed",
    "errors",
    "challenges",
    "failures",
    "failing_hosts",
    "responses",
    "bytes",
    "seconds",
)


def run_outcome(row: dict, answered: int | None = None) -> str:
    """The outcome of one run of one source (a run_sources row or its dict before it is stored).

    ``answered``: responses below 400 other than robots.txt and challenges (the crawler's
    ``xxgk/answered`` counter); without it, successful listings, report pages and attachments count.
    A source entered through report pages (no listing) that answer 304 is reachable, not unreachable."""
    if row.get("status") == "killed":
        return "killed"
    if row.get("crashed"):
        return "crashed"
    if answered is None:
        answered = (row.get("listings") or 0) + (row.get("reports") or 0) + (row.get("attachments") or 0)
    if not answered:
        failures = _json(row.get("failures"))
        return "blocked" if row.get("challenges") or failures.get("challenge") else "unreachable"
    if not row.get("reports_listed"):
        return "no_reports"
    return "ok"


def _json(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        out = json.loads(value) if value else {}
    except (TypeError, ValueError):
        return {}
    return out if isinstance(out, dict) else {}


def _rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}


def history(conn: sqlite3.Connection) -> dict[str, list[dict]]:
    """source id -> its run_sources rows, newest run first (run order: crawl_runs.started)."""
    if "run_sources" not in _tables(conn):
        return {}
    rows = _rows(
        conn,
        "select rs.*, cr.started as run_started, cr.status as run_status from run_sources rs"
        " left join crawl_runs cr on cr.id = rs.run_id"
        " order by coalesce(cr.started, rs.started, rs.run_id) desc, rs.run_id desc",
    )
    out: dict[str, list[dict]] = {}
    for r in rows:
        r["outcome"] = r.get("outcome") or run_outcome(r)
        out.setdefault(r["source_id"], []).append(r)
    for runs in out.values():  # oldest first: did an earlier run list reports?
        seen = False
        for r in reversed(runs):
            r["found_before"] = seen
            r["failed"] = r["outcome"] in HARD_FAILURES or (r["outcome"] == "no_reports" and seen)
            seen = seen or bool(r.get("reports_listed"))
    return out


def failing_hosts(hosts: dict) -> dict[str, dict]:
    """Hosts of one run that answered with a challenge or failed: host -> {kind: count, responses: n}."""
    return {h: k for h, k in sorted(hosts.items()) if any(kind != "responses" and n for kind, n in k.items())}


def source_health(conn: sqlite3.Connection, empty_runs: int = DEFAULT_EMPTY_RUNS) -> list[dict]:
    """One row per source ever registered or crawled (HEALTH_COLUMNS), broken ones first."""
    hist = history(conn)
    sources = {}
    if "sources" in _tables(conn):
        for s in _rows(conn, "select * from sources"):
            sources[s["id"]] = s
    out = []
    for sid in sorted(set(sources) | set(hist)):
        src = sources.get(sid, {})
        urls = src.get("start_urls")
        try:
            urls = json.loads(urls) if isinstance(urls, str) else urls
        except ValueError:
            urls = [urls]
        runs = [r for r in hist.get(sid, []) if r["outcome"] != "killed"]
        row = dict.fromkeys(HEALTH_COLUMNS)
        row.update(
            {
                "source_id": sid,
                "agency": src.get("agency"),
                "family": src.get("family"),
                "start_url": (urls or [None])[0],
                "runs": len(runs),
                "consecutive_failures": 0,
                "nothing_found_runs": 0,
                "shape_changed": 0,
            }
        )
        if not runs:
            row.update(health="never_run", reason="no finished run yet")
            out.append(row)
            continue
        last = runs[0]
        n = 0
        while n < len(runs) and runs[n]["failed"]:
            n += 1
        nothing = 0
        while nothing < len(runs) and not runs[nothing].get("reports_listed"):
            nothing += 1
        success = next((r for r in runs if r["outcome"] == "ok"), None)
        before = next((r["reports_listed"] for r in runs if r.get("reports_listed")), None)
        hosts = failing_hosts(_json(last.get("hosts")))
        row.update(
            {
                "last_run": last["run_id"],
                "last_started": last.get("started"),
                "last_outcome": last["outcome"],
                "last_success": success.get("finished") if success else None,
                "last_success_run": success["run_id"] if success else None,
                "consecutive_failures": n,
                "nothing_found_runs": nothing,
                "shape_changed": int(last["outcome"] == "no_reports" and last["found_before"]),
                "reports_listed_before": before,
                **{
                    k: last.get(k) or 0
                    for k in (
                        "reports_listed",
                        "reports_new",
                        "reports_changed",
                        "errors",
                        "challenges",
                        "responses",
                        "bytes",
                    )
                },
                "seconds": last.get("seconds"),
                "failures": json.dumps(_json(last.get("failures")), sort_keys=True),
                "failing_hosts": json.dumps(hosts, sort_keys=True),
            }
        )
        if n:
            row["health"] = "broken"
            row["reason"] = _reason(last, row, n)
        elif nothing >= empty_runs:
            row["health"], row["reason"] = "empty", f"no annual report listed in the last {nothing} runs"
        elif last.get("errors"):  # challenges got past by a higher transport are no failure
            row["health"] = "degraded"
            row["reason"] = f"{last.get('errors') or 0} failed request(s): " + _kinds(
                _json(last.get("failures"))
            )
        else:
            row["health"], row["reason"] = "ok", None
        out.append(row)
    order = {"broken": 0, "empty": 1, "degraded": 2, "never_run": 3, "ok": 4}
    out.sort(key=lambda r: (order[r["health"]], r["source_id"]))
    return out


def _kinds(failures: dict) -> str:
    return (
        ", ".join(f"{k} {v}" for k, v in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"
    )


def _reason(last: dict, row: dict, n: int) -> str:
    o = last["outcome"]
    runs = f"{n} run(s) in a row"
    if o == "no_reports":
        return (
            f"listing shape changed: no annual-report rows found (earlier runs listed "
            f"{row['reports_listed_before']}); {runs}"
        )
    if o in ("blocked", "challenged"):
        hosts = ", ".join(row["failing_hosts"] and json.loads(row["failing_hosts"])) or "?"
        return f"blocked by an anti-bot challenge instead of the listing (hosts: {hosts}); {runs}"
    if o == "crashed":
        return f"spider crashed: {last.get('crashed')}; {runs}"
    return f"no page answered ({_kinds(_json(last.get('failures')))}); {runs}"


def host_health(conn: sqlite3.Connection) -> list[dict]:
    """Hosts that answered challenges or failed in the latest finished run of each source using them."""
    hosts: dict[str, dict] = {}
    for sid, runs in history(conn).items():
        last = next((r for r in runs if r["outcome"] != "killed"), None)
        if last is None:
            continue
        for host, kinds in _json(last.get("hosts")).items():
            h = hosts.setdefault(
                host, {"host": host, "responses": 0, "challenges": 0, "errors": 0, "kinds": {}, "sources": []}
            )
            h["sources"].append(sid)
            for kind, count in kinds.items():
                if kind == "responses":
                    h["responses"] += count
                    continue
                h["kinds"][kind] = h["kinds"].get(kind, 0) + count
                h["challenges" if kind == "challenge" else "errors"] += count
    out = [h for h in hosts.values() if h["challenges"] or h["errors"]]
    # the transport that got through last (crawler/transport.py; captures.db only)
    transports = (
        dict(conn.execute("select host, transport from host_transports"))
        if "host_transports" in _tables(conn)
        else {}
    )
    for h in out:
        h["sources"] = sorted(h["sources"])
        h["transport"] = transports.get(h["host"])
    return sorted(out, key=lambda h: (-h["challenges"], -h["errors"], h["host"]))


def run_totals(conn: sqlite3.Connection, run_id: str, hist: dict | None = None) -> dict:
    """One run over its sources: counts, pages, new/changed reports, failures by kind, bytes, and
    `failed` (sources whose run failed, shape changes included). ``hist``: history(conn), reused."""
    rows = [
        r
        for runs in (hist if hist is not None else history(conn)).values()
        for r in runs
        if r["run_id"] == run_id
    ]
    failures: dict[str, int] = {}
    for r in rows:
        for k, v in _json(r.get("failures")).items():
            failures[k] = failures.get(k, 0) + (v or 0)
    total = {
        k: sum(r.get(k) or 0 for r in rows)
        for k in (
            "responses",
            "listings",
            "reports_listed",
            "reports",
            "reports_new",
            "reports_changed",
            "reports_unchanged",
            "attachments",
            "errors",
            "challenges",
            "bytes",
        )
    }
    outcomes: dict[str, int] = {}
    for r in rows:
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    run = _rows(conn, "select * from crawl_runs where id = ?", [run_id])
    return {
        "run_id": run_id,
        "sources": len(rows),
        "failed": sum(1 for r in rows if r["failed"]),
        "outcomes": outcomes,
        "failures": failures,
        **total,
        "status": run[0]["status"] if run else None,
        "started": run[0]["started"] if run else None,
        "finished": run[0]["finished"] if run else None,
    }
