"""Merge the capture shards of distributed workers (DATA/shards/<worker-id>/) into DATA/captures.db.

Each shard is an ordinary capture store written by one worker. The merge copies its index into
DATA's own store with new ids (``shard_captures`` remembers shard + shard id -> capture id, so a
merge repeated after more crawling adds only what is new and updates rows the crawler completed
later), WARC paths made relative to DATA (``shards/<w>/warc/...``: the records are read in place,
never copied) and revisits pointing at the merged ids. New rows are inserted in fetch order across
all shards, so "the latest capture" means the same as in a single store.

A shard whose worker is not running (its crawl.lock is free) is first repaired with
``CaptureStore.recover``: a killed worker's torn WARC tail is cut and its run marked killed. Run
history rows of a host group crawled again by another worker after a kill: the finished row wins
over the killed one; a run is ``killed`` only while some source of it has nothing but killed rows.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawler.frontier import SHARDS_DIR
from crawler.locking import CRAWL_LOCK, FileLock, LockBusy
from crawler.store import CAPTURE_COLUMNS, RUN_SOURCE_COLUMNS, CaptureStore


def shard_dirs(data_dir) -> list[Path]:
    root = Path(data_dir) / SHARDS_DIR
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "captures.db").is_file())


def _rows(db, sql: str, params=()) -> list[dict]:
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _repair(shard: Path) -> bool:
    """recover() a shard nobody is crawling into; False when its worker is busy in it."""
    try:
        lock = FileLock(shard / CRAWL_LOCK).acquire()
    except LockBusy:
        return False
    try:
        store = CaptureStore(shard)
        store.recover()
        store.close()
    finally:
        lock.release()
    return True


def merge_shards(data_dir) -> dict:
    """Bring every shard's captures, sources, runs and run history into DATA/captures.db."""
    data_dir = Path(data_dir)
    shards = shard_dirs(data_dir)
    report = {"shards": len(shards), "captures_added": 0, "captures_updated": 0, "busy": []}
    if not shards:
        return report
    target = CaptureStore(data_dir)
    db = target.db
    if "shard_captures" not in db.table_names():
        db["shard_captures"].create(
            {"shard": str, "shard_id": int, "capture_id": int}, pk=("shard", "shard_id")
        )
    mapping = {(s, i): c for s, i, c in db.execute("select shard, shard_id, capture_id from shard_captures")}
    cols = [c for c in CAPTURE_COLUMNS if c != "id"]
    fresh, runs, history, sources = [], {}, {}, {}
    for shard in shards:
        name = shard.name
        if not _repair(shard):
            report["busy"].append(name)
        src = CaptureStore(shard)
        try:
            for row in _rows(src.db, "select * from captures order by id"):
                if row["warc_file"]:
                    row["warc_file"] = f"{SHARDS_DIR}/{name}/{row['warc_file']}"
                row["_shard"] = name
                fresh.append(row)
            for r in _rows(src.db, "select * from crawl_runs"):
                r["_shard"] = name
                runs.setdefault(r["id"], []).append(r)
            for r in _rows(src.db, "select * from run_sources"):
                history.setdefault((r["run_id"], r["source_id"]), []).append(r)
            for r in _rows(src.db, "select * from sources"):
                sources[r["id"]] = r
        finally:
            src.close()
    fresh.sort(key=lambda r: (r["fetched_at"] or "", r["_shard"], r["id"]))
    with db.conn:
        if sources:
            db["sources"].upsert_all(list(sources.values()), pk="id")
        # pass 1: new rows get ids in fetch order; pass 2: revisit_of and updated fields
        for row in fresh:
            key = (row["_shard"], row["id"])
            if key not in mapping:
                values = [row[c] if c != "revisit_of" else None for c in cols]
                cur = db.conn.execute(
                    f"insert into captures ({', '.join(cols)}) values ({', '.join('?' * len(cols))})", values
                )
                mapping[key] = cur.lastrowid
                db.conn.execute("insert into shard_captures values (?, ?, ?)", [*key, cur.lastrowid])
                report["captures_added"] += 1
                row["_new"] = True
        for row in fresh:
            cid = mapping[(row["_shard"], row["id"])]
            want = dict(row)
            if want["revisit_of"] is not None:
                want["revisit_of"] = mapping.get((row["_shard"], want["revisit_of"]))
            have = _rows(db, "select * from captures where id = ?", [cid])[0]
            changed = {c: want[c] for c in cols if have[c] != want[c]}
            if changed:
                db["captures"].update(cid, changed)
                report["captures_updated"] += not row.get("_new")
        # run history: a finished row beats a killed one (the group was crawled again elsewhere)
        for rows in history.values():
            rows.sort(key=lambda r: (r["status"] != "killed", r["finished"] or ""))
            best = {k: rows[-1].get(k) for k in RUN_SOURCE_COLUMNS}
            db["run_sources"].upsert(best, pk=("run_id", "source_id"))
        for run_id, rows in runs.items():
            ids: list[str] = []
            for r in rows:
                ids += [s for s in json.loads(r["sources"] or "[]") if s not in set(ids)]
            statuses = {r["status"] for r in rows}
            lost = [
                sid
                for sid in ids
                if all(r["status"] == "killed" for r in history.get((run_id, sid), [{"status": "killed"}]))
            ]
            if "running" in statuses:
                status = "running"
            elif lost and "killed" in statuses:
                status = "killed"
            else:
                status = "failed" if "failed" in statuses else "ok"
            stats = {
                "shards": {r["_shard"]: json.loads(r["stats"] or "{}") for r in rows},
                "killed": status == "killed",
            }
            db["crawl_runs"].upsert(
                {
                    "id": run_id,
                    "started": min((r["started"] for r in rows if r["started"]), default=None),
                    "finished": None
                    if status == "running"
                    else max((r["finished"] or "" for r in rows), default=None),
                    "status": status,
                    "sources": json.dumps(ids),
                    "stats": json.dumps(stats, ensure_ascii=False),
                },
                pk="id",
            )
    target.close()
    return report
