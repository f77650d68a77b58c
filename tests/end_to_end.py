"""Shared by the tests that crawl replicas end to end: the `xxgk` command line run as an operator
runs it, in a child process (a crawl needs a fresh Twisted reactor), and the SQLite files it writes
read back."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_xxgk(*args, timeout: float = 300, ok: tuple[int, ...] | None = (0,)) -> subprocess.CompletedProcess:
    """``python -m xxgk ARGS``; its exit status must be one of ``ok`` (else its stderr's tail is shown);
    ``ok=None``: any status, for the caller to look at."""
    proc = subprocess.run([sys.executable, "-m", "xxgk", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    if ok is not None:
        assert proc.returncode in ok, proc.stderr[-3000:]
    return proc


def query(db_path, sql, *params) -> list[tuple]:
    """All rows of ``sql`` in the SQLite file ``db_path``."""
    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def archive_content(db_path) -> dict:
    """Latest version of every report in an archive.db: url -> (year, agency, status, value count,
    every value by key)."""
    reports = {}
    for rid, url, year, agency, status, n in query(
        db_path, "select id, url, year, agency_name, parse_status, value_count from reports where is_latest = 1"
    ):
        values = dict(query(db_path, "select key, value from report_values where report_id = ?", rid))
        reports[url] = (year, agency, status, n, values)
    return reports
