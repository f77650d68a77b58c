"""Crawls of the replica portals (every family) through `xxgk crawl`, as an operator runs it.

One world, three crawls: a first full crawl, a second one over the unchanged portals, a third one
after a report changed and a report was added.
"""

import gzip
import json
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.store import CaptureStore
from replica.portals import ReplicaWorld

YEARS = (2019, 2020, 2021, 2022)
ROOT = Path(__file__).resolve().parents[2]


def run_crawl(sources, data, run_id, *extra):
    proc = subprocess.run(
        [sys.executable, "-m", "xxgk", "crawl", "--sources", str(sources), "--data", str(data), "--fast",
         "--run-id", run_id, "--progress-every", "60", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def rows(data, sql, *params):
    db = sqlite3.connect(Path(data) / "captures.db")
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(sql, params)]
    finally:
        db.close()


def redirects(store):
    """Location of every redirect hop, from the WARC headers: linked URL -> final URL."""
    out = {}
    for row in store.captures(role="other"):
        if row["status"] in (301, 302, 303, 307, 308):
            loc = store.read_record_headers(row).get_header("Location")
            out[row["url"]] = urllib.request.urljoin(row["url"], loc)
    return out


def resolve(url, hops):
    seen = 0
    while url in hops and seen < 5:
        url, seen = hops[url], seen + 1
    return url


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    data = tmp / "data"
    with ReplicaWorld(seed=7, agencies_per_family=2, years=YEARS, allow_doc=False) as world:
        sources = tmp / "sources.yaml"
        world.write_sources(sources)
        # a portal that is down: its failure is recorded, the crawl still succeeds
        with open(sources, "a", encoding="utf-8") as fh:
            fh.write("- id: down-portal\n  agency: 停机的机关\n  region: 某省\n  region_code: '110000'\n"
                     "  level: province\n  family: trs_wcm\n  start_urls: ['http://127.0.0.1:9/xxgk/index.html']\n")
            # a column that moved when the portal was rebuilt: 404 at the registered URL
            fh.write("- id: moved-column\n  agency: 改版的机关\n  region: 某省\n  region_code: '110000'\n"
                     "  level: province\n  family: vsb\n"
                     f"  start_urls: ['{world.portals[0].base_url}/old/zfxxgknb.htm']\n")
        first = run_crawl(sources, data, "r1")
        truth1 = {"reports": world.reports(), "noise": world.noise_urls(), "broken": world.broken_urls(),
                  "gbk_sources": {s.agency.source_id for s in world.sites if s.charset == "gbk"},
                  "slow": set(world.faults.slow), "log1": list(world.request_log)}
        log1 = len(world.request_log)
        run_crawl(sources, data, "r2")
        log2 = list(world.request_log[log1:])
        changed = world.change_report(truth1["reports"][0].page_url)
        added = world.add_report(world.portals[1].source_id, 2023)
        log3_start = len(world.request_log)
        run_crawl(sources, data, "r3")
        log3 = list(world.request_log[log3_start:])
        # what the server sends now, for the byte-for-byte check (fetched after the crawls)
        served = {}
        for rep in world.reports()[:6]:
            with urllib.request.urlopen(rep.page_url) as resp:
                served[rep.page_url] = resp.read()
        yield {"world": world, "data": data, "truth1": truth1, "log2": log2, "log3": log3, "changed": changed,
               "added": added, "served": served, "stdout": first.stdout, "portals": world.portals}


def test_every_family_finds_every_report_and_nothing_else(crawled):
    data, truth = crawled["data"], crawled["truth1"]
    got = {r["url"] for r in rows(data, "select url from captures where run_id='r1' and role='report' and status=200")}
    expected = {r.page_url for r in truth["reports"]}
    assert len(expected) == 12 * len(YEARS)
    assert got == expected
    families = {p.family for p in crawled["portals"]}
    assert families == {"hanweb_jcms", "trs_wcm", "vsb", "gkmlpt", "json_api", "generic"}
    noise = set(truth["noise"])
    captured_noise = {r["url"] for r in rows(data, "select url from captures where role in ('report','attachment')")}
    assert not captured_noise & noise


def test_every_attachment_fetched_with_its_real_name(crawled):
    data, truth = crawled["data"], crawled["truth1"]
    store = CaptureStore(data)
    hops = redirects(store)
    att_rows = [r for r in store.captures(role="attachment") if r["run_id"] == "r1" and r["status"] == 200]
    got = {r["url"]: r for r in att_rows}
    expected = {resolve(url, hops): (name, rep.page_url) for rep in truth["reports"] for url, name in rep.attachments}
    assert expected, "the replica should hold attachments"
    assert set(got) == set(expected)
    for url, (name, parent) in expected.items():
        assert got[url]["filename"] == name, url  # Content-Disposition (GBK, RFC 5987), alt text or URL
        assert got[url]["parent_url"] == parent


def test_metadata_block_and_titles(crawled):
    data, truth = crawled["data"], crawled["truth1"]
    by_url = {r["url"]: r for r in rows(data, "select * from captures where run_id='r1' and role='report' and status=200")}
    checked, gbk_checked = 0, 0
    for rep in truth["reports"]:
        row = by_url[rep.page_url]
        assert row["title"]
        if row["content_type"] and "html" in row["content_type"] and rep.page_meta:
            meta = json.loads(row["page_meta"] or "{}")
            want = {k: v for k, v in rep.page_meta.items() if v}
            assert {k: meta.get(k) for k in want} == want, rep.page_url
            checked += 1
            gbk_checked += rep.source_id in truth["gbk_sources"]
    assert checked >= 40
    assert gbk_checked >= 4  # GBK-encoded portals (charset in the header, the meta tag or both)


def test_warc_bytes_equal_what_the_server_sent(crawled):
    data = crawled["data"]
    store = CaptureStore(data)
    latest = {}
    for row in store.captures(role="report"):
        if row["status"] == 200:
            latest[row["url"]] = row
    for url, body in crawled["served"].items():
        assert store.read_payload(latest[url]) == body
    # every WARC file reads with warcio, digests verify, and records match the index
    n_records, agents = 0, set()
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh, check_digests="raise"):
                n_records += 1
                if rec.rec_type == "request":
                    agents.add(rec.http_headers.get_header("User-Agent"))
    assert len(agents) == 1 and next(iter(agents)).startswith("xxgk-archive/0.1 (+")
    assert "contact: " in next(iter(agents))
    indexed = rows(data, "select count(*) n from captures where warc_file is not null")[0]["n"]
    assert n_records == 2 * indexed + len(list((data / "warc").glob("*.warc.gz")))  # request+response, warcinfo
    # an indexed offset is a whole gzip member holding that record
    row = store.captures(role="attachment")[0]
    with open(data / row["warc_file"], "rb") as fh:
        fh.seek(row["warc_offset"])
        member = gzip.decompress(fh.read(row["warc_length"]))
    assert member.startswith(b"WARC/1.1") and row["url"].encode() in member


