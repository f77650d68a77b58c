"""Build an archive from captures of rendered generated reports, written through the real CaptureStore.

Every value must equal the generator's truth, every injected inconsistency must be an issue, the
cross-year and deadline findings must match what the generator's values imply, and builds must be
incremental (twice changes nothing), rebuildable (same rows) and versioned (a changed report links
to the old one).
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from archive import findings
from archive.build import build
from archive.schema import connect
from crawler.store import CaptureStore
from replica.render import render
from replica.reports import generate

HOST = "http://127.0.0.10:8000"
SOURCES = [
    {"id": "zj-hz-gov", "agency": "杭州市人民政府", "region": "浙江省杭州市", "region_code": "330100",
     "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/gov/"]},
    {"id": "zj-hz-czj", "agency": "杭州市财政局", "region": "浙江省杭州市", "region_code": "330100",
     "level": "prefecture", "family": "hanweb_jcms", "start_urls": [f"{HOST}/czj/"]},
    {"id": "zj-platform", "agency": "浙江省人民政府", "region": "浙江省", "region_code": "330000",
     "level": "province", "family": "gkmlpt", "start_urls": [f"{HOST}/zj/"]},
]  # fmt: skip
# (source, year, format, injected inconsistencies); a department report published late
PLAN = [
    ("zj-hz-gov", 2020, "html", 1), ("zj-hz-gov", 2021, "docx", 0), ("zj-hz-gov", 2022, "html", 2),
    ("zj-hz-czj", 2020, "docx", 0), ("zj-hz-czj", 2021, "html", 1), ("zj-hz-czj", 2022, "pdf", 0),
]  # fmt: skip
LATE = ("zj-hz-czj", 2021)
CT = {"html": "text/html", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "pdf": "application/pdf"}  # fmt: skip
HUGE = 200_000


def spec_for(source, year, n_bad, seed=0):
    s = next(x for x in SOURCES if x["id"] == source)
    spec = generate(seed * 1000 + year + len(source), "2019" if year < 2021 else "2021", agency=s["agency"],
                    region=s["region"], year=year, inconsistencies=n_bad)  # fmt: skip
    if (source, year) == LATE:
        spec.published = dt.date(year + 1, 3, 2)
    return spec


def link_page(title, href, name):
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<p>附件：<a href='{href}'>{name}</a></p></body></html>").encode()  # fmt: skip


def write_report(store, run, source, year, fmt, spec, url=None, body=None):
    """One report as a crawler captures it: the page, and for a file format its attachment (``body``
    instead of a fresh rendering, for a recrawl of unchanged bytes)."""
    page = url or f"{HOST}/{source}/{year}/t{year}_1.html"
    if fmt == "html":
        store.write_exchange(run_id=run, url=page, status=200, response_headers=[("Content-Type", CT["html"])],
                             body=render(spec, "html"), role="report", source_id=source, title=spec.title)  # fmt: skip
    else:
        att = page.replace(".html", f".{fmt}")
        name = f"{spec.year}年政府信息公开工作年度报告.{fmt}"
        store.write_exchange(run_id=run, url=page, status=200, response_headers=[("Content-Type", CT["html"])],
                             body=link_page(spec.title, att, name), role="report", source_id=source, title=spec.title)  # fmt: skip
        store.write_exchange(run_id=run, url=att, status=200, response_headers=[("Content-Type", CT[fmt])],
                             body=body or render(spec, fmt), role="attachment", source_id=source, parent_url=page,
                             filename=name)  # fmt: skip
    return page


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    store = CaptureStore(data)
    store.save_sources(SOURCES)
    store.start_run("r1", [s["id"] for s in SOURCES])
    specs = {}
    for source, year, fmt, bad in PLAN:
        spec = spec_for(source, year, bad)
        specs[write_report(store, "r1", source, year, fmt, spec)] = spec
    # the city government's 2021 report, the same file, also on the provincial platform
    twin = spec_for("zj-hz-gov", 2021, 0)
    mirror = write_report(store, "r1", "zj-platform", 2021, "docx", twin, url=f"{HOST}/zj/art/2022/1.html")
    specs[mirror] = twin
    # hostile text: markup in a section of an HTML page, and a huge section in a DOCX
    hostile = spec_for("zj-platform", 2019, 0)
    hostile.sections["overview"] = "<script>alert('x')</script><b>粗体</b>" + "公开" * 500
    hostile_url = write_report(store, "r1", "zj-platform", 2019, "html", hostile)
    specs[hostile_url] = hostile
    huge = spec_for("zj-platform", 2022, 0)
    huge.sections["overview"] = "<script>alert('x')</script>" + "公开" * (HUGE // 2)
    huge_url = write_report(store, "r1", "zj-platform", 2022, "docx", huge)
    specs[huge_url] = huge
    # an unreadable attachment under a page without tables
    broken = f"{HOST}/zj-platform/2020/broken.html"
    store.write_exchange(run_id="r1", url=broken, status=200, response_headers=[("Content-Type", CT["html"])],
                         body=link_page("坏文件2020年报告", "b.pdf", "b.pdf"), role="report", source_id="zj-platform")  # fmt: skip
    store.write_exchange(run_id="r1", url=broken.replace(".html", ".pdf"), status=200, body=b"%PDF-1.4 truncated \x00\xff",
                         response_headers=[("Content-Type", "application/pdf")], role="attachment",
                         source_id="zj-platform", parent_url=broken, filename="b.pdf")  # fmt: skip
    store.finish_run("r1", "finished")
    store.close()
    stats = build(data, workers=2, progress=False)
    return {"data": data, "specs": specs, "stats": stats, "mirror": mirror, "hostile": hostile_url, "huge": huge_url, "broken": broken}


def rows(db, sql, params=()):
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def dump(path, skip_cols=()):
    """Every row of every table (FTS content through its virtual table), in rowid order."""
    db = connect(path)
    out = {}
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
    for t in sorted(names):
        if t.startswith("report_search_"):
            continue
        cols = [c for c in rows(db, f"SELECT * FROM [{t}] LIMIT 0") or [] if c not in skip_cols]
        cur = db.execute(f"SELECT * FROM [{t}] ORDER BY rowid")
        names_ = [d[0] for d in cur.description]
        out[t] = [tuple(v for n, v in zip(names_, r, strict=True) if n not in skip_cols) for r in cur.fetchall()]
        del cols
    out["report_search"] = db.execute("SELECT rowid, * FROM report_search ORDER BY rowid").fetchall()
    db.conn.close()
    return out


def test_every_value_equals_the_generator_truth(world):
    db = connect(world["data"] / "archive.db")
    for url, spec in world["specs"].items():
        (rep,) = rows(db, "SELECT * FROM reports WHERE url = ?", [url])
        assert rep["parse_status"] == "ok" and rep["template"] == spec.template and rep["year"] == spec.year
        assert rep["title"] == spec.title and rep["published"] == spec.published.isoformat()
        got = {r["key"]: r for r in rows(db, "SELECT * FROM report_values WHERE report_id = ?", [rep["id"]])}
        assert set(got) == set(spec.values)
        for key, truth in spec.values.items():
            v = got[key]["value"]
            assert (v is None) if truth is None else Decimal(str(v)) == Decimal(truth), (url, key, v, truth)
            assert got[key]["raw"] == spec.raw.get(key, got[key]["raw"])
        assert rep["value_count"] == len(spec.values)


def test_every_injected_inconsistency_is_an_issue(world):
    db = connect(world["data"] / "archive.db")
    injected = 0
    for url, spec in world["specs"].items():
        rid = db.execute("SELECT id FROM reports WHERE url = ?", [url]).fetchone()[0]
        rules = {r[0] for r in db.execute("SELECT rule FROM report_issues WHERE report_id = ? AND origin = 'parse'", [rid])}
        assert spec.expected_issues <= rules, url
        table_rules = {r for r in rules if r.split(".")[0] in ("requests", "appeals", "proactive", "legacy")}
        assert table_rules == spec.expected_issues
        injected += len(spec.expected_issues)
    assert injected >= 4


def test_attachment_carries_the_tables_and_the_page_stays_traceable(world):
    db = connect(world["data"] / "archive.db")
    docx = [u for u, s in world["specs"].items() if "/2021/" in u and "zj-hz-gov" in u][0]
    (rep,) = rows(db, "SELECT * FROM reports WHERE url = ?", [docx])
    assert rep["format"] == "docx" and rep["capture_id"] != rep["page_capture_id"]
    docs = rows(db, "SELECT * FROM report_documents WHERE report_id = ? ORDER BY capture_id", [rep["id"]])
    assert [(d["role"], d["is_primary"], d["parse_status"]) for d in docs] == [("page", 0, "no_tables"), ("attachment", 1, "ok")]
    cap = rows(db, "SELECT * FROM captures WHERE id = ?", [rep["capture_id"]])[0]
    assert cap["sha256"] == rep["sha256"] and cap["role"] == "attachment"


def test_unreadable_capture_is_a_recorded_failure(world):
    db = connect(world["data"] / "archive.db")
    (rep,) = rows(db, "SELECT * FROM reports WHERE url = ?", [world["broken"]])
    assert rep["parse_status"] == "no_tables" and rep["year"] == 2020
    docs = rows(db, "SELECT * FROM report_documents WHERE report_id = ? AND role = 'attachment'", [rep["id"]])
    assert docs[0]["parse_status"] == "failed" and docs[0]["error"]
    assert world["stats"]["failed_documents"] == 1


def test_hostile_text_is_stored_as_text(world):
    db = connect(world["data"] / "archive.db")
    (rep,) = rows(db, "SELECT overview FROM reports WHERE url = ?", [world["hostile"]])
    assert rep["overview"] == "<script>alert('x')</script><b>粗体</b>" + "公开" * 500
    (rep,) = rows(db, "SELECT id, overview FROM reports WHERE url = ?", [world["huge"]])
    assert rep["overview"].startswith("<script>alert('x')</script>公开公开") and len(rep["overview"]) >= HUGE
    body = db.execute("SELECT body FROM report_search WHERE rowid = ?", [rep["id"]]).fetchone()[0]
    assert body.count("公开") >= HUGE // 2  # the whole section is searchable, not a prefix


def test_cross_year_carry_findings_match_the_generated_values(world):
    db = connect(world["data"] / "archive.db")
    agency_year = {u: tuple(db.execute("SELECT agency_id, year FROM reports WHERE url = ?", [u]).fetchone())
                   for u in world["specs"]}  # fmt: skip
    by_key = {agency_year[u]: (u, s) for u, s in world["specs"].items()}
    expected, got = set(), set()
    for (agency, year), (url, spec) in by_key.items():
        prev = by_key.get((agency, year - 1))
        rid = db.execute("SELECT id FROM reports WHERE url = ?", [url]).fetchone()[0]
        got |= {(url, r[0]) for r in db.execute(
            "SELECT rule FROM report_issues WHERE report_id = ? AND rule LIKE 'cross_year.carry.%'", [rid])}  # fmt: skip
        if prev is None:
            continue
        for a in findings.APPLICANTS:
            this, last = spec.values.get(f"requests.carried_over.{a}"), prev[1].values.get(f"requests.carried_forward.{a}")
            if this is not None and last is not None and this != last:
                expected.add((url, f"cross_year.carry.{a}"))
    assert got == expected and expected  # the generator draws each year independently: some must differ


def test_deadline_and_duplicate_findings(world):
    db = connect(world["data"] / "archive.db")
    late = rows(db, "SELECT r.url, r.year, i.origin, i.left_value, i.right_value FROM report_issues i "
                    "JOIN reports r ON r.id = i.report_id WHERE i.rule = 'deadline'")  # fmt: skip
    # one finding on the late department report, from the parser or else from the archive
    assert [(x["url"].split("/")[3], x["year"]) for x in late] == [LATE]
    assert all((x["left_value"], x["right_value"]) == (20220302, 20220131) for x in late if x["origin"] == "archive")
    dup = rows(db, "SELECT r.url, i.other_report_id FROM report_issues i JOIN reports r ON r.id = i.report_id "
                   "WHERE i.rule = 'duplicate.other_source' ORDER BY r.id")  # fmt: skip
    assert len(dup) == 2 and world["mirror"] in {d["url"] for d in dup}


def test_summary_has_one_row_per_report(world):
    db = connect(world["data"] / "archive.db")
    n = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert n == len(world["specs"]) + 1
    for url, spec in world["specs"].items():
        (s,) = rows(db, "SELECT * FROM report_summary WHERE url = ?", [url])
        v = spec.values
        if v.get("requests.granted.total") is not None:
            assert s["granted"] == v["requests.granted.total"]
        if None not in (v.get("appeals.review.total"),):
            assert s["reviews_total"] == v["appeals.review.total"]
        assert s["region_code"] in ("330100", "330000") and s["year"] == spec.year


def test_build_twice_changes_nothing(world):
    path = world["data"] / "archive.db"
    before = dump(path)
    stats = build(world["data"], workers=2, progress=False)
    assert stats.get("parsed_documents", 0) == 0 and stats.get("new_reports", 0) == 0
    assert dump(path) == before


def test_rebuild_gives_the_same_rows(world, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(world["data"], data)
    before = dump(data / "archive.db", skip_cols=("parsed_at",))
    stats = build(data, rebuild=True, workers=2, progress=False)
    assert stats["updated_reports"] == len(world["specs"]) + 1 and stats.get("new_reports", 0) == 0
    after = dump(data / "archive.db", skip_cols=("parsed_at",))
    # rows are rewritten, so rowids of tables without a primary key move: compare as sets of rows
    assert {t: sorted(map(repr, r)) for t, r in after.items()} == {t: sorted(map(repr, r)) for t, r in before.items()}


def test_changed_report_is_a_new_version_and_revisits_are_not_reparsed(world, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(world["data"], data)
    store = CaptureStore(data)
    renamed = [dict(s, agency="杭州市财政局（更名）") if s["id"] == "zj-hz-czj" else s for s in SOURCES]
    store.save_sources(renamed)
    store.start_run("r2", [s["id"] for s in SOURCES])
    changed = spec_for("zj-hz-gov", 2022, 0, seed=9)
    url = write_report(store, "r2", "zj-hz-gov", 2022, "html", changed)
    old_att = store.latest_ok(f"{HOST}/zj-hz-czj/2020/t2020_1.docx")
    same = write_report(store, "r2", "zj-hz-czj", 2020, "docx", spec_for("zj-hz-czj", 2020, 0),
                        body=store.read_payload(old_att))  # unchanged bytes: WARC revisits  # fmt: skip
    store.finish_run("r2", "finished")
    store.close()
    stats = build(data, workers=2, progress=False)
    assert stats["parsed_documents"] == 1 and stats["new_reports"] == 1 and stats["linked_instances"] == 1
    db = connect(data / "archive.db")
    versions = rows(db, "SELECT * FROM reports WHERE url = ? ORDER BY id", [url])
    assert len(versions) == 2
    old, new = versions
    assert new["previous_version_id"] == old["id"] and (old["is_latest"], new["is_latest"]) == (0, 1)
    assert db.execute("SELECT count(*) FROM report_values WHERE report_id = ?", [old["id"]]).fetchone()[0] == old["value_count"]
    got = dict(db.execute("SELECT key, value FROM report_values WHERE report_id = ?", [new["id"]]).fetchall())
    assert all((got[k] is None) if v is None else Decimal(str(got[k])) == v for k, v in changed.values.items())
    (dept,) = rows(db, "SELECT * FROM reports WHERE url = ?", [same])
    assert db.execute("SELECT count(*) FROM report_documents WHERE report_id = ?", [dept["id"]]).fetchone()[0] == 4
    # the agency was renamed in the registry: same id, new name, its reports still attached
    assert rows(db, "SELECT name FROM agencies WHERE id = 'zj-hz-czj'")[0]["name"] == "杭州市财政局（更名）"
    assert db.execute("SELECT count(*) FROM reports WHERE agency_id = 'zj-hz-czj'").fetchone()[0] == 3


def test_build_without_a_capture_store_is_a_clear_error(tmp_path, capsys):
    from xxgk.cli import main

    assert main(["build", "--data", str(tmp_path / "nowhere"), "--quiet"]) == 2
    assert "captures.db missing" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()  # nothing created where nothing was
