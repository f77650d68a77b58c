"""`xxgk demo --no-serve` end to end: replica portals -> crawl -> build, as one command."""

import sqlite3
import subprocess
import sys

from replica.portals import ReplicaWorld


def test_demo_crawls_builds_every_replica_report(tmp_path):
    data = tmp_path / "demo"
    args = ["--seed", "11", "--agencies-per-family", "1", "--years", "2020-2021"]
    done = subprocess.run(
        [sys.executable, "-m", "xxgk", "demo", "--data", str(data), "--no-serve", *args],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    with ReplicaWorld(seed=11, agencies_per_family=1, years=(2020, 2021)) as world:
        truth = {(r.source_id, r.year): r.spec for r in world.reports()}

    db = sqlite3.connect(data / "archive.db")
    rows = db.execute(
        "select id, source_id, year, template, parse_status from reports where is_latest = 1"
    ).fetchall()
    assert {(r[1], r[2]) for r in rows} == set(truth)
    assert all(r[4] == "ok" for r in rows)
    for report_id, source_id, year, template, _ in rows:
        spec = truth[(source_id, year)]
        got = dict(db.execute("select key, value from report_values where report_id = ?", (report_id,)))
        want = {k: (None if v is None else float(v)) for k, v in spec.values.items()}
        assert {k: got.get(k) for k in want} == want, (source_id, year)
        assert template == spec.template
