"""Build DATA/archive.db from the capture store: parse new captures, write reports, findings, search.

A report is an annual-report page (role ``report``) with the attachments captured under it in the
same crawl run. Every document of it is parsed; the one with the most values carries the tables
(the page itself when its HTML holds them, else its DOCX/PDF/DOC attachment) and the others stay
traceable in ``report_documents``. A report version is (page URL, SHA-256 of that document): when
the bytes at a URL change, a new ``reports`` row is linked to the old one by previous_version_id.

Incremental: captures already recorded with the current parser version are skipped, a capture
whose bytes the archive already holds (a WARC revisit of an unchanged report) is linked without
parsing, so a second build with nothing new writes nothing. ``rebuild=True`` re-parses everything
and rewrites each report in place (same ids).

Each document is parsed in a worker process with a time limit (``parse_timeout``, default 120 s):
a parse that hangs or a worker that dies fails that document only, with the reason recorded.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from decimal import Decimal
from multiprocessing import connection
from pathlib import Path

from archive import findings, notices, schema, search, summary
from archive.agencies import agencies_from_sources, agency_id_for

CHUNK = int(os.environ.get("XXGK_BUILD_CHUNK", 100))  # reports written per transaction
PARSE_TIMEOUT = 120.0  # seconds per document before it is recorded as failed (LibreOffice has its own 60 s)
PARSED_ROLES = ("report", "attachment")
_YEAR_IN_TITLE = re.compile(r"(20\d\d|19\d\d)\s*年")


def current_parser_version() -> str:
    import parsers

    for mod_name in ("parsers", "parsers.api", "parsers.version"):
        try:
            mod = __import__(mod_name, fromlist=["x"])
        except ImportError:
            continue
        for attr in ("PARSER_VERSION", "__version__"):
            v = getattr(mod, attr, None)
            if v:
                return str(v)
    return getattr(parsers, "__name__", "parsers") + "-unversioned"


# ---- parsing in worker processes -------------------------------------------------------------
_store = None


def _init_worker(data_dir: str) -> None:
    global _store
    from crawler.store import CaptureStore

    _store = CaptureStore(data_dir)


def parse_capture(row: dict) -> dict:
    """Parse one capture; never raises: a failure comes back as status 'failed' with the error."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        from parsers import parse

        data = _store.read_payload(row)
        result = parse(data, filename=row.get("filename"), url=row.get("url"), content_type=row.get("content_type"))
        if not isinstance(result, dict) or "metadata" not in result:
            raise ValueError(f"parser returned {type(result).__name__}, not the parse contract")
        out = {"status": "ok", "result": result}
    except Exception as exc:  # noqa: BLE001 - one unreadable capture must not stop the build
        out = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:2000]}
    out["seconds"] = time.perf_counter() - t0
    out["cpu_seconds"] = time.process_time() - c0
    return out


class Progress:
    """A one-line progress bar on stderr (a line per 10% when stderr is not a terminal)."""

    def __init__(self, total: int, label: str, enabled: bool = True):
        self.total, self.label, self.done = total, label, 0
        self.enabled = enabled and total > 0
        self.tty = sys.stderr.isatty()
        self.t0 = time.perf_counter()
        self._last_decile = -1

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        rate = self.done / max(time.perf_counter() - self.t0, 1e-9)
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done}/{self.total} {rate:.1f}/s")  # fmt: skip
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        else:
            decile = 10 * self.done // self.total
            if decile != self._last_decile:
                self._last_decile = decile
                print(f"{self.label}: {self.done}/{self.total} ({rate:.1f}/s)", file=sys.stderr, flush=True)


class _Worker:
    """One parser process fed one capture at a time over a pipe, so that a hung or crashed parse is
    known exactly and costs only that capture and that process."""

    def __init__(self, ctx, data_dir: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, data_dir), daemon=True)
        self.proc.start()
        child.close()
        self.row: dict | None = None
        self.deadline = 0.0

    def give(self, row: dict, timeout: float) -> None:
        self.row, self.deadline = row, time.monotonic() + timeout
        self.conn.send(row)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.kill()
        self.conn.close()


