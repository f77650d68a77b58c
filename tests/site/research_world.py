"""A small archive built the real way for the research pages: reports generated and rendered by the
replica, captured through crawler.store.CaptureStore (WARC), built by archive.build.

Agencies chosen for the questions the pages answer: three 统计局 (two regions and central), peers of
杭州市统计局 at the same level and region, one report with broken arithmetic (findings), a PDF and a
DOCX attachment with Chinese file names, and a listing page linking to captured and uncaptured pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HOST = "http://127.0.0.11:8000"
SOURCES = [
    {"id": "zj-hz-tjj", "agency": "杭州市统计局", "region": "浙江省杭州市", "region_code": "330100",
     "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/hztjj/"]},
    {"id": "zj-hz-sfj", "agency": "杭州市司法局", "region": "浙江省杭州市", "region_code": "330100",
     "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/hzsfj/"]},
    {"id": "zj-hz-czj", "agency": "杭州市财政局", "region": "浙江省杭州市", "region_code": "330100",
     "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/hzczj/"]},
    {"id": "zj-nb-tjj", "agency": "宁波市统计局", "region": "浙江省宁波市", "region_code": "330200",
     "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/nbtjj/"]},
    {"id": "gj-tjj", "agency": "国家统计局", "region": "全国", "region_code": "100000",
     "level": "central", "family": "generic", "start_urls": [f"{HOST}/stats/"]},
]  # fmt: skip
# (source id, year, format, inconsistencies, published, generator seed): formats cover page, PDF and DOCX attachments
PLAN = [
    ("zj-hz-tjj", 2020, "html", 0, "2021-01-20", 111), ("zj-hz-tjj", 2021, "pdf", 0, "2022-01-25", 199),
    ("zj-hz-tjj", 2022, "docx", 0, "2023-03-10", 216),
    ("zj-hz-sfj", 2021, "html", 0, "2022-01-15", 249), ("zj-hz-sfj", 2022, "html", 0, "2023-01-30", 220),
    ("zj-hz-czj", 2022, "html", 2, "2023-01-12", 236),
    ("zj-nb-tjj", 2022, "html", 0, "2023-02-20", 310),
    ("gj-tjj", 2022, "html", 0, "2023-01-28", 352),
]  # fmt: skip
CT = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
      "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


@dataclass
class World:
    data: Path
    db: Path
    reports: dict = field(default_factory=dict)  # (source id, year) -> {spec, url, capture_id, body, filename}
    listing_capture_id: int = 0
    uncaptured_url: str = ""


def build(data: Path) -> World:
    from archive.build import build as build_archive
    from crawler.store import CaptureStore
    from replica.render import render
    from replica.reports import generate

    world = World(data=data, db=data / "archive.db")
    store = CaptureStore(data)
    store.save_sources(SOURCES)
    store.start_run("r1", [s["id"] for s in SOURCES])
    by_id = {s["id"]: s for s in SOURCES}
    for n, (sid, year, fmt, broken, published, seed) in enumerate(PLAN):
        src = by_id[sid]
        spec = generate(seed, "2019" if year < 2021 else "2021", agency=src["agency"], region=src["region"],
                        year=year, inconsistencies=broken)  # fmt: skip
        spec.published = __import__("datetime").date.fromisoformat(published)
        base = src["start_urls"][0]
        page = f"{base}{year}/t{year}_{n}.html"
        body = render(spec, fmt)
        meta = {"发布日期": published}
        filename = None
        if fmt == "html":
            row = store.write_exchange(run_id="r1", url=page, status=200, response_headers=[("Content-Type", CT[fmt])],
                                       body=body, role="report", source_id=sid, title=spec.title, page_meta=meta,
                                       fetched_at=f"{year + 1}-04-01T08:00:00Z")  # fmt: skip
        else:
            filename = f"{src['agency']}{year}年政府信息公开工作年度报告.{fmt}"
            att = page.replace(".html", f".{fmt}")
            link = (f"<html><head><meta charset='utf-8'><title>{spec.title}</title></head><body><h1>{spec.title}"
                    f"</h1><p>发布日期：{published}</p><a href='{att}'>{filename}</a></body></html>").encode()  # fmt: skip
            store.write_exchange(run_id="r1", url=page, status=200, response_headers=[("Content-Type", CT["html"])],
                                 body=link, role="report", source_id=sid, title=spec.title, page_meta=meta,
                                 fetched_at=f"{year + 1}-04-01T08:00:00Z")  # fmt: skip
            row = store.write_exchange(run_id="r1", url=att, status=200, response_headers=[("Content-Type", CT[fmt])],
                                       body=body, role="attachment", source_id=sid, parent_url=page,
                                       filename=filename, fetched_at=f"{year + 1}-04-01T08:00:01Z")  # fmt: skip
        world.reports[(sid, year)] = {"spec": spec, "url": page, "capture_id": row["id"], "body": body,
                                      "filename": filename, "format": fmt, "sha256": row["sha256"]}  # fmt: skip
    # A listing page: one link to a captured report page (rewritten to its archived copy), one relative
    # link to a page never captured (disabled), one off-site link (disabled).
    hz = world.reports[("zj-hz-tjj", 2020)]
    world.uncaptured_url = f"{HOST}/hztjj/never-captured.html"
    listing = (f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body><ul>"
               f"<li><a id='captured' href='2020/{hz['url'].rsplit('/', 1)[1]}'>2020年度报告</a></li>"
               f"<li><a id='uncaptured' href='never-captured.html'>未抓取</a></li>"
               f"<li><a id='offsite' href='https://www.example.org/x'>外站</a></li></ul></body></html>").encode()  # fmt: skip
    row = store.write_exchange(run_id="r1", url=f"{HOST}/hztjj/", status=200,
                               response_headers=[("Content-Type", CT["html"])], body=listing, role="listing",
                               source_id="zj-hz-tjj", fetched_at="2023-04-01T07:59:00Z")  # fmt: skip
    world.listing_capture_id = row["id"]
    store.finish_run("r1", "finished")
    store.close()
    build_archive(data, workers=1, progress=False)
    return world
