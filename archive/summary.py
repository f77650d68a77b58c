"""``report_summary``: one wide row per report with the main figures, for reading and fast facets.

Figures come from the 2019/2021 tables, or from the legacy 统计指标 items for older reports, so
one column means the same across templates. A figure is null when the report does not give it
(never 0 for missing).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

WITHHELD = ("state_secret", "law_prohibited", "security_stability", "third_party", "internal_affairs",
            "process_info", "enforcement_file", "admin_query")  # fmt: skip
UNAVAILABLE = ("not_held", "needs_creation", "still_unclear")
NOT_PROCESSED = ("petition", "repeat", "publication", "excessive", "confirmation")
OTHER = ("other_handling", "other_no_correction", "other_fee_unpaid", "other_misc")

FIGURES = (
    "applications_new", "applications_carried_over", "applications_received", "granted", "partially_granted",
    "withheld", "unavailable", "not_processed", "other_handling", "handled_total", "carried_forward",
    "reviews_total", "reviews_corrected", "lawsuits_direct", "lawsuits_after_review", "lawsuits_total",
    "lawsuits_corrected", "fees_collected_yuan",
)  # fmt: skip

DDL = """
CREATE TABLE IF NOT EXISTS report_summary (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id),
    agency_id TEXT REFERENCES agencies(id),
    agency TEXT,
    source_id TEXT REFERENCES sources(id),
    region TEXT,
    region_code TEXT,
    level TEXT,
    kind TEXT,
    year INTEGER,
    template TEXT,
    published TEXT,
    url TEXT,
    is_latest INTEGER,
    parse_status TEXT,
""" + "".join(f"    {f} NUMERIC,\n" for f in FIGURES) + """    error_count INTEGER,
    warning_count INTEGER,
    previous_year_similarity REAL
);
"""  # fmt: skip
INDEXED = ("agency_id", "source_id", "region_code", "region", "level", "kind", "year", "template", "is_latest",
           "parse_status", "error_count")  # fmt: skip
# (filter, facet) pairs for the site's facets (year, region, template, level) after one filter click: SQLite
# without STAT4 otherwise walks the whole facet-column index instead of the few rows the filter selects.
FACETS = ("year", "region", "template", "level")
# ... plus the sort order of the canned late_reports list: newest first without sorting every late report.
INDEXED_PAIRS = (("agency_id", "year"), ("year", "published"),
                 *((f, c) for f in ("region_code", *FACETS) for c in FACETS if f != c))  # fmt: skip
# ... and after a second click (a region, then a year): at 1,000,000 reports a two-column index leaves ~80k
# table lookups per facet for the second filter, over the 200 ms facet time limit.
INDEXED_TRIPLES = (*(("region_code", "year", c) for c in ("region", "template", "level")),
                   *(("region", "year", c) for c in ("template", "level")))  # fmt: skip

# Aggregates precomputed at build time for the canned queries that would otherwise group 100k+ rows per
# request; agg_failing_checks and agg_late_reports are the canned lists' rows, read newest first on an index
# (joined per request, SQLite 3.40 first builds a Bloom filter over every issue: linear in the archive). Derived only from report_summary (latest version of each report), rebuilt whole on every apply.
AGGREGATES_DDL = """
DROP TABLE IF EXISTS agg_region_year;
CREATE TABLE agg_region_year AS
SELECT region_code, region, year, count(*) AS reports,
  sum(applications_new) AS applications_new, sum(applications_received) AS received_incl_carried_over,
  sum(granted) AS granted, sum(partially_granted) AS partially_granted, sum(withheld) AS withheld,
  sum(handled_total) AS handled_total
FROM report_summary WHERE coalesce(is_latest, 1) = 1
GROUP BY region_code, region, year ORDER BY region_code, year;
CREATE INDEX idx_agg_region_year_year ON agg_region_year (year);
DROP TABLE IF EXISTS agg_agency;
CREATE TABLE agg_agency AS
SELECT agency_id, agency, region, count(*) AS reports, min(year) AS first_year, max(year) AS last_year,
  sum(reviews_total) AS reviews, sum(reviews_corrected) AS reviews_corrected,
  sum(lawsuits_total) AS lawsuits, sum(lawsuits_corrected) AS lawsuits_corrected,
  coalesce(sum(reviews_corrected), 0) + coalesce(sum(lawsuits_corrected), 0) AS corrected,
  coalesce(sum(reviews_total), 0) + coalesce(sum(lawsuits_total), 0) AS cases
FROM report_summary WHERE coalesce(is_latest, 1) = 1 GROUP BY agency_id;
CREATE INDEX idx_agg_agency_corrected ON agg_agency (corrected DESC, cases);
DROP TABLE IF EXISTS agg_dashboard;
CREATE TABLE agg_dashboard AS
SELECT level, template, year, region_code, region, count(*) AS reports,
  sum(EXISTS (SELECT 1 FROM report_issues i WHERE i.report_id = s.report_id AND i.rule = 'deadline')) AS late,
  sum(error_count > 0) AS failing,
  sum(applications_new) AS applications_new, sum(granted) AS granted, sum(partially_granted) AS partially_granted,
  sum(withheld) AS withheld, sum(unavailable) AS unavailable, sum(not_processed) AS not_processed,
  sum(reviews_corrected) AS reviews_corrected, sum(lawsuits_corrected) AS lawsuits_corrected
