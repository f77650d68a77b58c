"""HTTP plumbing: one ThreadingHTTPServer per portal on its own loopback address, requests handed to
an application callable, responses written byte for byte (so header bytes such as a GBK
Content-Disposition file name go out exactly as built)."""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MAX_BODY = 1 << 20  # request bodies (dataproxy forms) are small
REASONS = {
    200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 307: "Temporary Redirect",
    400: "Bad Request", 403: "Forbidden", 412: "Precondition Failed",
    404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error",
}


@dataclass
class Request:
    method: str
    target: str  # path?query as received
    path: str
    query: dict[str, str]  # query string and, for form POSTs, the form fields
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str | bytes]] = field(default_factory=list)
    last_modified: date | None = None  # set on cacheable responses: enables ETag/Last-Modified/304
    etag: bool = True  # send an ETag along with Last-Modified
    derived: dict = field(default_factory=dict, repr=False)  # etag value / gzipped body, computed once
    # broken transport (replica.portals.faults): "reset" (RST, no answer), "truncate" (half the body,
    # then close), "short_length" (Content-Length of half the body, whole body sent, then close)
    fault: str | None = None

    def copy(self) -> Response:
        """A copy whose header list can grow without touching this (cached) response."""
        return Response(self.status, self.body, self.content_type, list(self.headers), self.last_modified,
                        self.etag, self.derived)

    @classmethod
    def not_found(cls) -> Response:
        body = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
        return cls(404, body)

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, b"", headers=[("Location", location)])


def http_date(day: date) -> str:
    return format_datetime(datetime.combine(day, time(8, 0), tzinfo=UTC), usegmt=True)


def parse_request(method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if method == "POST" and "x-www-form-urlencoded" in headers.get("content-type", ""):
        for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            query.setdefault(k, v)  # the query string wins, as on the real JSP
    return Request(method, target, parts.path, query, headers, body)


App = Callable[[Request], Response]


@dataclass(frozen=True)
class Served:
    """One request as the server saw it: from its headers read to its answer ready (monotonic s)."""

    method: str
    target: str
    body: bytes
    status: int
    start: float
    end: float


def max_in_flight(spans) -> int:
    """Most requests open at one moment among ``spans`` (Served); one ending exactly when another
    starts does not overlap. How politeness is measured: from the server's side."""
    events = sorted([(s.start, 1) for s in spans] + [(s.end, -1) for s in spans])
    now = best = 0
    for _, step in events:
        now += step
        best = max(best, now)
    return best


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Scrapy reuses connections
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the server's own access log is the request_log
        pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_HEAD(self):
        self._serve("HEAD")

    def _serve(self, method: str) -> None:
        started = _time.monotonic()
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = b""
        length = headers.get("content-length", "0").strip() or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            self.close_connection = True  # the body cannot be skipped reliably
            resp = Response(400, b"bad Content-Length", "text/plain; charset=utf-8")
        else:
            body = self.rfile.read(int(length)) if int(length) else b""
            try:
                resp = self.server.app(parse_request(method, self.path, headers, body))
            except Exception as exc:  # a replica bug must not hang the crawler: answer 500 and say why
                resp = Response(500, f"replica error: {exc!r}".encode(), "text/plain; charset=utf-8")
        if resp.fault == "reset":
            import socket
            import struct

            self.close_connection = True  # closed with linger 0 by the server: the peer gets a RST, no answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        head = [f"HTTP/1.1 {resp.status} {REASONS.get(resp.status, 'Status')}".encode()]
        all_headers: list[tuple[str, str | bytes]] = [("Server", "nginx")]
        if resp.status != 304:
            all_headers.append(("Content-Type", resp.content_type))
            declared = len(resp.body) // 2 if resp.fault == "short_length" else len(resp.body)
            all_headers.append(("Content-Length", str(declared)))
        else:
            all_headers.append(("Content-Length", "0"))
        all_headers.extend(resp.headers)
        for name, value in all_headers:
            raw = value if isinstance(value, bytes) else value.encode("latin-1", "replace")
            head.append(name.encode("ascii") + b": " + raw)
        payload = b"\r\n".join(head) + b"\r\n\r\n"
        if method != "HEAD" and resp.status != 304:
            payload += resp.body[: len(resp.body) // 2] if resp.fault == "truncate" else resp.body
        if resp.fault:
            self.close_connection = True
        # the span ends when the answer is ready to go out: the client cannot have seen it complete
        # before then, so a request starting later and overlapping it was truly in flight at once
        # (stamping after the write lets thread scheduling make a follow-up request look concurrent)
        ready = _time.monotonic()
        try:
            self.wfile.write(payload)
        finally:
            observer = getattr(self.server, "observer", None)
            if observer is not None:
                observer(Served(method, self.path, body, resp.status, started, ready))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that hangs up mid-answer (crawler shut down, timeout) is normal, not a traceback
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class PortalServer:
    """A threaded HTTP server on (host, free port) running `app` in a background thread."""

    def __init__(self, host: str, app: App, observer: Callable[[Served], None] | None = None):
        self.httpd = _QuietServer((host, 0), _Handler)
        self.httpd.app = app
        self.httpd.observer = observer
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
