"""A document whose parse hangs, or whose parser process dies, is recorded as failed with a clear
error; its worker is replaced and the other documents (queued behind it on the same single worker)
are parsed and archived. The hang and the crash are real (a sleeping / SIGKILLed worker process),
triggered by the build's test-only hook for one SHA-256."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from archive.build import TEST_HOOK_ENV, build
from archive.schema import connect
from crawler.store import CaptureStore
from replica.render import render
from replica.reports import generate

HOST = "http://127.0.0.10:8000"
SOURCE = {"id": "zj-hz-czj", "agency": "杭州市财政局", "region": "浙江省杭州市", "region_code": "330100",
          "level": "prefecture", "family": "hanweb_jcms", "start_urls": [f"{HOST}/czj/"]}
YEARS = (2019, 2020, 2021, 2022)
TIMEOUT = 10.0  # generous against a loaded machine: these small HTML reports parse in well under 1 s


def make_store(data):
    store = CaptureStore(data)
    store.save_sources([SOURCE])
    specs, shas = {}, {}
    for year in YEARS:
        spec = generate(year, "2019" if year < 2021 else "2021", agency=SOURCE["agency"], region=SOURCE["region"],
                        year=year)
        body = render(spec, "html")
        url = f"{HOST}/czj/{year}/t{year}_1.html"
        store.write_exchange(run_id="r1", url=url, status=200, response_headers=[("Content-Type", "text/html")],
                             body=body, role="report", source_id=SOURCE["id"], title=spec.title)
        specs[url], shas[url] = spec, hashlib.sha256(body).hexdigest()
    store.close()
    return specs, shas


def check(data, stats, specs, bad_url, error_part):
    db = connect(data / "archive.db")
    assert stats["failed_documents"] == 1 and stats["replaced_workers"] == 1
    for url, spec in specs.items():
        row = db.execute("SELECT id, parse_status, parse_error FROM reports WHERE url = ?", [url]).fetchone()
        if url == bad_url:
            assert row[1] == "failed" and error_part in row[2], row
            rules = {r[0]: r[1] for r in db.execute("SELECT rule, message FROM report_issues WHERE report_id = ?",
                                                    [row[0]])}
            assert error_part in rules["parse.failed"]
            doc = db.execute("SELECT parse_status, error FROM report_documents WHERE report_id = ?", [row[0]]).fetchone()
            assert doc[0] == "failed" and error_part in doc[1]
            continue
        assert row[1] == "ok", (url, row)
        got = dict(db.execute("SELECT key, value FROM report_values WHERE report_id = ?", [row[0]]).fetchall())
        assert set(got) == set(spec.values)
        for key, truth in spec.values.items():
            assert (got[key] is None) if truth is None else Decimal(str(got[key])) == truth, (url, key)


@pytest.mark.parametrize("action, error_part", [
    ("hang", f"parse timed out after {TIMEOUT:g} s"),
    ("crash", "parser process died (exit code -9)"),
])
def test_hung_or_crashed_parse_fails_one_document_only(tmp_path, monkeypatch, action, error_part):
    specs, shas = make_store(tmp_path)
    bad_url = f"{HOST}/czj/2020/t2020_1.html"  # second of four: the rest queue behind it on one worker
    # the hang is bounded (4x the timeout) so that a build without a working timeout fails, not hangs
    monkeypatch.setenv(TEST_HOOK_ENV, f"{action}:{shas[bad_url]}:{4 * TIMEOUT:g}")
    stats = build(tmp_path, workers=1, progress=False, parse_timeout=TIMEOUT)
    assert stats["parsed_documents"] == len(YEARS)
    check(tmp_path, stats, specs, bad_url, error_part)


def test_no_hook_no_failure(tmp_path):
    specs, _ = make_store(tmp_path)
    stats = build(tmp_path, workers=2, progress=False, parse_timeout=TIMEOUT)
    assert stats["failed_documents"] == 0 and stats["replaced_workers"] == 0 and stats["parsed_documents"] == len(YEARS)
    db = connect(tmp_path / "archive.db")
    assert db.execute("SELECT count(*) FROM reports WHERE parse_status = 'ok'").fetchone()[0] == len(YEARS)
