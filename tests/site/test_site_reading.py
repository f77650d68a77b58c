"""What a journalist sees in Chromium: dashboards whose figures follow the filters visit after visit,
the reading search page (snippets, relevance, facets, OR and phrases, table labels), Chinese-first
labels, bilingual error pages, and a 400-px phone. Figures are checked against SQL on the archive file;
screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from pathlib import Path

import synthetic_archive
from test_site_http import text_truth

from archive.search import query_to_fts

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(ARTIFACTS / f"{name}.png")


def sql(db_path: Path, query: str, params=()) -> list:
    with sqlite3.connect(f"file:{db_path}?immutable=1", uri=True) as conn:
        return conn.execute(query, params).fetchall()


def truth(db_path: Path, word: str) -> set[int]:
    return text_truth(db_path, word) | synthetic_archive.label_truth(db_path, word)


def metric(page, chart: str) -> str:
    return page.wait_for(f"(() => {{ const e = document.querySelector('#chart-{chart} .metric, #chart-{chart}');"
                         " const t = e && e.innerText.trim(); return t && !/loading/i.test(t) && t; })()")


def test_dashboard_filters_hold_visit_after_visit(site, archive, page):
    db = archive.db_path
    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=1700, deviceScaleFactor=1, mobile=False)

    def expected(level):
        where = "coalesce(is_latest, 1) = 1" + (" and level = ?" if level else "")
        args = [level] if level else []
        reports = sql(db, f"select count(*) from report_summary where {where}", args)[0][0]
        late = sql(db, f"select count(*) from report_summary s where {where} and exists (select 1 from report_issues i"
                       " where i.report_id = s.report_id and i.rule = 'deadline')", args)[0][0]  # fmt: skip
        failing = sql(db, f"select count(*) from report_summary where {where} and error_count > 0", args)[0][0]
        return str(reports), str(late), str(failing)

    levels = [r[0] for r in sql(db, "select level from report_summary group by level order by count(*) desc")]
    assert len(levels) >= 2
    # filtered first (used to be ignored), then unfiltered (used to show 0 / "null 件"), then another filter
    for level in (levels[0], None, levels[1], None):
        page.goto(f"{site}/-/dashboards/overview" + (f"?level={level}" if level else ""))
        want = expected(level)
        got = tuple(page.wait_for(f"(() => {{ const t = document.querySelector('#chart-{c}').innerText.trim();"
                                  f" return t === {json.dumps(w)} && t; }})()", timeout=20) and w
                    for c, w in zip(("report-count", "late-count", "failing-count"), want, strict=True))
        assert got == want, (level, got, want)
        total = page.wait_for("(() => { const t = document.querySelector('#chart-applications-total').innerText;"
                              " return /[0-9]/.test(t) && t; })()", timeout=20)
        assert "null" not in total
        where = "coalesce(is_latest, 1) = 1" + (" and level = ?" if level else "")
        apps = sql(db, f"select sum(applications_new) from report_summary where {where}", [level] if level else [])[0][0]
        assert total.replace(",", "").split()[0] == str(apps), (total, apps)
        # every chart's data request carries the filter into its SQL
        data = [urllib.parse.parse_qs(urllib.parse.urlsplit(u).query) for u in page.requests if "/archive.json?sql=" in u]
        assert len(data) == 10
        for q in data:
            if level:
                assert q["level"] == [level] and "level = :level" in q["sql"][0], q
            else:
                assert ":level" not in q["sql"][0], q
        if level == levels[0]:
            page.wait_for("document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= 5")
            shot(page, "dashboard-filtered")


def result_ids(page) -> list[int]:
    return page.js("Array.from(document.querySelectorAll('li.xxgk-result')).map(li => +li.dataset.reportId)")


def shown_total(page) -> int:
    return int(page.js("document.querySelector('.xxgk-hits').innerText").replace(",", ""))


def test_search_page_from_the_home_page(site, archive, page):
    db = archive.db_path
    page.goto(f"{site}/")
    page.js("const i = document.querySelector('form.xxgk-search-form input[name=q]'); i.value = '收费'; i.form.submit()")
    page.wait_event("Page.loadEventFired")
    assert page.js("location.pathname") == "/-/search"
    fees = truth(db, "收费")
    only_labels = fees - text_truth(db, "收费")
    assert fees and only_labels  # some reports are found by their table labels alone
    assert shown_total(page) == len(fees)
    ids = result_ids(page)
    assert len(ids) == min(20, len(fees)) and set(ids) <= fees
    # most relevant first: FTS5 bm25, not id order
    ranked = [r[0] for r in sql(db, "select rowid from report_search where report_search match ? order by rank limit 20",
                                 [query_to_fts("收费")])]  # fmt: skip
    assert ids == ranked
    # each result: title, agency, year, region, template (Chinese first), and a highlighted snippet
    first = page.js("(() => { const li = document.querySelector('li.xxgk-result'); return {"
                    " title: li.querySelector('.xxgk-result-title').innerText,"
                    " agency: li.querySelector('.xxgk-result-agency').innerText,"
                    " year: li.querySelector('.xxgk-result-year').innerText,"
                    " region: li.querySelector('.xxgk-result-region').innerText,"
                    " template: li.querySelector('.xxgk-result-template').innerText}; })()")
    row = sql(db, "select r.title, s.agency, s.year, s.region, s.template from report_summary s join reports r"
                  " on r.id = s.report_id where s.report_id = ?", [ids[0]])[0]  # fmt: skip
    assert first["title"] == row[0] and first["agency"] == row[1] and first["year"] == f"{row[2]} 年度"
    assert first["region"] == row[3] and first["template"].endswith(row[4]) and "版表格" in first["template"]
    marks = page.js("Array.from(document.querySelectorAll('li.xxgk-result')).map(li =>"
                    " Array.from(li.querySelectorAll('.xxgk-snippet mark')).map(m => m.innerText))")
    assert all(m and set(m) == {"收费"} for m in marks), marks
    label_hit = next((i for i in ids if i in only_labels), None)
    if label_hit is not None:
        where = page.js(f"document.querySelector('li[data-report-id=\"{label_hit}\"] .xxgk-snippet').innerText")
        assert where.startswith("表格") and "收费" in where
    # facets count the hits, Chinese first
    by_level = dict(sql(db, f"select level, count(*) from report_summary where report_id in ({','.join(map(str, fees))})"
                            " group by level"))  # fmt: skip
    shown = page.js("Object.fromEntries(Array.from(document.querySelectorAll('#xxgk-facet-level li a')).map(a =>"
                    " [a.dataset.value, +a.parentElement.querySelector('.count').innerText.replace(/,/g, '')]))")
    assert shown == by_level
    assert "县级" in page.js("document.querySelector('#xxgk-facet-level').innerText")
    for col in ("year", "region", "template"):
        assert page.js(f"document.querySelectorAll('#xxgk-facet-{col} li').length") >= 1
    shot(page, "search-fees")
    # a facet narrows the results
    page.js("document.querySelector('#xxgk-facet-level a[data-value=county]').click()")
    page.wait_event("Page.loadEventFired")
    assert shown_total(page) == by_level["county"]
    assert "county" in page.js("location.search")


def test_search_or_phrase_and_empty(site, archive, page):
    db = archive.db_path
    page.goto(f"{site}/-/search?q={urllib.parse.quote('复议 OR 收费')}")
    assert shown_total(page) == len(truth(db, "复议") | truth(db, "收费"))
    page.goto(f"{site}/-/search?q={urllib.parse.quote('复议 收费')}")
    assert shown_total(page) == len(truth(db, "复议") & truth(db, "收费"))
    page.goto(f"{site}/-/search?q={urllib.parse.quote('“依申请 公开工作流程”')}")
    assert shown_total(page) == len(truth(db, "依申请公开工作流程")) > 0
    page.goto(f"{site}/-/search?q=")
    assert shown_total(page) == len(archive.report_ids)
    assert result_ids(page) == sorted(archive.report_ids, reverse=True)[:20]
    assert "0 rows" not in page.js("document.body.innerText")
    # the table search box speaks the same syntax
    page.goto(f"{site}/archive/reports?_search={urllib.parse.quote('复议 OR 收费')}&_col=id&_size=max")
    ids = page.js("Array.from(document.querySelectorAll('td.col-id')).map(td => +td.innerText)")
    assert set(ids) == truth(db, "复议") | truth(db, "收费")


def test_chinese_first_labels_and_error_pages(site, archive, page):
    page.goto(f"{site}/archive/report_summary?_facet=level")
    headers = page.js("Array.from(document.querySelectorAll('table.rows-and-columns th')).map(th => th.innerText)")
    assert any(h.startswith("机关") and "agency" in h for h in headers), headers
    assert any(h.startswith("层级") and "level" in h for h in headers), headers
    levels = page.js("Array.from(document.querySelectorAll('#facet-level li')).map(li => li.innerText)")
    assert any(v.startswith("县级 county") for v in levels), levels
    cells = page.js("Array.from(document.querySelectorAll('td.col-level')).map(td => td.innerText)")
    assert cells and all(c.split()[0] in ("县级", "地市级", "省级") for c in cells), cells
    # every column description is shown in full (no scroll box cutting them off)
    box = page.js("(() => { const d = document.querySelector('dl.column-descriptions');"
                  " return [d.scrollHeight, d.clientHeight]; })()")
    assert box[0] <= box[1] + 1, box

    page.goto(f"{site}/no/such/page")
    text = page.js("document.body.innerText")
    assert "404 找不到该页面 · Page not found" in text
    links = page.js("Array.from(document.querySelectorAll('.xxgk-error-nav a')).map(a => a.getAttribute('href'))")
    assert {"/", "/-/search", "/-/dashboards"} <= set(links)
    for bad in ("/archive/reports?_sort=nope", "/archive/report_summary?_sort_desc=nope", "/archive/reports?nope=1"):
        status = page.js(f"fetch({json.dumps(bad)}).then(r => r.status)")
        assert status == 400, bad
    page.goto(f"{site}/archive/reports?_sort=nope")
    assert "400 请求有误 · Bad request" in page.js("document.body.innerText")
    shot(page, "error-400")


def test_phone_width_keeps_row_labels_and_fits_queries(site, archive, page):
    page.call("Emulation.setDeviceMetricsOverride", width=400, height=800, deviceScaleFactor=1, mobile=True)
    rid = archive.report_ids[0]
    page.goto(f"{site}/archive/reports/{rid}")
    wrap = "document.querySelector('table.xxgk-table-3').closest('.xxgk-table-wrap')"
    assert page.js(f"{wrap}.scrollWidth > {wrap}.clientWidth")  # the table is wider than the phone
    page.js(f"{wrap}.scrollIntoView(); {wrap}.scrollLeft = 400")
    assert page.js(f"{wrap}.scrollLeft") > 100
    # the row label is still where the reader looks, beside the numbers
    left, wrap_left = page.js(f"[document.querySelector('table.xxgk-table-3 tbody th').getBoundingClientRect().left,"
                              f" {wrap}.getBoundingClientRect().left]")  # fmt: skip
    assert abs(left - wrap_left) < 2, (left, wrap_left)
    shot(page, "phone-report-table")
    for path in ("/archive/late_reports", "/archive/failing_checks?rule=", "/-/search?q=%E5%A4%8D%E8%AE%AE"):
        page.goto(f"{site}{path}")
        width = page.js("document.documentElement.scrollWidth")
        assert width <= 402, (path, width)
    shot(page, "phone-search")
