"""The real site in Debian's headless Chromium (DevTools protocol): the search box, a report page,
the archived copy, a dashboard's charts (pixels, offline), the .db download, hostile text."""

from __future__ import annotations

import hashlib
import io
import json

from PIL import Image


def rgb_pixels(img: Image.Image) -> list[tuple[int, int, int]]:
    data = img.tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]


def fetch_sha256(page, url: str) -> list:
    """[status, content-type, sha256 hex] of a URL fetched by the page itself."""
    return page.js(
        f"fetch({json.dumps(url)}).then(async r => {{"
        " const buf = await r.arrayBuffer();"
        " const d = await crypto.subtle.digest('SHA-256', buf);"
        " return [r.status, r.headers.get('content-type'),"
        " Array.from(new Uint8Array(d)).map(b => b.toString(16).padStart(2, '0')).join('')]; })"
    )


def test_search_box_finds_exactly_the_reports_with_fuyi(site, archive, page):
    page.goto(f"{site}/archive/reports")
    page.js("document.querySelector('input[name=_search]').value = '复议';"
            "document.querySelector('input[name=_search]').form.submit()")
    page.wait_event("Page.loadEventFired")
    assert "_search=" in page.js("location.search")
    ids = page.js("Array.from(document.querySelectorAll('table.rows-and-columns tbody td.col-id'))"
                  ".map(td => parseInt(td.innerText, 10))")
    assert set(ids) == archive.with_fuyi
    assert len(ids) == len(archive.with_fuyi)
    assert page.js("document.querySelector('input[name=_search]').value") == "复议"  # not the rewritten query


def test_report_page_tables_original_and_archived_copy(site, archive, page):
    rid = next(r for r, c in archive.captures.items() if c["content_type"].startswith("text/html"))
    page.goto(f"{site}/archive/reports/{rid}")
    tables = page.js("Array.from(document.querySelectorAll('table.xxgk-form')).map(t => t.dataset.table)")
    assert tables == ["2", "3", "4"]
    # 表三 has a row per result and 7 applicant columns
    # corner + 自然人 + 法人或其他组织 + 总计 on the first header row, the five kinds of organisation below
    assert page.js("document.querySelectorAll('table.xxgk-table-3 thead th').length") == 9
    assert page.js("document.querySelectorAll('table.xxgk-table-3 tbody tr').length") >= 23
    assert page.js("document.querySelectorAll('table.xxgk-table-4 tbody td').length") == 15
    original = page.js("document.querySelector('a.xxgk-original').href")
    assert original.startswith("http://127.0.0.1/syn-") and original.endswith("/report.html")
    archived = page.js("document.querySelector('a.xxgk-archived').getAttribute('href')")
    cap = archive.captures[rid]
    assert archived == f"/-/archived/{cap['id']}"
    status, ctype, digest = fetch_sha256(page, archived + "/raw")
    assert status == 200 and ctype.startswith("text/html")
    assert digest == hashlib.sha256(cap["body"]).hexdigest()
    # Opened, the archived page renders but its portal script does not run (CSP sandbox).
    page.goto(f"{site}{archived}")
    assert page.js("document.title") != "portal-script-ran"
    assert page.js("document.querySelector('h1').innerText").endswith("年度报告")


def test_dashboard_renders_charts_offline(site, archive, page):
    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=1700, deviceScaleFactor=1, mobile=False)
    page.goto(f"{site}/-/dashboards/overview")
    n_charts = page.wait_for(
        "document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= 5"
        " && document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length", timeout=30)
    assert n_charts >= 5
    # the metric cards show the archive's own counts
    assert page.wait_for("document.querySelector('#chart-report-count').innerText.trim()") == str(len(archive.report_ids))
    assert page.wait_for("document.querySelector('#chart-failing-count').innerText.trim()") == str(len(archive.failing_ids))
    png = page.screenshot()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = img.size
    box = page.js("(() => { const r = document.querySelector('.vega-embed').getBoundingClientRect();"
                  " return [r.left, r.top, r.right, r.bottom].map(Math.round); })()")
    chart = img.crop(tuple(box))
    pixels = rgb_pixels(chart)
    colored = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 60)  # bars, lines: not grey/white
    assert colored > 0.05 * len(pixels), (colored, len(pixels))
    non_white = sum(1 for p in rgb_pixels(img) if min(p) < 235)
    assert non_white > 0.05 * w * h
    outside = [u for u in page.requests if not u.startswith(site) and not u.startswith(("data:", "blob:"))]
    assert outside == []  # vega, vega-lite and leaflet are served locally: works offline


def test_database_download_in_browser(site, archive, page):
    page.goto(f"{site}/archive")
    link = page.js("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))"
                   ".find(h => h && h.endsWith('.db'))")
    assert link == "/archive.db"
    status, _, digest = fetch_sha256(page, link)
    assert status == 200
    assert digest == hashlib.sha256(archive.db_path.read_bytes()).hexdigest()


def test_hostile_report_is_shown_as_text(site, archive, page):
    page.goto(f"{site}/archive/reports/{archive.hostile_id}")
    dialogs = [e for e in page.events if e.get("method") == "Page.javascriptDialogOpening"]
    assert dialogs == []
    assert page.js("document.title") != "pwned"
    assert page.js("document.querySelector('h2.xxgk-title').innerText").startswith('<script>alert("xss-title")')
    assert page.js("document.querySelectorAll('section.xxgk-report img, section.xxgk-report script').length") == 0
