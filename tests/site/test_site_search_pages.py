"""Search result pages: the hit count comes from the FTS table (no join), exact up to a cap; above the
cap the count says so and the facets (each a join over every hit) are skipped until a filter narrows
the search. Run against the real site: once as configured, once with the cap lowered to 5."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from cdp import free_port

from archive.search import query_to_fts

ROOT = Path(__file__).resolve().parents[2]


def html(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        assert resp.status == 200
        return resp.read().decode("utf-8")


def hits_shown(page: str) -> str:
    m = re.search(r'<p class="search-hits"><strong>([0-9,+]+)</strong>', page)
    assert m, page[:2000]
    return m.group(1)


@pytest.fixture(scope="module")
def capped_site(archive):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xxgk.serve", "--data", str(archive.db_path.parent), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "XXGK_SEARCH_COUNT_CAP": "5"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            html(base + "/-/versions.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("capped site did not start") from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(15)


def q(word: str) -> str:
    return urllib.parse.quote(word)


@pytest.mark.parametrize("table", ["reports", "report_summary"])
def test_search_page_shows_the_exact_hit_count_and_facets(site, archive, table):
    page = html(f"{site}/archive/{table}?_search={q('复议')}")
    assert hits_shown(page) == f"{len(archive.with_fuyi):,}"
    assert 'id="facet-year"' in page and 'id="facet-template"' in page
    # the search box still shows what the reader typed, and the rows are the matching reports
    assert 'value="复议"' in page


def test_search_with_no_hits_shows_zero(site):
    assert hits_shown(html(f"{site}/archive/reports?_search={q('不存在的词语')}")) == "0"


def test_above_the_cap_the_count_says_more_and_facets_are_skipped(capped_site, archive):
    assert len(archive.with_fuyi) > 5
    page = html(f"{capped_site}/archive/report_summary?_search={q('复议')}")
    assert hits_shown(page) == "5+"
    assert 'id="facet-year"' not in page and "at most 5" in page
    # the first page of rows is still there, newest first
    ids = [int(x) for x in re.findall(r'<td class="col-report_id type-pk"><a href="/archive/report_summary/(\d+)"', page)]
    assert ids == sorted((i for i in archive.with_fuyi), reverse=True)[: len(ids)] and len(ids) > 5


def test_filters_narrow_the_count_and_facets_follow_how_common_the_word_is(site, capped_site, archive):
    in_2021 = {i for i in archive.with_fuyi if (i - 1) % 5 == 2}  # reports cycle through 2019..2023
    page = html(f"{site}/archive/report_summary?_search={q('复议')}&year=2021")
    assert hits_shown(page) == f"{len(in_2021):,}" and 'id="facet-region"' in page
    # the first agency's five reports, those with 复议: an exact count below the cap, but the word itself is
    # in more than 5 reports, so every facet would join all of them: no facets
    first = {i for i in archive.with_fuyi if i <= 5}
    page = html(f"{capped_site}/archive/report_summary?_search={q('复议')}&agency_id=syn-000000")
    assert hits_shown(page) == f"{len(first)}" and 'id="facet-year"' not in page and "at most 5" in page
    # Datasette's filter syntax is understood (year > 2019 leaves 4 of every 5 reports: above the cap)
    page = html(f"{capped_site}/archive/report_summary?_search={q('复议')}&year__gt=2019")
    assert hits_shown(page) == "5+" and 'id="facet-year"' not in page
    # a word in at most 5 reports keeps its facets, filtered too
    name = archive.agencies["syn-000001"]["name"]
    page = html(f"{capped_site}/archive/report_summary?_search={q(name)}&year__gt=2020")
    assert hits_shown(page) == "3" and 'id="facet-year"' in page


def test_a_filter_on_a_missing_column_is_a_bad_request(site):
    # SQLite would read an unknown "quoted" name as a string and match nothing: the reader is told instead
    with pytest.raises(urllib.error.HTTPError) as err:
        html(f"{site}/archive/report_summary?_search={q('复议')}&no_such_column=1")
    assert err.value.code == 400
    assert "没有这一列：no_such_column" in err.value.read().decode("utf-8")


def test_below_the_cap_a_small_search_keeps_facets(capped_site, archive):
    page = html(f"{capped_site}/archive/reports?_search={q(archive.agencies['syn-000000']['name'])}")
    assert hits_shown(page) == "5"  # one agency, one report per year
    assert 'id="facet-year"' in page


@pytest.mark.parametrize("text", ["！！", '"', "*", "——", "复议" * 200, "zq OR qz NEAR(", "x' or '1'='1"])
def test_odd_search_text_gives_a_page_not_an_error(site, text):
    # nothing searchable, FTS syntax typed as text, or 400 复议 in a row (in no report): zero, not an error
    assert hits_shown(html(f"{site}/archive/reports?_search={q(text)}")) == "0"


def test_next_page_of_a_search_keeps_the_count(site, archive):
    url = f"{site}/archive/reports?_search={q('复议')}&_size=5"
    first = html(url)
    nxt = re.search(r'href="([^"]*_next=[^"]*)"', first)
    assert nxt, "no next link"
    second_url = urllib.parse.urljoin(url, nxt.group(1).replace("&amp;", "&"))
    second = html(second_url)
    assert hits_shown(second) == f"{len(archive.with_fuyi):,}"
    ids = [int(x) for x in re.findall(r'<a href="/archive/reports/(\d+)">\d+</a>', second)]
    assert ids and set(ids) <= archive.with_fuyi and max(ids) < max(archive.with_fuyi)


def json_rows(url: str) -> list[dict]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def newest_hits(db_path: Path, table: str, pk: str, word: str, where: str, size: int) -> list[int]:
    """Datasette's own SQL shape for the first page (every hit listed, then the newest taken), run directly."""
    sql = (f"select {pk} from {table} where {where} and {pk} in (select rowid from report_search "
           f"where report_search match ?) order by {pk} desc limit {size}")  # fmt: skip
    with sqlite3.connect(db_path) as conn:
        return [r[0] for r in conn.execute(sql, [query_to_fts(word)])]