def _worker_main(conn, data_dir: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _init_worker(data_dir)
    while True:
        try:
            row = conn.recv()
        except EOFError:
            return
        if row is None:
            return
        _test_hook(row)
        conn.send(parse_capture(row))


TEST_HOOK_ENV = "XXGK_TEST_PARSE_HOOK"


_HOOK_SEEN = [0]


def _test_hook(row: dict) -> None:
    """Test-only: XXGK_TEST_PARSE_HOOK=hang:<sha256>[:seconds] or crash:<sha256> makes the worker
    parsing that document sleep (default an hour) or die (SIGKILL), to test the parse timeout and the
    crash recovery for real."""
    hook = os.environ.get(TEST_HOOK_ENV)
    if not hook:
        return
    action, sha, *seconds = hook.split(":")
    if action == "stall-after":  # stall-after:<n>[:seconds]: every document after the n-th
        _HOOK_SEEN[0] += 1
        if _HOOK_SEEN[0] > int(sha):
            time.sleep(float(seconds[0]) if seconds else 3600)
        return
    if sha != row.get("sha256"):
        return
    if action == "hang":
        time.sleep(float(seconds[0]) if seconds else 3600)
    elif action == "crash":
        os.kill(os.getpid(), signal.SIGKILL)


class Parser:
    """Parses captures in worker processes. A parse that takes longer than `timeout` seconds is
    recorded as failed and its worker killed and replaced; a worker that dies (a native library
    crash) costs only the capture it was parsing."""

    def __init__(self, data_dir: Path, workers: int, timeout: float = PARSE_TIMEOUT):
        self.data_dir, self.workers, self.timeout = str(data_dir), workers, timeout
        self.pool: list[_Worker] = []
        self.ctx = multiprocessing.get_context()
        self.replaced = 0  # workers killed (timeout) or found dead (crash)

    def parse_all(self, rows: list[dict], progress: Progress) -> dict[int, dict]:
        out: dict[int, dict] = {}
        if self.workers <= 0:  # in-process, for debugging (no timeout)
            _init_worker(self.data_dir)
            for r in rows:
                out[r["id"]] = parse_capture(r)
                progress.step()
            return out
        while len(self.pool) < min(self.workers, len(rows)):
            self.pool.append(_Worker(self.ctx, self.data_dir))
        queue = deque(rows)
        while queue or any(w.row is not None for w in self.pool):
            for i, w in enumerate(self.pool):
                if w.row is None and queue:
                    if not w.proc.is_alive():  # died while idle: replace before giving it work
                        w.kill()
                        w = self.pool[i] = _Worker(self.ctx, self.data_dir)
                        self.replaced += 1
                    row = queue.popleft()
                    try:
                        w.give(row, self.timeout)
                    except OSError:  # died just now: the next round replaces it
                        w.row = None
                        queue.appendleft(row)
            if not any(w.row is not None for w in self.pool):
                continue
            busy = [w for w in self.pool if w.row is not None]
            wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            connection.wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for)
            for w in busy:
                failure = None
                if w.conn.poll():
                    try:
                        out[w.row["id"]] = w.conn.recv()
                    except (EOFError, OSError):
                        failure = self._died(w)
                elif not w.proc.is_alive():
                    failure = self._died(w)
                elif time.monotonic() >= w.deadline:
                    failure = f"parse timed out after {self.timeout:g} s (parser process killed)"
                else:
                    continue
                if failure is not None:
                    spent = time.monotonic() - (w.deadline - self.timeout)
                    out[w.row["id"]] = {"status": "failed", "error": failure, "seconds": spent, "cpu_seconds": 0.0}
                    w.kill()
                    self.pool[self.pool.index(w)] = _Worker(self.ctx, self.data_dir)
                    self.replaced += 1
                else:
                    w.row = None
                progress.step()
        return out

    @staticmethod
    def _died(w: _Worker) -> str:
        w.proc.join(5)
        return f"parser process died (exit code {w.proc.exitcode}) while parsing this document"

    def close(self) -> None:
        for w in self.pool:
            w.stop()
        self.pool = []


# ---- copying the capture store -------------------------------------------------------------------
def _columns(db, table: str, schema_name: str = "main") -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA {schema_name}.table_info([{table}])").fetchall()]