FROM report_summary s WHERE coalesce(is_latest, 1) = 1
GROUP BY level, template, year, region_code, region;
DROP TABLE IF EXISTS agg_failing_checks;
CREATE TABLE agg_failing_checks AS
SELECT i.report_id, s.agency, s.year, i.rule, i.message, i.left_value, i.right_value,
  i.left_value - i.right_value AS difference, s.url, i.rowid AS issue_id
FROM report_summary s JOIN report_issues i ON i.report_id = s.report_id
WHERE s.error_count > 0 AND i.severity = 'error';
CREATE INDEX idx_agg_failing_checks_order ON agg_failing_checks (year DESC, report_id DESC, issue_id);
DROP TABLE IF EXISTS agg_late_reports;
CREATE TABLE agg_late_reports AS
SELECT s.report_id, s.agency, s.kind, s.year, s.published, i.message, s.url, i.rowid AS issue_id
FROM report_summary s JOIN report_issues i ON i.report_id = s.report_id WHERE i.rule = 'deadline';
CREATE INDEX idx_agg_late_reports_order ON agg_late_reports (year DESC, published DESC, report_id DESC, issue_id);
DROP TABLE IF EXISTS agg_dashboard_issues;
CREATE TABLE agg_dashboard_issues AS
SELECT s.level, s.template, i.rule, i.severity, count(*) AS n
FROM report_issues i JOIN report_summary s ON s.report_id = i.report_id WHERE coalesce(s.is_latest, 1) = 1
GROUP BY s.level, s.template, i.rule, i.severity;
"""


# Facet counts of whole tables (the site's default facets before any filter or search), precomputed: each is
# a scan of a covering index per request otherwise (~70 ms a facet at 1,000,000 reports, several a page).
# Over every row, as the table pages count them (not only the latest versions).
FACET_COUNTS = {"reports": ("year", "template", "parse_status"), "report_summary": FACETS}
FACETS_DDL = (
    "DROP TABLE IF EXISTS agg_facets;\n"
    "CREATE TABLE agg_facets (tbl TEXT, col TEXT, value, n INTEGER);\n"  # value untyped: kept as stored
    + "".join(f"INSERT INTO agg_facets SELECT '{t}', '{c}', [{c}], count(*) FROM [{t}] WHERE [{c}] IS NOT NULL "
              f"GROUP BY [{c}];\n" for t, cols in FACET_COUNTS.items() for c in cols)
    + "CREATE INDEX idx_agg_facets ON agg_facets (tbl, col, n DESC, value);\n"
)  # fmt: skip


def create_indexes(conn) -> None:
    """Single-column and (filter, facet) indexes of report_summary (idempotent; conn: sqlite3 or sqlite-utils)."""
    for c in INDEXED:
        conn.execute(f"CREATE INDEX IF NOT EXISTS idx_report_summary_{c} ON report_summary ([{c}])")
    for a, b in INDEXED_PAIRS:
        conn.execute(f"CREATE INDEX IF NOT EXISTS idx_report_summary_{a}_{b} ON report_summary ([{a}], [{b}])")
    for a, b, c in INDEXED_TRIPLES:
        conn.execute(f"CREATE INDEX IF NOT EXISTS idx_report_summary_{a}_{b}_{c} ON report_summary ([{a}], [{b}], [{c}])")


def build_aggregates(conn) -> None:
    """(Re)build the agg_* tables from report_summary (conn: a sqlite3 connection)."""
    conn.executescript(AGGREGATES_DDL)
    build_facet_counts(conn)


def build_facet_counts(conn) -> None:
    """(Re)build agg_facets from reports and report_summary (conn: a sqlite3 connection)."""
    conn.executescript(FACETS_DDL)


def _sum(v: dict, keys) -> float | None:
    """Sum of the given keys; null when none of them is given."""
    present = [v[k] for k in keys if v.get(k) is not None]
    return sum(present) if present else None


def figures(v: dict) -> dict:
    """The main figures of one report from its values (key -> number)."""
    r = "requests.{}.total".format
    if any(k.startswith("requests.") or k.startswith("appeals.") for k in v):
        new, carried = v.get(r("new_received")), v.get(r("carried_over"))
        direct, after = v.get("appeals.litigation_direct.total"), v.get("appeals.litigation_after_review.total")
        return {
            "applications_new": new,
            "applications_carried_over": carried,
            "applications_received": _sum(v, [r("new_received"), r("carried_over")]),
            "granted": v.get(r("granted")),
            "partially_granted": v.get(r("partially_granted")),
            "withheld": _sum(v, [r(f"withheld_{x}") for x in WITHHELD]),
            "unavailable": _sum(v, [r(f"unavailable_{x}") for x in UNAVAILABLE]),
            "not_processed": _sum(v, [r(f"not_processed_{x}") for x in NOT_PROCESSED]),
            "other_handling": _sum(v, [r(x) for x in OTHER]),
            "handled_total": v.get(r("handled_total")),
            "carried_forward": v.get(r("carried_forward")),
            "reviews_total": v.get("appeals.review.total"),
            "reviews_corrected": v.get("appeals.review.corrected"),
            "lawsuits_direct": direct,
            "lawsuits_after_review": after,
            "lawsuits_total": _sum(v, ["appeals.litigation_direct.total", "appeals.litigation_after_review.total"]),
            "lawsuits_corrected": _sum(v, ["appeals.litigation_direct.corrected",
                                           "appeals.litigation_after_review.corrected"]),  # fmt: skip
            "fees_collected_yuan": _first(v, "proactive.fees.amount_yuan", "legacy.fees.collected_yuan"),
        }
    out = dict.fromkeys(FIGURES)
    out.update({
        "applications_received": v.get("legacy.requests.received"),
        "granted": v.get("legacy.requests.granted"),
        "partially_granted": v.get("legacy.requests.partially_granted"),
        "withheld": v.get("legacy.requests.refused"),
        "handled_total": v.get("legacy.requests.answered"),
        "reviews_total": v.get("legacy.appeals.reviews"),
        "reviews_corrected": v.get("legacy.appeals.reviews_corrected"),
        "lawsuits_total": v.get("legacy.appeals.lawsuits"),
        "lawsuits_corrected": v.get("legacy.appeals.lawsuits_corrected"),
        "fees_collected_yuan": v.get("legacy.fees.collected_yuan"),
    })  # fmt: skip
    return out


def _first(v: dict, *keys):
    for k in keys:
        if v.get(k) is not None:
            return v[k]
    return None


def compute(db) -> list[dict]:
    # Streamed in report order beside the reports query: memory holds one report's figures at a time.
    value_rows = db.conn.execute(
        "SELECT report_id, key, value FROM report_values WHERE key LIKE 'requests.%.total' OR key LIKE 'appeals.%' "
        "OR key LIKE 'legacy.%' OR key = 'proactive.fees.amount_yuan' ORDER BY report_id"
    )
    per_report = ((rid, {k: v for _, k, v in grp}) for rid, grp in groupby(value_rows, key=lambda r: r[0]))
    pending = next(per_report, None)
    counts: dict[int, dict] = defaultdict(lambda: {"error": 0, "warning": 0})
    for rid, sev, n in db.execute("SELECT report_id, severity, count(*) FROM report_issues GROUP BY 1, 2"):
        if sev in ("error", "warning"):
            counts[rid][sev] = n
    similarity = dict(db.execute("SELECT report_id, similarity FROM report_links WHERE kind = 'previous_year'").fetchall())
    rows = []
    for rec in db.execute(
        "SELECT r.id, r.agency_id, coalesce(r.agency_name, a.name), r.source_id, a.region, a.region_code, a.level, "
        "a.kind, r.year, r.template, r.published, r.url, r.is_latest, r.parse_status "
        "FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id ORDER BY r.id"
    ).fetchall():
        rid = rec[0]
        row = dict(zip(("report_id", "agency_id", "agency", "source_id", "region", "region_code", "level", "kind",
                        "year", "template", "published", "url", "is_latest", "parse_status"), rec, strict=True))  # fmt: skip
        while pending is not None and pending[0] < rid:
            pending = next(per_report, None)
        row.update(figures(pending[1] if pending is not None and pending[0] == rid else {}))
        row["error_count"] = counts[rid]["error"]
        row["warning_count"] = counts[rid]["warning"]
        row["previous_year_similarity"] = similarity.get(rid)
        rows.append(row)
    return rows


def apply(db) -> int:
    """Bring report_summary to what compute() says, touching only rows that differ."""
    db.conn.executescript(DDL)
    create_indexes(db)
    rows = compute(db)
    cols = list(rows[0]) if rows else []
    have = {}
    if cols:
        for rec in db.execute(f"SELECT {', '.join(cols)} FROM report_summary"):
            have[rec[0]] = tuple(rec)
    changed = [r for r in rows if have.get(r["report_id"]) != tuple(r.values())]
    gone = set(have) - {r["report_id"] for r in rows}
    with db.conn:
        db.conn.executemany("DELETE FROM report_summary WHERE report_id = ?", [(x,) for x in gone])
        if changed:
            db.conn.executemany(
                f"INSERT OR REPLACE INTO report_summary ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [tuple(r.values()) for r in changed],
            )
    if changed or gone or not db["agg_agency"].exists() or not db["agg_facets"].exists():
        build_aggregates(db.conn)
    return len(changed) + len(gone)
