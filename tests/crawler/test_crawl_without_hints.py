"""The spiders follow the CMS conventions, not registry hints: with family params removed they
discover what they need from the pages (Hanweb pager/nextgroup, gkmlpt SID and TREE, TRS
createPageHTML, VSB downward numbering, generic pager links) and find the same reports. Nine years
of reports make every column span several listing pages."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from replica.portals import ReplicaWorld

ROOT = Path(__file__).resolve().parents[2]


def test_crawl_without_family_params(tmp_path):
    data = tmp_path / "data"
    with ReplicaWorld(seed=11, agencies_per_family=1, years=tuple(range(2014, 2023)), allow_doc=False,
                      families=("hanweb_jcms", "trs_wcm", "vsb", "gkmlpt", "generic")) as world:
        sources = tmp_path / "sources.yaml"
        world.write_sources(sources)
        doc = yaml.safe_load(sources.read_text(encoding="utf-8"))
        for entry in doc["sources"]:
            if entry["family"] != "generic":  # generic keeps max_depth, its only knob
                entry.pop("params", None)  # gkmlpt: no SID, no classify id: read from the front page
        sources.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "xxgk", "crawl", "--sources", str(sources), "--data",
                               str(data), "--fast", "--run-id", "bare"], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        expected = {r.page_url for r in world.reports()}
    db = sqlite3.connect(data / "captures.db")
    got = {u for (u,) in db.execute("select url from captures where role='report' and status=200")}
    listings = db.execute("select count(distinct url) from captures where role='listing'").fetchone()[0]
    assert listings >= 12  # more than one page per column
    assert len(expected) == 45
    assert got == expected
