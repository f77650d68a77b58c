"""The archive built from a real crawl of the replica portals (every CMS family), as an operator runs it:
`xxgk crawl` then `xxgk build`. Every value equals the generator's truth, every injected inconsistency
is an issue; a report changed on its portal becomes a new version linked to the old one."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from end_to_end import run_xxgk

from archive.schema import connect
from archive.search import labels_of, search
from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]
YEARS = (2020, 2021)


xxgk = partial(run_xxgk, timeout=600)


def rows(db, sql, params=()):
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replica")
    data, sources = tmp / "data", tmp / "sources.yaml"
    with ReplicaWorld(seed=11, agencies_per_family=1, years=YEARS, allow_doc=False) as world:
        world.write_sources(sources)
        xxgk("crawl", "--sources", str(sources), "--data", str(data), "--fast", "--run-id", "r1", "--progress-every", "60")
        first = json.loads(xxgk("build", "--data", str(data), "--workers", "2", "--quiet").stdout)
        reports = world.reports()
        changed = world.change_report(reports[0].page_url)
        xxgk("crawl", "--sources", str(sources), "--data", str(data), "--fast", "--run-id", "r2", "--progress-every", "60")
        second = json.loads(xxgk("build", "--data", str(data), "--workers", "2", "--quiet").stdout)
        third = json.loads(xxgk("build", "--data", str(data), "--workers", "2", "--quiet").stdout)
    return {"data": data, "reports": reports, "changed": changed, "first": first, "second": second, "third": third}


def test_every_value_equals_the_truth_and_every_inconsistency_is_found(built):
    db = connect(built["data"] / "archive.db")
    assert len(built["reports"]) == 6 * len(YEARS)
    # the crawler's completeness is tested with the crawler; here: every report it captured
    captured = {r[0] for r in db.execute("SELECT url FROM captures WHERE role = 'report' AND status = 200")}
    checked = [rep for rep in built["reports"][1:] if rep.page_url in captured]  # [0] changed later: see below
    assert len(checked) >= len(built["reports"]) - 3
    formats, injected = set(), 0
    for rep in checked:
        (row,) = rows(db, "SELECT * FROM reports WHERE url = ?", [rep.page_url])
        assert row["parse_status"] == "ok" and row["year"] == rep.year, rep.page_url
        formats.add(row["format"])
        got = dict(db.execute("SELECT key, value FROM report_values WHERE report_id = ?", [row["id"]]).fetchall())
        assert set(got) == set(rep.spec.values), rep.page_url
        for key, truth in rep.spec.values.items():
            assert (got[key] is None) if truth is None else Decimal(str(got[key])) == truth, (rep.page_url, key)
        rules = {r[0] for r in db.execute("SELECT rule FROM report_issues WHERE report_id = ?", [row["id"]])}
        assert rep.spec.expected_issues <= rules, rep.page_url
        injected += len(rep.spec.expected_issues)
        summary = rows(db, "SELECT * FROM report_summary WHERE report_id = ?", [row["id"]])[0]
        assert summary["region_code"] == rep.spec.region_code or summary["region_code"]
    assert injected > 0 and "html" in formats and len(formats) >= 2


def test_changed_report_is_a_new_version(built):
    db = connect(built["data"] / "archive.db")
    url = built["reports"][0].page_url
    versions = rows(db, "SELECT * FROM reports WHERE url = ? ORDER BY id", [url])
    assert len(versions) == 2
    old, new = versions
    assert new["previous_version_id"] == old["id"] and old["is_latest"] == 0 and new["is_latest"] == 1
    got = dict(db.execute("SELECT key, value FROM report_values WHERE report_id = ?", [new["id"]]).fetchall())
    truth = built["changed"].spec.values
    assert set(got) == set(truth)
    assert all((got[k] is None) if v is None else Decimal(str(got[k])) == v for k, v in truth.items())
    assert built["second"]["new_reports"] == 1
    assert built["third"].get("parsed_documents", 0) == 0 and built["third"].get("new_reports", 0) == 0


def test_search_finds_what_like_finds_in_the_crawled_archive(built):
    db = connect(built["data"] / "archive.db")
    cols = ("title", "agency_name", "overview", "proactive_text", "requests_text", "appeals_text", "problems_text", "other_text")
    labels = labels_of(db, [r[0] for r in db.execute("SELECT id FROM reports")])
    hits = 0
    for q in ("复议", "收费", "信息处理费", "政府信息公开", "行政诉讼", "结转"):
        where = " OR ".join(f"coalesce({c}, '') LIKE ?" for c in cols)
        like = {r[0] for r in db.execute(f"SELECT id FROM reports WHERE {where}", [f"%{q}%"] * len(cols))}
        # table labels with a non-zero figure are searchable too (收费 finds the reports that charge fees)
        like |= {rid for rid, text in labels.items() if q in text}
        assert search(db, q) == sorted(like), q
        hits += bool(like)
    assert hits >= 4