def copy_capture_store(db, data_dir: Path) -> dict:
    """Mirror crawl_runs, sources (+ agencies) and captures; rows already identical are not written."""
    path = data_dir / "captures.db"
    db.execute("ATTACH DATABASE ? AS cap", [str(path)])
    try:
        counts = {}
        for table in ("crawl_runs", "captures"):
            cols = [c for c in _columns(db, table) if c in set(_columns(db, table, "cap"))]
            collist = ", ".join(f"[{c}]" for c in cols)
            updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != "id")
            differs = " OR ".join(f"main.[{table}].[{c}] IS NOT excluded.[{c}]" for c in cols if c != "id")
            before = db.conn.total_changes
            with db.conn:
                db.execute(
                    f"INSERT INTO main.[{table}] ({collist}) SELECT {collist} FROM cap.[{table}] WHERE true "
                    f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE {differs}"
                )
            counts[table] = db.conn.total_changes - before
        cur = db.execute("SELECT * FROM cap.sources")
        names = [d[0] for d in cur.description]
        sources = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        db.execute("DETACH DATABASE cap")
    src_rows = []
    for s in sources:
        src_rows.append({
            "id": s["id"], "agency_id": agency_id_for(s), "agency": s.get("agency"), "family": s.get("family"),
            "start_urls": s.get("start_urls"), "region": s.get("region"), "region_code": s.get("region_code"),
            "level": s.get("level"), "notes": s.get("notes"), "params": s.get("params"),
        })  # fmt: skip
    counts["sources"] = _upsert_changed(db, "sources", "id", src_rows)
    # agencies from every source ever seen, so an agency dropped from the registry keeps its reports
    known = {r["id"]: r for r in _rows(db, "SELECT * FROM sources")}
    for s in src_rows:
        known[s["id"]] = s
    counts["agencies"] = _upsert_changed(db, "agencies", "id", agencies_from_sources(list(known.values())))
    return counts


def copy_run_history(db, data_dir: Path) -> dict:
    """Mirror run_sources (the run history per source) and rebuild source_health from it: the site's
    operations tables. Rows already identical are not written, so a second build changes nothing."""
    from crawler.health import HEALTH_COLUMNS, source_health

    counts = {"run_sources": 0, "source_health": 0}
    db.execute("ATTACH DATABASE ? AS cap", [str(data_dir / "captures.db")])
    try:
        if db.execute("SELECT 1 FROM cap.sqlite_master WHERE type = 'table' AND name = 'run_sources'").fetchone():
            cols = [c for c in _columns(db, "run_sources") if c in set(_columns(db, "run_sources", "cap"))]
            collist = ", ".join(f"[{c}]" for c in cols)
            keys = ("run_id", "source_id")
            updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in keys)
            differs = " OR ".join(f"main.run_sources.[{c}] IS NOT excluded.[{c}]" for c in cols if c not in keys)
            before = db.conn.total_changes
            with db.conn:
                db.execute(
                    f"INSERT INTO main.run_sources ({collist}) SELECT {collist} FROM cap.run_sources WHERE true "
                    f"ON CONFLICT(run_id, source_id) DO UPDATE SET {updates} WHERE {differs}"
                )
            counts["run_sources"] = db.conn.total_changes - before
    finally:
        db.execute("DETACH DATABASE cap")
    rows = [{c: r[c] for c in HEALTH_COLUMNS} for r in source_health(db.conn)]
    counts["source_health"] = _upsert_changed(db, "source_health", "source_id", rows)
    keep = {r["source_id"] for r in rows}
    gone = [sid for (sid,) in db.execute("SELECT source_id FROM source_health") if sid not in keep]
    with db.conn:
        db.conn.executemany("DELETE FROM source_health WHERE source_id = ?", [(g,) for g in gone])
    return counts


def _rows(db, sql: str, params=()) -> list[dict]:
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _upsert_changed(db, table: str, pk: str, rows: list[dict]) -> int:
    if not rows:
        return 0
    cols = list(rows[0])
    have = {r[pk]: r for r in _rows(db, f"SELECT {', '.join(cols)} FROM [{table}]")}
    changed = [r for r in rows if have.get(r[pk]) != r]
    with db.conn:
        db.conn.executemany(
            f"INSERT OR REPLACE INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [tuple(r[c] for c in cols) for r in changed],
        )
    return len(changed)


