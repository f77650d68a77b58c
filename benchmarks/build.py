"""Archive build throughput: `xxgk build` reports per second next to bare sqlite-utils inserts of the same rows.

Writes N generated reports (distinct specs, all templates; HTML pages, plus a share of DOCX
attachments rendered beforehand, not timed) into a capture store through CaptureStore, then times:
- the full build (parse in a process pool of --workers, write in transactions, findings, summary,
  bigram search index);
- a second build with nothing new (must parse nothing);
- bare sqlite-utils ``insert_all`` of exactly the rows the build wrote (reports, report_values,
  report_cells, report_issues, report_documents) into an empty file: the floor of the write side;
- the archive-level passes (findings, summary, search) on their own.

    python benchmarks/build.py [--n 200] [--docx-share 0.1] [--workers 2] [--append BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import findings, search, summary  # noqa: E402
from archive.build import build  # noqa: E402
from crawler.store import CaptureStore  # noqa: E402
from replica.render import render  # noqa: E402
from replica.reports import generate  # noqa: E402

TEMPLATES = ("2019", "2021", "legacy", "2019_legacy")
TABLES = ("reports", "report_values", "report_cells", "report_issues", "report_documents")
HOST = "http://127.0.0.10:8000"


def make_store(data: Path, n: int, docx_share: float) -> dict:
    store = CaptureStore(data)
    sources = [{"id": f"src-{i}", "agency": f"某市第{i}局", "region": "浙江省杭州市", "region_code": "330100",
                "level": "prefecture", "family": "generic", "start_urls": [f"{HOST}/{i}/"]} for i in range(20)]  # fmt: skip
    store.save_sources(sources)
    store.start_run("bench", [s["id"] for s in sources])
    n_docx = int(n * docx_share)
    t0 = time.perf_counter()
    for i in range(n):
        src = sources[i % len(sources)]
        spec = generate(i, TEMPLATES[i % len(TEMPLATES)], agency=src["agency"], region=src["region"],
                        year=2017 + i // len(sources) % 7, inconsistencies=i % 3)  # fmt: skip
        page = f"{HOST}/{src['id']}/{i}.html"
        if i < n_docx:
            att = page.replace(".html", ".docx")
            store.write_exchange(run_id="bench", url=page, status=200, response_headers=[("Content-Type", "text/html")],
                                 body=f"<html><title>{spec.title}</title><a href='{att}'>附件</a></html>".encode(),
                                 role="report", source_id=src["id"], title=spec.title)  # fmt: skip
            store.write_exchange(run_id="bench", url=att, status=200, body=render(spec, "docx"), role="attachment",
                                 source_id=src["id"], parent_url=page, filename=f"{i}.docx")  # fmt: skip
        else:
            store.write_exchange(run_id="bench", url=page, status=200, response_headers=[("Content-Type", "text/html")],
                                 body=render(spec, "html"), role="report", source_id=src["id"], title=spec.title)  # fmt: skip
    store.finish_run("bench", "ok")
    store.close()
    return {"docx": n_docx, "html": n - n_docx, "render_seconds": time.perf_counter() - t0}


def bare_inserts(archive: Path, target: Path) -> None:
    """insert_all of the same rows into an empty database with sqlite-utils defaults."""
    src = sqlite3.connect(archive)
    data = {}
    for t in TABLES:
        cur = src.execute(f"SELECT * FROM [{t}]")
        names = [d[0] for d in cur.description]
        data[t] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    src.close()
    db = sqlite_utils.Database(target)
    for t, rows in data.items():
        db[t].insert_all(rows, batch_size=1000)


def cpu() -> float:
    """CPU seconds of this process (the parser workers report theirs through the build's stats): the
    machine is shared, so wall-clock time alone would measure the neighbours too."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


class Timer:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), cpu()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, cpu() - self.cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--docx-share", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--append", help="append the results as a section of this markdown file")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-build-"))
    try:
        data = tmp / "data"
        made = make_store(data, args.n, args.docx_share)
        with Timer() as full:
            stats = build(data, workers=args.workers, progress=False)
        with Timer() as noop:
            again = build(data, workers=args.workers, progress=False)
        assert again.get("parsed_documents", 0) == 0
        archive = data / "archive.db"
        counts = {t: sqlite3.connect(archive).execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in TABLES}
        with Timer() as bare:
            bare_inserts(archive, tmp / "bare.db")
        db = sqlite_utils.Database(archive)
        with Timer() as t_find:
            findings.compute(db)
        with Timer() as t_sum:
            summary.compute(db)
        ids = [r[0] for r in db.execute("SELECT id FROM reports")]
        with Timer() as t_search, db.conn:
            search.index_reports(db, ids)
        size_mb = archive.stat().st_size / 1e6
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = stats["reports"]
    lines = [
        "",
        f"## Archive build (`benchmarks/build.py`, {dt.date.today().isoformat()})",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}. {n} generated reports ({made['html']} HTML pages, {made['docx']} DOCX "
        f"attachments under link pages; templates 2019/2021/legacy/hybrid), build with {args.workers} parser processes.",
        "",
        "| step | wall s | CPU s | reports/s (wall) | reports/s (CPU) |",
        "|---|---|---|---|---|",
        row("`xxgk build` from captures (parse + write + findings + summary + search), CPU without the workers",
            full, n),
        f"| of which in parse(), summed over workers | {stats['parse_seconds']:.2f} | {stats['parse_cpu_seconds']:.2f} "
        f"| - | {n / max(stats['parse_cpu_seconds'], 1e-9):.1f} per core |",
        row("second build, nothing new (nothing parsed or written)", noop, n),
        row(f"bare sqlite-utils `insert_all` of the same rows ({', '.join(f'{t} {c}' for t, c in counts.items())})",
            bare, n),
        row("findings pass (whole archive)", t_find, n),
        row("summary pass (whole archive)", t_sum, n),
        row("bigram search ingest (whole archive)", t_search, n),
        "",
        f"Archive file: {size_mb:.1f} MB for {n} reports. The machine is shared, so wall time also measures the neighbours. The write side (bare inserts of the same "
        f"rows) is {bare.cpu / max(full.cpu + stats['parse_cpu_seconds'], 1e-9):.0%} of the build's CPU (main "
        f"process + parser workers): the build is bound by parsing.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.append:
        with open(args.append, "a", encoding="utf-8") as fh:
            fh.write(text)
    return 0


def row(label: str, t: Timer, n: int) -> str:
    return f"| {label} | {t.wall:.2f} | {t.cpu:.2f} | {n / max(t.wall, 1e-9):.1f} | {n / max(t.cpu, 1e-9):.1f} |"


if __name__ == "__main__":
    sys.exit(main())
