"""The plans SQLite picks for the site's facet and canned-list queries: covering (filter, facet) indexes after
a facet click, and late_reports walked newest first. At 100,000 reports the wrong plan costs 50-150 ms a
query (BENCHMARKS.md, Site); here the archive is small but ANALYZE'd, and the plans are the same."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
QUERIES = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text("utf-8"))["databases"]["archive"]["queries"]
FACETS = ("year", "region", "template", "level")
FILTERS = {"region_code": "'330100'", "year": "2021", "level": "'county'", "template": "'2021'", "region": "'北京市'"}


def plan(db_path: Path, sql: str, params=()) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [r[3] for r in conn.execute("explain query plan " + sql, params)]


@pytest.mark.parametrize(("column", "facet"), [(c, f) for c in sorted(FILTERS) for f in FACETS if c != f])
def test_facet_after_a_filter_uses_a_covering_filter_facet_index(archive, column, facet):
    # Datasette 0.65's facet SQL around the table SQL of a filtered page
    sql = (f"select {facet} as value, count(*) as count from (select * from report_summary where {column} = "
           f"{FILTERS[column]}) where {facet} is not null group by {facet} order by count desc, value limit 31")
    steps = plan(archive.db_path, sql)
    assert steps[0].startswith(f"SEARCH report_summary USING COVERING INDEX idx_report_summary_{column}_{facet} "), steps


def test_late_reports_reads_the_precomputed_list_newest_first(archive):
    steps = plan(archive.db_path, QUERIES["late_reports"]["sql"])
    assert steps == ["SCAN agg_late_reports USING INDEX idx_agg_late_reports_order"], steps  # no sort, no join


def test_aggregate_canned_queries_read_the_precomputed_tables(archive):
    assert "agg_region_year" in plan(archive.db_path, QUERIES["applications_by_region_year"]["sql"], {"year": ""})[0]
    assert "agg_agency" in plan(archive.db_path, QUERIES["corrected_most"]["sql"], {"min_cases": ""})[0]


def test_failing_checks_reads_the_precomputed_list_newest_first(archive):
    steps = plan(archive.db_path, QUERIES["failing_checks"]["sql"], {"rule": ""})
    assert steps == ["SCAN agg_failing_checks USING INDEX idx_agg_failing_checks_order"], steps


def test_a_second_filter_keeps_facets_on_a_covering_index(archive):
    for column, value in (("region_code", "'330100'"), ("region", "'北京市'")):
        for facet in ("template", "level") + (("region",) if column == "region_code" else ()):
            sql = (f"select {facet} as value, count(*) as count from (select * from report_summary where {column} = "
                   f"{value} and year = 2021) where {facet} is not null group by {facet} order by count desc, value")
            steps = plan(archive.db_path, sql)
            assert steps[0].startswith(f"SEARCH report_summary USING COVERING INDEX idx_report_summary_{column}_year_{facet} "), steps


def test_dashboard_charts_read_the_precomputed_tables(archive):
    charts = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text("utf-8"))["plugins"][
        "datasette-dashboards"]["overview"]["charts"]
    for name, chart in charts.items():
        sql = re.sub(r"\[\[(.*?)\]\]", r"\1", chart["query"])  # every filter given
        steps = plan(archive.db_path, sql, {"level": "county", "template": "2021"})
        assert all("report_summary" not in s and "report_issues" not in s for s in steps), (name, steps)
        assert ":level" in chart["query"] and ":template" in chart["query"], name  # honours both filters
