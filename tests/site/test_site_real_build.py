"""End to end: reports generated and rendered by the replica, captured through the real
CaptureStore, built by the real `archive.build`, served by `xxgk serve`. The site must show the
generator's truth in the report tables, search like LIKE, serve the captured bytes, and document
every table and column the real build produces."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path

import pytest
import synthetic_archive
import yaml
from cdp import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "http://127.0.0.10:8000"
SOURCE = {"id": "zj-hz-sfj", "agency": "杭州市司法局", "region": "浙江省杭州市", "region_code": "330100",
          "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/sfj/"]}  # fmt: skip
PLAN = [(2020, "html"), (2021, "docx"), (2022, "pdf")]
CT = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
      "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from archive.build import build
    from crawler.store import CaptureStore
    from replica.render import render
    from replica.reports import generate

    data = tmp_path_factory.mktemp("real-build")
    store = CaptureStore(data)
    store.save_sources([SOURCE])
    store.start_run("r1", [SOURCE["id"]])
    reports = {}
    for year, fmt in PLAN:
        spec = generate(40 + year, "2019" if year < 2021 else "2021", agency=SOURCE["agency"],
                        region=SOURCE["region"], year=year)  # fmt: skip
        page = f"{HOST}/sfj/{year}/t{year}_1.html"
        body = render(spec, fmt)
        if fmt == "html":
            row = store.write_exchange(run_id="r1", url=page, status=200, response_headers=[("Content-Type", CT[fmt])],
                                       body=body, role="report", source_id=SOURCE["id"], title=spec.title)  # fmt: skip
        else:
            att = page.replace(".html", f".{fmt}")
            link = (f"<html><head><meta charset='utf-8'><title>{spec.title}</title></head><body><h1>{spec.title}"
                    f"</h1><a href='{att}'>附件.{fmt}</a></body></html>").encode()  # fmt: skip
            store.write_exchange(run_id="r1", url=page, status=200, response_headers=[("Content-Type", CT["html"])],
                                 body=link, role="report", source_id=SOURCE["id"], title=spec.title)  # fmt: skip
            row = store.write_exchange(run_id="r1", url=att, status=200, response_headers=[("Content-Type", CT[fmt])],
                                       body=body, role="attachment", source_id=SOURCE["id"], parent_url=page,
                                       filename=f"report.{fmt}")  # fmt: skip
        reports[year] = {"spec": spec, "capture_id": row["id"], "body": body, "url": page}
    store.finish_run("r1", "finished")
    store.close()
    build(data, workers=1, progress=False)
    return {"data": data, "db": data / "archive.db", "reports": reports}


@pytest.fixture(scope="module")
def real_site(built):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.serve", "--data", str(built["data"]), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("site did not start") from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(15)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read()


def report_ids(db: Path) -> dict[int, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("select year, id from reports where parse_status = 'ok'").fetchall())


def test_report_pages_show_the_generator_truth(built, real_site):
    ids = report_ids(built["db"])
    assert sorted(ids) == [y for y, _ in PLAN]
    for year, rep in built["reports"].items():
        html = fetch(f"{real_site}/archive/reports/{ids[year]}").decode("utf-8")
        assert [t for t in ("2", "3", "4") if f'data-table="{t}"' in html] == ["2", "3", "4"], year
        spec = rep["spec"]
        shown = {m[0]: m[1] for m in re.findall(r'title="([a-z_.]+) = ([^" ]+)', unescape(html))}
        checked = 0
        for key, value in spec.values.items():
            if key.split(".")[0] in ("proactive", "requests", "appeals"):
                want = "null" if value is None else str(value)
                assert shown.get(key) is not None, (year, key)
                assert shown[key] in (want, f"{want}.0") or (value is not None and float(shown[key]) == float(value)), (
                    year, key, shown[key], value)  # fmt: skip
                checked += 1
        assert checked >= 150
        assert f'href="/-/archived/{rep["capture_id"]}"' in html
        archived = fetch(f"{real_site}/-/archived/{rep['capture_id']}/raw")
        assert hashlib.sha256(archived).hexdigest() == hashlib.sha256(rep["body"]).hexdigest()


def test_search_on_a_real_build_matches_like(built, real_site):
    with sqlite3.connect(built["db"]) as conn:
        texts = conn.execute("select id, title || agency_name || coalesce(overview, '') || coalesce(proactive_text, '')"
                             " || coalesce(requests_text, '') || coalesce(appeals_text, '') || coalesce(problems_text, '')"
                             " || coalesce(other_text, '') from reports").fetchall()  # fmt: skip
    for word in ("复议", "收费", "政府信息公开", "司法局"):
        # the text, or the label of a table cell holding a non-zero value (table labels are indexed too)
        truth = {rid for rid, text in texts if word in text} | synthetic_archive.label_truth(built["db"], word)
        got = {r["id"] for r in json.loads(fetch(
            f"{real_site}/archive/reports.json?_shape=array&_size=max&_col=id&_search={urllib.parse.quote(word)}"))}
        assert got == truth, word
    assert truth  # the agency name is in every report


def test_every_table_and_column_of_a_real_build_is_described(built):
    tables = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text("utf-8"))["databases"]["archive"]["tables"]
    with sqlite3.connect(built["db"]) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'"
                                            " and name not like 'sqlite_%' and name not like 'report_search%'")]  # fmt: skip
        columns = {t: [c[1] for c in conn.execute(f"pragma table_info([{t}])")] for t in names}
    missing = [f"{t}.{c}" for t in names for c in columns[t] if c not in ((tables.get(t) or {}).get("columns") or {})]
    assert missing == []
    # and the other way: the metadata describes nothing the build does not make (e.g. a dropped table)
    stale = [t for t in tables if t not in columns and not t.startswith("report_search")]
    stale += [f"{t}.{c}" for t in tables if t in columns for c in (tables[t].get("columns") or {}) if c not in columns[t]]
    assert stale == []
    assert {"agg_region_year", "agg_agency", "report_summary"} <= set(columns)
