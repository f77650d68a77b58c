"""Archive tables (ARCHITECTURE.md section 5): DDL with foreign keys and the indexes the site filters by.

Plain DDL rather than sqlite-utils ``create()`` because the column affinities matter: ``value`` is
NUMERIC so counts stay integers and money may carry decimals, and every foreign key is declared so
that Datasette links rows to their parents.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from parsers.keys import all_keys

SCHEMA_VERSION = 1

# Columns copied verbatim from the capture store (crawler/store.py, ARCHITECTURE.md section 4).
CRAWL_RUN_COLUMNS = ("id", "started", "finished", "status", "sources", "stats")
CAPTURE_COLUMNS = (
    "id", "run_id", "source_id", "url", "method", "status", "content_type", "sha256", "size",
    "warc_file", "warc_offset", "warc_length", "record_type", "revisit_of", "fetched_at", "role",
    "parent_url", "title", "filename", "page_meta", "etag", "last_modified", "error",
)  # fmt: skip

REPORT_TEXT_COLUMNS = ("overview", "proactive_text", "requests_text", "appeals_text", "problems_text", "other_text")
# parse-contract section name -> reports column
SECTION_COLUMNS = dict(zip(("overview", "proactive", "requests", "appeals", "problems", "other"),
                           REPORT_TEXT_COLUMNS, strict=True))  # fmt: skip

DDL = """
CREATE TABLE IF NOT EXISTS agencies (
    id TEXT PRIMARY KEY,
    name TEXT,
    region TEXT,
    region_code TEXT,
    level TEXT,
    kind TEXT,                      -- 'government' (人民政府/政府办公室) or 'department'
    parent_id TEXT REFERENCES agencies(id)
);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    agency_id TEXT REFERENCES agencies(id),
    agency TEXT,
    family TEXT,
    start_urls TEXT,
    region TEXT,
    region_code TEXT,
    level TEXT,
    notes TEXT,
    params TEXT
);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id TEXT PRIMARY KEY,
    started TEXT,
    finished TEXT,
    status TEXT,
    sources TEXT,
    stats TEXT
);
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY,
    run_id TEXT REFERENCES crawl_runs(id),
    source_id TEXT REFERENCES sources(id),
    url TEXT,
    method TEXT,
    status INTEGER,
    content_type TEXT,
    sha256 TEXT,
    size INTEGER,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER,
    record_type TEXT,
    revisit_of INTEGER REFERENCES captures(id),
    fetched_at TEXT,
    role TEXT,
    parent_url TEXT,
    title TEXT,
    filename TEXT,
    page_meta TEXT,
    etag TEXT,
    last_modified TEXT,
    error TEXT
);
CREATE TABLE IF NOT EXISTS keys (
    key TEXT PRIMARY KEY,
    table_no TEXT,
    row_key TEXT,
    col_key TEXT,
    zh TEXT,
    unit TEXT,
    templates TEXT
);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    agency_id TEXT REFERENCES agencies(id),
    source_id TEXT REFERENCES sources(id),
    year INTEGER,
    title TEXT,
    agency_name TEXT,
    template TEXT,
    published TEXT,
    url TEXT,
    format TEXT,
    sha256 TEXT,
    capture_id INTEGER REFERENCES captures(id),
    page_capture_id INTEGER REFERENCES captures(id),
    previous_version_id INTEGER REFERENCES reports(id),
    is_latest INTEGER,
    parse_status TEXT,
    parse_error TEXT,
    error_count INTEGER,
    warning_count INTEGER,
    value_count INTEGER,
    overview TEXT,
    proactive_text TEXT,
    requests_text TEXT,
    appeals_text TEXT,
    problems_text TEXT,
    other_text TEXT,
    index_no TEXT,
    publisher TEXT,
    doc_no TEXT,
    fetched_at TEXT,
    parser_version TEXT,
    parsed_at TEXT
);
CREATE TABLE IF NOT EXISTS report_documents (
    report_id INTEGER REFERENCES reports(id),
    capture_id INTEGER REFERENCES captures(id),
    role TEXT,                      -- 'page' or 'attachment'
    is_primary INTEGER,             -- 1 for the document whose tables the report's values come from
    url TEXT,
    filename TEXT,
    format TEXT,
    sha256 TEXT,
    parse_status TEXT,
    error TEXT,
    value_count INTEGER,
    error_count INTEGER,
    warning_count INTEGER,
    parser_version TEXT,
    PRIMARY KEY (report_id, capture_id)
);
CREATE TABLE IF NOT EXISTS report_values (
    report_id INTEGER REFERENCES reports(id),
    key TEXT REFERENCES keys(key),
    table_no TEXT,
    row_key TEXT,
    col_key TEXT,
    value NUMERIC,
    raw TEXT,
    unit TEXT,
    cell TEXT,
    source TEXT,  -- 'ocr' when read from an image by OCR; NULL when read from the document's text
    confidence REAL,  -- OCR only: how sure the reading is, 0..1
    uncertain INTEGER,  -- OCR only: 1 when the figure may be misread (low confidence or its table breaks its rules)
    PRIMARY KEY (report_id, key)
);
CREATE TABLE IF NOT EXISTS report_cells (
    report_id INTEGER REFERENCES reports(id),
    table_no TEXT,
    row INTEGER,
    col INTEGER,
    row_label TEXT,
    col_label TEXT,
    raw TEXT
);
CREATE TABLE IF NOT EXISTS report_issues (
    report_id INTEGER REFERENCES reports(id),
    rule TEXT,
    severity TEXT,
    message TEXT,
    key TEXT,
    left_value NUMERIC,
    right_value NUMERIC,
    origin TEXT,                    -- 'parse' (one document) or 'archive' (needs other reports)
    other_report_id INTEGER REFERENCES reports(id)
);
CREATE TABLE IF NOT EXISTS report_links (
    report_id INTEGER REFERENCES reports(id),
    other_report_id INTEGER REFERENCES reports(id),
    kind TEXT,                      -- 'same_report' (another portal) or 'previous_year'
    similarity REAL,
    PRIMARY KEY (report_id, other_report_id, kind)
);
CREATE TABLE IF NOT EXISTS run_sources (      -- run history per source (copied from captures.db)
    run_id TEXT REFERENCES crawl_runs(id),
    source_id TEXT REFERENCES sources(id),
    family TEXT,
    status TEXT,                    -- 'ok', 'crashed' or 'killed' (the crawl process died)
    started TEXT,
    finished TEXT,
    seconds REAL,
    responses INTEGER,
    listings INTEGER,
    items INTEGER,
    reports_listed INTEGER,
    reports INTEGER,
    reports_new INTEGER,
    reports_changed INTEGER,
    reports_unchanged INTEGER,
    attachments INTEGER,
    errors INTEGER,
    failures TEXT,                  -- JSON {kind: count}
    bytes INTEGER,
    crashed TEXT,
    challenges INTEGER,
    hosts TEXT,                     -- JSON {host: {responses, <failure kind>: count}}
    outcome TEXT,                   -- crawler.health.run_outcome
    PRIMARY KEY (run_id, source_id)
);
CREATE TABLE IF NOT EXISTS source_health (   -- crawler.health.source_health over run_sources
    source_id TEXT PRIMARY KEY REFERENCES sources(id),
    agency TEXT,
    family TEXT,
    start_url TEXT,
    health TEXT,                    -- broken, empty, degraded, never_run, ok
    reason TEXT,
    runs INTEGER,
    last_run TEXT REFERENCES crawl_runs(id),
    last_started TEXT,
    last_outcome TEXT,
    last_success TEXT,
    last_success_run TEXT REFERENCES crawl_runs(id),
    consecutive_failures INTEGER,
    nothing_found_runs INTEGER,
    shape_changed INTEGER,
    reports_listed_before INTEGER,
    reports_listed INTEGER,
    reports_new INTEGER,
    reports_changed INTEGER,
    errors INTEGER,
    challenges INTEGER,
    failures TEXT,
    failing_hosts TEXT,
    responses INTEGER,
    bytes INTEGER,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS report_notices (
    capture_id INTEGER PRIMARY KEY REFERENCES captures(id),  -- the latest capture of the notice page
    source_id TEXT REFERENCES sources(id),
    url TEXT,
    title TEXT,
    kind TEXT,                      -- 'correction' (更正/勘误), 'supplement' (补充说明), 'explanation' (说明)
    year INTEGER,                   -- the year of the report it is about (from its title)
    published TEXT,
    report_id INTEGER REFERENCES reports(id),  -- the report it is about; null when none was found
    matched_by TEXT,                -- 'link', 'title', 'source_year' or 'none'
    text TEXT,
    error TEXT
);
"""

INDEXES = {
    "agencies": [("region_code",), ("level",), ("parent_id",), ("kind",)],
    "sources": [("agency_id",), ("region_code",), ("level",), ("family",)],
    "captures": [("run_id",), ("source_id",), ("role",), ("url",), ("parent_url",), ("sha256",)],
    "reports": [("agency_id",), ("source_id",), ("year",), ("template",), ("parse_status",), ("url",),
                ("capture_id",), ("previous_version_id",), ("agency_id", "year"), ("is_latest",), ("published",)],
    "report_documents": [("capture_id",), ("sha256",)],
    "report_values": [("key",), ("table_no",), ("row_key",), ("col_key",)],
    "report_cells": [("report_id",), ("table_no",)],
    "report_issues": [("report_id",), ("rule",), ("severity",), ("key",), ("origin",), ("other_report_id",)],
    "report_links": [("other_report_id",), ("kind",)],
    "report_notices": [("report_id",), ("source_id",), ("url",), ("kind",)],
    "run_sources": [("source_id",), ("outcome",)],
    "source_health": [("health",), ("family",)],
}  # fmt: skip


def connect(path) -> sqlite_utils.Database:
    conn = sqlite3.connect(str(path), timeout=60)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def create(db: sqlite_utils.Database) -> None:
    """Create every table and index (idempotent) and load the keys documentation."""
    db.conn.executescript(DDL)
    _add_missing_columns(db)
    for table, cols in INDEXES.items():
        for c in cols:
            name = f"idx_{table}_{'_'.join(c)}"
            db.execute(f"CREATE INDEX IF NOT EXISTS [{name}] ON [{table}] ({', '.join(f'[{x}]' for x in c)})")
    load_keys(db)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    db.conn.commit()


# columns added after a table was first shipped: an older archive gets them on its next build
_ADDED_COLUMNS = {"report_values": (("source", "TEXT"), ("confidence", "REAL"), ("uncertain", "INTEGER"))}


def _add_missing_columns(db) -> None:
    for table, cols in _ADDED_COLUMNS.items():
        have = {r[1] for r in db.execute(f"PRAGMA table_info([{table}])").fetchall()}
        for name, kind in cols:
            if name not in have:
                db.execute(f"ALTER TABLE [{table}] ADD COLUMN [{name}] {kind}")


def table_no_for(key: str) -> str:
    return {"proactive": "2", "requests": "3", "appeals": "4"}.get(key.split(".", 1)[0], "legacy")


def key_row(key: str, zh: str | None = None, unit: str | None = None, templates=()) -> dict:
    parts = key.split(".")
    return {
        "key": key,
        "table_no": table_no_for(key),
        "row_key": parts[1] if len(parts) > 1 else None,
        "col_key": parts[2] if len(parts) > 2 else None,
        "zh": zh,
        "unit": unit,
        "templates": ",".join(templates),
    }


def load_keys(db: sqlite_utils.Database) -> None:
    rows = [key_row(k.key, k.zh, k.unit, k.templates) for k in all_keys().values()]
    db["keys"].upsert_all(rows, pk="key")
