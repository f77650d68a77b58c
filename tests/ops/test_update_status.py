"""`xxgk update` and `xxgk status` as cron runs them: three updates of one replica world plus portals
that misbehave, every figure of the summary and of the health table checked against what the
servers answered.

Sources: the replica portals (one per family), a portal that is down (connection refused), a portal
behind an anti-bot WAF (HTTP 412 with a 瑞数-style `$_ts` script), and an empty column (a listing
page that never lists a report). Between run 1 and run 2 a report changes, a report is added and
the TRS portal is redesigned (its listing no longer shows any rows): its source must be reported as a
listing whose shape changed. A webhook server on 127.0.0.1 records the alerts.
"""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from crawler.locking import UPDATE_LOCK, FileLock
from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]
YEARS = (2020, 2021, 2022)
CHALLENGE = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b"<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=31337;$_ts.cd='qEtlrGAlqqSc';</script>"
    b'<script src="/Jv3kQ8Rr/GmyP.b4c45da.js" r="m"></script></head><body></body></html>'
)
EMPTY_COLUMN = (
    '<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
    '<div class="list"><ul></ul></div><p>暂无信息</p></body></html>'
).encode()


class Served:
    """Responses and body bytes the test's servers sent (what Scrapy received)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.responses = 0
        self.bytes = 0
        self.by_host: dict[str, int] = {}

    def add(self, host: str, body_len: int) -> None:
        with self.lock:
            self.responses += 1
            self.bytes += body_len
            self.by_host[host] = self.by_host.get(host, 0) + 1

    def snapshot(self) -> tuple[int, int]:
        with self.lock:
            return self.responses, self.bytes


def count_replica(world: ReplicaWorld, served: Served) -> None:
    """Wrap every replica portal's app to count what it answers (body as sent, gzip included)."""
    for server in world.servers:
        app = server.httpd.app
        host = f"{server.host}:{server.port}"

        def counted(req, app=app, host=host):
            resp = app(req)
            served.add(host, 0 if req.method == "HEAD" or resp.status == 304 else len(resp.body))
            return resp

        server.httpd.app = counted