# ---- grouping captures into report instances --------------------------------------------------
def report_instances(db) -> list[dict]:
    """One instance per (report page URL, crawl run): the page capture and its attachments.

    An attachment with no page capture in its run forms an instance of its own (page None). A page
    recaptured without its attachments (an incremental crawl that skipped unchanged files) borrows
    the attachments of the latest earlier run.
    """
    rows = _rows(
        db,
        "SELECT * FROM captures WHERE role IN ('report', 'attachment') AND status BETWEEN 200 AND 299 "
        "AND error IS NULL AND warc_file IS NOT NULL ORDER BY id",
    )
    pages: dict[tuple, dict] = {}
    attachments: dict[tuple, dict[str, dict]] = defaultdict(dict)
    run_order: dict[str, int] = {}
    for r in rows:
        # a version is identified by its bytes; a row without a digest is its own version
        r["sha256"] = r["sha256"] or f"capture-{r['id']}"
        run_order.setdefault(r["run_id"], len(run_order))
        if r["role"] == "report":
            pages[(r["url"], r["run_id"])] = r  # the latest capture of the page in that run
        elif r["parent_url"]:
            attachments[(r["parent_url"], r["run_id"])][r["url"]] = r
        else:
            pages.setdefault((r["url"], r["run_id"]), r)  # an attachment found without its page
    # A run that never finished (killed) is continued by the next run that captured the same page
    # bytes: that run fetched only what was missing, so the two runs' captures form one instance.
    unfinished = {r[0] for r in db.execute(
        "SELECT id FROM crawl_runs WHERE status IS NULL OR status NOT IN ('ok', 'failed')")}
    if unfinished:
        runs_of_page: dict[str, list[str]] = defaultdict(list)
        for url, run in pages:
            runs_of_page[url].append(run)
        for url, runs in runs_of_page.items():
            runs.sort(key=run_order.get)
            for a, b in zip(runs, runs[1:], strict=False):
                if a in unfinished and pages[(url, a)]["sha256"] == pages[(url, b)]["sha256"]:
                    merged = {**attachments.pop((url, a), {}), **attachments.get((url, b), {})}
                    if merged:
                        attachments[(url, b)] = merged
                    del pages[(url, a)]
    by_url_runs: dict[str, list[str]] = defaultdict(list)
    for url, run in attachments:
        by_url_runs[url].append(run)
    instances = []
    keys = set(pages) | set(attachments)
    for url, run in sorted(keys, key=lambda k: (run_order[k[1]], k[0])):
        page = pages.get((url, run))
        atts = list(attachments.get((url, run), {}).values())
        if page is not None and not atts:
            earlier = [x for x in by_url_runs.get(url, []) if run_order[x] < run_order[run]]
            if earlier:
                atts = list(attachments[(url, max(earlier, key=run_order.get))].values())
        docs = ([page] if page is not None else []) + sorted(atts, key=lambda a: a["id"])
        instances.append({"url": url, "run_id": run, "page": page, "docs": docs})
    return instances


# ---- turning parse results into rows -----------------------------------------------------------
def _number(v):
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v if isinstance(v, int | float) else None


def _str(v) -> str | None:
    return None if v is None else str(v)


def _page_meta(capture: dict | None, result: dict | None) -> dict:
    meta = {}
    if capture and capture.get("page_meta"):
        try:
            m = json.loads(capture["page_meta"])
            if isinstance(m, dict):
                meta.update(m)
        except ValueError:
            pass
    if result:
        m = (result.get("metadata") or {}).get("page_meta")
        if isinstance(m, dict):
            meta.update({k: v for k, v in m.items() if v})
    return meta