def test_second_crawl_fetches_listing_pages_only(crawled):
    world, data = crawled["world"], crawled["data"]
    # the moved column's registered start URL is probed again on every crawl (a listing that 404s)
    log2 = [e for e in crawled["log2"] if not e[1].endswith("/old/zfxxgknb.htm")]
    assert log2
    roles = {world.url_role(url) for _, url, _ in log2}
    assert roles <= {"listing", "robots", "broken"}, [(u, world.url_role(u)) for _, u, _ in log2
                                                      if world.url_role(u) not in ("listing", "robots")]
    stored = rows(data, "select role, status, record_type from captures where run_id='r2' and status=200")
    assert all(r["record_type"] == "revisit" for r in stored)  # nothing stored twice
    assert not rows(data, "select id from captures where run_id='r2' and role in ('report','attachment')")


def test_changed_report_is_a_new_version_and_new_report_found(crawled):
    data, changed, added, log3 = crawled["data"], crawled["changed"], crawled["added"], crawled["log3"]
    versions = rows(data, "select run_id, sha256 from captures where url=? and role='report' and status=200 order by id",
                    changed.page_url)
    assert [v["run_id"] for v in versions] == ["r1", "r3"]
    assert versions[0]["sha256"] != versions[1]["sha256"]
    new = rows(data, "select run_id from captures where url=? and role='report' and status=200", added.page_url)
    assert [n["run_id"] for n in new] == ["r3"]
    fetched_reports = {u for _, u, _ in log3 if crawled["world"].url_role(u) == "report"}
    assert fetched_reports == {changed.page_url, added.page_url}


def test_faults_recorded_not_fatal(crawled):
    data = crawled["data"]
    # a 500 answered once, retried, then captured
    failed_then_ok = rows(data, "select url from captures where run_id='r1' and status=500 and url in "
                                "(select url from captures where run_id='r1' and status=200)")
    assert failed_then_ok
    errors = rows(data, "select url, error, source_id from captures where run_id='r1' and role='error'")
    down = [e for e in errors if e["source_id"] == "down-portal"]
    assert down and "Connection" in down[0]["error"]
    # every 404 the portals served in the first crawl is an error row naming it
    served_404 = {url for _, url, status in crawled["truth1"]["log1"] if status == 404}
    assert served_404 and served_404 <= {e["url"] for e in errors if e["error"].startswith("HTTP 404")}
    assert [e["source_id"] for e in errors if e["url"].endswith("/old/zfxxgknb.htm")] == ["moved-column"]
    # the slow page was waited for and captured
    slow = crawled["truth1"]["slow"]
    assert slow
    ok = {urllib.parse.urlsplit(r["url"]).path for r in rows(data, "select url from captures where status=200")}
    assert {k.split("?")[0] for k in slow} <= ok
    assert "down-portal" in crawled["stdout"] and "TOTAL" in crawled["stdout"]
