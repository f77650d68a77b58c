"""`xxgk update` exit codes other than the crawl outcomes: bad arguments (2), fatal (1: DATA unusable,
the build failing), locked by a running `xxgk crawl` (3). Each with its message and what it left."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from crawler.locking import CRAWL_LOCK, FileLock

ROOT = Path(__file__).resolve().parents[2]
DOWN = ("sources:\n- id: down-portal\n  agency: 停机的机关\n  region: 某省\n  region_code: '110000'\n"
        "  level: province\n  family: trs_wcm\n  start_urls: ['http://127.0.0.1:9/xxgk/index.html']\n")  # fmt: skip


def update(*args):
    return subprocess.run([sys.executable, "-m", "xxgk", "update", "--fast", "--workers", "1", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip


def test_bad_registry_or_unknown_source_is_2_and_nothing_is_made(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n- id: Not An Id\n  family: nope\n", "utf-8")
    proc = update("--sources", bad, "--data", tmp_path / "data")
    assert proc.returncode == 2 and proc.stderr.startswith("xxgk update: ")
    good = tmp_path / "good.yaml"
    good.write_text(DOWN, "utf-8")
    proc = update("--sources", good, "--data", tmp_path / "data", "--source", "no-such-source")
    assert proc.returncode == 2 and "unknown source id(s): no-such-source" in proc.stderr
    assert not (tmp_path / "data").exists()


def test_data_that_is_not_a_folder_is_fatal(tmp_path):
    sources = tmp_path / "s.yaml"
    sources.write_text(DOWN, "utf-8")
    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("a file", "utf-8")
    proc = update("--sources", sources, "--data", not_a_dir)
    assert proc.returncode == 1
    assert f"xxgk update: cannot use {not_a_dir}" in proc.stderr and "Traceback" not in proc.stderr


def test_a_build_that_fails_is_fatal_after_the_crawl_was_recorded(tmp_path):
    sources = tmp_path / "s.yaml"
    sources.write_text(DOWN, "utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "archive.db").write_bytes(b"this is not a database" * 100)  # a damaged archive
    proc = update("--sources", sources, "--data", data, "--run-id", "b1", "--json", tmp_path / "b1.json")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "BUILD FAILED: DatabaseError" in proc.stdout and proc.stdout.rstrip().endswith("exit      1")
    summary = json.loads((tmp_path / "b1.json").read_text("utf-8"))
    assert summary["exit_code"] == 1 and summary["failed"] == 1 and summary["failures"] == {"connection": 1}
    with sqlite3.connect(data / "captures.db") as db:
        assert db.execute("select id, status from crawl_runs").fetchall() == [("b1", "ok")]
        assert db.execute("select outcome from run_sources").fetchall() == [("unreachable",)]


def test_a_running_crawl_on_the_same_data_makes_update_exit_3(tmp_path):
    sources = tmp_path / "s.yaml"
    sources.write_text(DOWN, "utf-8")
    data = tmp_path / "data"
    with FileLock(data / CRAWL_LOCK):  # held like a live `xxgk crawl` holds it
        proc = update("--sources", sources, "--data", data, "--run-id", "c1")
    assert proc.returncode == 3
    assert "a crawl is running on" in proc.stderr and "exiting (code 3)" in proc.stderr
    assert not (data / "captures.db").exists() or not sqlite3.connect(data / "captures.db").execute(
        "select count(*) from crawl_runs").fetchone()[0]  # fmt: skip
