"""Deterministic misbehaviour: the first request to some URLs fails with 500 (retries succeed), one
page answers slowly (bounded delay). Broken links (404) are part of the portal content itself.

Fault modes put on chosen URLs with ``add_mode(target, mode)`` (tests of the crawler's fault
tolerance), each what a real portal does when it breaks:
``burst_500`` (500 to every request, longer than any retry budget), ``reset`` (the connection is
reset before an answer), ``timeout`` (the answer comes after ``TIMEOUT_SECONDS``), ``truncated``
(Content-Length promises more than is sent, then the connection closes), ``wrong_length``
(Content-Length says less than the body: the client gets a cut body as if complete),
``redirect_loop`` (302 to a twin URL that 302s back), ``huge`` (a ``HUGE_BYTES`` body),
``gzip_bomb`` (a small gzip body that inflates to ``BOMB_BYTES``) and ``challenge`` (a 200 WAF script
page instead of the content)."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from .server import Response

SLOW_SECONDS = 1.5
MODES = ("burst_500", "reset", "timeout", "truncated", "wrong_length", "redirect_loop", "huge", "gzip_bomb",
         "challenge")
TIMEOUT_SECONDS = 4.0
HUGE_BYTES = 12 * 1024 * 1024
BOMB_BYTES = 64 * 1024 * 1024
LOOP_PARAM = "xxgk_loop"
# modes that send the portal's real answer, broken on the wire (replica.portals.server.Response.fault)
TRANSPORT_MODES = {"truncated": "truncate", "wrong_length": "short_length"}
CHALLENGE_PAGE = (b"<html><head><meta charset='utf-8'><script>var $_ts=window['$_ts'];if(!$_ts)$_ts={};"
                  b"$_ts.nsd=20731;document.cookie='FSSBBIl1UgzbN7N80S=1';location.reload();</script>"
                  b"</head><body></body></html>")
_BOMB: list[bytes] = []  # built once: 64 MB of zeros deflate to about 64 KB


def request_key(target: str) -> str:
    """path?sorted-query: the same URL whatever the order of its query parameters."""
    parts = urlsplit(target)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + ("?" + urlencode(query) if query else "")


class Faults:
    def __init__(self, enabled: bool = True, delay: float = SLOW_SECONDS):
        self.enabled = enabled
        self.delay = delay
        self.fail_once: set[str] = set()  # request keys whose next request answers 500
        self.failed: set[str] = set()  # keys that already failed once
        self.slow: set[str] = set()
        self.modes: dict[str, str] = {}  # request key -> fault mode (MODES)
        self._lock = threading.Lock()

    def add_mode(self, target: str, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {MODES}")
        self.modes[request_key(target)] = mode
        if mode == "gzip_bomb":
            _bomb()  # built now, not while a client waits
        if mode == "redirect_loop":
            self.modes[request_key(_loop_twin(target))] = mode

    def add_fail_once(self, target: str) -> None:
        self.fail_once.add(request_key(target))

    def add_slow(self, target: str) -> None:
        self.slow.add(request_key(target))

    def before(self, target: str) -> Response | None:
        """Called before a request is answered: a 500 to send instead, or None (after any delay)."""
        if not self.enabled:
            return None
        key = request_key(target)
        with self._lock:
            if key in self.fail_once:
                self.fail_once.discard(key)
                self.failed.add(key)
                return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
        if key in self.slow:
            time.sleep(self.delay)
        mode = self.modes.get(key)
        return _fault_response(mode, target) if mode and mode not in TRANSPORT_MODES else None

    def transport_fault(self, target: str) -> str | None:
        """How the real answer to target is to be sent broken ('truncate', 'short_length') or None."""
        if not self.enabled:
            return None
        return TRANSPORT_MODES.get(self.modes.get(request_key(target)))


def _bomb() -> bytes:
    if not _BOMB:
        import zlib

        comp = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip framing
        chunk = bytes(1 << 20)
        _BOMB.append(b"".join(comp.compress(chunk) for _ in range(BOMB_BYTES >> 20)) + comp.flush())
    return _BOMB[0]


def _loop_twin(target: str) -> str:
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != LOOP_PARAM]
    if len(query) != len(parse_qsl(parts.query, keep_blank_values=True)):
        return parts.path + ("?" + urlencode(query) if query else "")  # the twin points back
    return parts.path + "?" + urlencode([*query, (LOOP_PARAM, "1")])


def _fault_response(mode: str, target: str) -> Response:
    html = "text/html; charset=utf-8"
    if mode == "burst_500":
        return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>")
    if mode == "reset":
        return Response(200, b"", fault="reset")
    if mode == "timeout":
        time.sleep(TIMEOUT_SECONDS)
        return Response(504, b"<html><body>upstream timed out</body></html>")
    if mode == "redirect_loop":
        return Response.redirect(_loop_twin(target))
    if mode == "huge":
        return Response(200, b"%PDF-1.4\n" + b"0" * HUGE_BYTES, "application/pdf")
    if mode == "gzip_bomb":
        return Response(200, _bomb(), html, headers=[("Content-Encoding", "gzip")])
    if mode == "challenge":
        return Response(200, CHALLENGE_PAGE, html)
    raise ValueError(mode)
