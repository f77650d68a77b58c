"""Anti-bot challenges: answers that are a WAF's test page instead of the page asked for.

Portals behind 瑞数 (Riversec), 加速乐 (Jiasule), WZWS (Wangsu), 云锁/安全狗 or Cloudflare answer a crawler with a small
script page (often HTTP 412, 521, 403 or 503; sometimes 200) that sets a cookie in JavaScript and
reloads. Such a page is kept in the capture store as evidence but is never a listing or a report: the
request fails with kind ``challenge`` so the run history and ``xxgk status`` name the host.
"""

from __future__ import annotations

import re

# (kind, pattern over the first bytes of the body); checked in order
_SIGNATURES = (
    ("riversec", re.compile(rb"\$_ts\s*=|\$_ts\[|window\[\s*['\"]\$_ts['\"]\s*\]")),
    ("jiasule", re.compile(rb"__jsl_clearance")),
    ("wzws", re.compile(rb"wzwschallenge|/WZWSRE")),
    ("yunsuo", re.compile(rb"yunsuo_session_verify|security_verify_data|safedog")),
    ("cloudflare", re.compile(rb"cf-chl|challenge-platform|<title>Just a moment")),
)
# Generic verification pages: only trusted on small pages (a report may mention 验证 in its text)
_GENERIC = re.compile(
    "安全验证|滑动验证|人机验证|访问验证|请开启JavaScript|请启用JavaScript|请打开浏览器的JavaScript".encode()
)
_JS_COOKIE_RELOAD = re.compile(rb"document\.cookie\s*=.{0,400}?(location|reload)", re.S)
_SCRIPT_OR_STYLE = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(rb"<[^>]*>")
SMALL_PAGE = 8 * 1024
CONTENT_TEXT = 200  # visible bytes (UTF-8: ~70 Chinese characters) that make a 2xx page content
SCAN_BYTES = 32 * 1024


def detect(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """The challenge kind ('riversec', 'jiasule', 'wzws', 'yunsuo', 'cloudflare', 'js_cookie',
    'verification_page') or None. ``headers`` with lower-case names; ``body`` as decoded text bytes
    or as received (a gzip body is simply not recognised: signature pages are tiny and rarely encoded)."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "cloudflare"
    ctype = headers.get("content-type", "").lower()
    if ctype and "html" not in ctype and "javascript" not in ctype and "text/plain" not in ctype:
        return None  # attachments, JSON APIs
    head = body[:SCAN_BYTES]
    # a WAF that passed us also injects its script into the real pages: a 2xx page with text is content
    if 200 <= status < 300 and _visible_text(head) >= CONTENT_TEXT:
        return None
    for kind, pattern in _SIGNATURES:
        if pattern.search(head):
            return kind
    if len(body) <= SMALL_PAGE:
        if _JS_COOKIE_RELOAD.search(head) and (status in (202, 403, 412, 521) or b"<a " not in head.lower()):
            return "js_cookie"
        if _GENERIC.search(head):
            return "verification_page"
    return None


def _visible_text(html: bytes) -> int:
    """Bytes of text outside scripts, styles and tags (whitespace left out)."""
    text = _TAG.sub(b"", _SCRIPT_OR_STYLE.sub(b"", html))
    return len(re.sub(rb"\s+|&nbsp;", b"", text))
