"""SIGKILL at chosen moments, counted in requests served by the replica, then restart until done.

One replica world: a crawl killed three times (at its 15th, 40th and 60th request served) and then
run to completion, then a clean crawl of the same world into another DATA. The resumed archive must
equal the clean one report for report and value for value; no URL+payload is stored twice as a full
response; killed runs are marked `killed` with what they captured. Then a build SIGKILLed mid-way.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from end_to_end import archive_content, query
from warcio.archiveiterator import ArchiveIterator

from crawler.store import sha256_digest_label
from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]
KILL_AT = (15, 40, 60)  # requests served by the replica during each killed attempt


class KillingLog(list):
    """The replica's request log: SIGKILLs the crawler when its attempt reaches `at` requests
    (before that request is answered)."""

    def __init__(self, items=()):
        super().__init__(items)
        self.pid, self.at = None, None

    def append(self, item):
        super().append(item)
        if self.pid and self.at is not None and len(self) >= self.at:
            pid, self.pid = self.pid, None
            os.kill(pid, signal.SIGKILL)


def crawl_cmd(sources, data, run_id):
    return [sys.executable, "-m", "xxgk", "crawl", "--sources", str(sources), "--data", str(data),
            "--fast", "--run-id", run_id, "--progress-every", "60"]


def warc_records(data):
    """(file, offset, type, url, payload digest) of every record, read back with warcio."""
    out = []
    for path in sorted((Path(data) / "warc").iterdir()):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                rec.raw_stream.read()
                out.append((f"warc/{path.name}", it.get_record_offset(), rec.rec_type,
                            rec.rec_headers.get_header("WARC-Target-URI"),
                            rec.rec_headers.get_header("WARC-Payload-Digest")))
    return out


def build(data, *extra, env=None):
    return subprocess.run([sys.executable, "-m", "xxgk", "build", "--data", str(data), "--quiet",
                           "--workers", "1", *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    with ReplicaWorld(seed=11, agencies_per_family=1, years=(2019, 2020, 2021, 2022), allow_doc=False) as world:
        log = KillingLog(world.request_log)
        world.request_log = log
        sources = tmp / "sources.yaml"
        world.write_sources(sources)
        data = tmp / "resumed"
        attempts = []
        for n, at in enumerate(KILL_AT):
            log.at = len(log) + at
            proc = subprocess.Popen(crawl_cmd(sources, data, f"k{n}"), cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            log.pid = proc.pid
            _, err = proc.communicate(timeout=300)
            log.pid = None
            integrity = query(data / "captures.db", "pragma integrity_check")
            attempts.append({"rc": proc.returncode, "stderr": err, "integrity": integrity,
                             "served": len(log) - (log.at - at)})
        log.at = None
        final = subprocess.run(crawl_cmd(sources, data, "final"), cwd=ROOT, capture_output=True, text=True,
                               timeout=300)
        assert final.returncode == 0, final.stderr[-3000:]
        clean_data = tmp / "clean"
        clean = subprocess.run(crawl_cmd(sources, clean_data, "clean"), cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
        assert clean.returncode == 0, clean.stderr[-3000:]
        truth = world.reports()
    for d in (data, clean_data):
        proc = build(d)
        assert proc.returncode == 0, proc.stderr[-3000:]
    yield {"data": data, "clean": clean_data, "attempts": attempts, "truth": truth, "final": final}


def test_each_attempt_was_killed_mid_crawl_and_left_a_sound_database(crawls):
    for a in crawls["attempts"]:
        assert a["rc"] == -signal.SIGKILL, a["stderr"][-2000:]
        assert a["integrity"] == [("ok",)]
    db = crawls["data"] / "captures.db"
    runs = dict(query(db, "select id, status from crawl_runs"))
    assert runs == {"k0": "killed", "k1": "killed", "k2": "killed", "final": "ok"}
    # the killed runs got something, and say what
    for run_id in ("k1", "k2"):
        stats = json.loads(query(db, "select stats from crawl_runs where id = ?", run_id)[0][0])
        assert stats["killed"] is True
        captured = query(db, "select count(*) from captures where run_id = ? and role != 'error'", run_id)[0][0]
        assert captured > 0
        assert stats["totals"]["responses"] == captured
    per_source = query(db, "select count(*), sum(responses) from run_sources where run_id = 'k2' and status = 'killed'")
    assert per_source[0][0] >= 1 and per_source[0][1] > 0


def test_resumed_archive_equals_clean_crawl_report_for_report_value_for_value(crawls):
    resumed = archive_content(crawls["data"] / "archive.db")
    clean = archive_content(crawls["clean"] / "archive.db")
    assert len(clean) == len(crawls["truth"]) == 24
    assert set(resumed) == set(clean)
    for url in clean:
        assert resumed[url] == clean[url], url
    # no report lost its values (the attachments of pages captured by a killed run were fetched)
    assert sum(1 for r in resumed.values() if r[3] == 0) == sum(1 for r in clean.values() if r[3] == 0)
    # and no extra, half-captured versions
    n_resumed = query(crawls["data"] / "archive.db", "select count(*) from reports")[0][0]
    n_clean = query(crawls["clean"] / "archive.db", "select count(*) from reports")[0][0]
    assert n_resumed == n_clean


def test_warc_files_read_back_whole_and_hold_no_payload_twice_as_a_full_response(crawls):
    data = crawls["data"]
    records = warc_records(data)
    empty = sha256_digest_label(b"")  # 304s and redirects: no payload to duplicate
    responses = Counter((r[3], r[4]) for r in records if r[2] == "response" and r[4] not in (None, empty))
    assert responses and max(responses.values()) == 1, [k for k, v in responses.items() if v > 1]
    # every response/revisit record in the files is indexed, and every index row points at one
    in_files = {(r[0], r[1]) for r in records if r[2] in ("response", "revisit")}
    indexed = set(query(data / "captures.db",
                        "select warc_file, warc_offset from captures where warc_file is not null"))
    assert in_files == indexed
    # the resumed crawl fetched unchanged pages again as revisits, not full responses
    revisits = query(data / "captures.db",
                     "select count(*) from captures where run_id != 'k0' and record_type = 'revisit'")[0][0]
    assert revisits > 0


def test_build_killed_mid_way_leaves_a_consistent_archive_and_the_next_build_completes(crawls, tmp_path):
    data = crawls["data"]
    db_path = tmp_path / "archive.db"
    env = dict(os.environ, XXGK_BUILD_CHUNK="4", XXGK_TEST_PARSE_HOOK="stall-after:10:120")
    proc = subprocess.Popen([sys.executable, "-m", "xxgk", "build", "--data", str(data), "--db", str(db_path),
                             "--quiet", "--workers", "1"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    written = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db_path.exists():
            try:
                written = query(db_path, "select count(*) from reports")[0][0]
            except sqlite3.OperationalError:
                written = 0
            if written >= 4:
                break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert 4 <= written < 24
    assert query(db_path, "pragma integrity_check") == [("ok",)]
    assert query(db_path, "pragma foreign_key_check") == []
    again = build(data, "--db", str(db_path))
    assert again.returncode == 0, again.stderr[-3000:]
    assert archive_content(db_path) == archive_content(data / "archive.db")
    assert query(db_path, "select count(*) from report_search")[0][0] == 24
