"""End to end over an agency's series of reports: replica portals (every CMS family, five years per
agency) -> `xxgk crawl` -> `xxgk build`. Every value equals the truth, every report-level injected
inconsistency is an issue, and the archive-level findings are exactly the injected ones: each
injected cross-year break, copied text and late publication is found, and no other cross_year or
copied-text finding appears (the replica's series are otherwise consistent and reworded)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from end_to_end import run_xxgk

from archive.schema import connect
from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]
YEARS = (2018, 2019, 2020, 2021, 2022)  # the legacy form, then the 2019 and 2021 forms
ARCHIVE_RULES = ("cross_year.", "text.copied_from_previous")


xxgk = partial(run_xxgk, timeout=900)


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("series")
    data, sources = tmp / "data", tmp / "sources.yaml"
    # seed 7 injects every kind of archive finding (asserted below); faults off so every report is captured
    with ReplicaWorld(seed=7, agencies_per_family=1, years=YEARS, allow_doc=False, faults=False,
                      render_workers=2) as world:
        world.write_sources(sources)
        xxgk("crawl", "--sources", str(sources), "--data", str(data), "--fast", "--run-id", "r1", "--progress-every", "60")
        stats = json.loads(xxgk("build", "--data", str(data), "--workers", "2", "--quiet").stdout)
        reports = world.reports()
    return {"db": connect(data / "archive.db"), "reports": reports, "stats": stats}


def report_row(db, url):
    rows = db.execute("SELECT id, parse_status, year FROM reports WHERE url = ? AND is_latest = 1", [url]).fetchall()
    assert len(rows) == 1, url
    return rows[0]


def test_every_value_equals_the_truth(series):
    db, reports = series["db"], series["reports"]
    assert len(reports) == 6 * len(YEARS)
    assert series["stats"]["failed_documents"] == 0
    for rep in reports:
        rid, status, year = report_row(db, rep.page_url)
        assert status == "ok" and year == rep.year, rep.page_url
        got = dict(db.execute("SELECT key, value FROM report_values WHERE report_id = ?", [rid]).fetchall())
        assert set(got) == set(rep.spec.values), rep.page_url
        for key, truth in rep.spec.values.items():
            assert (got[key] is None) if truth is None else Decimal(str(got[key])) == truth, (rep.page_url, key)


def test_report_level_injected_issues_are_found(series):
    db, injected = series["db"], 0
    for rep in series["reports"]:
        rid = report_row(db, rep.page_url)[0]
        rules = {r[0] for r in db.execute("SELECT rule FROM report_issues WHERE report_id = ? AND origin = 'parse'", [rid])}
        assert rep.spec.expected_issues <= rules, (rep.page_url, rep.spec.expected_issues - rules)
        injected += len(rep.spec.expected_issues)
    assert injected > 0


def test_archive_findings_are_exactly_the_injected_ones(series):
    db, kinds = series["db"], Counter()
    for rep in series["reports"]:
        rid = report_row(db, rep.page_url)[0]
        rows = db.execute("SELECT rule, origin, other_report_id FROM report_issues WHERE report_id = ?", [rid]).fetchall()
        found = {r[0] for r in rows if r[0].startswith(ARCHIVE_RULES)}
        want = {r for r in rep.expected_archive_issues if r.startswith(ARCHIVE_RULES)}
        assert found == want, (rep.source_id, rep.year, rep.injected, found ^ want)
        # a cross-year or copy finding points at the agency's report of the year before
        for rule, origin, other in rows:
            if rule.startswith(ARCHIVE_RULES):
                assert origin == "archive"
                assert db.execute("SELECT year FROM reports WHERE id = ?", [other]).fetchone()[0] == rep.year - 1
        late = any(r[0] == "deadline" for r in rows)
        assert late == ("deadline" in rep.expected_archive_issues), (rep.source_id, rep.year, rep.published)
        kinds.update({r.rsplit(".", 1)[0] if r.startswith("cross_year") else r for r in rep.expected_archive_issues})
    # the world injects every kind, so each assertion above was exercised on a real finding
    assert kinds["cross_year.carry"] >= 1 and kinds["cross_year.stock"] >= 1
    assert kinds["text.copied_from_previous"] >= 2 and kinds["deadline"] >= 2


def test_consecutive_years_are_linked_with_their_similarity(series):
    db = series["db"]
    sims = {}
    for rep in series["reports"]:
        if rep.year == YEARS[0]:
            continue
        rid = report_row(db, rep.page_url)[0]
        (sim,) = db.execute("SELECT similarity FROM report_links WHERE report_id = ? AND kind = 'previous_year'",
                            [rid]).fetchone()
        sims[(rep.source_id, rep.year)] = (sim, "text.copied_from_previous" in rep.injected)
    copied = [s for s, c in sims.values() if c]
    fresh = [s for s, c in sims.values() if not c]
    assert len(sims) == 6 * (len(YEARS) - 1)
    assert min(copied) >= 0.8 and max(fresh) < 0.7, sims
