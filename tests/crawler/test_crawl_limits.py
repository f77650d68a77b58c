"""Size limits and robots.txt: refused downloads become clear error rows, the crawl goes on."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]


def test_oversized_attachments_are_recorded_errors(tmp_path):
    data = tmp_path / "data"
    with ReplicaWorld(seed=3, agencies_per_family=1, years=(2020, 2021, 2022), allow_doc=False,
                      families=("trs_wcm", "json_api")) as world:
        sources = tmp_path / "sources.yaml"
        world.write_sources(sources)
        proc = subprocess.run(
            [sys.executable, "-m", "xxgk", "crawl", "--sources", str(sources), "--data", str(data), "--fast",
             "-s", "DOWNLOAD_MAXSIZE=15000", "-s", "DOWNLOAD_WARNSIZE=10000"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        attachments = {url for rep in world.reports() for url, _ in rep.attachments}
    db = sqlite3.connect(data / "captures.db")
    errors = dict(db.execute("select url, error from captures where role='error'").fetchall())
    fetched = {u for (u,) in db.execute("select url from captures where role='attachment' and status=200")}
    assert attachments, "the replica should hold attachments"
    # every attachment either fits the limit or is an error row saying why; nothing is lost silently
    assert attachments == fetched | (attachments & set(errors))
    too_big = [e for u, e in errors.items() if u in attachments]
    assert too_big and all("Cancelled" in e or "maxsize" in e.lower() or "size" in e.lower() for e in too_big)
