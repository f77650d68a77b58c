"""Transport escalation against replica portals behind anti-bot gates (replica/portals/challenges.py):
a 瑞数-style 412 page whose inline script computes the cookie, and a WZWS 307 loop through
/WZWSREL… . Only a JavaScript engine gets past either: the crawler escalates default -> impersonate
-> browser (Debian's /usr/bin/chromium through scrapy-playwright), solves each host once, fetches
the rest with the browser's cookies, and remembers the transport for the next run. Without the
browser the sources are recorded as blocked (failure kind `challenge`), never as "no reports".
"""

import json
import sqlite3
import threading
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from end_to_end import run_xxgk

from crawler.registry import validate_entry
from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]
YEARS = (2021, 2022)
GATES = {"trs_wcm": "riversec", "vsb": "wzws"}


xxgk = partial(run_xxgk, ok=(0, 4))  # 4: `xxgk status` reports failing sources


def crawl(sources, data, run_id, *extra):
    return xxgk(
        "crawl",
        "--sources",
        sources,
        "--data",
        data,
        "--fast",
        "--run-id",
        run_id,
        "--progress-every",
        "60",
        *extra,
    )


def rows(db_path, sql, *params):
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(sql, params)]
    finally:
        db.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("transports")
    out = {"tmp": tmp}
    with ReplicaWorld(
        seed=4,
        agencies_per_family=1,
        years=YEARS,
        allow_doc=False,
        faults=False,
        families=("trs_wcm", "vsb", "hanweb_jcms"),
        challenges=GATES,
    ) as world:
        sources = tmp / "sources.yaml"
        world.write_sources(sources)
        out["truth"] = world.reports()
        out["gated"] = {s.agency.source_id: s.family for s in world.sites if s.family in GATES}
        out["hosts"] = {s.agency.source_id: s.base_url.split("//")[1] for s in world.sites}
        out["plain"] = next(s.agency.source_id for s in world.sites if s.family == "hanweb_jcms")
        # 1: no browser allowed: both gated portals stay behind their challenge
        out["refused"] = crawl(sources, tmp / "refused", "x1", "-s", "XXGK_TRANSPORT_MAX=impersonate")
        out["status_refused"] = xxgk("status", "--data", tmp / "refused", "--json")
        # 2: escalation up to the browser; 3: the next run starts with the browser
        before = {k: (g.challenged, g.passed) for k, g in world.gates.items()}
        out["first"] = crawl(sources, tmp / "data", "r1")
        middle = {k: (g.challenged, g.passed) for k, g in world.gates.items()}
        out["status_first"] = xxgk("status", "--data", tmp / "data", "--json", "--all")
        world.add_report(next(iter(out["gated"])), 2023)
        out["added"] = world.reports()
        out["second"] = crawl(sources, tmp / "data", "r2")
        after = {k: (g.challenged, g.passed) for k, g in world.gates.items()}
        out["gate_counts"] = (before, middle, after)
    out["build"] = xxgk("build", "--data", tmp / "data", "--quiet", "--workers", "1")
    return out


def test_without_the_browser_challenged_sources_are_recorded_as_blocked(runs):
    db = runs["tmp"] / "refused" / "captures.db"
    by_source = {r["source_id"]: r for r in rows(db, "select * from run_sources where run_id = 'x1'")}
    for sid in runs["gated"]:
        r = by_source[sid]
        assert r["outcome"] == "blocked", r
        assert r["reports"] == 0 and r["reports_listed"] == 0
        assert json.loads(r["failures"]) == {"challenge": 1}  # the start URL, after both transports
        # the challenge answer is kept as evidence, once per transport tried
        caps = rows(
            db, "select error from captures where source_id = ? and error like 'challenge%' order by id", sid
        )
        kind = GATES[runs["gated"][sid]]
        assert [c["error"] for c in caps] == [
            f"challenge: {kind} (default)",
            f"challenge: {kind} (impersonate)",
        ]
    assert by_source[runs["plain"]]["outcome"] == "ok"
    # nothing got through, so nothing is remembered
    assert rows(db, "select * from host_transports") == []
    status = json.loads(runs["status_refused"].stdout)
    health = {s["source_id"]: s for s in status["sources"]}
    for sid in runs["gated"]:
        assert health[sid]["last_outcome"] == "blocked" and health[sid]["health"] == "broken"
        assert health[sid]["reason"].startswith("blocked by an anti-bot challenge instead of the listing")
    assert {h["host"]: (h["challenges"], h["errors"], h["transport"]) for h in status["hosts"]} == {
        runs["hosts"][sid]: (2, 0, None) for sid in runs["gated"]
    }


