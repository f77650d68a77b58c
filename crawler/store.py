"""Capture store: every HTTP exchange as WARC records plus a SQLite index (captures.db).

Layout (ARCHITECTURE.md section 4)::

    DATA/warc/<run_id>-<seq>.warc.gz   request + response/revisit records, one gzip member per record
    DATA/captures.db                   crawl_runs, sources, captures (+ payload_digests, listed_dates)

``captures.sha256`` is the SHA-256 (hex) of the decoded HTTP body, i.e. of what ``read_payload``
returns, so the archive can tell versions of a report apart. The WARC ``WARC-Payload-Digest`` is the
SHA-256 (base32, ``sha256:``) of the payload bytes exactly as received (still content-encoded); a
payload already stored under that digest is written as a ``revisit`` record
(identical-payload-digest profile) that points at the first capture (``revisit_of``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import socket
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

CAPTURE_COLUMNS = {
    "id": int, "run_id": str, "source_id": str, "url": str, "method": str, "status": int,
    "content_type": str, "sha256": str, "size": int, "warc_file": str, "warc_offset": int,
    "warc_length": int, "record_type": str, "revisit_of": int, "fetched_at": str, "role": str,
    "parent_url": str, "title": str, "filename": str, "page_meta": str, "etag": str,
    "last_modified": str, "error": str,
}
RUN_SOURCE_COLUMNS = {
    "run_id": str, "source_id": str, "family": str, "status": str, "started": str, "finished": str,
    "seconds": float, "responses": int, "listings": int, "items": int, "reports_listed": int,
    "reports": int, "reports_new": int, "reports_changed": int, "reports_unchanged": int,
    "attachments": int, "errors": int, "failures": str, "bytes": int, "crashed": str,
    "challenges": int, "hosts": str, "outcome": str,
}
ROLES = ("listing", "report", "attachment", "robots", "other", "error")
DEFAULT_MAX_WARC_BYTES = 1 << 30
# Hop-by-hop framing already undone by the HTTP client: keeping the header would make readers
# try to de-chunk a body that is no longer chunked.
_FRAMING_HEADERS = {"transfer-encoding"}


def utcnow_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def warc_date(iso: str) -> str:
    """WARC-Date (second precision is what every tool accepts) from our ISO timestamps."""
    return iso[:19] + "Z"


def sha256_digest_label(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


class RawHeaders(StatusAndHeaders):
    """Headers written back as the bytes received (values arrive latin-1 decoded, so encoding them
    latin-1 restores the wire bytes). warcio would %-encode non-ASCII values (RFC 8187), which turns
    a GBK Content-Disposition file name into mojibake."""

    def compute_headers_buffer(self, header_filter=None):
        text = self.to_str(header_filter)
        try:
            self.headers_buff = text.encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:  # a value that never was wire bytes: fall back to warcio's rule
            self.headers_buff = self.to_ascii_bytes(header_filter)


class _Sha256WARCWriter(WARCWriter):
    """warcio defaults to SHA-1 digests; we index by SHA-256."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


MAX_DECODED_BYTES = 200 * 1024 * 1024  # a body inflating past this (a gzip bomb) is kept as sent


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    """zlib/gzip inflate (every gzip member) that stops past `limit` bytes instead of filling memory."""
    out, total = [], 0
    while data:
        obj = zlib.decompressobj(wbits)
        chunk = obj.decompress(data, limit - total + 1)
        total += len(chunk)
        out.append(chunk)
        if total > limit or obj.unconsumed_tail:
            raise ValueError(f"decoded body larger than {limit} bytes")
        if not obj.eof:
            raise zlib.error("truncated compressed body")
        data = obj.unused_data if wbits == 31 else b""
    return b"".join(out)


