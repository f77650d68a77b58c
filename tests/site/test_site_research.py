"""The research pages in headless Chromium on an archive built the real way (research_world): agency
lookup by partial name, the agency page's figures and chart against SQL, comparison and rankings, the
archived copy's banner, links and file names, CSV with a BOM, XLSX opened with openpyxl, the report as
its printed form, and the report page's legend and highlighted cells. Screenshots go to
tests/artifacts/research/ (git-ignored; XXGK_SCREENSHOTS overrides)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import research_world
from cdp import free_port

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("XXGK_SCREENSHOTS") or ROOT / "tests" / "artifacts" / "research")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return research_world.build(tmp_path_factory.mktemp("research"))


@pytest.fixture(scope="module")
def site(world):
    port = free_port()
    log = world.data / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "xxgk.serve", "--data", str(world.data), "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("site did not start:\n" + log.read_text(errors="replace")[-3000:]) from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(15)


def sql(world, query: str, params=()) -> list[tuple]:
    with sqlite3.connect(world.db) as conn:
        return conn.execute(query, params).fetchall()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(SHOTS / f"{name}.png")


def shown(value) -> str:
    """A figure as the pages print it: thousands separators, — for blank."""
    if value is None:
        return "—"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def texts(page, selector: str) -> list[str]:
    return page.js(f"Array.from(document.querySelectorAll({json.dumps(selector)})).map(e => e.innerText.trim())")


def fetch_in_page(page, url: str) -> dict:
    """Status, headers and body (first bytes as hex, sha256) of a URL fetched by the page itself."""
    return page.js(
        f"fetch({json.dumps(url)}).then(async r => {{ const buf = await r.arrayBuffer();"
        " const d = await crypto.subtle.digest('SHA-256', buf); const head = new Uint8Array(buf.slice(0, 3));"
        " return {status: r.status, disposition: r.headers.get('content-disposition'),"
        " type: r.headers.get('content-type'), head: Array.from(head).map(b => b.toString(16).padStart(2, '0')).join(''),"
        " sha: Array.from(new Uint8Array(d)).map(b => b.toString(16).padStart(2, '0')).join('')}; })"
    )


def utf8_filename(disposition: str) -> str:
    star = [p.strip() for p in disposition.split(";") if p.strip().startswith("filename*=")]
    assert star, disposition
    charset, _, encoded = star[0].split("=", 1)[1].partition("''")
    assert charset.upper() == "UTF-8"
    return urllib.parse.unquote(encoded)


def test_agency_lookup_tolerates_partial_names(site, world, page):
    page.goto(f"{site}/")
    page.js("location.href = document.querySelector('a[href=\"/agency\"]').href")
    page.wait_event("Page.loadEventFired")
    page.js("document.querySelector('#agency-q').value = '统计局'; document.querySelector('#agency-q').form.submit()")
    page.wait_event("Page.loadEventFired")
    names = texts(page, "table.xxgk-agencies a.xxgk-agency-link")
    truth = {n for (n,) in sql(world, "select name from agencies where name like '%统计局%'")}
    assert set(names) == truth and len(names) == 3
    assert "找到 3 个机关" in page.js("document.querySelector('.xxgk-found').innerText")
    shot(page, "agency-lookup")
    # the characters in order: 杭州统计局 finds 杭州市统计局 and nothing else
    page.goto(f"{site}/agency?q=" + urllib.parse.quote("杭州统计局"))
    assert texts(page, "table.xxgk-agencies a.xxgk-agency-link") == ["杭州市统计局"]
    page.goto(f"{site}/agency?q=" + urllib.parse.quote("教育局"))
    assert texts(page, "table.xxgk-agencies a") == []
    assert "没有找到" in page.js("document.querySelector('.xxgk-found').innerText")


def test_agency_page_figures_chart_findings_and_peers(site, world, page):
    page.goto(f"{site}/agency/zj-hz-tjj")
    assert page.js("document.querySelector('h1.xxgk-agency-name').innerText") == "杭州市统计局"
    cols = page.js("Array.from(document.querySelectorAll('table.xxgk-years thead th[data-col]')).map(t => t.dataset.col)")
    truth = sql(world, f"select report_id, year, {', '.join(cols)} from report_summary where agency_id = 'zj-hz-tjj'"
                       " order by year")  # fmt: skip
    assert [r[1] for r in truth] == [2020, 2021, 2022]
    shown_rows = page.js("Array.from(document.querySelectorAll('table.xxgk-years tbody tr')).map(tr => ["
                         "parseInt(tr.dataset.report), parseInt(tr.dataset.year),"
                         " ...Array.from(tr.querySelectorAll('td[data-col]')).map(td => td.innerText.trim())])")  # fmt: skip
    assert shown_rows == [[rid, year, *(shown(v) for v in values)] for rid, year, *values in truth]
    assert sum(1 for r in truth for v in r[2:] if v not in (None, 0)) > 10  # real figures, not zeros
    # each report links to its report page
    hrefs = page.js("Array.from(document.querySelectorAll('a.xxgk-report-link')).map(a => a.getAttribute('href'))")
    assert hrefs == [f"/archive/reports/{r[0]}" for r in truth]
    # the trend chart: one point per year and figure, at the value of the table
    new_idx = cols.index("applications_new")
    points = page.js("Array.from(document.querySelectorAll('svg.xxgk-trend g[data-series=applications_new] circle'))"
                     ".map(c => [parseInt(c.dataset.year), parseFloat(c.dataset.value)])")  # fmt: skip
    assert points == [[r[1], float(r[2 + new_idx])] for r in truth]
    ys = page.js("Array.from(document.querySelectorAll('svg.xxgk-trend g[data-series=applications_new] circle'))"
                 ".map(c => parseFloat(c.getAttribute('cy')))")  # fmt: skip
    values = [r[2 + new_idx] for r in truth]
    assert sorted(range(3), key=lambda i: ys[i]) == sorted(range(3), key=lambda i: -values[i])  # higher = up
    assert page.js("document.querySelector('svg.xxgk-trend').getBoundingClientRect().height") > 100
    # findings: every issue of its reports
    n_issues = sql(world, "select count(*) from report_issues i join report_summary s on s.report_id = i.report_id"
                          " where s.agency_id = 'zj-hz-tjj'")[0][0]  # fmt: skip
    assert n_issues > 0
    assert len(texts(page, "ul.xxgk-findings li")) == n_issues
    assert any("deadline" in t for t in texts(page, "ul.xxgk-findings li"))  # 2022 published 10 March: late
    # peers: same level and region, not itself
    peers = {n for (n,) in sql(world, "select name from agencies where level = 'prefecture' and region_code = '330100'"
                                      " and id != 'zj-hz-tjj'")}  # fmt: skip
    assert set(texts(page, "table.xxgk-peers tbody tr td:first-child a")) == peers == {"杭州市司法局", "杭州市财政局"}
    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=1600, deviceScaleFactor=1, mobile=False)
    shot(page, "agency-page")


def test_comparison_and_rankings_link_to_reports(site, world, page):
    page.goto(f"{site}/compare?agency=zj-hz-tjj&agency=zj-nb-tjj&region=330100")
    heads = texts(page, "table.xxgk-compare th.xxgk-entity a")
    assert heads == ["杭州市统计局", "宁波市统计局", "浙江省杭州市"]
    cells = page.js("Object.fromEntries(Array.from(document.querySelectorAll('table.xxgk-compare tbody tr')).map(tr =>"
                    " [tr.dataset.year, Array.from(tr.querySelectorAll('td[data-col]')).map(td => td.innerText.trim())]))")
    for year in (2020, 2021, 2022):
        hz = sql(world, "select applications_new from report_summary where agency_id = 'zj-hz-tjj' and year = ?", [year])
        nb = sql(world, "select applications_new from report_summary where agency_id = 'zj-nb-tjj' and year = ?", [year])
        region = sql(world, "select sum(applications_new) from report_summary where region_code = '330100' and year = ?",
                     [year])[0][0]  # fmt: skip
        assert cells[str(year)] == [shown(hz[0][0]) if hz else "无报告", shown(nb[0][0]) if nb else "无报告",
                                    shown(region)], year  # fmt: skip
    assert page.js("document.querySelectorAll('svg.xxgk-trend g.xxgk-series').length") == 3
    shot(page, "compare")
    # a compared cell opens its report
    link = page.js("document.querySelector('tr[data-year=\"2021\"] td[data-entity=\"zj-hz-tjj\"] a').getAttribute('href')")
    rid = sql(world, "select report_id from report_summary where agency_id = 'zj-hz-tjj' and year = 2021")[0][0]
    assert link == f"/archive/reports/{rid}"

    page.goto(f"{site}/rankings?year=2022")
    ids = page.js("Object.fromEntries(['most-applications', 'most-corrected', 'latest-publishers'].map(s =>"
                  " [s, Array.from(document.querySelectorAll('#' + s + ' li[data-report]')).map(li => parseInt(li.dataset.report))]))")
    most = [r for (r,) in sql(world, "select report_id from report_summary where year = 2022 and applications_new is not null"
                                     " order by applications_new desc, report_id")]  # fmt: skip
    corrected = [r for (r,) in sql(world, "select report_id from report_summary where year = 2022 and"
                                          " coalesce(reviews_corrected, 0) + coalesce(lawsuits_corrected, 0) > 0 order by"
                                          " coalesce(reviews_corrected, 0) + coalesce(lawsuits_corrected, 0) desc, report_id")]  # fmt: skip
    latest = [r for (r,) in sql(world, "select report_id from report_summary where year = 2022 order by published desc, report_id")]
    assert ids == {"most-applications": most, "most-corrected": corrected, "latest-publishers": latest}
    assert len(corrected) >= 3 and len(set(most)) == 5
    first_late = page.js("document.querySelector('#latest-publishers li').innerText")
    assert "杭州市统计局" in first_late and "2023-03-10" in first_late and "逾期 38 天" in first_late  # deadline 31 Jan
    hrefs = page.js("Array.from(document.querySelectorAll('#most-applications li > a:first-child')).map(a => a.getAttribute('href'))")
    assert hrefs == [f"/archive/reports/{r}" for r in most]
    shot(page, "rankings")


def test_archived_copy_banner_links_and_utf8_file_names(site, world, page):
    page.goto(f"{site}/-/archived/{world.listing_capture_id}")
    (url, fetched_at, sha, warc), = sql(world, "select url, fetched_at, sha256, warc_file from captures where id = ?",
                                        [world.listing_capture_id])  # fmt: skip
    banner = page.js("document.querySelector('#xxgk-archive-banner').innerText")
    for fact in (url, fetched_at, sha, warc, "存档副本"):
        assert fact in banner, fact
    assert page.js("document.querySelector('#xxgk-archive-banner').getBoundingClientRect().height") > 40
    # the page is sandboxed (opaque origin, no fetch): the raw bytes are checked from here
    raw = urllib.request.urlopen(f"{site}/-/archived/{world.listing_capture_id}/raw", timeout=30).read()
    assert hashlib.sha256(raw).hexdigest() == sha  # the bytes the banner vouches for
    target = world.reports[("zj-hz-tjj", 2020)]
    assert page.js("document.querySelector('#captured').getAttribute('href')") == f"/-/archived/{target['capture_id']}"
    for disabled in ("#uncaptured", "#offsite"):
        assert page.js(f"document.querySelector('{disabled}').hasAttribute('href')") is False
    assert world.uncaptured_url in page.js("document.querySelector('#uncaptured').title")
    shot(page, "archived-listing")
    page.js("document.querySelector('#captured').click()")
    page.wait_event("Page.loadEventFired")
    assert page.js("location.pathname") == f"/-/archived/{target['capture_id']}"
    assert target["url"] in page.js("document.querySelector('#xxgk-archive-banner').innerText")
    assert page.js("document.querySelector('h1').innerText").endswith("年度报告")  # the page itself below the banner
    # PDF (inline) and DOCX (download) keep their Chinese names; the bytes are the captured ones
    for year, disposition in ((2021, "inline"), (2022, "attachment")):
        rep = world.reports[("zj-hz-tjj", year)]
        page.goto(f"{site}/-/archived/{rep['capture_id']}")
        assert rep["filename"] in page.js("document.querySelector('#xxgk-archive-banner').innerText")
        got = fetch_in_page(page, page.js("document.querySelector('a.xxgk-download').getAttribute('href')"))
        assert got["status"] == 200 and got["sha"] == hashlib.sha256(rep["body"]).hexdigest()
        assert got["disposition"].startswith(disposition)
        assert utf8_filename(got["disposition"]) == rep["filename"] == f"杭州市统计局{year}年政府信息公开工作年度报告.{rep['format']}"
    shot(page, "archived-docx")


def test_downloads_csv_bom_xlsx_form_and_dictionary(site, world, page):
    from openpyxl import load_workbook

    page.goto(f"{site}/archive/report_summary")
    links = page.js("Object.fromEntries(Array.from(document.querySelectorAll('.export-links a')).map(a => [a.innerText, a.getAttribute('href')]))")
    csv_dl = fetch_in_page(page, links["CSV"])
    assert csv_dl["status"] == 200 and csv_dl["head"] == "efbbbf"  # UTF-8 BOM: Excel/WPS read it as UTF-8
    assert fetch_in_page(page, "/archive/report_summary.csv?_bom=0")["head"] != "efbbbf"
    streamed = fetch_in_page(page, "/archive/report_values.csv?_stream=1&_size=max")
    assert streamed["head"] == "efbbbf"
    # XLSX of the table: every row, values equal to SQL
    assert links["xlsx"].startswith("/archive/report_summary.xlsx")
    body = urllib.request.urlopen(site + links["xlsx"], timeout=30).read()
    ws = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    with sqlite3.connect(world.db) as conn:
        cur = conn.execute("select * from report_summary order by report_id desc")
        want = [[d[0] for d in cur.description]] + [list(r) for r in cur.fetchall()]
    assert got[0] == want[0]
    assert len(got) == len(want) == 9
    for g, w in zip(got[1:], want[1:], strict=True):
        g = g + [None] * (len(w) - len(g))  # a blank cell at the end of a row is not stored
        assert g == w
    # XLSX of a canned query and of a filtered table over more than one page (report_values: 1,000+ rows)
    body = urllib.request.urlopen(f"{site}/archive/agency_history.xlsx?agency=zj-hz-tjj", timeout=30).read()
    rows = list(load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert [r[:2] for r in rows[1:]] == [tuple(r) for r in sql(world, "select year, report_id from report_summary"
                                                                       " where agency_id = 'zj-hz-tjj' order by year")]  # fmt: skip
    n_values = sql(world, "select count(*) from report_values")[0][0]
    assert n_values > 1000
    body = urllib.request.urlopen(f"{site}/archive/report_values.xlsx", timeout=60).read()
    rows = list(load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("report_id", "key") and len(rows) == n_values + 1
    value_col = rows[0].index("value")
    assert sorted((r[0], r[1], r[value_col]) for r in rows[1:]) == sorted(
        sql(world, "select report_id, key, value from report_values"))
    # the per-report CSV laid out like the printed form (table 三: two header rows, label columns)
    rid = sql(world, "select report_id from report_summary where agency_id = 'zj-hz-sfj' and year = 2022")[0][0]
    page.goto(f"{site}/archive/reports/{rid}")
    form = fetch_in_page(page, page.js("document.querySelector('a.xxgk-form-csv').getAttribute('href')"))
    assert form["status"] == 200 and form["head"] == "efbbbf"
    text = urllib.request.urlopen(f"{site}/-/form/{rid}.csv", timeout=30).read().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    start = next(i for i, r in enumerate(lines) if r and r[0].startswith("表三"))
    assert lines[start + 1][3:] == ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]
    assert lines[start + 2][3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    granted = next(r for r in lines[start:] if r[:2] == ["三、本年度办理结果", "（一）予以公开"])
    truth = dict(sql(world, "select key, raw from report_values where report_id = ? and row_key = 'granted'", [rid]))
    assert granted[3:] == [truth[f"requests.granted.{c}"] for c in ("natural_person", "commercial", "research",
                                                                     "public_interest", "legal_services", "other_org", "total")]  # fmt: skip
    # the data dictionary documents every key; its search recipe works on the downloaded .db
    page.goto(f"{site}/-/dictionary")
    assert len(texts(page, "table.xxgk-keys tbody tr")) == sql(world, "select count(*) from keys")[0][0]
    assert "_bom=0" in page.js("document.querySelector('#downloads').nextElementSibling.innerText")
    recipe = page.js("document.querySelector('#search ~ pre').innerText")
    query = recipe.split('"', 1)[1].rsplit('"', 1)[0].replace('\\"', '"')
    found = {r[0] for r in sql(world, query)}
    like = {r for (r,) in sql(world, "select id from reports where coalesce(overview, '') || coalesce(proactive_text, '')"
                                     " || coalesce(requests_text, '') || coalesce(appeals_text, '') || coalesce(problems_text, '')"
                                     " || coalesce(other_text, '') || title || agency_name like '%行政复议%'")}  # fmt: skip
    assert found == like and found
    shot(page, "dictionary")


def test_report_page_header_legend_highlights_and_citation(site, world, page):
    rid = sql(world, "select report_id from report_summary where agency_id = 'zj-hz-czj'")[0][0]
    page.call("Emulation.setDeviceMetricsOverride", width=1400, height=2200, deviceScaleFactor=1, mobile=False)
    page.goto(f"{site}/archive/reports/{rid}")
    header = page.js("Array.from(document.querySelectorAll('table.xxgk-table-3 thead tr')).map(tr =>"
                     " Array.from(tr.children).map(th => [th.innerText.trim(), th.colSpan, th.rowSpan]))")
    assert header == [[["申请人情况 Applicants →", 3, 2], ["自然人", 1, 2], ["法人或其他组织", 5, 1], ["总计", 1, 2]],
                      [["商业企业", 1, 1], ["科研机构", 1, 1], ["社会公益组织", 1, 1], ["法律服务机构", 1, 1], ["其他", 1, 1]]]  # fmt: skip
    # one label layout: every row of 三、本年度办理结果 sits under that heading (one cell spanning them all)
    heading = page.js("Array.from(document.querySelectorAll('table.xxgk-table-3 th.label')).find(th => th.innerText.trim() === '三、本年度办理结果').rowSpan")
    assert heading == sql(world, "select count(distinct row_key) from keys where table_no = '3'"
                                 " and row_key not in ('new_received', 'carried_over', 'carried_forward')")[0][0]  # fmt: skip
    widths = page.js("Array.from(document.querySelectorAll('table.xxgk-table-3 tbody tr')).map(tr =>"
                     " Array.from(tr.children).filter(c => c.tagName === 'TD').length)")
    assert set(widths) == {7}
    # the legend, and the cells behind each failed check highlighted
    assert "勾稽不符的单元格" in page.js("document.querySelector('.xxgk-legend-cells').innerText")
    issues = sql(world, "select rule, key from report_issues where report_id = ? and severity = 'error' order by rule", [rid])
    assert len(issues) == 2
    primary = set(page.js("Array.from(document.querySelectorAll('td.hl-error')).map(td => td.dataset.key)"))
    assert primary == {k for _, k in issues}
    parts = set(page.js("Array.from(document.querySelectorAll('td.hl-part')).map(td => td.dataset.key)"))
    row_total = next(k for r, k in issues if r.startswith("requests.row_total"))
    row = row_total.split(".")[1]
    assert {f"requests.{row}.{c}" for c in ("natural_person", "commercial", "research", "public_interest",
                                            "legal_services", "other_org")} <= parts  # fmt: skip
    colour = page.js("getComputedStyle(document.querySelector('td.hl-error')).backgroundColor")
    assert colour == "rgb(255, 214, 214)"
    marks = page.js("Array.from(document.querySelectorAll('td.hl-error sup.xxgk-mark')).map(s => s.innerText)")
    numbers = texts(page, "ul.xxgk-issues li .xxgk-issue-n")
    assert sorted(marks) == sorted(n for n, li in zip(numbers, texts(page, "ul.xxgk-issues li"), strict=True)
                                   if "错误" in li)  # fmt: skip
    # capture date and hash by the links, and a citation line
    (fetched_at, sha), = sql(world, "select c.fetched_at, c.sha256 from reports r join captures c on c.id = r.capture_id"
                                    " where r.id = ?", [rid])  # fmt: skip
    capture = page.js("document.querySelector('.xxgk-links .xxgk-capture').innerText")
    assert fetched_at in capture and sha[:16] in capture
    assert page.js("document.querySelector('.xxgk-capture .xxgk-sha').title") == sha
    (title, url, published), = sql(world, "select title, url, published from reports where id = ?", [rid])
    cite = page.js("document.querySelector('.xxgk-cite-text').innerText")
    for part in (title, url, published, sha, fetched_at[:10], f"/archive/reports/{rid}"):
        assert part in cite, part
    shot(page, "report-page")
