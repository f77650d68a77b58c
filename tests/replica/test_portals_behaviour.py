"""Replica portal behaviour over real HTTP: truth vs served pages and files, determinism, changes,
conditional requests, faults, gzip, GBK pages, Content-Disposition names, robots.txt, the CLI."""

from __future__ import annotations

import argparse
import gzip
import re
import threading
import time
import urllib.error
import urllib.request
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import pytest

from replica.cli import parse_years, serve
from replica.portals import FAMILIES, ReplicaWorld

MAGIC = {"pdf": b"%PDF", "docx": b"PK\x03\x04", "doc": b"\xd0\xcf\x11\xe0", "wps": b"\xd0\xcf\x11\xe0"}


def get(url: str, headers: dict | None = None, retries: int = 2):
    """(status, headers, raw body as sent); 500s retried like a crawler's retry middleware."""
    for attempt in range(retries + 1):
        req = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 500 and attempt < retries:
                continue
            return exc.code, exc.headers, exc.read()
    raise AssertionError("unreachable")


def decoded(headers, body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    m = re.search(r"charset=([\w-]+)", headers.get("Content-Type", "")) or re.search(rb'charset=([\w-]+)"', body[:400])
    charset = m.group(1) if m else "utf-8"
    return body.decode(charset if isinstance(charset, str) else charset.decode())


def disposition_name(value: bytes | str) -> str | None:
    raw = value.encode("latin-1") if isinstance(value, str) else value
    m = re.search(rb"filename\*=UTF-8''([^;]+)", raw)
    if m:
        return unquote(m.group(1).decode("ascii"))
    m = re.search(rb'filename="([^"]+)"', raw)
    return m.group(1).decode("gbk") if m else None


@pytest.fixture(scope="module")
def world():
    with ReplicaWorld(seed=5, agencies_per_family=1, years=(2020, 2021), allow_doc=False) as w:
        yield w


def test_portals_cover_every_family_on_own_loopback_hosts(world):
    assert [p.family for p in world.portals] == list(FAMILIES)
    hosts = [urlsplit(p.base_url).hostname for p in world.portals]
    assert hosts == [f"127.0.0.{10 + i}" for i in range(len(FAMILIES))]
    assert len({p.source_id for p in world.portals}) == len(FAMILIES)
    for p in world.portals:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", p.source_id) and re.fullmatch(r"\d{6}", p.region_code)
        assert all(u.startswith(p.base_url + "/") for u in p.start_urls)
    assert len(world.reports()) == len(FAMILIES) * 2


def test_every_report_page_and_attachment_is_served_as_the_truth_says(world):
    dispositions = 0
    for report in world.reports():
        status, headers, body = get(report.page_url, {"Accept-Encoding": "gzip"})
        assert status == 200, report.page_url
        page = decoded(headers, body)
        assert report.title in page
        for label in ("索引号", "发布机构", "成文日期", "发布日期", "文号"):
            assert label in page
        assert report.page_meta["索引号"] in page and report.published.isoformat() in page
        assert report.spec.year == report.year and report.spec.title == report.title
        if report.fmt == "html":
            assert "<table" in page  # the report's tables are in the page itself
        else:
            assert report.attachments and report.attachments[0][1].endswith("." + report.fmt)
        for url, name in report.attachments:
            path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
            assert path.replace("&", "&amp;") in page or urlsplit(url).path.rsplit("/", 1)[1] in page
            status, headers, data = get(url)
            assert status == 200
            ext = name.rsplit(".", 1)[1]
            assert data.startswith(MAGIC[ext]), (url, data[:8])
            if name not in page:  # the name is given only by the download handler
                raw = [v for k, v in headers.raw_items() if k.lower() == "content-disposition"]
                assert disposition_name(raw[0]) == name
                dispositions += 1
    assert dispositions >= 1


def test_noise_and_broken_links(world):
    reports = {r.page_url for r in world.reports()}
    noise = world.noise_urls()
    assert len(noise) >= 6 * 18 and not reports & set(noise)
    broken = world.broken_urls()
    assert len(broken) == len(FAMILIES) and set(broken) <= set(noise)
    for url in broken:
        assert get(url)[0] == 404
    sample = [u for u in noise if u not in broken][:: max(1, len(noise) // 10)]
    for url in sample:
        status, headers, body = get(url)
        page = decoded(headers, body)
        assert status == 200 and "政府信息公开工作年度报告" not in re.search(r"<title>(.*?)</title>", page).group(1)
    assert world.url_role(reports.pop()) == "report" and world.url_role(broken[0]) == "broken"
    assert world.url_role(world.portals[0].start_urls[0]) == "listing"


def test_determinism_same_seed_same_world_other_seed_other_world():
    def snapshot(w):
        out = []
        for r in w.reports():
            base = w.portal(r.source_id).base_url
            out.append((r.source_id, r.year, r.page_url[len(base):], r.title, r.fmt, r.published,
                        [(u[len(base):], n) for u, n in r.attachments], r.page_meta, sorted(r.spec.values.items())))
        return out

    a = ReplicaWorld(seed=21, agencies_per_family=2, allow_doc=False)
    b = ReplicaWorld(seed=21, agencies_per_family=2, allow_doc=False)
    c = ReplicaWorld(seed=22, agencies_per_family=2, allow_doc=False)
    assert snapshot(a) == snapshot(b)
    assert snapshot(a) != snapshot(c)
    assert [p.params for p in a.portals] == [p.params for p in b.portals]
    with a, b:  # the same bytes for the same page on both
        for pa, pb in zip(a.portals, b.portals, strict=True):
            one = get(pa.start_urls[0])
            two = get(pb.start_urls[0])
            assert one[0] == two[0] == 200  # the same bytes, but for the portal's own address
            assert one[2].replace(pa.base_url.encode(), b"BASE") == two[2].replace(pb.base_url.encode(), b"BASE")


def test_conditional_requests_answer_304():
    with ReplicaWorld(seed=5, agencies_per_family=1, families=("trs_wcm", "vsb", "generic"), faults=False) as w:
        checked_etag = checked_ims = 0
        for report in w.reports():
            status, headers, body = get(report.page_url)
            assert status == 200
            etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
            assert last_modified
            assert get(report.page_url, {"If-Modified-Since": last_modified})[0] == 304
            older = formatdate(0, usegmt=True)
            assert get(report.page_url, {"If-Modified-Since": older})[0] == 200
            if etag:
                assert get(report.page_url, {"If-None-Match": etag})[0] == 304
                assert get(report.page_url, {"If-None-Match": '"other"'})[0] == 200
                checked_etag += 1
            checked_ims += 1
        assert checked_ims == 3 * 4 and checked_etag >= 1
        statuses = [s for m, u, s in w.request_log]
        assert statuses.count(304) == checked_ims + checked_etag


def test_change_report_new_bytes_same_url_listing_updated():
    with ReplicaWorld(seed=5, agencies_per_family=1, families=("trs_wcm", "vsb"), faults=False,
                      allow_doc=False) as w:
        html_one = next(r for r in w.reports() if r.fmt == "html")
        file_one = next(r for r in w.reports() if r.fmt != "html")
        for before in (html_one, file_one):
            status, headers, old_page = get(before.page_url)
            old_files = [get(u)[2] for u, _ in before.attachments]
            after = w.change_report(before.page_url)
            assert after.version == before.version + 1 and after.page_url == before.page_url
            assert after.published > before.published
            assert [u for u, _ in after.attachments] == [u for u, _ in before.attachments]
            status, new_headers, new_page = get(before.page_url, {"If-Modified-Since": headers["Last-Modified"]})
            assert status == 200 and new_page != old_page
            assert [get(u)[2] for u, _ in after.attachments] != old_files or not old_files
            assert after.spec.values != before.spec.values or after.spec.raw != before.spec.raw
            site = next(s for s in w.sites if s.agency.source_id == after.source_id)
            listings = "".join(decoded(*get(site.base_url + t)[1:]) for t in site.listing_targets())
            row = re.search('title="' + re.escape(after.title) + r'"[^>]*>[^<]*</a><span>([\d-]+)</span>', listings)
            assert row.group(1) == after.published.isoformat()
        with pytest.raises(ValueError):
            w.change_report(w.noise_urls()[0])


def test_add_report_appears_first_in_listing():
    with ReplicaWorld(seed=5, agencies_per_family=1, families=("vsb", "json_api"), faults=False, allow_doc=False) as w:
        for portal in w.portals:
            before = len(w.reports())
            new = w.add_report(portal.source_id, 2023)
            assert len(w.reports()) == before + 1 and new.year == 2023 and "2023" in new.title
            assert get(new.page_url)[0] == 200
            if portal.family == "vsb":
                listing = decoded(*get(portal.start_urls[0])[1:])
                first = re.search(r'<li id="line_u8_0"><a href="([^"]+)"', listing).group(1)
                assert new.page_url.endswith(first.lstrip("./"))
            else:
                url = portal.base_url + portal.params["url_template"].replace("{page}", "1")
                import json

                items = json.loads(get(url)[2])["searchVO"]["listVO"]
                assert items[0]["url"] == new.page_url
        with pytest.raises(KeyError):
            w.add_report("no-such-source", 2023)


def test_first_request_fails_with_500_then_succeeds_and_faults_off_lifts_it():
    with ReplicaWorld(seed=9, agencies_per_family=1, families=("trs_wcm",)) as w:
        portal = w.portals[0]
        failing = sorted(w.faults.fail_once)
        assert len(failing) >= 2 and w.faults.slow
        url = portal.base_url + failing[0]
        assert get(url, retries=0)[0] == 500
        assert get(url, retries=0)[0] == 200
        assert [s for m, u, s in w.request_log if u == url] == [500, 200]
    with ReplicaWorld(seed=9, agencies_per_family=1, families=("trs_wcm",), faults=False) as w:
        assert get(w.portals[0].base_url + failing[0], retries=0)[0] == 200


def test_gzip_gbk_and_robots():
    w = ReplicaWorld(seed=5, agencies_per_family=4, families=("generic", "trs_wcm"), faults=False, allow_doc=False)
    with w:
        gz = [s for s in w.sites if s.gzip]
        gbk = [s for s in w.sites if s.charset == "gbk"]
        assert gz and gbk
        for site in gz:
            url = site.base_url + site.start_urls()[0]
            status, headers, raw = get(url, {"Accept-Encoding": "gzip"})
            assert headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(raw) == get(url)[2]
        for site in gbk:
            status, headers, raw = get(site.base_url + site.start_urls()[0])
            in_header = "charset=gbk" in headers["Content-Type"]
            in_meta = b"charset=gbk" in raw[:400]
            assert in_header or in_meta
            assert site.agency.name in raw.decode("gbk")
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        for portal in w.portals:
            status, headers, body = get(portal.base_url + "/robots.txt")
            assert status == 200 and "Disallow: /admin/" in body.decode()


def test_doc_and_wps_share_and_allow_doc_off():
    fmts = [r.fmt for r in ReplicaWorld(seed=3, agencies_per_family=3, years=range(2017, 2023)).reports()]
    share = sum(f in ("doc", "wps") for f in fmts) / len(fmts)
    assert 0 < share < 0.3
    no_doc = ReplicaWorld(seed=3, agencies_per_family=3, years=range(2017, 2023), allow_doc=False).reports()
    assert not [r for r in no_doc if r.fmt in ("doc", "wps")]


def test_write_sources_is_a_valid_registry(tmp_path, world):
    from crawler.registry import load_sources

    path = tmp_path / "sources.yaml"
    world.write_sources(path)
    sources = load_sources(path)
    assert [s.id for s in sources] == [p.source_id for p in world.portals]
    assert sources[3].family == "gkmlpt" and sources[3].params["sid"] == world.portals[3].params["sid"]


def test_cli_serve_prints_urls_and_writes_sources(tmp_path, capsys):
    assert parse_years("2019-2021,2023") == (2019, 2020, 2021, 2023)
    stop = threading.Event()
    stop.set()  # serve once through: start, print, stop
    args = argparse.Namespace(seed=4, agencies_per_family=1, years=(2021,), write_sources=str(tmp_path / "s.yaml"),
                              no_faults=True, no_doc=True)
    assert serve(args, stop) == 0
    out = capsys.readouterr().out
    assert "6 replica portals, 6 reports" in out and out.count("http://127.0.0.") == 6
    assert (tmp_path / "s.yaml").read_text("utf-8").count("family:") == 6
    args.families, args.write_sources = "vsb,gkmlpt", None
    assert serve(args, stop) == 0
    assert "2 replica portals" in capsys.readouterr().out
    args.families = "vsb,nope"
    assert serve(args, stop) == 2
    assert "unknown families ['nope']" in capsys.readouterr().err


def test_bad_requests_get_clear_errors_not_crashes(world):
    import http.client
    import json

    by_family = {p.family: p for p in world.portals}
    gk = by_family["gkmlpt"]
    api = gk.start_urls[0].split("/gkmlpt/")[0] + "/gkmlpt" + "/api/all"
    assert get(f"{api}/abc?page=1&sid={gk.params['sid']}")[0] == 400
    assert get(f"{api}/1?page=1&sid={gk.params['sid']}")[0] == 404
    assert get(f"{api}/0?page=x&sid={gk.params['sid']}")[0] == 400
    js = by_family["json_api"]
    api = js.params["url_template"].split("?")[0]
    status, _, body = get(f"{js.base_url}{api}?channel=nope&p=1")
    assert status == 404 and json.loads(body)["code"] == 404
    assert get(js.base_url + js.params["url_template"].replace("{page}", "x"))[0] == 400
    assert get(f"{by_family['trs_wcm'].base_url}/no/such/page.html")[0] == 404
    host = urlsplit(js.base_url).netloc
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.putrequest("POST", "/api/xxgk/list")
    conn.putheader("Content-Length", "abc")
    conn.endheaders()
    assert conn.getresponse().status == 400
    conn.close()
    assert get(js.start_urls[0])[0] == 200  # still serving


def test_render_workers_and_prerender_give_the_same_bytes():
    def first_report(world):
        site = world.sites[0]
        return site, next(it for it in site.items if it.kind == "report")

    kwargs = {"seed": 8, "agencies_per_family": 1, "families": ("generic",), "years": (2021,), "allow_doc": False}
    with ReplicaWorld(render_workers=1, **kwargs) as pooled:
        assert pooled.prerender() == sum(len(r.attachments) + (r.fmt == "html") for r in pooled.reports())
        site, item = first_report(pooled)
        fmt = "pdf" if item.fmt == "html" else item.fmt
        pooled_bytes = pooled.report_bytes(site, item, fmt)
    time.sleep(1.1)  # a second later: no write time may leak into the bytes
    plain = ReplicaWorld(**kwargs)
    assert plain.report_bytes(*first_report(plain), fmt) == pooled_bytes
    assert plain.report_bytes(*first_report(plain), "docx") != plain.report_bytes(*first_report(plain), "pdf")


def test_url_roles_head_requests_and_request_log(world):
    hanweb = world.portals[0]
    report = next(r for r in world.reports() if r.attachments)
    assert world.url_role(report.attachments[0][0]) == "attachment"
    assert world.url_role(hanweb.base_url + "/robots.txt") == "robots"
    assert world.url_role(hanweb.base_url + "/module/web/jpage/dataproxy.jsp?startrecord=1") == "listing"
    assert world.url_role(hanweb.base_url + "/nowhere.html") == "other"
    assert world.url_role("http://127.0.0.1:9/") == "other"
    assert get(report.page_url)[0] == 200  # any first-request 500 is spent here
    start = len(world.request_log)
    req = urllib.request.Request(report.page_url, method="HEAD")
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200 and resp.read() == b"" and int(resp.headers["Content-Length"]) > 1000
    p = hanweb.params
    form = f"columnid={p['columnid']}&unitid={p['unitid']}&webid={p['webid']}".encode()
    post = urllib.request.Request(hanweb.base_url + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3&perpage=3",
                                  data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(post, timeout=30) as resp:
        assert resp.read().count(b"<record>") == 3
    log = world.request_log[start:]
    assert log[0] == ("HEAD", report.page_url, 200)
    assert log[-1] == ("POST", hanweb.base_url + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3&perpage=3", 200)
