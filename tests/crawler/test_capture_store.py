"""CaptureStore: WARC records and the captures index read back byte for byte."""

import gzip
import hashlib
import os

from warcio.archiveiterator import ArchiveIterator

from crawler.store import CaptureStore


def _write(store, url, body, headers=None, **kw):
    return store.write_exchange(
        run_id="r1", url=url, request_headers=[("User-Agent", "xxgk-test")], status=kw.pop("status", 200),
        response_headers=headers or [("Content-Type", "text/html; charset=utf-8")], body=body, **kw)


def test_write_and_read_back_byte_for_byte(tmp_path):
    store = CaptureStore(tmp_path)
    store.start_run("r1", ["s1"])
    html = "<html><body>2021年政府信息公开工作年度报告</body></html>".encode()
    binary = os.urandom(70_000)  # incompressible, covers every byte value
    zipped = gzip.compress(html * 3)
    a = _write(store, "http://127.0.0.1:1/a.html", html, role="report", source_id="s1", title="报告")
    b = _write(store, "http://127.0.0.1:1/P0.pdf", binary, role="attachment", source_id="s1",
               parent_url="http://127.0.0.1:1/a.html", filename="报告.pdf",
               headers=[("Content-Type", "application/pdf"), ("ETag", '"abc"')])
    c = _write(store, "http://127.0.0.1:1/z.html", zipped,
               headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                        ("Transfer-Encoding", "chunked")])
    store.finish_run("r1", "ok", {"n": 3})

    assert store.read_payload(a) == html
    assert store.read_payload(b) == binary
    assert store.read_payload(c) == html * 3          # content-encoding undone
    assert store.read_raw_payload(c) == zipped        # bytes as received kept
    assert a["sha256"] == hashlib.sha256(html).hexdigest()
    assert c["sha256"] == hashlib.sha256(html * 3).hexdigest() and c["size"] == len(html) * 3
    assert b["etag"] == '"abc"' and b["filename"] == "报告.pdf" and b["parent_url"].endswith("/a.html")
    assert [r["role"] for r in store.captures()] == ["report", "attachment", "other"]
    assert len(store.captures(role="attachment")) == 1
    assert store.runs()[0]["status"] == "ok"

    # the WARC file alone: warcinfo, then request+response per exchange, digests verify
    path = tmp_path / a["warc_file"]
    with open(path, "rb") as fh:
        recs = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                for r in ArchiveIterator(fh, check_digests="raise")]
    assert [t for t, _, _ in recs] == ["warcinfo", "request", "response", "request", "response",
                                       "request", "response"]
    assert recs[4][2] == binary and recs[6][2] == html * 3
    # offsets in the index point at gzip members that are whole records
    with open(path, "rb") as fh:
        fh.seek(b["warc_offset"])
        member = fh.read(b["warc_length"])
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")


def test_identical_payload_becomes_revisit(tmp_path):
    store = CaptureStore(tmp_path)
    body = "同样的内容".encode() + os.urandom(5000)  # incompressible
    first = _write(store, "http://127.0.0.1:1/list.html", body, role="listing")
    second = _write(store, "http://127.0.0.1:1/list.html", body, role="listing")
    other = _write(store, "http://127.0.0.1:1/list.html", body + b"!", role="listing")
    assert first["record_type"] == "response"
    assert second["record_type"] == "revisit" and second["revisit_of"] == first["id"]
    assert other["record_type"] == "response"
    assert store.read_payload(second) == body
    # the revisit record carries headers only, so it is much smaller than the original
    assert second["warc_length"] < first["warc_length"]
    with open(tmp_path / second["warc_file"], "rb") as fh:
        revisits = [r for r in ArchiveIterator(fh) if r.rec_type == "revisit"]
    assert len(revisits) == 1
    assert revisits[0].rec_headers.get_header("WARC-Refers-To-Target-URI") == "http://127.0.0.1:1/list.html"
    assert revisits[0].rec_headers.get_header("WARC-Payload-Digest").startswith("sha256:")


def test_error_rows_and_reopen(tmp_path):
    store = CaptureStore(tmp_path)
    store.record_error(run_id="r1", url="http://127.0.0.1:9/x", error="ConnectionRefusedError: refused",
                       source_id="s1")
    ok = _write(store, "http://127.0.0.1:1/a.html", b"abc")
    store.close()
    again = CaptureStore(tmp_path)  # a new process sees everything, new WARC files do not clobber
    errs = again.captures(role="error")
    assert len(errs) == 1 and errs[0]["warc_file"] is None and "refused" in errs[0]["error"]
    assert again.read_payload(again.capture(ok["id"])) == b"abc"
    row2 = _write(again, "http://127.0.0.1:1/b.html", b"def")
    assert row2["warc_file"] != ok["warc_file"]
    assert again.read_payload(again.capture(ok["id"])) == b"abc"


def test_non_ascii_headers_kept_as_wire_bytes(tmp_path):
    from crawler.filenames import filename_from_disposition

    store = CaptureStore(tmp_path)
    wire = 'attachment; filename="2021年政府信息公开年报.pdf"'.encode("gbk")
    # the HTTP layer hands header values over as latin-1 text: the wire bytes, one char per byte
    row = _write(store, "http://127.0.0.1:1/dl?id=1", b"%PDF-1.4",
                 headers=[("Content-Disposition", wire.decode("latin-1"))])
    with open(tmp_path / row["warc_file"], "rb") as fh:
        fh.seek(row["warc_offset"])
        member = gzip.decompress(fh.read(row["warc_length"]))
    assert b"Content-Disposition: " + wire + b"\r\n" in member
    header = store.read_record_headers(row).get_header("Content-Disposition")
    assert filename_from_disposition(header) == "2021年政府信息公开年报.pdf"