@pytest.mark.parametrize("word", ["复议", "依申请公开工作流程", "收费"])
@pytest.mark.parametrize(
    ("table", "pk", "params", "where"),
    [("reports", "id", {}, "1"),
     ("report_summary", "report_id", {"year": "2021"}, "year = 2021"),
     ("report_summary", "report_id", {"level": "county", "template": "2021"}, "level = 'county' and template = '2021'"),
     # a _where keeps Datasette's SQL, unparenthesised OR and all (the rewrite takes only filter-form clauses)
     ("reports", "id", {"_where": "year = 2020 or year = 2021"}, "year = 2020 or year = 2021")],
)  # fmt: skip
def test_first_page_rows_walked_newest_hit_first_are_datasettes_rows(site, archive, word, table, pk, params, where):
    # _size=3: fewer rows than hits, so the walk stops early and must stop at the same rows
    qs = urllib.parse.urlencode({"_search": word, **params, "_size": 3, "_shape": "array", "_col": pk})
    got = [r[pk] for r in json_rows(f"{site}/archive/{table}.json?{qs}")]
    want = newest_hits(archive.db_path, table, pk, word, where, 3)
    assert got == want and want, (got, want)
    # the HTML page lists the same reports, newest first
    page = html(f"{site}/archive/{table}?{urllib.parse.urlencode({'_search': word, **params, '_size': 3})}")
    assert [int(x) for x in re.findall(rf'<a href="/archive/{table}/(\d+)">\d+</a>', page)] == want


def test_filtered_hit_count_walked_from_the_hits_is_the_sql_count(site, archive):
    with sqlite3.connect(archive.db_path) as conn:
        want = conn.execute("select count(*) from report_summary where year = 2021 and report_id in "
                            "(select rowid from report_search where report_search match ?)",
                            [query_to_fts("复议")]).fetchone()[0]  # fmt: skip
    assert want > 0
    assert hits_shown(html(f"{site}/archive/report_summary?_search={q('复议')}&year=2021")) == f"{want:,}"