def _iso_date(s) -> str | None:
    if not s:
        return None
    m = re.search(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})", str(s))
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def assemble(instance: dict, outcomes: dict[int, dict], agency_of_source: dict, parser_version: str) -> dict:
    """The rows of one report version from the parse outcomes of its documents."""
    page = instance["page"]
    docs = []
    for c in instance["docs"]:
        o = outcomes[c["id"]]
        res = o.get("result") if o["status"] == "ok" else None
        docs.append((c, o, res))
    ok = [d for d in docs if d[2] is not None]

    def weight(d):
        c, _, res = d
        return (len(res.get("values") or []), c is page, -c["id"])

    primary = max(ok, key=weight) if ok else (docs[0] if page is None else next(d for d in docs if d[0] is page))
    pc, po, pres = primary
    values = (pres or {}).get("values") or []
    status = "failed" if pres is None else ("ok" if values else "no_tables")
    page_res = next((d[2] for d in docs if d[0] is page), None)
    meta = (pres or {}).get("metadata") or {}
    page_meta_res = (page_res or {}).get("metadata") or {}

    def pick(field):
        for m in (meta, page_meta_res):
            if m.get(field) not in (None, ""):
                return m[field]
        for _, _, res in ok:
            v = (res.get("metadata") or {}).get(field)
            if v not in (None, ""):
                return v
        return None

    anchor = page or pc
    pm = _page_meta(page, page_res) if page else _page_meta(pc, pres)
    title = pick("title") or anchor.get("title")
    year = pick("year")
    if not isinstance(year, int):
        m = _YEAR_IN_TITLE.search(title or anchor.get("title") or "")
        year = int(m[1]) if m else None
    sections = {}
    for name, col in schema.SECTION_COLUMNS.items():
        text = None
        for m in (meta, page_meta_res):
            text = (m.get("sections") or {}).get(name) if isinstance(m.get("sections"), dict) else None
            if text:
                break
        sections[col] = _str(text)
    issues = (pres or {}).get("issues") or []
    report = {
        "agency_id": agency_of_source.get(anchor.get("source_id")),
        "source_id": anchor.get("source_id"),
        "year": year,
        "title": _str(title),
        "agency_name": _str(pick("agency")),
        "template": _str(meta.get("template")),
        "published": _iso_date(pick("published")) or _iso_date(pm.get("发布日期")) or _iso_date(pm.get("成文日期")),
        "url": instance["url"],
        "format": _str(meta.get("format")) or ("html" if pc is page else None),
        "sha256": pc["sha256"],
        "capture_id": pc["id"],
        "page_capture_id": page["id"] if page else None,
        "parse_status": status,
        "parse_error": po.get("error") if pres is None else None,
        "error_count": sum(1 for i in issues if i.get("severity") == "error") + (pres is None),
        "warning_count": sum(1 for i in issues if i.get("severity") == "warning"),
        "value_count": len(values),
        **sections,
        "index_no": _str(pm.get("索引号")),
        "publisher": _str(pm.get("发布机构")),
        "doc_no": _str(pm.get("文号")),
        "fetched_at": anchor.get("fetched_at"),
        "parser_version": _str(meta.get("parser_version")) or parser_version,
    }
    value_rows, seen = [], set()
    for v in values:
        key = v.get("key")
        if not isinstance(key, str) or key in seen:
            continue
        seen.add(key)
        parts = key.split(".")
        table = v.get("table")
        value_rows.append({
            "key": key, "table_no": _str(table) if table is not None else schema.table_no_for(key),
            "row_key": parts[1] if len(parts) > 1 else None, "col_key": parts[2] if len(parts) > 2 else None,
            "value": _number(v.get("value")), "raw": _str(v.get("raw")), "unit": _str(v.get("unit")),
            "cell": _str(v.get("cell")), "source": _str(v.get("source")),
            "confidence": v.get("confidence") if isinstance(v.get("confidence"), (int, float)) else None,
            "uncertain": (1 if v.get("uncertain") else 0) if v.get("source") == "ocr" else None,
        })  # fmt: skip
    cell_rows = [{
        "table_no": _str(c.get("table")), "row": c.get("row"), "col": c.get("col"),
        "row_label": _str(c.get("row_label")), "col_label": _str(c.get("col_label")), "raw": _str(c.get("raw")),
    } for c in ((pres or {}).get("cells") or [])]  # fmt: skip
    issue_rows = [{
        "rule": _str(i.get("rule")), "severity": _str(i.get("severity")), "message": _str(i.get("message")),
        "key": _str(i.get("key")), "left_value": _number(i.get("left")), "right_value": _number(i.get("right")),
    } for i in issues]  # fmt: skip
    if pres is None:
        issue_rows.append({"rule": "parse.failed", "severity": "error", "message": po.get("error"),
                           "key": None, "left_value": None, "right_value": None})  # fmt: skip
    doc_rows = []
    for c, o, res in docs:
        iss = (res or {}).get("issues") or []
        doc_rows.append({
            "capture_id": c["id"], "role": "page" if c is page else "attachment", "is_primary": int(c is pc),
            "url": c["url"], "filename": c.get("filename"),
            "format": _str(((res or {}).get("metadata") or {}).get("format")), "sha256": c["sha256"],
            "parse_status": "failed" if res is None else ("ok" if res.get("values") else "no_tables"),
            "error": o.get("error"), "value_count": len((res or {}).get("values") or []),
            "error_count": sum(1 for i in iss if i.get("severity") == "error"),
            "warning_count": sum(1 for i in iss if i.get("severity") == "warning"),
            "parser_version": parser_version,
        })  # fmt: skip
    return {"report": report, "values": value_rows, "cells": cell_rows, "issues": issue_rows, "documents": doc_rows}


