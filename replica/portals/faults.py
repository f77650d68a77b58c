"""Deterministic misbehaviour: the first request to some URLs fails with 500 (retries succeed), one
page answers slowly (bounded delay). Broken links (404) are part of the portal content itself."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from .server import Response

SLOW_SECONDS = 1.5


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
        self._lock = threading.Lock()

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
        return None