def decode_content(body: bytes, content_encoding: str | None, limit: int = MAX_DECODED_BYTES) -> bytes:
    """Undo Content-Encoding (gzip/deflate/br, possibly stacked). Undecodable bodies, and bodies that
    would inflate past `limit` bytes, come back as sent."""
    if not content_encoding:
        return body
    data = body
    for enc in reversed([e.strip().lower() for e in content_encoding.split(",") if e.strip()]):
        try:
            if enc in ("gzip", "x-gzip"):
                data = _inflate(data, 31, limit)
            elif enc == "deflate":
                try:
                    data = _inflate(data, zlib.MAX_WBITS, limit)
                except zlib.error:  # raw deflate without zlib header, as some servers send
                    data = _inflate(data, -zlib.MAX_WBITS, limit)
            elif enc == "br":
                import brotli  # optional; scrapy pulls it in only when installed

                data = brotli.decompress(data)
            elif enc == "identity":
                continue
            else:
                return body
        except Exception:  # noqa: BLE001 - a corrupt body is kept as sent, never a crash
            return body
    return data


class CaptureStore:
    """Writer and reader of DATA/. One instance per process; writes are synchronous."""

    def __init__(self, data_dir: str | os.PathLike, max_warc_bytes: int = DEFAULT_MAX_WARC_BYTES):
        self.data_dir = Path(data_dir)
        self.warc_dir = self.data_dir / "warc"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.warc_dir.mkdir(exist_ok=True)
        self.db_path = self.data_dir / "captures.db"
        self.db = sqlite_utils.Database(self.db_path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._ensure_schema()
        self.max_warc_bytes = max_warc_bytes
        self._warc_fh = None
        self._warc_writer = None
        self._warc_name = None
        self._warc_run = None

    # ---- schema -------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        db = self.db
        if "crawl_runs" not in db.table_names():
            db["crawl_runs"].create(
                {"id": str, "started": str, "finished": str, "status": str, "sources": str, "stats": str},
                pk="id",
            )
        if "sources" not in db.table_names():
            db["sources"].create(
                {"id": str, "agency": str, "region": str, "region_code": str, "level": str,
                 "family": str, "start_urls": str, "notes": str, "params": str},
                pk="id",
            )
        if "captures" not in db.table_names():
            db["captures"].create(CAPTURE_COLUMNS, pk="id")
            for cols in (["url"], ["sha256"], ["run_id"], ["source_id"], ["role"], ["parent_url"]):
                db["captures"].create_index(cols)
        if "payload_digests" not in db.table_names():
            # WARC payload digest (bytes as received) -> first capture holding them: revisit lookups
            db["payload_digests"].create({"digest": str, "capture_id": int}, pk="digest")
        if "report_pages" not in db.table_names():
            # A report page whose links were read, with the attachment URLs it asked for: a page
            # captured by a killed run without this row (or with attachments never answered) is
            # fetched again so its attachments are not lost.
            db["report_pages"].create(
                {"capture_id": int, "url": str, "source_id": str, "run_id": str, "attachments": str},
                pk="capture_id",
            )
            db["report_pages"].create_index(["url"])
        if "run_sources" not in db.table_names():
            # Run history per source (from Scrapy's stats collector; rebuilt from captures for a
            # killed run): the source health of `xxgk status`.
            db["run_sources"].create(RUN_SOURCE_COLUMNS, pk=("run_id", "source_id"))
            db["run_sources"].create_index(["source_id"])
        else:  # a store made before a column was added
            have = set(db["run_sources"].columns_dict)
            for name, kind in RUN_SOURCE_COLUMNS.items():
                if name not in have:
                    db["run_sources"].add_column(name, kind)
        if "host_transports" not in db.table_names():
            # The transport (crawler/transport.py) that last got past a host's challenge: the next
            # run starts that host with it
            db["host_transports"].create({"host": str, "transport": str, "run_id": str, "updated": str},
                                         pk="host")
        if "listed_dates" not in db.table_names():
            # Date a listing showed next to a report URL: the incremental crawl skips unchanged ones
            db["listed_dates"].create(
                {"url": str, "source_id": str, "listed_date": str, "run_id": str}, pk="url"
            )

    # ---- runs and sources ----------------------------------------------------------------
    def start_run(self, run_id: str, source_ids: list[str]) -> None:
        """Mark run_id running. A run met again (a distributed run's next host group in this shard)
        keeps its start time and adds the new sources to its list."""
        row = self.db.execute("select started, sources from crawl_runs where id = ?", [run_id]).fetchone()
        started = row[0] if row and row[0] else utcnow_iso()
        ids = list(json.loads(row[1] or "[]")) if row else []
        ids += [s for s in source_ids if s not in set(ids)]
        self.db["crawl_runs"].upsert(
            {"id": run_id, "started": started, "finished": None, "status": "running",
             "sources": json.dumps(ids), "stats": None},
            pk="id",
        )

    def finish_run(self, run_id: str, status: str, stats: dict | None = None) -> None:
        self.db["crawl_runs"].update(
            run_id, {"finished": utcnow_iso(), "status": status,
                     "stats": json.dumps(stats or {}, ensure_ascii=False, default=str)},
        )
        self.close_warc()

    def save_sources(self, sources: list[dict]) -> None:
        rows = []
        for s in sources:
            rows.append({
                "id": s["id"], "agency": s.get("agency"), "region": s.get("region"),
                "region_code": s.get("region_code"), "level": s.get("level"), "family": s.get("family"),
                "start_urls": json.dumps(list(s.get("start_urls") or []), ensure_ascii=False),
                "notes": s.get("notes"),
                "params": json.dumps(s.get("params") or {}, ensure_ascii=False),
            })
        if rows:
            self.db["sources"].upsert_all(rows, pk="id")

    def host_transport(self, host: str) -> str | None:
        row = self.db.execute("select transport from host_transports where host = ?", [host]).fetchone()
        return row[0] if row else None

    def set_host_transport(self, host: str, transport: str, run_id: str | None) -> None:
        self.db["host_transports"].upsert(
            {"host": host, "transport": transport, "run_id": run_id, "updated": utcnow_iso()}, pk="host")

    def host_transports(self) -> dict[str, str]:
        return {h: t for h, t in self.db.execute("select host, transport from host_transports order by host")}

    def runs(self) -> list[dict]:
        return list(self.db["crawl_runs"].rows_where(order_by="started"))

    # ---- WARC files ------------------------------------------------------------------------
    def _open_warc(self, run_id: str) -> None:
        self.close_warc()
        seq = 0
        while True:
            name = f"{run_id}-{seq:05d}.warc.gz"
            if not (self.warc_dir / name).exists():
                break
            seq += 1
        self._warc_name = f"warc/{name}"
        self._warc_fh = open(self.data_dir / self._warc_name, "wb")
        self._warc_writer = _Sha256WARCWriter(self._warc_fh, gzip=True, warc_version="1.1")
        self._warc_run = run_id
        info = {"software": "xxgk-archive crawler (warcio)", "format": "WARC File Format 1.1",
                "hostname": socket.gethostname(), "run-id": run_id}
        self._warc_writer.write_record(self._warc_writer.create_warcinfo_record(name, info))

    def close_warc(self) -> None:
        if self._warc_fh is not None:
            self._warc_fh.close()
        self._warc_fh = self._warc_writer = self._warc_name = self._warc_run = None

    def _writer_for(self, run_id: str):
        if (self._warc_fh is None or self._warc_run != run_id
                or self._warc_fh.tell() >= self.max_warc_bytes):
            self._open_warc(run_id)
        return self._warc_writer

    def _write(self, record) -> tuple[int, int]:
        start = self._warc_fh.tell()
        self._warc_writer.write_record(record)
        return start, self._warc_fh.tell() - start

    # ---- writing captures -----------------------------------------------------------------
    def write_exchange(
        self,
        *,
        run_id: str,
        url: str,
        method: str = "GET",
        request_headers: list[tuple[str, str]] | None = None,
        request_body: bytes = b"",
        status: int,
        reason: str | None = None,
        protocol: str = "HTTP/1.1",
        response_headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        role: str = "other",
        source_id: str | None = None,
        parent_url: str | None = None,
        title: str | None = None,
        filename: str | None = None,
        page_meta: dict | None = None,
        fetched_at: str | None = None,
    ) -> dict:
        """Write the request and the response (or a revisit) to WARC and index the response.

        ``body`` is the HTTP body as received (content-encoding intact, transfer framing undone).
        Returns the new captures row.
        """
        fetched_at = fetched_at or utcnow_iso()
        writer = self._writer_for(run_id)
        response_headers = [(k, v) for k, v in (response_headers or [])
                            if k.lower() not in _FRAMING_HEADERS]
        headers_lc = {k.lower(): v for k, v in response_headers}
        content_type = headers_lc.get("content-type")
        content_encoding = headers_lc.get("content-encoding")
        decoded = decode_content(body, content_encoding)
        payload_digest = sha256_digest_label(body)

        # request record
        split = _split_target(url)
        req_status = f"{method} {split} {protocol}"
        req_headers = list(request_headers or [])
        if not any(k.lower() == "host" for k, _ in req_headers):
            req_headers.insert(0, ("Host", _host_of(url)))
        req_http = RawHeaders(req_status, req_headers, is_http_request=True)
        req_rec = writer.create_warc_record(
            url, "request", payload=io.BytesIO(request_body), length=len(request_body),
            http_headers=req_http, warc_headers_dict={"WARC-Date": warc_date(fetched_at)},
        )
        self._write(req_rec)
        req_id = req_rec.rec_headers.get_header("WARC-Record-ID")

        reason = reason or _reason(status)
        resp_http = RawHeaders(f"{status} {reason}", response_headers, protocol=protocol)
        original = None
        if body:
            hit = self.db.execute(
                "select c.id, c.url, c.fetched_at from payload_digests p join captures c on c.id = p.capture_id"
                " where p.digest = ?", [payload_digest]).fetchone()
            original = hit
        wh = {"WARC-Date": warc_date(fetched_at), "WARC-Concurrent-To": req_id}
        if original is not None:
            rec = writer.create_revisit_record(
                url, digest=payload_digest, refers_to_uri=original[1],
                refers_to_date=warc_date(original[2]), http_headers=resp_http, warc_headers_dict=wh,
            )
            record_type, revisit_of = "revisit", original[0]
        else:
            wh["WARC-Payload-Digest"] = payload_digest
            rec = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=resp_http, warc_headers_dict=wh,
            )
            record_type, revisit_of = "response", None
        offset, length = self._write(rec)
        self._warc_fh.flush()

        row = {
            "run_id": run_id, "source_id": source_id, "url": url, "method": method, "status": status,
            "content_type": content_type, "sha256": hashlib.sha256(decoded).hexdigest(),
            "size": len(decoded), "warc_file": self._warc_name, "warc_offset": offset,
            "warc_length": length, "record_type": record_type, "revisit_of": revisit_of,
            "fetched_at": fetched_at, "role": role, "parent_url": parent_url, "title": title,
            "filename": filename,
            "page_meta": json.dumps(page_meta, ensure_ascii=False) if page_meta else None,
            "etag": headers_lc.get("etag"), "last_modified": headers_lc.get("last-modified"),
            "error": None,
        }
        # index row and digest in one transaction: a kill between them would let the same payload be
        # written again as a full response
        row["id"] = self._insert(row, commit=False)
        if record_type == "response" and body:
            self.db.execute("insert or ignore into payload_digests(digest, capture_id) values (?, ?)",
                            [payload_digest, row["id"]])
        self.db.conn.commit()
        return row

    def record_error(self, *, run_id: str, url: str, error: str, method: str = "GET",
                     source_id: str | None = None, parent_url: str | None = None,
                     title: str | None = None, status: int | None = None) -> dict:
        """A request that produced no usable response (DNS, refused, timeout, 5xx after retries)."""
        row = {
            "run_id": run_id, "source_id": source_id, "url": url, "method": method, "status": status,
            "fetched_at": utcnow_iso(), "role": "error", "parent_url": parent_url, "title": title,
            "error": error,
        }
        row["id"] = self._insert(row)
        return row

    def _insert(self, row: dict, commit: bool = True) -> int:
        cols = [c for c in row if c != "id"]
        cur = self.db.execute(
            f"insert into captures ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
        if commit:
            self.db.conn.commit()
        return cur.lastrowid

    def update_capture(self, capture_id: int, **fields: Any) -> None:
        if "page_meta" in fields and isinstance(fields["page_meta"], dict):
            fields["page_meta"] = json.dumps(fields["page_meta"], ensure_ascii=False) or None
        self.db["captures"].update(capture_id, fields)

    def set_listed_date(self, url: str, source_id: str | None, listed_date: str, run_id: str) -> None:
        self.db["listed_dates"].upsert(
            {"url": url, "source_id": source_id, "listed_date": listed_date, "run_id": run_id}, pk="url")

    def listed_date(self, url: str) -> str | None:
        row = self.db.execute("select listed_date from listed_dates where url = ?", [url]).fetchone()
        return row[0] if row else None

    # ---- report pages and their attachments -----------------------------------------------------
    def record_report_page(self, capture_id: int, url: str, source_id: str | None, run_id: str,
                           attachments: list[str]) -> None:
        self.db.execute(
            "insert or replace into report_pages(capture_id, url, source_id, run_id, attachments)"
            " values (?, ?, ?, ?, ?)",
            [capture_id, url, source_id, run_id, json.dumps(attachments, ensure_ascii=False)])
        self.db.conn.commit()

    def url_answered(self, url: str, hops: int = 5) -> bool:
        """A final HTTP answer (not 5xx) is stored for URL, following stored redirects; a request
        refused before sending (robots.txt, offsite) counts as answered too."""
        for _ in range(hops):
            cur = self.db.execute(
                "select * from captures where url = ? and (status is not null and status < 500"
                " or error like 'ignored:%') order by id desc limit 1", [url])
            r = cur.fetchone()
            if r is None:
                return False
            row = dict(zip([d[0] for d in cur.description], r, strict=True))
            if not (300 <= (row["status"] or 0) < 400 and row["status"] != 304 and row.get("warc_file")):
                return True
            loc = self.read_record_headers(row).get_header("Location")
            if not loc:
                return True
            from urllib.parse import urljoin

            url = urljoin(url, loc)
        return True

    def pending_attachments(self, url: str) -> list[str] | None:
        """Attachment URLs the newest read capture of report page URL asked for and never got an
        answer to; None when no capture of the page was ever read (the page must be fetched again)."""
        row = self.db.execute(
            "select attachments from report_pages where url = ? order by capture_id desc limit 1", [url]
        ).fetchone()
        if row is None:
            return None
        return [u for u in json.loads(row[0] or "[]") if not self.url_answered(u)]

    # ---- run history ------------------------------------------------------------------------------
    def record_run_source(self, row: dict) -> None:
        row = {k: row.get(k) for k in RUN_SOURCE_COLUMNS}
        for key in ("failures", "hosts"):
            if isinstance(row[key], dict):
                row[key] = json.dumps(row[key], ensure_ascii=False, sort_keys=True)
        self.db["run_sources"].upsert(row, pk=("run_id", "source_id"))

    def run_source_stats_from_captures(self, run_id: str) -> dict[str, dict]:
        """Per-source figures of a run rebuilt from its captures (a killed run left no stats)."""
        out: dict[str, dict] = {}
        cur = self.db.execute(
            "select c.source_id, c.url, c.role, c.status, c.size, c.sha256, c.error, c.fetched_at, s.family,"
            " (select p.sha256 from captures p where p.url = c.url and p.role = 'report' and p.id < c.id"
            "  and p.status between 200 and 299 order by p.id desc limit 1) as prev_sha"
            " from captures c left join sources s on s.id = c.source_id where c.run_id = ? order by c.id",
            [run_id])
        for sid, _url, role, status, size, sha, error, fetched_at, family, prev_sha in cur.fetchall():
            sid = sid or ""
            r = out.setdefault(sid, {
                "run_id": run_id, "source_id": sid, "family": family, "status": "killed",
                "started": fetched_at, "finished": fetched_at, "failures": {}, "hosts": {}, "outcome": "killed",
                **{k: 0 for k in ("responses", "listings", "items", "reports_listed", "reports", "reports_new",
                                  "reports_changed", "reports_unchanged", "attachments", "errors", "bytes",
                                  "challenges")},
            })
            r["finished"] = fetched_at
            host = r["hosts"].setdefault(_host_of(_url).lower(), {})
            ok = status is not None and 200 <= status < 300 and not error
            if role == "error":
                r["errors"] += 1
                kind = failure_kind(error, status)
                r["failures"][kind] = r["failures"].get(kind, 0) + 1
                if kind != "challenge":  # counted on the challenge page's own capture
                    host[kind] = host.get(kind, 0) + 1
                continue
            r["responses"] += 1
            r["bytes"] += size or 0
            host["responses"] = host.get("responses", 0) + 1
            if error and error.startswith("challenge"):
                r["challenges"] += 1
                host["challenge"] = host.get("challenge", 0) + 1
            if ok and role == "listing":
                r["listings"] += 1
            elif ok and role == "report":
                r["reports"] += 1
                key = "reports_new" if prev_sha is None else (
                    "reports_changed" if prev_sha != sha else "reports_unchanged")
                r[key] += 1
            elif ok and role == "attachment":
                r["attachments"] += 1
        for r in out.values():
            r["seconds"] = _seconds_between(r["started"], r["finished"])
        return out

    # ---- recovery after a kill ------------------------------------------------------------------
    def recover(self) -> dict:
        """Make DATA whole after a crawl process died (SIGKILL, OOM, power cut). Call only while
        holding the crawl lock, so every run still marked `running` is dead.

        Each such run becomes `killed`, with per-source figures rebuilt from what it captured. Its
        WARC files are cut back to the end of the last indexed record: the record being written
        when the process died (or written but not indexed) is dropped, never rewritten, and the
        next run fetches that URL again. Indexed records are never touched."""
        report: dict = {"killed_runs": [], "truncated": {}, "removed": []}
        running = [r[0] for r in self.db.execute("select id from crawl_runs where status = 'running'")]
        for run_id in running:
            pattern = re.compile(re.escape(run_id) + r"-\d{5}\.warc\.gz")
            for path in sorted(self.warc_dir.iterdir()):
                if not pattern.fullmatch(path.name):
                    continue
                cut = self._reconcile_warc(path)
                if cut == "removed":
                    report["removed"].append(path.name)
                elif cut:
                    report["truncated"][path.name] = cut
            per_source = self.run_source_stats_from_captures(run_id)
            # sources that finished before the kill keep the row their stats collector wrote
            finished = {r[0] for r in self.db.execute(
                "select source_id from run_sources where run_id = ? and status != 'killed'", [run_id])}
            for sid, row in per_source.items():
                if sid not in finished:
                    self.record_run_source(row)
            totals: dict = {}
            for row in per_source.values():
                for k, v in row.items():
                    if isinstance(v, int) and not isinstance(v, bool):
                        totals[k] = totals.get(k, 0) + v
            last = self.db.execute("select max(fetched_at) from captures where run_id = ?", [run_id]).fetchone()[0]
            stats = {"run_id": run_id, "killed": True, "totals": totals,
                     "sources": {sid: {k: v for k, v in r.items() if k not in ("run_id", "source_id")}
                                 for sid, r in per_source.items()},
                     "recovery": {"truncated": {k: v for k, v in report["truncated"].items()
                                                if k.startswith(run_id)}}}
            self.db["crawl_runs"].update(run_id, {
                "status": "killed", "finished": last or utcnow_iso(),
                "stats": json.dumps(stats, ensure_ascii=False, default=str)})
            report["killed_runs"].append(run_id)
        return report

    def _reconcile_warc(self, path: Path):
        """Truncate one WARC file to its last indexed record; returns bytes cut, 'removed' or 0."""
        rel = f"warc/{path.name}"
        end = self.db.execute("select max(warc_offset + warc_length) from captures where warc_file = ?",
                              [rel]).fetchone()[0]
        if end is None:
            end = _first_record_end(path)  # keep the warcinfo record when it is whole
        size = path.stat().st_size
        if end == 0:
            path.unlink()
            return "removed"
        if size > end:
            with open(path, "r+b") as fh:
                fh.truncate(end)
                os.fsync(fh.fileno())
            return size - end
        return 0

    # ---- reading ------------------------------------------------------------------------------
    def captures(self, role: str | None = None, **where: Any) -> list[dict]:
        clauses, params = [], []
        if role is not None:
            where["role"] = role
        for key, value in where.items():
            if key not in CAPTURE_COLUMNS:
                raise ValueError(f"unknown captures column: {key}")
            clauses.append(f"{key} = ?")
            params.append(value)
        sql = "select * from captures" + (" where " + " and ".join(clauses) if clauses else "") + " order by id"
        cur = self.db.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def capture(self, capture_id: int) -> dict | None:
        rows = self.captures(id=capture_id)
        return rows[0] if rows else None

    def latest_ok(self, url: str) -> dict | None:
        """Newest 200 capture of a URL (the body we last saw there; a challenge page is not one)."""
        cur = self.db.execute(
            "select * from captures where url = ? and status = 200 and error is null order by id desc limit 1", [url])
        r = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], r, strict=True)) if r else None

    def _open_record(self, row: dict):
        path = self.data_dir / row["warc_file"]
        fh = open(path, "rb")
        fh.seek(row["warc_offset"])
        stream = LimitReader(fh, row["warc_length"])
        it = ArchiveIterator(stream)
        return fh, next(iter(it))

    def read_record_headers(self, row: dict) -> StatusAndHeaders | None:
        row = self._resolve(row)
        fh, rec = self._open_record(row)
        try:
            return rec.http_headers
        finally:
            fh.close()

    def read_raw_payload(self, row: dict) -> bytes:
        """The body exactly as received (content-encoding intact)."""
        row = self._resolve(row)
        fh, rec = self._open_record(row)
        try:
            return rec.raw_stream.read()
        finally:
            fh.close()

    def read_payload(self, row: dict) -> bytes:
        """The decoded HTTP body of a response or revisit capture."""
        target = self._resolve(row)
        fh, rec = self._open_record(target)
        try:
            raw = rec.raw_stream.read()
            enc = rec.http_headers.get_header("Content-Encoding") if rec.http_headers else None
        finally:
            fh.close()
        return decode_content(raw, enc)

    def _resolve(self, row: dict) -> dict:
        seen = 0
        while row.get("record_type") == "revisit":
            row = self.capture(row["revisit_of"])
            seen += 1
            if row is None or seen > 50:
                raise LookupError("revisit chain broken")
        if not row.get("warc_file"):
            raise LookupError(f"capture {row.get('id')} has no WARC record ({row.get('error')})")
        return row

    def close(self) -> None:
        self.close_warc()
        self.db.conn.close()


def failure_kind(error: str | None, status: int | None = None) -> str:
    """A short class of a failed request, for the run history ('http_404', 'timeout', ...)."""
    text = (error or "").lower()
    if "challenge" in text:
        return "challenge"
    if status is not None:
        return "http_5xx" if status >= 500 else f"http_{status}"
    if text.startswith("ignored"):
        return "ignored"
    if "timeout" in text or "timedout" in text:
        return "timeout"
    if "dns" in text:
        return "dns"
    if "refused" in text or "connection" in text or "neverreceived" in text or "lost" in text:
        return "connection"
    return "other"


def _seconds_between(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    try:
        fa = datetime.fromisoformat(a.replace("Z", "+00:00"))
        fb = datetime.fromisoformat(b.replace("Z", "+00:00"))
    except ValueError:
        return None
    return round((fb - fa).total_seconds(), 3)


def _first_record_end(path: Path) -> int:
    """End offset of the first WARC record if it is complete, else 0."""
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                rec.raw_stream.read()
                it.read_to_end(rec)
                return it.get_record_offset() + it.get_record_length()
    except Exception:  # noqa: BLE001 - a torn first record: nothing worth keeping
        return 0
    return 0


def _split_target(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
