"""Notices about a report (更正说明, 补充说明, 关于…年度报告的说明) on replica portals: `xxgk crawl` keeps
them (role notice), `xxgk build` links each to the report it is about without counting it as a
report, and the report's page on the site shows it."""

from __future__ import annotations

import html
import json
import socket
import subprocess
import sys
import time
import urllib.request
from functools import partial
from pathlib import Path

import pytest
from end_to_end import run_xxgk

from archive.schema import connect
from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("trs_wcm", "hanweb_jcms", "gkmlpt", "generic")
YEARS = (2020, 2021, 2022)


xxgk = partial(run_xxgk, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notices")
    data, sources = tmp / "data", tmp / "sources.yaml"
    with ReplicaWorld(
        seed=5,
        agencies_per_family=1,
        years=YEARS,
        allow_doc=False,
        faults=False,
        families=FAMILIES,
        noise=4,
        notices=True,
    ) as world:
        world.write_sources(sources)
        xxgk(
            "crawl",
            "--sources",
            str(sources),
            "--data",
            str(data),
            "--fast",
            "--run-id",
            "r1",
            "--progress-every",
            "60",
        )
        first = json.loads(xxgk("build", "--data", str(data), "--workers", "2", "--quiet").stdout)
        second = json.loads(xxgk("build", "--data", str(data), "--workers", "2", "--quiet").stdout)
        truth = {"notices": world.notice_truth(), "reports": {r.page_url for r in world.reports()}}
    return {"data": data, "first": first, "second": second, **truth}


def test_notices_are_captured_and_never_reports(built):
    db = connect(built["data"] / "archive.db")
    notices = built["notices"]
    assert len(notices) == 2 * len(FAMILIES)
    captured = {r[0] for r in db.execute("SELECT url FROM captures WHERE role = 'notice' AND status = 200")}
    assert captured == set(notices)
    # the reports are exactly the replica's reports: a notice is no report, the count is unchanged
    report_urls = [r[0] for r in db.execute("SELECT url FROM reports")]
    assert len(report_urls) == len(built["reports"]) == len(FAMILIES) * len(YEARS)
    assert set(report_urls) == built["reports"]
    assert built["first"]["reports"] == len(built["reports"])
    assert db.execute("SELECT count(*) FROM report_summary").fetchone()[0] == len(built["reports"])
    assert not captured & {
        r[0] for r in db.execute("SELECT url FROM captures WHERE role IN ('report', 'attachment')")
    }


def test_each_notice_is_linked_to_its_report(built):
    db = connect(built["data"] / "archive.db")
    got = dict(db.execute("SELECT n.url, r.url FROM report_notices n JOIN reports r ON r.id = n.report_id"))
    assert got == built["notices"]
    how = dict(db.execute("SELECT matched_by, count(*) FROM report_notices GROUP BY 1"))
    # one notice per portal links its report; the other names its year (or the report's title) only
    assert how.get("link") == len(FAMILIES) and how.get("none") is None
    assert sum(how.values()) == len(built["notices"])
    kinds = {r[0] for r in db.execute("SELECT kind FROM report_notices")}
    assert kinds <= {"correction", "supplement", "explanation"} and kinds
    texts = [r[0] for r in db.execute("SELECT text FROM report_notices")]
    assert all("更正为" in t for t in texts)
    assert built["first"]["notices"]["linked"] == len(built["notices"])
    # a second build changes nothing
    assert built["second"]["notices"] == {
        "notices": len(built["notices"]),
        "linked": len(built["notices"]),
        "written": 0,
        "removed": 0,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_report_page_shows_its_notices(built):
    db = connect(built["data"] / "archive.db")
    pairs = db.execute("SELECT n.report_id, n.title FROM report_notices n ORDER BY n.capture_id").fetchall()
    plain = db.execute(
        "SELECT id FROM reports WHERE id NOT IN (SELECT report_id FROM report_notices)"
    ).fetchone()[0]
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xxgk.serve", "--data", str(built["data"]), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "site did not start"
                time.sleep(0.2)
        for report_id, title in pairs[:3]:
            page = urllib.request.urlopen(f"{base}/archive/reports/{report_id}", timeout=30).read().decode()
            assert "xxgk-notices" in page and html.escape(title, quote=False) in page
            assert page.count('class="xxgk-archived-notice"') == sum(1 for r, _ in pairs if r == report_id)
        page = urllib.request.urlopen(f"{base}/archive/reports/{plain}", timeout=30).read().decode()
        assert "xxgk-notices" not in page
    finally:
        proc.terminate()
        proc.wait(15)