def test_escalated_transport_captures_every_report_behind_the_gates(runs):
    db = runs["tmp"] / "data" / "captures.db"
    reports = {
        r["url"]
        for r in rows(
            db,
            "select url from captures where run_id = 'r1' and role = 'report'"
            " and status = 200 and error is null",
        )
    }
    truth = runs["truth"]
    assert reports == {r.page_url for r in truth} and len(truth) == 3 * len(YEARS)
    attachments = {
        r["url"]
        for r in rows(
            db, "select url from captures where run_id = 'r1' and role = 'attachment' and status = 200"
        )
    }
    assert attachments == {u for r in truth for u, _ in r.attachments}
    by_source = {r["source_id"]: r for r in rows(db, "select * from run_sources where run_id = 'r1'")}
    assert {sid: r["outcome"] for sid, r in by_source.items()} == dict.fromkeys(by_source, "ok")
    assert all(json.loads(r["failures"]) == {} for r in by_source.values())
    for sid, family in runs["gated"].items():
        kind = GATES[family]
        caps = [
            c["error"]
            for c in rows(
                db,
                "select error from captures where run_id = 'r1' and source_id = ?"
                " and error is not null order by id",
                sid,
            )
        ]
        # the start URL was challenged once per lower transport, then the browser got through
        assert caps == [f"challenge: {kind} (default)", f"challenge: {kind} (impersonate)"]
    hosts = dict((r["host"], r["transport"]) for r in rows(db, "select * from host_transports"))
    assert hosts == {runs["hosts"][sid]: "browser" for sid in runs["gated"]}
    # `xxgk status`: the sources are fine; their hosts answered challenges, passed with the browser
    status = json.loads(runs["status_first"].stdout)
    assert {s["source_id"]: s["health"] for s in status["sources"]} == dict.fromkeys(by_source, "ok")
    assert {h["host"]: (h["challenges"], h["errors"], h["transport"]) for h in status["hosts"]} == {
        runs["hosts"][sid]: (2, 0, "browser") for sid in runs["gated"]
    }


def test_the_next_run_starts_with_the_remembered_transport(runs):
    db = runs["tmp"] / "data" / "captures.db"
    # no request of run 2 met a challenge: every gated host was solved in the browser first
    assert rows(db, "select url, error from captures where run_id = 'r2' and error is not null") == []
    new = [r for r in runs["added"] if r.year == 2023]
    assert len(new) == 1
    got = rows(db, "select status from captures where run_id = 'r2' and url = ?", new[0].page_url)
    assert got == [{"status": 200}]
    before, middle, after = runs["gate_counts"]
    for sid in runs["gated"]:
        # run 1: the crawler's two challenged attempts plus the browser's own first visit(s);
        # run 2: only the browser's visit; every page behind the gate was let through with a cookie
        assert middle[sid][0] - before[sid][0] >= 3
        assert 1 <= after[sid][0] - middle[sid][0] <= 2
        assert after[sid][1] - middle[sid][1] >= 3


def test_values_archived_from_pages_behind_the_gates_are_the_reports_values(runs):
    assert runs["build"].returncode == 0, runs["build"].stderr[-3000:]
    db = runs["tmp"] / "data" / "archive.db"
    if not db.exists():
        db = next((runs["tmp"] / "data").glob("*.db"))
    checked = 0
    for rep in runs["added"]:
        if rep.source_id not in runs["gated"]:
            continue
        found = rows(db, "select id from reports where url = ? and is_latest = 1", rep.page_url)
        assert len(found) == 1, rep.page_url
        values = {
            r["key"]: r["value"]
            for r in rows(db, "select key, value from report_values where report_id = ?", found[0]["id"])
        }
        for key, want in rep.spec.values.items():
            if want is not None:
                assert values.get(key) == pytest.approx(float(want)), (rep.page_url, key)
                checked += 1
    assert checked > 100


def test_registry_transport_field_is_validated():
    base = {
        "id": "a-b",
        "agency": "某局",
        "region": "某市",
        "region_code": "110000",
        "level": "prefecture",
        "family": "generic",
        "start_urls": ["http://www.example.gov.cn/"],
    }
    src, problems = validate_entry({**base, "transport": "browser"}, 0)
    assert problems == [] and src.transport == "browser"
    src, problems = validate_entry({**base, "transport": "selenium"}, 0)
    assert src is None and problems == [
        "entry #1 (id 'a-b'): transport 'selenium' is not one of default, impersonate, browser"
    ]
    src, problems = validate_entry(base, 0)
    assert src.transport is None


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with the header names it came with."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        body = json.dumps([k.lower() for k in self.headers.keys()]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_source_registered_with_impersonate_is_fetched_by_curl_cffi(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/xxgk/index.html"
        sources = tmp_path / "s.yaml"
        for sid, transport in (("plain", "default"), ("impersonated", "impersonate")):
            sources.write_text(
                f"- id: {sid}\n  agency: 某局\n  region: 某市\n  region_code: '110000'\n  level: prefecture\n"
                f"  family: generic\n  transport: {transport}\n  start_urls: ['{url}']\n",
                encoding="utf-8",
            )
            crawl(sources, tmp_path / sid, "t1")
    finally:
        server.shutdown()
    sent = {}
    for sid in ("plain", "impersonated"):
        from crawler.store import CaptureStore

        store = CaptureStore(tmp_path / sid)
        row = next(r for r in store.captures() if r["url"] == url)
        sent[sid] = set(json.loads(store.read_payload(row)))
        store.close()
    # curl_cffi sends a Chrome's client hints; Twisted does not
    assert "sec-ch-ua" in sent["impersonated"] and "sec-ch-ua" not in sent["plain"]
    assert "user-agent" in sent["impersonated"]


