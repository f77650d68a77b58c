"""A scanned report through capture and build: its values carry source=ocr, a confidence and the
uncertain flag in report_values; a report with a text layer beside it carries none of them."""

from __future__ import annotations

from decimal import Decimal

from archive.build import build
from archive.schema import connect
from crawler.store import CaptureStore
from replica.render import render
from replica.render.scan import scanned_pdf
from replica.reports import generate

HOST = "http://127.0.0.10:8000"
SOURCE = {"id": "zj-hz-scan", "agency": "杭州市统计局", "region": "浙江省杭州市", "region_code": "330100",
          "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/tjj/"]}


def _capture(store, url, body, ctype, role, parent=None, name=None):
    store.write_exchange(run_id="r1", url=url, status=200, response_headers=[("Content-Type", ctype)], body=body,
                         role=role, source_id=SOURCE["id"], parent_url=parent, filename=name)


def test_scanned_report_values_are_marked_ocr_in_the_archive(tmp_path):
    scanned = generate(11, "2021", agency=SOURCE["agency"], region=SOURCE["region"], year=2022, inconsistencies=1)
    typed = generate(12, "2021", agency=SOURCE["agency"], region=SOURCE["region"], year=2021)
    store = CaptureStore(tmp_path)
    store.save_sources([SOURCE])
    store.start_run("r1", [SOURCE["id"]])
    for spec, fmt in ((scanned, "pdf"), (typed, "docx")):
        page = f"{HOST}/tjj/{spec.year}/t{spec.year}_1.html"
        att = page.replace(".html", f".{fmt}")
        link = (f"<html><head><meta charset='utf-8'><title>{spec.title}</title></head><body><h1>{spec.title}</h1>"
                f"<p>附件：<a href='{att}'>{spec.year}年报告.{fmt}</a></p></body></html>").encode()
        _capture(store, page, link, "text/html", "report")
        body = scanned_pdf(render(spec, "pdf")) if fmt == "pdf" else render(spec, "docx")
        _capture(store, att, body, "application/pdf" if fmt == "pdf" else "application/octet-stream", "attachment",
                 parent=page, name=f"{spec.year}年报告.{fmt}")
    store.finish_run("r1", "finished")
    store.close()
    build(tmp_path, workers=1, progress=False)
    db = connect(tmp_path / "archive.db")
    by_year = {}
    for year, key, value, source, conf, uncertain in db.execute(
            "SELECT r.year, v.key, v.value, v.source, v.confidence, v.uncertain FROM report_values v "
            "JOIN reports r ON r.id = v.report_id"):
        by_year.setdefault(year, {})[key] = (value, source, conf, uncertain)
    ocr_rows, text_rows = by_year[2022], by_year[2021]
    assert all(s is None and c is None and u is None for _v, s, c, u in text_rows.values())
    assert all(s == "ocr" and 0 <= c <= 1 and u in (0, 1) for _v, s, c, u in ocr_rows.values())
    broken_table = scanned.broken[0].split(".", 1)[0]
    for key, (value, _s, _c, uncertain) in ocr_rows.items():
        want = scanned.values.get(key)
        exact = (value is None and want is None) or (value is not None and want is not None
                                                     and Decimal(str(value)) == Decimal(str(want)))
        assert exact or uncertain == 1, (key, want, value)  # never wrong and published as exact
        if key.startswith(broken_table + "."):
            assert uncertain == 1, key
    assert sum(1 for v in ocr_rows.values() if v[3] == 0) >= 20  # the tables that hold are published
    rules = {r[0] for r in db.execute("SELECT rule FROM report_issues i JOIN reports r ON r.id = i.report_id "
                                      "WHERE r.year = 2022")}
    assert {"parse.ocr", "parse.ocr_uncertain"} <= rules
