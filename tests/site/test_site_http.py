"""HTTP-level tests of the published site: search, canned queries, facets, exports, archived
copies, escaping of hostile report text, and that nothing can write."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import synthetic_archive
import yaml

ROOT = Path(__file__).resolve().parents[2]
METADATA = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text("utf-8"))


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get_json(url: str):
    status, _, body = get(url)
    assert status == 200, body[:500]
    return json.loads(body)


def rows(site: str, path: str, **params) -> list[dict]:
    qs = urllib.parse.urlencode({**params, "_shape": "array", "_size": "max"})
    return get_json(f"{site}{path}.json?{qs}")


def like_truth(db_path: Path, word: str) -> set[int]:
    """Reports whose text contains word, or with a non-zero table cell labelled with it."""
    return text_truth(db_path, word) | synthetic_archive.label_truth(db_path, word)


def text_truth(db_path: Path, word: str) -> set[int]:
    cols = "title || ' ' || agency_name || ' ' || " + " || ' ' || ".join(
        f"coalesce({c}, '')" for c in ("overview", "proactive_text", "requests_text", "appeals_text",
                                       "problems_text", "other_text"))  # fmt: skip
    with sqlite3.connect(db_path) as conn:
        return {r[0] for r in conn.execute(f"select id from reports where {cols} like ?", [f"%{word}%"])}


def search_ids(site: str, q: str) -> set[int]:
    return {r["id"] for r in rows(site, "/archive/reports", _search=q, _col="id")}


def test_search_finds_two_character_word_exactly(site, archive):
    found = search_ids(site, "复议")
    assert found == archive.with_fuyi
    assert found == like_truth(archive.db_path, "复议")
    assert 0 < len(found) < len(archive.report_ids)  # the word is in some reports, not all


def test_search_longer_words_and_phrases_match_like(site, archive):
    for word in ("收费", "行政复议", "依申请公开", "政务公开工作领导小组", "数字孪生"):
        assert search_ids(site, word) == like_truth(archive.db_path, word), word
    # two terms are ANDed
    assert search_ids(site, "复议 收费") == like_truth(archive.db_path, "复议") & like_truth(archive.db_path, "收费")


def test_search_without_searchable_characters_shows_nothing_not_an_error(site):
    for q in ("！！", '"', "*", "——"):
        assert search_ids(site, q) == set(), q


def test_canned_applications_by_region_and_year(site, archive):
    got = rows(site, "/archive/applications_by_region_year", year="")
    with sqlite3.connect(archive.db_path) as conn:
        want = conn.execute("select sum(applications_new), count(*) from report_summary").fetchone()
        per = conn.execute("select region_code, year, sum(applications_new) from report_summary"
                           " where year = 2021 group by 1, 2").fetchall()  # fmt: skip
    assert sum(r["applications_new"] for r in got) == want[0]
    assert sum(r["reports"] for r in got) == want[1] == len(archive.report_ids)
    only_2021 = rows(site, "/archive/applications_by_region_year", year="2021")
    assert {(r["region_code"], r["year"], r["applications_new"]) for r in only_2021} == set(per)


def test_canned_failing_checks_lists_exactly_the_reports_with_errors(site, archive):
    got = rows(site, "/archive/failing_checks", rule="")
    assert {r["report_id"] for r in got} == archive.failing_ids
    assert all(r["difference"] == r["left_value"] - r["right_value"] != 0 for r in got)
    assert rows(site, "/archive/failing_checks", rule="appeals.") == []


def test_canned_late_reports(site, archive):
    got = rows(site, "/archive/late_reports")
    assert {r["report_id"] for r in got} == archive.late_ids
    assert archive.late_ids  # the fixture has late reports to find


class CellTexts(HTMLParser):
    """(css class, text) of every body cell of a page's rows-and-columns table, row by row."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self.cell: list | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag == "td":
            self.cell = [dict(attrs).get("class", ""), ""]

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append((self.cell[0], self.cell[1].strip()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def test_canned_list_html_cells_are_the_json_rows(site, archive):
    # templates/query.html writes the rows in Python (xxgk_rows): every value in its column's cell, escaped
    for path, params in (("/archive/late_reports", {}), ("/archive/failing_checks", {"rule": ""})):
        want = rows(site, path, **params)
        status, _, body = get(f"{site}{path}?{urllib.parse.urlencode(params)}")
        assert status == 200
        parser = CellTexts()
        parser.feed(body.decode("utf-8"))
        assert len(parser.rows) == len(want) > 0
        for row, cells in zip(want, parser.rows, strict=True):
            assert [c for c, _ in cells] == [f"col-{k}" for k in row]
            for (_, text), (column, value) in zip(cells, row.items(), strict=True):
                if value in (None, ""):
                    assert text == "", (column, text)
                elif column in ("rule", "kind"):  # Chinese label first, the stored value beside it
                    assert text.endswith(value) and text != value, (column, text)
                elif column != "url":  # a URL is a link showing the URL, truncated past 160 characters
                    assert text == str(value), (column, text, value)


def test_canned_agency_history_by_id_and_by_name(site, archive):
    agency = archive.agencies["syn-000001"]
    by_id = rows(site, "/archive/agency_history", agency="syn-000001")
    assert [r["year"] for r in by_id] == [2019, 2020, 2021, 2022, 2023]
    assert rows(site, "/archive/agency_history", agency=agency["name"]) == by_id


def test_canned_corrected_most_ranks_by_corrected_outcomes(site, archive):
    got = rows(site, "/archive/corrected_most", min_cases="")
    with sqlite3.connect(archive.db_path) as conn:
        best = conn.execute("select agency_id, sum(reviews_corrected) + sum(lawsuits_corrected) as c"
                            " from report_summary group by agency_id order by c desc limit 1").fetchone()  # fmt: skip
    assert got[0]["corrected"] == best[1]
    assert [r["corrected"] for r in got] == sorted((r["corrected"] for r in got), reverse=True)
    # the minimum number of cases is a number, not text compared with numbers
    with sqlite3.connect(archive.db_path) as conn:
        cases = dict(conn.execute(
            "select agency_id, coalesce(sum(reviews_total), 0) + coalesce(sum(lawsuits_total), 0)"
            " from report_summary group by agency_id"))  # fmt: skip
    top = max(cases.values())
    want = {a for a, n in cases.items() if n >= top}
    got5 = rows(site, "/archive/corrected_most", min_cases=str(top))
    assert {r["agency_id"] for r in got5} == want and 0 < len(want) < len(cases)


def test_facets_on_year_region_template_level(site, archive):
    data = get_json(f"{site}/archive/report_summary.json?_size=0")
    facets = data["facet_results"]
    assert set(facets) >= {"year", "region", "template", "level"}
    years = {f["value"]: f["count"] for f in facets["year"]["results"]}
    assert years == {y: len(archive.report_ids) // 5 for y in (2019, 2020, 2021, 2022, 2023)}
    assert sum(f["count"] for f in facets["template"]["results"]) == len(archive.report_ids)


def test_database_download_and_csv_json_exports(site, archive):
    status, headers, body = get(f"{site}/archive.db")
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(archive.db_path.read_bytes()).hexdigest()
    status, _, csv_body = get(f"{site}/archive/report_summary.csv?_size=max")
    assert status == 200
    assert len(csv_body.decode("utf-8").strip().splitlines()) == len(archive.report_ids) + 1
    assert len(rows(site, "/archive/reports", _col="id")) == len(archive.report_ids)


def test_archived_copy_serves_the_captured_bytes(site, archive):
    html_rid = next(r for r, c in archive.captures.items() if c["content_type"].startswith("text/html"))
    pdf_rid = next(r for r, c in archive.captures.items() if c["content_type"] == "application/pdf")
    cap = archive.captures[html_rid]
    status, headers, body = get(f"{site}/-/archived/{cap['id']}/raw")
    assert status == 200 and body == cap["body"]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "sandbox" in headers["content-security-policy"]  # portal scripts must not run on our origin
    cap = archive.captures[pdf_rid]
    status, headers, body = get(f"{site}/-/archived/{cap['id']}/raw")
    assert status == 200 and body == cap["body"] and body.startswith(b"%PDF")
    assert headers["content-type"] == "application/pdf"
    status, _, body = get(f"{site}/-/archived/987654")
    assert status == 404 and b"not found" in body


def test_report_page_shows_three_tables_and_links(site, archive):
    rid = next(r for r, c in archive.captures.items() if c["content_type"] == "application/pdf")
    status, _, body = get(f"{site}/archive/reports/{rid}")
    html = body.decode("utf-8")
    assert status == 200
    for t in ("2", "3", "4"):
        assert f'data-table="{t}"' in html
    assert f'href="/-/archived/{archive.captures[rid]["id"]}"' in html
    with sqlite3.connect(archive.db_path) as conn:
        url, granted_raw = conn.execute(
            "select r.url, v.raw from reports r join report_values v on v.report_id = r.id"
            " where r.id = ? and v.key = 'requests.granted.total'", [rid]).fetchone()  # fmt: skip
    assert f'href="{url}"' in html
    assert f'title="requests.granted.total = {granted_raw} 件' in html


def test_hostile_report_text_is_escaped(site, archive):
    status, _, body = get(f"{site}/archive/reports/{archive.hostile_id}")
    html = body.decode("utf-8")
    assert status == 200
    assert "<script>alert(" not in html and "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(&#34;xss-title&#34;)&lt;/script&gt;" in html or \
        "&lt;script&gt;alert(&quot;xss-title&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    # the search results table escapes it too
    status, _, body = get(f"{site}/archive/reports?_search=" + urllib.parse.quote("恶意机关"))
    assert status == 200 and b"<script>alert(" not in body and b"&lt;script&gt;" in body


def test_no_writes_through_the_site(site, archive):
    before = hashlib.sha256(archive.db_path.read_bytes()).hexdigest()
    for sql in ("delete from reports", "update reports set title = 'x'", "insert into keys (key) values ('x')",
                "drop table reports"):
        status, _, body = get(f"{site}/archive.json?" + urllib.parse.urlencode({"sql": sql}))
        assert status == 400, (sql, body[:200])
    req = urllib.request.Request(f"{site}/archive/reports", data=b"title=x", method="POST")
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("POST accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 405
    assert hashlib.sha256(archive.db_path.read_bytes()).hexdigest() == before
    assert not any(q.get("write") for q in METADATA["databases"]["archive"]["queries"].values())
    plugins = {p["name"] for p in get_json(f"{site}/-/plugins.json")}
    assert not {p for p in plugins if "write" in p or "insert" in p or "upload" in p or "edit" in p}
    assert get_json(f"{site}/-/databases.json")[0]["is_mutable"] is False


def test_every_table_and_column_is_described(archive):
    tables = METADATA["databases"]["archive"]["tables"]
    undocumented = []
    with sqlite3.connect(archive.db_path) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'"
                                            " and name not like 'sqlite_%' and name not like 'report_search%'")]  # fmt: skip
        for t in names:
            described = (tables.get(t) or {}).get("columns") or {}
            if not (tables.get(t) or {}).get("description"):
                undocumented.append(t)
            undocumented += [f"{t}.{c[1]}" for c in conn.execute(f"pragma table_info([{t}])") if c[1] not in described]
    assert undocumented == []
    assert "政府信息公开" in METADATA["title"] and "Annual Reports" in METADATA["title"]
    assert METADATA["license"] and METADATA["source"]


def test_serve_names_the_database_archive_and_refuses_a_missing_file(tmp_path):
    from xxgk.serve import DATABASE_NAME, datasette_args, resolve_db

    other = tmp_path / "snapshot-2024.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    db, tmp = resolve_db(tmp_path, other)
    try:
        assert db.name == f"{DATABASE_NAME}.db" and db.resolve() == other.resolve()
        args = datasette_args(db, "127.0.0.1", 9999)
        assert args[args.index("-i") + 1] == str(db)  # immutable: Datasette never writes to it
    finally:
        tmp.cleanup()
    try:
        resolve_db(tmp_path / "nothing-here", None)
        raise AssertionError("a missing archive was accepted")
    except FileNotFoundError as exc:
        assert "xxgk build" in str(exc)


def test_report_summary_search_box_finds_the_same_reports(site, archive):
    got = {r["report_id"] for r in rows(site, "/archive/report_summary", _search="复议", _col="report_id")}
    assert got == archive.with_fuyi


def test_whole_table_facets_read_from_agg_facets_are_the_group_by_counts(site, archive):
    # xxgk_facet_counts answers the unfiltered facets from agg_facets: same values, counts and order
    facets = METADATA["databases"]["archive"]["tables"]
    with sqlite3.connect(archive.db_path) as conn:
        held = {tuple(r) for r in conn.execute("select distinct tbl, col from agg_facets")}
        for table in ("reports", "report_summary"):
            got = get_json(f"{site}/archive/{table}.json?_size=1")["facet_results"]
            assert list(got) == facets[table]["facets"]
            for col in facets[table]["facets"]:
                assert (table, col) in held
                want = conn.execute(f"select [{col}], count(*) from [{table}] where [{col}] is not null "
                                    f"group by [{col}] order by count(*) desc, [{col}] limit 30").fetchall()  # fmt: skip
                assert [(v["value"], v["count"]) for v in got[col]["results"]] == [tuple(r) for r in want] != []
    # a filtered page still counts what the filter keeps
    got = get_json(f"{site}/archive/report_summary.json?_size=1&year=2021")["facet_results"]["level"]["results"]
    with sqlite3.connect(archive.db_path) as conn:
        want = dict(conn.execute("select level, count(*) from report_summary where year = 2021 group by level"))
    assert {v["value"]: v["count"] for v in got} == want