# ---- writing -------------------------------------------------------------------------------------------
def _insert(db, table: str, rows: list[dict], extra: dict | None = None, or_ignore: bool = False) -> None:
    if not rows:
        return
    extra = extra or {}
    cols = list(extra) + list(rows[0])
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    db.conn.executemany(
        f"{verb} INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [tuple(extra.values()) + tuple(r.values()) for r in rows],
    )


def write_report(db, built: dict, known_keys: set, now: str) -> tuple[int, str]:
    """Insert or refresh one report version; returns (report id, 'new' | 'updated')."""
    rep = built["report"]
    existing = db.execute("SELECT id FROM reports WHERE url = ? AND sha256 = ?", [rep["url"], rep["sha256"]]).fetchone()
    if existing:
        rid = existing[0]
        for t in ("report_values", "report_cells", "report_documents"):
            db.execute(f"DELETE FROM [{t}] WHERE report_id = ?", [rid])
        db.execute("DELETE FROM report_issues WHERE report_id = ? AND origin = 'parse'", [rid])
        sets = ", ".join(f"[{k}] = ?" for k in rep)
        db.execute(f"UPDATE reports SET {sets}, parsed_at = ? WHERE id = ?", [*rep.values(), now, rid])
        kind = "updated"
    else:
        prev = db.execute("SELECT max(id) FROM reports WHERE url = ?", [rep["url"]]).fetchone()[0]
        cols = [*rep, "previous_version_id", "is_latest", "parsed_at"]
        cur = db.execute(
            f"INSERT INTO reports ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [*rep.values(), prev, 1, now],
        )
        rid = cur.lastrowid
        if prev is not None:
            db.execute("UPDATE reports SET is_latest = 0 WHERE url = ? AND id != ?", [rep["url"], rid])
        kind = "new"
    for v in built["values"]:
        if v["key"] not in known_keys:
            db.execute("INSERT OR IGNORE INTO keys (key, table_no, row_key, col_key) VALUES (?, ?, ?, ?)",
                       [v["key"], v["table_no"], v["row_key"], v["col_key"]])  # fmt: skip
            known_keys.add(v["key"])
    _insert(db, "report_values", built["values"], {"report_id": rid})
    _insert(db, "report_cells", built["cells"], {"report_id": rid})
    _insert(db, "report_issues", built["issues"], {"report_id": rid, "origin": "parse"})
    _insert(db, "report_documents", built["documents"], {"report_id": rid}, or_ignore=True)
    return rid, kind


def link_documents(db, report_id: int, captures: list[dict]) -> None:
    """Record recaptures of documents the report already holds (same URL and bytes) without parsing."""
    for c in captures:
        twin = _rows(db, "SELECT * FROM report_documents WHERE report_id = ? AND url = ? AND sha256 = ? LIMIT 1",
                     [report_id, c["url"], c["sha256"]])  # fmt: skip
        if twin:
            row = dict(twin[0], capture_id=c["id"], is_primary=0)
            _insert(db, "report_documents", [row], or_ignore=True)


