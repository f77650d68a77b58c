"""Site benchmark: a synthetic archive of 100,000 reports served by `xxgk serve`; p50/p95 of the pages
journalists use (reports table with facets, search, canned queries, agency and report pages).

    python3 benchmarks/site.py [--reports 100000] [--data DIR] [--repeat 30] [--values-every 50] [--append]

The archive comes from tests/site/synthetic_archive.py (the archive's own DDL, summary figures and
bigram search ingest). Requests are sequential over loopback after one warm-up request each, so
the figures are server time plus a little HTTP overhead. --append adds the result as a section of
BENCHMARKS.md (replacing an earlier section of this script, leaving others' sections alone).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "site"))
sys.path.insert(0, str(ROOT))

import synthetic_archive  # noqa: E402
from cdp import free_port  # noqa: E402

from archive.search import query_to_fts  # noqa: E402

SECTION = "## Site (benchmarks/site.py)"


def q(s: str) -> str:
    return urllib.parse.quote(s)


CAP = 10_000  # datasette/plugins/xxgk_search.py COUNT_CAP: above it the count says "10,000+", no facets


def hit_share(conn: sqlite3.Connection, word: str) -> str:
    expr = query_to_fts(word)
    n = conn.execute("select count(*) from report_search where report_search match ?", [expr]).fetchone()[0]
    total = conn.execute("select count(*) from reports").fetchone()[0]
    return f"{n:,} hits, {100 * n / max(1, total):.0f}% of reports"


def facets_note(conn: sqlite3.Connection, word: str, n_facets: int) -> str:
    expr = query_to_fts(word)
    n = conn.execute("select count(*) from report_search where report_search match ?", [expr]).fetchone()[0]
    return f"word below the cap: {n_facets} facets" if n <= CAP else "word above the cap: no facets"


def pages(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    agency_id = conn.execute("select agency_id from report_summary order by report_id limit 1 offset 1000").fetchone()[0]
    report_id = conn.execute("select min(report_id) from report_values").fetchone()[0]
    place = "枫桥镇 乡村振兴"  # two terms ANDed: a selective search
    return [
        ("reports table, 3 facets (year, template, parse_status)", "/archive/reports"),
        ("report_summary, 4 facets (year, region, template, level)", "/archive/report_summary"),
        ("report_summary filtered region_code, 4 facets", "/archive/report_summary?region_code=330100"),
        ("report_summary filtered region_code+year, 4 facets", "/archive/report_summary?region_code=330100&year=2021"),
        (f"search 复议 ({hit_share(conn, '复议')})", f"/archive/reports?_search={q('复议')}"),
        ("search 复议 on report_summary (slim rows)", f"/archive/report_summary?_search={q('复议')}"),
        ("search 复议 + year=2021 on report_summary (count capped at 10,000; no facets)",
         f"/archive/report_summary?_search={q('复议')}&year=2021"),
        ("search 复议 + region_code=330100 on report_summary (no facets)",
         f"/archive/report_summary?_search={q('复议')}&region_code=330100"),
        (f"search 硚口区 + year=2021 on report_summary ({facets_note(conn, '硚口区', 4)})",
         f"/archive/report_summary?_search={q('硚口区')}&year=2021"),
        (f"search 硚口区 ({hit_share(conn, '硚口区')}; {facets_note(conn, '硚口区', 3)})",
         f"/archive/reports?_search={q('硚口区')}"),
        (f"search {place} ({hit_share(conn, place)}; {facets_note(conn, place, 3)})",
         f"/archive/reports?_search={q(place)}"),
        (f"search 依申请公开工作流程 (phrase, {hit_share(conn, '依申请公开工作流程')})",
         f"/archive/reports?_search={q('依申请公开工作流程')}"),
        ("canned: applications by region and year", "/archive/applications_by_region_year?year="),
        ("canned: reports failing 勾稽 checks", "/archive/failing_checks?rule="),
        ("canned: corrected most (group by agency)", "/archive/corrected_most?min_cases="),
        ("canned: late reports", "/archive/late_reports"),
        ("canned: agency history", f"/archive/agency_history?agency={agency_id}"),
        ("agency page (row + links from other tables)", f"/archive/agencies/{agency_id}"),
        ("report page (three tables)", f"/archive/reports/{report_id}"),
        ("JSON API: report_summary page", "/archive/report_summary.json?_shape=array"),
    ]


# SQL the pages run (timed alone on the same file, best of 5). (label, sql, search word or None)
HITS_FIRST = ("select id from (select rowid as xxgk_hit from report_search where report_search match :q "
              "order by rowid desc) cross join reports on id = xxgk_hit where 1 order by xxgk_hit desc limit 51")
EVERY_HIT = ("select id from reports where id in (select rowid from report_search where report_search match :q) "
             "order by id desc limit 51")
FILTERED_COUNT = ("select count(*) from (select 1 from (select rowid as xxgk_hit from (select rowid from "
                  "report_search where report_search match :q)) cross join report_summary on report_id = xxgk_hit "
                  "where year = 2021 limit 10001)")
SCALING_SQL = [
    ("unfiltered facet: region over report_summary (covering index scan, what agg_facets replaces)",
     "select region, count(*) from report_summary where region is not null group by region", None),
    ("unfiltered facet: region read from agg_facets (what the page runs)",
     "select value, n from agg_facets where tbl = 'report_summary' and col = 'region' order by n desc, value "
     "limit 31", None),
    ("search 复议 first page, every hit listed then the newest 51 (Datasette's SQL)", EVERY_HIT, "复议"),
    ("search 复议 first page, hits walked newest first (what the page runs)", HITS_FIRST, "复议"),
    ("search 依申请公开工作流程 (phrase) first page, every hit listed", EVERY_HIT, "依申请公开工作流程"),
    ("search 依申请公开工作流程 (phrase) first page, hits walked newest first", HITS_FIRST, "依申请公开工作流程"),
    ("search 复议 + year=2021 hit count, walked from the hits to the 10,000 cap", FILTERED_COUNT, "复议"),
    ("canned failing_checks SQL (walks newest first, stops at 1,000 rows)", "failing_checks", None),
    ("canned late_reports SQL (walks newest first, stops at 1,000 rows)", "late_reports", None),
]  # fmt: skip


def sql_costs(db_path: Path) -> list[tuple[str, float]]:
    queries = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text("utf-8"))["databases"]["archive"]["queries"]
    conn = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)
    out = []
    for label, sql, word in SCALING_SQL:
        params = {"q": query_to_fts(word)} if word else {"rule": ""}
        if sql in queries:  # a canned query, exactly as the site runs it
            sql = queries[sql]["sql"]
        conn.execute(sql, params).fetchall()
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            conn.execute(sql, params).fetchall()
            runs.append((time.perf_counter() - t) * 1000)
        out.append((label, min(runs)))
    conn.close()
    return out


def timed_get(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as resp:
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{url}: {resp.status}")
    return (time.perf_counter() - t) * 1000


def start_site(data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.serve", "--data", str(data), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # immutable databases are hashed at start-up
    while True:
        try:
            timed_get(base + "/-/versions.json")
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("site did not start") from None
            time.sleep(0.5)


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the server process has used so far, in ms (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--data", help="reuse/keep the synthetic DATA dir here (built when archive.db is missing)")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--values-every", type=int, default=50,
                    help="report_values for every k-th report (1 = all: ~200 rows per report)")
    ap.add_argument("--append", action="store_true", help="append the result to BENCHMARKS.md")
    args = ap.parse_args()

    tmp = None
    if args.data:
        data = Path(args.data)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="xxgk-site-bench-")
        data = Path(tmp.name)
    db_path = data / "archive.db"
    build_s = None
    if not db_path.exists():
        t = time.perf_counter()
        synthetic_archive.build(data, n_reports=args.reports, seed=11, with_captures=False, hostile=False,
                                values_every=args.values_every,
                                progress=lambda n: print(f"  built {n:,} reports", file=sys.stderr, end="\r"))
        build_s = time.perf_counter() - t
    conn = sqlite3.connect(db_path)
    counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0]
              for t in ("reports", "report_summary", "report_values", "report_issues", "agencies")}
    size_mb = db_path.stat().st_size / 1e6
    targets = pages(conn)
    conn.close()

    settings = json.loads((ROOT / "datasette" / "settings.json").read_text("utf-8"))
    costs = sql_costs(db_path)
    proc, base = start_site(data)
    load_before = os.getloadavg()[0]
    results = []
    try:
        for label, path in targets:
            timed_get(base + path)  # warm-up: page cache and Datasette's count cache
            cpu0 = cpu_ms(proc.pid)
            samples = [timed_get(base + path) for _ in range(args.repeat)]
            cpu = (cpu_ms(proc.pid) - cpu0) / args.repeat
            results.append((label, path, statistics.median(samples), pct(samples, 95), max(samples), cpu))
            print(f"{label:62s} p50 {results[-1][2]:7.1f} ms  p95 {results[-1][3]:7.1f} ms  cpu {cpu:6.1f} ms",
                  file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(30)
    load_after = os.getloadavg()[0]

    lines = [
        SECTION, "",
        f"Machine: {os.cpu_count()} CPU, {platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, Datasette 0.65.5 (immutable, settings from datasette/settings.json: "
        f"suggest_facets off, facet_time_limit_ms {settings['facet_time_limit_ms']}, "
        f"sql_time_limit_ms {settings['sql_time_limit_ms']}).",
        f"Synthetic archive: {counts['reports']:,} reports, {counts['agencies']:,} agencies, "
        f"{counts['report_issues']:,} issues, {counts['report_values']:,} report_values rows "
        f"(values for every {args.values_every}th report), bigram FTS5 index; archive.db {size_mb:,.0f} MB"
        + (f", generated in {build_s:,.0f} s." if build_s else "."),
        f"Each page: 1 warm-up then {args.repeat} sequential requests over loopback (ms). Load average "
        f"{load_before:.1f} before / {load_after:.1f} after: when it is above the {os.cpu_count()} CPUs, other work "
        "shared them and wall times are inflated; the server's CPU ms per request (from /proc, 10 ms clock "
        "ticks averaged over the requests) is then the better estimate of an idle machine's latency.", "",
        "| page | p50 ms | p95 ms | max ms | server CPU ms/request |", "|---|---|---|---|---|",
        *[f"| {label} | {p50:.1f} | {p95:.1f} | {mx:.1f} | {cpu:.1f} |" for label, _, p50, p95, mx, cpu in results],
        "",
    ]
    worst = max(results, key=lambda r: r[3])
    worst_cpu = max(results, key=lambda r: r[5])
    per_report_mb = size_mb / max(1, counts["reports"])
    lines += [
        f"Slowest p95: {worst[0]} at {worst[3]:.0f} ms; most server CPU: {worst_cpu[0]} at {worst_cpu[5]:.0f} ms "
        "per request (aim: p95 < 200 ms).", "",
        "SQL alone on the same file (best of 5, ms):", "",
        "| statement | ms |", "|---|---|",
        *[f"| {label} | {ms:.1f} |" for label, ms in costs], "",
        f"archive.db: {per_report_mb * 1e3:,.1f} kB per report at this value sampling.", "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.append:
        bench = ROOT / "BENCHMARKS.md"
        old = bench.read_text("utf-8") if bench.exists() else "# Benchmarks\n\n"
        if SECTION in old:  # replace only our own section (up to the next "## " heading)
            start = old.index(SECTION)
            nxt = old.find("\n## ", start + len(SECTION))
            old = old[:start] + (old[nxt + 1:] if nxt != -1 else "")
        bench.write_text(old.rstrip("\n") + "\n\n" + text, "utf-8")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
