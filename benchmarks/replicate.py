"""Scale a synthetic benchmark archive up by copying it k times (report ids shifted), for the site
benchmark at sizes whose generation is too slow on a shared 2-CPU machine (1,000,000 reports would take
~50 min of prose generation and bigram ingest; copying a 100,000-report archive is bulk SQL).

    python3 benchmarks/replicate.py SRC_DATA DST_DATA --times 10
    python3 benchmarks/site.py --data DST_DATA --reports 1000000

Every report-keyed table is copied with its ids shifted by i * (max id); agencies are shared (each agency
then has k times as many reports). The copy keeps the source's word frequencies (a word in 50% of reports
stays in 50%), which is what search cost depends on; indexes, aggregates and ANALYZE are rebuilt.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive import schema, search, summary  # noqa: E402

# table -> columns holding a report id
REPORT_TABLES = {
    "reports": ("id", "previous_version_id"),
    "report_summary": ("report_id",),
    "report_values": ("report_id",),
    "report_issues": ("report_id", "other_report_id"),
    "report_cells": ("report_id",),
    "report_documents": ("report_id",),
    "report_links": ("report_id", "other_report_id"),
}
SHARED_TABLES = ("agencies", "sources", "keys", "crawl_runs", "captures")


def replicate(src: Path, dst: Path, times: int) -> dict:
    dst.mkdir(parents=True, exist_ok=True)
    out = dst / "archive.db"
    if out.exists():
        out.unlink()
    conn = sqlite3.connect(out)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.executescript(schema.DDL)
    conn.executescript(summary.DDL)
    conn.execute("ATTACH DATABASE ? AS src", [f"file:{src / 'archive.db'}?immutable=1"])
    step = conn.execute("select max(id) from src.reports").fetchone()[0]
    t0 = time.perf_counter()
    for table in SHARED_TABLES:
        conn.execute(f"INSERT INTO [{table}] SELECT * FROM src.[{table}]")
    for i in range(times):
        for table, id_cols in REPORT_TABLES.items():
            cols = [r[1] for r in conn.execute(f"PRAGMA src.table_info([{table}])")]
            select = ", ".join(f"[{c}] + {i * step}" if c in id_cols else f"[{c}]" for c in cols)
            conn.execute(f"INSERT INTO [{table}] ({', '.join(cols)}) SELECT {select} FROM src.[{table}]")
        conn.commit()
        print(f"  copy {i + 1}/{times} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    cols = ", ".join(search.SEARCH_COLUMNS)
    conn.execute(f"CREATE VIRTUAL TABLE [{search.SEARCH_TABLE}] USING fts5({cols}, tokenize='unicode61')")
    for i in range(times):
        conn.execute(f"INSERT INTO [{search.SEARCH_TABLE}] (rowid, {cols}) "
                     f"SELECT rowid + {i * step}, {cols} FROM src.[{search.SEARCH_TABLE}]")  # fmt: skip
        conn.commit()
        print(f"  search copy {i + 1}/{times} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    conn.execute("DETACH DATABASE src")  # the aggregates' DDL must not see the source's tables
    for table, cols in schema.INDEXES.items():
        for c in cols:
            conn.execute(f"CREATE INDEX IF NOT EXISTS [idx_{table}_{'_'.join(c)}] ON [{table}] "
                         f"({', '.join(f'[{x}]' for x in c)})")  # fmt: skip
    summary.create_indexes(conn)
    conn.commit()
    summary.build_aggregates(conn)
    conn.commit()
    print(f"  indexes and aggregates ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    conn.execute("ANALYZE")
    conn.commit()
    n = conn.execute("select count(*) from reports").fetchone()[0]
    conn.close()
    return {"reports": n, "seconds": round(time.perf_counter() - t0), "mb": round(out.stat().st_size / 1e6)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path, help="DATA dir with the archive.db to copy")
    ap.add_argument("dst", type=Path, help="DATA dir to write")
    ap.add_argument("--times", type=int, default=10)
    args = ap.parse_args()
    print(replicate(args.src, args.dst, args.times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