# ---- the build ----------------------------------------------------------------------------------------
def build(data_dir, db_path=None, rebuild: bool = False, workers: int | None = None, progress: bool = True,
          parse_timeout: float = PARSE_TIMEOUT) -> dict:
    data_dir = Path(data_dir)
    from crawler.shards import merge_shards

    merged = merge_shards(data_dir)  # distributed workers' shards (DATA/shards/*) into DATA/captures.db
    if not (data_dir / "captures.db").exists():
        raise FileNotFoundError(f"no capture store at {data_dir} (captures.db missing)")
    db_path = Path(db_path) if db_path else data_dir / "archive.db"
    workers = (os.cpu_count() or 1) if workers is None else workers
    t0 = time.perf_counter()
    db = schema.connect(db_path)
    schema.create(db)
    search.create_table(db)
    stats: dict = {"copied": copy_capture_store(db, data_dir), "shards": merged}
    stats["copied"].update(copy_run_history(db, data_dir))
    parser_version = current_parser_version()
    agency_of_source = dict(db.execute("SELECT id, agency_id FROM sources").fetchall())
    known_keys = {r[0] for r in db.execute("SELECT key FROM keys")}

    recorded: dict[int, tuple] = {}
    by_sha: dict[tuple, set] = defaultdict(set)
    for rid, cid, url, sha, pv in db.execute(
        "SELECT report_id, capture_id, url, sha256, parser_version FROM report_documents"
    ):
        recorded[cid] = (rid, pv)
        by_sha[(url, sha, pv)].add(rid)

    todo, link_only = [], []
    for inst in report_instances(db):
        ids = [c["id"] for c in inst["docs"]]
        if not rebuild and all(recorded.get(i, (None, None))[1] == parser_version for i in ids):
            continue
        if not rebuild:
            owners = [by_sha.get((c["url"], c["sha256"], parser_version), set()) for c in inst["docs"]]
            common = set.intersection(*owners) if owners else set()
            if common:
                link_only.append((min(common), inst["docs"]))
                continue
        todo.append(inst)

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    touched: set[int] = set()
    counts = defaultdict(int)
    with db.conn:
        for rid, caps in link_only:
            link_documents(db, rid, caps)
    counts["linked_instances"] = len(link_only)

    # Parse each distinct document once per build (a revisit shares its original's bytes).
    n_docs = len({c["sha256"] for inst in todo for c in inst["docs"]})
    bar = Progress(n_docs, "parsing", enabled=progress)
    parser = Parser(data_dir, workers, parse_timeout)
    done_versions: set[tuple] = set()
    last_chunk = {c["sha256"]: i // CHUNK for i, inst in enumerate(todo) for c in inst["docs"]}
    try:
        by_hash: dict[str, dict] = {}
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            need, seen = [], set()
            for inst in chunk:
                for c in inst["docs"]:
                    if c["sha256"] not in by_hash and c["sha256"] not in seen:
                        seen.add(c["sha256"])
                        need.append(c)
            parsed = parser.parse_all(need, bar)
            for c in need:
                by_hash[c["sha256"]] = parsed[c["id"]]
                counts["parsed_documents"] += 1
                counts["failed_documents"] += parsed[c["id"]]["status"] == "failed"
                counts["parse_seconds"] += parsed[c["id"]].get("seconds", 0.0)
                counts["parse_cpu_seconds"] += parsed[c["id"]].get("cpu_seconds", 0.0)
            with db.conn:
                for inst in chunk:
                    outcomes = {c["id"]: by_hash[c["sha256"]] for c in inst["docs"]}
                    try:
                        built = assemble(inst, outcomes, agency_of_source, parser_version)
                    except Exception as exc:  # noqa: BLE001 - a parse result off the contract fails one report only
                        error = {"status": "failed", "error": f"unusable parse result: {type(exc).__name__}: {exc}"}
                        built = assemble(inst, dict.fromkeys(outcomes, error), agency_of_source, parser_version)
                    version = (built["report"]["url"], built["report"]["sha256"])
                    if version in done_versions:  # the same version seen in an earlier run: link only
                        rid = db.execute("SELECT id FROM reports WHERE url = ? AND sha256 = ?", version).fetchone()[0]
                        _insert(db, "report_documents", [dict(d, is_primary=0) for d in built["documents"]],
                                {"report_id": rid}, or_ignore=True)  # fmt: skip
                        continue
                    done_versions.add(version)
                    rid, kind = write_report(db, built, known_keys, now)
                    touched.add(rid)
                    counts[f"{kind}_reports"] += 1
            # free parse results no later instance can need
            by_hash = {k: v for k, v in by_hash.items() if last_chunk[k] > start // CHUNK}
    finally:
        parser.close()
    counts["replaced_workers"] = parser.replaced

    missing = {r[0] for r in db.execute(f"SELECT id FROM reports WHERE id NOT IN (SELECT rowid FROM [{search.SEARCH_TABLE}])")}
    with db.conn:
        counts["indexed"] = search.index_reports(db, sorted(touched | missing))
    stats["notices"] = notices.apply(db, data_dir)
    stats["findings"] = findings.apply(db)
    stats["summary_rows_written"] = summary.apply(db)
    stats.update(counts)
    stats["reports"] = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    stats["parser_version"] = parser_version
    stats["db"] = str(db_path)
    db.conn.close()
    return dict(stats)
