"""The health rules on hand-made histories (the crawls in test_update_status.py check them end to end):
report-page entries without a listing, killed runs, rows from stores older than the outcome column."""

import json
import sqlite3

from crawler.health import run_outcome, source_health
from crawler.store import RUN_SOURCE_COLUMNS


def history_db(rows: list[dict]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("create table crawl_runs (id text primary key, started text, finished text, status text,"
                 " sources text, stats text)")  # fmt: skip
    conn.execute("create table sources (id text primary key, agency text, family text, start_urls text)")
    cols = list(RUN_SOURCE_COLUMNS)
    conn.execute(f"create table run_sources ({', '.join(cols)})")
    for r in rows:
        conn.execute("insert or ignore into crawl_runs (id, started, status) values (?, ?, 'ok')",
                     [r["run_id"], f"2026-01-0{r['run_id'][1]}T00:00:00Z"])  # fmt: skip
        conn.execute("insert or ignore into sources values (?, ?, ?, ?)",
                     [r["source_id"], "某局", "hanweb_xxgk", json.dumps(["http://a.gov.cn/x.jsp"])])  # fmt: skip
        conn.execute(f"insert into run_sources ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                     [r.get(c) for c in cols])  # fmt: skip
    return conn


def test_a_source_entered_through_report_pages_is_reachable_without_listings():
    # start URLs are report pages answering 304: no listing, no 2xx page, but the portal answered
    row = {"listings": 0, "reports": 0, "attachments": 0, "reports_listed": 2, "failures": "{}"}
    assert run_outcome(row, answered=2) == "ok"
    assert run_outcome(row, answered=0) == "unreachable"
    assert run_outcome({**row, "challenges": 1}, answered=0) == "blocked"
    assert run_outcome({**row, "reports_listed": 0}, answered=3) == "no_reports"


def test_killed_runs_neither_break_nor_heal_and_old_rows_get_an_outcome():
    rows = [
        # oldest first: found reports, then two failures with a killed run between them
        {"run_id": "r1", "source_id": "s", "status": "ok", "listings": 1, "reports_listed": 4, "finished": "t1"},
        {"run_id": "r2", "source_id": "s", "status": "ok", "listings": 0, "failures": '{"timeout": 1}',
         "errors": 1},
        {"run_id": "r3", "source_id": "s", "status": "killed", "outcome": "killed", "listings": 1,
         "reports_listed": 4},
        {"run_id": "r4", "source_id": "s", "status": "ok", "listings": 1, "reports_listed": 0},
    ]  # fmt: skip
    (h,) = source_health(history_db(rows))
    assert (h["health"], h["consecutive_failures"], h["runs"]) == ("broken", 2, 3)
    assert (h["last_run"], h["last_outcome"], h["shape_changed"], h["reports_listed_before"]) == (
        "r4",
        "no_reports",
        1,
        4,
    )
    assert (h["last_success_run"], h["last_success"]) == ("r1", "t1")
    assert h["reason"].startswith("listing shape changed") and "2 run(s) in a row" in h["reason"]


def test_a_source_that_never_listed_a_report_is_empty_not_broken():
    rows = [{"run_id": f"r{i}", "source_id": "e", "status": "ok", "listings": 1, "reports_listed": 0}
            for i in range(1, 4)]  # fmt: skip
    (h,) = source_health(history_db(rows), empty_runs=3)
    assert (h["health"], h["nothing_found_runs"], h["consecutive_failures"]) == ("empty", 3, 0)
    (h,) = source_health(history_db(rows), empty_runs=4)
    assert h["health"] == "ok"