def small_server(host: str, served: Served, answer):
    """A portal of our own: answer(path) -> (status, body)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            status, body = answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            served.add(f"{host}:{self.server.server_address[1]}", len(body))

    httpd = ThreadingHTTPServer((host, 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return httpd


class Webhook:
    def __init__(self):
        self.posts: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                hook.posts.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                self.send_response(204)
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/xxgk"


def source_entry(sid, family, url):
    return (
        f"- id: {sid}\n  agency: {sid}的机关\n  region: 某省\n  region_code: '110000'\n  level: province\n"
        f"  family: {family}\n  start_urls: ['{url}']\n"
    )


def update(sources, data, run_id, *extra, env=None):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "xxgk",
            "update",
            "--sources",
            str(sources),
            "--data",
            str(data),
            "--fast",
            "--run-id",
            run_id,
            "--workers",
            "1",
            "--json",
            str(Path(data).parent / f"{run_id}.json"),
            # the WAF here answers every transport alike: escalation is tests/crawler/test_transports.py's
            "-s",
            "XXGK_TRANSPORT_MAX=default",
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def status(data, *extra):
    return subprocess.run(
        [sys.executable, "-m", "xxgk", "status", "--data", str(data), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def summary_line(stdout: str, label: str) -> str:
    m = re.search(rf"^{label} +(.*)$", stdout, re.M)
    assert m, stdout
    return m.group(1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("update")
    data = tmp / "data"
    served = Served()
    hook = Webhook()
    waf = small_server(
        "127.0.0.3", served, lambda path: (404, b"not found") if path == "/robots.txt" else (412, CHALLENGE)
    )
    empty = small_server(
        "127.0.0.4",
        served,
        lambda path: (200, EMPTY_COLUMN) if path == "/xxgk/nb/index.html" else (404, b"no"),
    )
    with ReplicaWorld(seed=5, agencies_per_family=1, years=YEARS, allow_doc=False) as world:
        count_replica(world, served)
        sources = tmp / "sources.yaml"
        world.write_sources(sources)
        with open(sources, "a", encoding="utf-8") as fh:
            fh.write(source_entry("down-portal", "trs_wcm", "http://127.0.0.1:9/xxgk/index.html"))
            fh.write(
                source_entry(
                    "waf-portal", "trs_wcm", f"http://127.0.0.3:{waf.server_address[1]}/xxgk/index.html"
                )
            )
            fh.write(
                source_entry(
                    "empty-column",
                    "trs_wcm",
                    f"http://127.0.0.4:{empty.server_address[1]}/xxgk/nb/index.html",
                )
            )
        out = {
            "world": world,
            "data": data,
            "hook": hook,
            "waf_host": f"127.0.0.3:{waf.server_address[1]}",
            "truth1": world.reports(),
        }

        before = served.snapshot()
        out["r1"] = update(sources, data, "r1", "--webhook", hook.url)
        out["served1"] = tuple(b - a for a, b in zip(before, served.snapshot(), strict=True))

        # a second update while this process holds DATA's update lock: refused, nothing crawled
        with FileLock(data / UPDATE_LOCK):
            before = served.snapshot()
            out["locked"] = update(sources, data, "locked")
            out["served_locked"] = tuple(b - a for a, b in zip(before, served.snapshot(), strict=True))

        changed = world.change_report(
            next(r for r in out["truth1"] if r.source_id == world.portals[2].source_id).page_url
        )
        trs = next(s for s in world.sites if s.family == "trs_wcm")
        added = world.add_report(next(p for p in world.portals if p.family == "hanweb_jcms").source_id, 2023)
        original = trs.route

        def redesigned(req, original=original, site=trs):
            # the rebuilt portal loads its list with JavaScript: no rows in the HTML any more
            if site.is_listing(req.path):
                return site.html(
                    site.page(
                        "政府信息公开年报",
                        '<div id="app" data-api="/api/list"></div><script src="/js/list.js"></script>',
                    ),
                    site.clock,
                )
            return original(req)

        trs.route = redesigned
        trs.clock = trs.clock + timedelta(days=1)
        trs._changed()
        out.update(changed=changed, added=added, trs_source=trs.agency.source_id)

        before = served.snapshot()
        out["r2"] = update(sources, data, "r2", env={"XXGK_WEBHOOK": hook.url})  # the hook from the environment
        out["served2"] = tuple(b - a for a, b in zip(before, served.snapshot(), strict=True))
        # third run: nothing newly broken, so no alert to the hook; an alert endpoint that is down
        # (asked to alert every run) is reported and changes nothing else
        out["r3"] = update(sources, data, "r3", "--webhook", hook.url)
        out["r3_dead_hook"] = update(
            sources,
            data,
            "r4",
            "--webhook",
            "http://127.0.0.1:9/hook",
            "--alert-every-run",
            "--empty-runs",
            "4",
        )
        out["status"] = status(data, "--json", "--empty-runs", "3")
        out["status_text"] = status(data, "--all")
        out["truth"] = world.reports()
    waf.shutdown()
    empty.shutdown()
    hook.httpd.shutdown()
    out["summary"] = {r: json.loads((tmp / f"{r}.json").read_text("utf-8")) for r in ("r1", "r2", "r3", "r4")}
    return out


def test_first_update_summary_counts_what_the_servers_answered(runs):
    r1, s = runs["r1"], runs["summary"]["r1"]
    assert r1.returncode == 4, r1.stderr[-3000:]  # archive built, two sources failed
    pages, nbytes = runs["served1"]
    n_reports = len(runs["truth1"])
    assert n_reports == 6 * len(YEARS)
    assert s["pages"] == pages and s["bytes"] == nbytes and pages > 50
    assert s["sources"] == 9 and s["failed"] == 2
    assert s["reports_new"] == n_reports and s["reports_changed"] == 0
    # failures by kind: the refused connection (retries give up once), the challenge; the replica's
    # 500s are retried and answered, its broken links are 404s
    assert s["failures"] == {"connection": 1, "challenge": 1}
    assert s["build"]["new_reports"] == n_reports and s["build"]["reports"] == n_reports
    assert s["exit_code"] == 4
    # the printed one-screen summary says the same
    out = r1.stdout
    assert len(out.strip().splitlines()) <= 24
    assert summary_line(out, "pages").startswith(f"{pages} responses,") and f"({nbytes} bytes)" in out
    assert summary_line(out, "reports") == f"{n_reports} listed, {n_reports} new, 0 changed"
    assert summary_line(out, "sources").startswith("9 crawled: 7 ok, 2 failed")
    assert re.search(r"new +down-portal .*no page answered \(connection 1\)", out)
    assert re.search(r"new +waf-portal .*anti-bot challenge", out)
    assert summary_line(out, "exit") == "4"


def test_second_update_finds_the_new_and_the_changed_report_and_the_redesigned_listing(runs):
    r2, s = runs["r2"], runs["summary"]["r2"]
    assert r2.returncode == 4, r2.stderr[-3000:]
    pages, nbytes = runs["served2"]
    assert s["pages"] == pages and s["bytes"] == nbytes
    assert s["reports_new"] == 1 and s["reports_changed"] == 1
    assert s["build"]["new_reports"] == 2  # the added report and the new version of the changed one
    broken = {b["source_id"]: b for b in s["broken"]}
    assert set(broken) == {"down-portal", "waf-portal", runs["trs_source"]}
    assert broken[runs["trs_source"]]["outcome"] == "no_reports" and broken[runs["trs_source"]]["new"] is True
    assert "listing shape changed" in broken[runs["trs_source"]]["reason"]
    assert broken["down-portal"]["consecutive_failures"] == 2 and broken["down-portal"]["new"] is False
    assert summary_line(r2.stdout, "reports").endswith("1 new, 1 changed")


def test_locked_update_exits_3_and_touches_nothing(runs):
    locked = runs["locked"]
    assert locked.returncode == 3
    assert "another update is running" in locked.stderr
    assert runs["served_locked"] == (0, 0)
    assert not (runs["data"].parent / "locked.json").exists()


def test_webhook_gets_one_alert_per_newly_broken_run(runs):
    posts = runs["hook"].posts
    assert len(posts) == 2  # r1 (two sources broke), r2 (the redesign); r3 breaks nothing new
    first, second = (p["body"] for p in posts)
    assert posts[0]["path"] == "/hooks/xxgk" and posts[0]["content_type"].startswith("application/json")
    assert first["event"] == "xxgk.sources_broken" and first["run_id"] == "r1"
    assert {b["source_id"]: b["new"] for b in first["broken"]} == {"down-portal": True, "waf-portal": True}
    assert first["summary"]["failed"] == 2 and first["summary"]["pages"] == runs["served1"][0]
    waf = next(b for b in first["broken"] if b["source_id"] == "waf-portal")
    assert waf["outcome"] == "blocked" and waf["failing_hosts"] == {
        runs["waf_host"]: {"challenge": 1, "responses": 2}
    }
    assert second["run_id"] == "r2"
    assert {b["source_id"]: b["new"] for b in second["broken"]} == {
        "down-portal": False,
        "waf-portal": False,
        runs["trs_source"]: True,
    }
    # a dead alert endpoint is reported; the exit code still says what the crawl found
    dead = runs["r3_dead_hook"]
    assert dead.returncode == 4 and re.search(
        r"^alert +alert to http://127\.0\.0\.1:9/hook failed", dead.stdout, re.M
    )


def test_status_reports_health_from_the_run_history(runs):
    st = runs["status"]
    assert st.returncode == 4  # some source is broken
    report = json.loads(st.stdout)
    health = {h["source_id"]: h for h in report["sources"]}
    assert len(health) == 9
    down, waf, trs, empty = (
        health[k] for k in ("down-portal", "waf-portal", runs["trs_source"], "empty-column")
    )
    assert (down["health"], down["consecutive_failures"], down["last_success"]) == ("broken", 4, None)
    assert (waf["health"], waf["last_outcome"], waf["consecutive_failures"]) == ("broken", "blocked", 4)
    # the redesign: broken since r2, last success r1, shape changed (it listed 3 reports before)
    assert (trs["health"], trs["consecutive_failures"], trs["last_success_run"]) == ("broken", 3, "r1")
    assert trs["shape_changed"] == 1 and trs["reports_listed_before"] == len(YEARS)
    assert trs["last_success"] and trs["last_success"] < health["down-portal"]["last_started"]
    # the empty column never listed a report: empty after 3 runs, not broken
    assert (empty["health"], empty["nothing_found_runs"], empty["consecutive_failures"]) == ("empty", 4, 0)
    ok = [h for h in report["sources"] if h["health"] == "ok"]
    assert len(ok) == 5 and all(h["last_success_run"] == "r4" for h in ok)
    assert report["counts"] == {"broken": 3, "empty": 1, "ok": 5}
    hosts = {h["host"]: h for h in report["hosts"]}
    assert hosts[runs["waf_host"]]["challenges"] == 1 and hosts[runs["waf_host"]]["sources"] == ["waf-portal"]
    assert hosts["127.0.0.1:9"]["kinds"] == {"connection": 1}
    runs_by_id = {r["run_id"]: r for r in report["runs"]}
    assert runs_by_id["r2"]["reports_new"] == 1 and runs_by_id["r2"]["reports_changed"] == 1
    assert [runs_by_id[r]["failed"] for r in ("r1", "r2", "r3", "r4")] == [2, 3, 3, 3]
    assert (
        runs_by_id["r1"]["responses"] == runs["served1"][0]
        and runs_by_id["r1"]["bytes"] == runs["served1"][1]
    )
    text = runs["status_text"].stdout
    assert "listing shape changed" in text and runs["trs_source"] in text
    assert re.search(r"^nothing found for 3\+ runs: empty-column$", text, re.M)


def test_archive_holds_the_run_history_and_a_second_build_changes_nothing(runs):
    db = sqlite3.connect(runs["data"] / "archive.db")
    try:
        cap = sqlite3.connect(runs["data"] / "captures.db")
        cols = [c[1] for c in db.execute("pragma table_info(run_sources)")]
        sql = f"select {', '.join(cols)} from run_sources order by run_id, source_id"
        assert db.execute(sql).fetchall() == cap.execute(sql).fetchall()
        assert (
            db.execute("select count(*) from run_sources").fetchone()[0] == 9 * 4
        )  # the locked run left none
        cap.close()
        health = {
            r[0]: r[1:]
            for r in db.execute(
                "select source_id, health, consecutive_failures, nothing_found_runs, shape_changed from source_health"
            )
        }
    finally:
        db.close()
    status = {
        h["source_id"]: (h["health"], h["consecutive_failures"], h["nothing_found_runs"], h["shape_changed"])
        for h in json.loads(runs["status"].stdout)["sources"]
    }
    assert health["empty-column"] == ("empty", 0, 4, 0)  # the build uses the default --empty-runs (3)
    assert health == status
    again = subprocess.run(
        [sys.executable, "-m", "xxgk", "build", "--data", str(runs["data"]), "--quiet", "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    copied = json.loads(again.stdout)["copied"]
    assert copied["run_sources"] == 0 and copied["source_health"] == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def test_site_shows_source_health_run_history_and_the_operations_dashboard(runs):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xxgk", "serve", "--data", str(runs["data"]), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                fetch_json(base + "/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("site did not start") from None
                time.sleep(0.2)
        health = fetch_json(base + "/archive/source_health.json?_shape=array&_size=max")
        assert {h["source_id"]: h["health"] for h in health} == {
            h["source_id"]: h["health"] for h in json.loads(runs["status"].stdout)["sources"]
        }
        attention = fetch_json(base + "/archive/broken_sources.json?_shape=array")
        assert [a["source_id"] for a in attention] == [
            "down-portal",
            "waf-portal",
            runs["trs_source"],
            "empty-column",
        ]
        history = {r["run_id"]: r for r in fetch_json(base + "/archive/run_history.json?_shape=array")}
        assert history["r1"]["pages"] == runs["served1"][0] and history["r1"]["bytes"] == runs["served1"][1]
        assert (history["r2"]["reports_new"], history["r2"]["reports_changed"]) == (1, 1)
        assert (history["r2"]["unreachable_or_crashed"], history["r2"]["listed_no_reports"]) == (2, 2)
        with urllib.request.urlopen(base + "/-/dashboards/operations", timeout=30) as resp:
            assert resp.status == 200 and "抓取运维" in resp.read().decode("utf-8")
        charts = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text("utf-8"))["plugins"][
            "datasette-dashboards"
        ]["operations"]["charts"]

        def chart(name, family=None):
            sql = charts[name]["query"]
            sql = re.sub(r"\[\[(.*?)\]\]", (lambda m: m.group(1)) if family else "", sql)
            qs = urllib.parse.urlencode(
                {"sql": sql, "_shape": "array", **({"family": family} if family else {})}
            )
            return fetch_json(f"{base}/archive.json?{qs}")

        assert chart("broken-count") == [{"n": 3}] and chart("broken-count", "trs_wcm") == [{"n": 3}]
        assert chart("broken-count", "vsb") == [{"n": 0}] and chart("empty-count") == [{"n": 1}]
        assert chart("last-pages") == [{"n": runs["summary"]["r4"]["pages"]}]
        per_run = {(r["run_id"], r["kind"]): r["n"] for r in chart("reports-per-run")}
        assert per_run[("r1", "新 new")] == len(runs["truth1"]) and per_run[("r2", "变更 changed")] == 1
        outcomes = {(r["run_id"], r["outcome"]): r["n"] for r in chart("outcomes-per-run")}
        assert outcomes[("r2", "no_reports")] == 2 and outcomes[("r2", "ok")] == 5
        assert [r["source_id"] for r in chart("attention")] == [
            "down-portal",
            "waf-portal",
            runs["trs_source"],
            "empty-column",
        ]
        # and in a browser: the dashboard draws its charts and the metric cards show the same counts
        sys.path.insert(0, str(ROOT / "tests" / "site"))
        from cdp import Browser

        browser = Browser()
        try:
            page = browser.new_page()
            page.goto(base + "/-/dashboards/operations")
            drawn = page.wait_for("document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= 2"
                                  " && document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length",
                                  timeout=30)  # fmt: skip
            assert drawn >= 2
            assert page.wait_for("document.querySelector('#chart-broken-count').innerText.trim()") == "3"
            assert page.wait_for("document.querySelector('#chart-empty-count').innerText.trim()") == "1"
            table = page.wait_for("document.querySelector('#chart-attention') && "
                                  "document.querySelector('#chart-attention').innerText.includes('empty-column')"
                                  " && document.querySelector('#chart-attention').innerText", timeout=30)  # fmt: skip
            assert "down-portal" in table and runs["trs_source"] in table
            page.close()
        finally:
            browser.close()
    finally:
        proc.terminate()
        proc.wait(15)
