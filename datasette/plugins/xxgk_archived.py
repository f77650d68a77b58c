"""/-/archived/<capture_id>: the archived copy of a capture, read from the capture store (WARC).

The payload is served byte for byte with its captured Content-Type. Portal pages carry portal
scripts and markup we do not control, so HTML-like types are served under a CSP sandbox (no
scripts, no same-origin access to the site) and office files as downloads.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from datasette.utils.asgi import Response

from datasette import hookimpl

# Rendered by the browser in a sandbox: no scripts, no forms, no access to the site's origin.
SANDBOXED = ("text/html", "application/xhtml", "image/svg", "text/xml", "application/xml")
# Safe for the browser to show inline (no active content of ours at stake).
INLINE = ("application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp")
SANDBOX_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def data_dir(datasette) -> Path | None:
    config = datasette.plugin_config("xxgk") or {}
    value = config.get("data_dir") or os.environ.get("XXGK_DATA")
    return Path(value) if value else None


def read_capture(directory: Path, capture_id: int) -> tuple[dict, bytes]:
    """The capture row and its decoded payload. LookupError when there is nothing to serve."""
    from crawler.store import CaptureStore

    if not (directory / "captures.db").is_file():
        raise LookupError(f"no capture store at {directory}")
    store = CaptureStore(directory)
    try:
        row = store.capture(capture_id)
        if row is None:
            raise LookupError(f"capture {capture_id} not found")
        return row, store.read_payload(row)
    finally:
        store.close()


def headers_for(row: dict) -> tuple[str, dict[str, str]]:
    content_type = (row.get("content_type") or "application/octet-stream").strip()
    base = content_type.split(";")[0].strip().lower()
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
               "Cache-Control": "public, max-age=86400"}  # fmt: skip
    if base.startswith(SANDBOXED):
        headers["Content-Security-Policy"] = SANDBOX_CSP
    elif base not in INLINE:
        name = row.get("filename") or (row.get("url") or "").rstrip("/").rsplit("/", 1)[-1] or f"capture-{row['id']}"
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120] or "capture"
        headers["Content-Disposition"] = f'attachment; filename="{safe}"'
        headers["Content-Security-Policy"] = SANDBOX_CSP
    return content_type, headers


async def archived(request, datasette):
    capture_id = int(request.url_vars["capture_id"])
    directory = data_dir(datasette)
    if directory is None:
        return Response.text("archived copies are not available: no data directory configured (XXGK_DATA)", status=404)
    try:
        row, payload = await asyncio.to_thread(read_capture, directory, capture_id)
    except LookupError as exc:
        return Response.text(f"no archived copy: {exc}", status=404)
    except Exception as exc:  # a damaged WARC file must not take the site down
        return Response.text(f"archived copy {capture_id} could not be read: {type(exc).__name__}: {exc}", status=502)
    content_type, headers = headers_for(row)
    return Response(payload, status=200, headers=headers, content_type=content_type)


@hookimpl
def register_routes():
    return [(r"^/-/archived/(?P<capture_id>[0-9]{1,18})$", archived)]