class _Block(BaseHTTPRequestHandler):
    """A WAF whose 412 page no script gets past (its solver script is itself blocked)."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        status, body = (404, b"no") if self.path == "/robots.txt" else (412, CHALLENGE)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


CHALLENGE = (
    b"<html><head><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=31337;$_ts.cd='qEtlrGAlqqSc';"
    b'</script><script src="/Jv3kQ8Rr/GmyP.b4c45da.js" r="m"></script></head><body></body></html>'
)


@contextmanager
def blocked_portal(tmp_path):
    """A one-source registry whose portal answers every request with a challenge no transport passes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Block)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/xxgk/index.html"
        sources = tmp_path / "s.yaml"
        sources.write_text(
            "- id: blocked\n  agency: 某局\n  region: 某市\n  region_code: '110000'\n  level: prefecture\n"
            f"  family: trs_wcm\n  start_urls: ['{url}']\n",
            encoding="utf-8",
        )
        yield sources
    finally:
        server.shutdown()


def test_a_challenge_the_browser_cannot_pass_is_recorded_as_blocked(tmp_path):
    with blocked_portal(tmp_path) as sources:
        crawl(sources, tmp_path / "data", "b1", "-s", "XXGK_BROWSER_IDLE_SECONDS=1")
    db = tmp_path / "data" / "captures.db"
    (row,) = rows(db, "select * from run_sources")
    assert (row["outcome"], row["reports_listed"], row["challenges"]) == ("blocked", 0, 3)
    assert json.loads(row["failures"]) == {"challenge": 1}
    errors = [r["error"] for r in rows(db, "select error from captures where error is not null order by id")]
    assert errors == [
        "challenge: riversec (default)",
        "challenge: riversec (impersonate)",
        "challenge: riversec (browser)",
        "ignored: challenge: riversec (HTTP 412, transport browser)",
    ]
    assert rows(db, "select * from host_transports") == []


def test_a_browser_that_cannot_start_leaves_the_source_blocked_and_the_crawl_whole(tmp_path):
    with blocked_portal(tmp_path) as sources:
        proc = crawl(
            sources,
            tmp_path / "data",
            "n1",
            "-s",
            'PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": "/nonexistent/chromium"}',
        )
    assert proc.returncode == 0 and "CRASHED" not in proc.stdout
    db = tmp_path / "data" / "captures.db"
    (row,) = rows(db, "select * from run_sources")
    assert (row["outcome"], row["crashed"]) == ("blocked", None)
    errors = [r["error"] for r in rows(db, "select error from captures where error is not null order by id")]
    assert errors == [
        "challenge: riversec (default)",
        "challenge: riversec (impersonate)",
        "challenge: riversec (browser)",
        "ignored: challenge: riversec (HTTP 412, transport browser)",
    ]


def _self_signed(tmp_path):
    """A certificate no CA signed, for 127.0.0.1 (government hosts often serve such)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_impersonate_reaches_a_host_with_a_self_signed_certificate_as_the_default_handler_does(tmp_path):
    import ssl

    cert, key = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}/xxgk/index.html"
        sources = tmp_path / "s.yaml"
        sources.write_text(
            "- id: tls\n  agency: 某局\n  region: 某市\n  region_code: '110000'\n  level: prefecture\n"
            f"  family: generic\n  transport: impersonate\n  start_urls: ['{url}']\n",
            encoding="utf-8",
        )
        crawl(sources, tmp_path / "data", "s1")
    finally:
        server.shutdown()
    got = rows(tmp_path / "data" / "captures.db", "select status, error from captures where url = ?", url)
    assert got == [{"status": 200, "error": None}]


def test_escalation_stops_at_the_first_transport_that_gets_through(tmp_path):
    # a WAF checking the client's network stack: curl_cffi's impersonation passes, no browser starts
    with ReplicaWorld(seed=6, agencies_per_family=1, years=YEARS, allow_doc=False, faults=False,
                      families=("json_api",), challenges={"json_api": "fingerprint"}) as world:  # fmt: skip
        sources = tmp_path / "s.yaml"
        world.write_sources(sources)
        truth = world.reports()
        crawl(sources, tmp_path / "data", "f1")
        (gate,) = world.gates.values()
        host = world.portals[0].base_url.split("//")[1]
    db = tmp_path / "data" / "captures.db"
    errors = [r["error"] for r in rows(db, "select error from captures where error is not null")]
    assert errors == ["challenge: verification_page (default)"]
    got = {r["url"] for r in rows(db, "select url from captures where role = 'report' and status = 200")}
    assert got == {r.page_url for r in truth} and len(truth) == len(YEARS)
    assert rows(db, "select host, transport from host_transports") == [
        {"host": host, "transport": "impersonate"}
    ]
    stats = json.loads(rows(db, "select stats from crawl_runs")[0]["stats"])
    assert [s["browser_solves"] for s in stats["sources"].values()] == [0]
    assert gate.challenged == 1 and gate.passed >= len(truth) + 1
