"""Attachment file names: from Content-Disposition (RFC 6266/5987, raw UTF-8 or GBK bytes,
percent-encoded, RFC 2047), else from the URL path."""

from __future__ import annotations

import re
from email.header import decode_header
from urllib.parse import unquote, unquote_to_bytes, urlsplit

ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".zip", ".rar", ".txt")

_PARAM_RE = re.compile(rb'(?i)(filename\*?)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _decode_bytes(raw: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _clean(name: str) -> str | None:
    name = name.strip().strip('"').strip()
    # Only the last path component: a name is never allowed to point elsewhere.
    name = re.split(r"[\\/]", name)[-1].strip()
    return name or None


def filename_from_disposition(value: bytes | str | None) -> str | None:
    """The file name a Content-Disposition header gives, decoded; None when it gives none."""
    if not value:
        return None
    if isinstance(value, str):
        # Headers that reached us as text were latin-1 decoded by the HTTP layer: undo that.
        try:
            value = value.encode("latin-1")
        except UnicodeEncodeError:
            value = value.encode("utf-8")
    extended, plain = None, None
    for key, raw in _PARAM_RE.findall(value):
        raw = raw.strip()
        if raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2:
            raw = re.sub(rb"\\(.)", rb"\1", raw[1:-1])
        if key.lower() == b"filename*":
            charset, _, rest = raw.partition(b"'")
            _lang, _, encoded = rest.partition(b"'")
            if not encoded:
                encoded, charset = raw, b"utf-8"
            data = unquote_to_bytes(encoded.decode("latin-1"))
            try:
                extended = data.decode((charset or b"utf-8").decode("ascii", "replace"))
            except (LookupError, UnicodeDecodeError):
                extended = _decode_bytes(data)
        else:
            text = raw.decode("latin-1")
            if text.startswith("=?") and text.endswith("?="):
                parts = decode_header(text)
                plain = "".join(p.decode(cs or "utf-8", "replace") if isinstance(p, bytes) else p
                                for p, cs in parts)
            elif re.search(r"%[0-9A-Fa-f]{2}", text):
                plain = _decode_bytes(unquote_to_bytes(text))
            else:
                plain = _decode_bytes(raw)
    for name in (extended, plain):
        if name:
            cleaned = _clean(name)
            if cleaned:
                return cleaned
    return None


def filename_from_url(url: str) -> str | None:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return _clean(unquote(last)) if last else None


def looks_like_file(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_EXTS)
