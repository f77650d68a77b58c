"""/-/archived/<capture_id>: the archived copy of a capture, as a record a reader can trust and cite.

- ``/-/archived/<id>/raw``: the payload byte for byte (its sha256 is the one shown), with its captured
  Content-Type and its file name in UTF-8 (RFC 6266 ``filename*=UTF-8''…``, an ASCII fallback beside it).
- ``/-/archived/<id>``: for a captured HTML page, the page with a banner on top (captured at, original
  URL, sha256, size, WARC file and offset) and its links rewritten: to the archived copy of the target
  when the target was captured, disabled (no href, the original URL kept in the title) when it was not.
  For any other file (PDF, DOCX, WPS …), a page with the same banner, the file shown inline when the
  browser can, and the download.

Portal pages carry portal scripts and markup we do not control, so captured HTML is served under a CSP
sandbox (no scripts, no same-origin access to the site) and office files as downloads.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from datasette.utils.asgi import Response

from datasette import hookimpl

# Rendered by the browser in a sandbox: no scripts, no forms, no access to the site's origin.
SANDBOXED = ("text/html", "application/xhtml", "image/svg", "text/xml", "application/xml")
# Safe for the browser to show inline (no active content of ours at stake).
INLINE = ("application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp")
SANDBOX_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
EXTENSIONS = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt", "application/msword": ".doc",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
              "application/vnd.ms-works": ".wps", "application/kswps": ".wps", "image/png": ".png",
              "image/jpeg": ".jpg"}  # fmt: skip
LINK_TAGS = re.compile(r"<(a|area|img|iframe|frame|link|source|embed|form)\b[^>]*>", re.I)
LINK_ATTR = re.compile(r"""(\s)(href|src|action)(\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
BASE_HREF = re.compile(r"""<base\b[^>]*\shref\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)


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


def base_type(row: dict) -> str:
    return (row.get("content_type") or "application/octet-stream").split(";")[0].strip().lower()


def file_name(row: dict) -> str:
    """The name the portal gave the file (the link text kept as ``filename``, else the URL's last part,
    percent-decoded), with an extension matching its type when it has none."""
    path = unquote(urlsplit(row.get("url") or "").path)
    from_url = path.rstrip("/").rsplit("/", 1)[-1]
    name = (row.get("filename") or "").strip() or from_url or f"capture-{row['id']}"
    name = re.sub(r'[\x00-\x1f"\\/]', "_", name)[:180]
    if "." not in name.rsplit("/", 1)[-1][-6:]:
        ext = os.path.splitext(from_url)[1] or EXTENSIONS.get(base_type(row), "")
        name += ext
    return name


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266 / 5987: an ASCII fallback for old clients and the UTF-8 name for every current one."""
    stem, ext = os.path.splitext(name)
    fallback = (re.sub(r"[^A-Za-z0-9._-]", "_", stem).strip("_") or "download")[:100] + re.sub(r"[^A-Za-z0-9.]", "", ext)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def raw_headers(row: dict) -> tuple[str, dict[str, str]]:
    content_type = (row.get("content_type") or "application/octet-stream").strip()
    base = base_type(row)
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
               "Cache-Control": "public, max-age=86400"}  # fmt: skip
    if base.startswith(SANDBOXED):
        headers["Content-Security-Policy"] = SANDBOX_CSP
        headers["Content-Disposition"] = content_disposition("inline", file_name(row))
    elif base in INLINE:
        headers["Content-Disposition"] = content_disposition("inline", file_name(row))
    else:
        headers["Content-Disposition"] = content_disposition("attachment", file_name(row))
        headers["Content-Security-Policy"] = SANDBOX_CSP
    return content_type, headers


headers_for = raw_headers  # the name earlier code used


def decode_html(row: dict, payload: bytes) -> str:
    declared = re.search(r"charset\s*=\s*([A-Za-z0-9_-]+)", row.get("content_type") or "", re.I)
    meta = META_CHARSET.search(payload[:4096])
    for charset in [m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1)
                    for m in (declared, meta) if m] + ["utf-8", "gb18030"]:  # fmt: skip
        try:
            return payload.decode("gb18030" if charset.lower() in ("gbk", "gb2312") else charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def _unquote_attr(value: str) -> str:
    if value[:1] in "\"'" and value[-1:] == value[:1]:
        value = value[1:-1]
    return html.unescape(value).strip()


def link_targets(page_url: str, text: str) -> tuple[str, list[tuple[re.Match, re.Match, str | None]]]:
    """Every link attribute of the page with the absolute URL it points to (None: not an http(s) URL)."""
    base = page_url
    found = BASE_HREF.search(text)
    if found:
        base = urljoin(page_url, _unquote_attr(found.group(1)))
    out = []
    for tag in LINK_TAGS.finditer(text):
        for attr in LINK_ATTR.finditer(tag.group(0)):
            value = _unquote_attr(attr.group(4))
            if value.startswith("#"):
                target = None
            else:
                target = urljoin(base, value).split("#", 1)[0]
                if not target.lower().startswith(("http://", "https://")):
                    target = None
            out.append((tag, attr, target))
    return base, out


def rewrite_links(text: str, page_url: str, archived: dict[str, int], prefix: str = "/-/archived/") -> tuple[str, int, int]:
    """(page, links rewritten, links disabled): a link to a captured URL goes to its archived copy, a
    link to anything else loses its href (the original URL stays readable in data-original and title)."""
    _, links = link_targets(page_url, text)
    by_tag: dict[int, list] = {}
    for tag, attr, target in links:
        by_tag.setdefault(tag.start(), []).append((tag, attr, target))
    pieces, last, rewritten, disabled = [], 0, 0, 0
    for start in sorted(by_tag):
        tag = by_tag[start][0][0]
        body = tag.group(0)
        new_body, cursor = [], 0
        for _, attr, target in by_tag[start]:
            value = _unquote_attr(attr.group(4))
            if value.startswith("#") or value == "":
                continue
            name = attr.group(2).lower()
            new_body.append(body[cursor:attr.start()])
            if target and target in archived:
                suffix = "" if name == "href" and tag.group(1).lower() in ("a", "area", "form") else "/raw"
                new_body.append(f'{attr.group(1)}{attr.group(2)}="{prefix}{archived[target]}{suffix}"'
                                f' data-original="{html.escape(target)}"')  # fmt: skip
                rewritten += 1
            else:
                original = html.escape(target or value)
                new_body.append(f' data-original="{original}" data-xxgk-disabled="1"'
                                f' title="未存档 not archived: {original}"')  # fmt: skip
                disabled += 1
            cursor = attr.end()
        new_body.append(body[cursor:])
        pieces += [text[last:tag.start()], "".join(new_body)]
        last = tag.end()
    pieces.append(text[last:])
    return "".join(pieces), rewritten, disabled


async def archived_targets(db, urls: set[str]) -> dict[str, int]:
    """URL -> the latest successful capture of it (captures table of the archive)."""
    urls = sorted(u for u in urls if u)
    out: dict[str, int] = {}
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        found = await db.execute(
            f"select url, max(id) as id from captures where url in ({', '.join('?' * len(chunk))})"
            " and status between 200 and 299 group by url", chunk)  # fmt: skip
        out.update({r["url"]: r["id"] for r in found.rows})
    return out


async def reports_of(db, capture_id: int) -> list[dict]:
    found = await db.execute("select id, title, year from reports where capture_id = ? or page_capture_id = ?"
                             " order by id limit 5", [capture_id, capture_id])  # fmt: skip
    return [dict(r) for r in found.rows]


def banner_facts(row: dict, payload: bytes) -> list[tuple[str, str]]:
    facts = [
        ("抓取时间 Captured at", row.get("fetched_at") or "—"),
        ("原始网址 Original URL", row.get("url") or "—"),
        ("SHA-256", row.get("sha256") or "—"),
        ("大小 Size", f"{len(payload):,} bytes"),
        ("类型 Type", row.get("content_type") or "—"),
        ("WARC", f"{row.get('warc_file') or '—'} @ {row.get('warc_offset')} (+{row.get('warc_length')})"),
    ]
    if row.get("record_type") == "revisit":
        facts.append(("重复抓取 Revisit of", f"capture {row.get('revisit_of')}"))
    return facts


def banner_html(row: dict, payload: bytes, reports: list[dict], rewritten: int, disabled: int) -> str:
    """The banner on top of a captured page: inline styles only (the page's CSP allows nothing else)."""
    cell = "padding:1px 8px 1px 0;vertical-align:top"
    facts = "".join(f'<tr><th style="{cell};text-align:left;font-weight:bold">{html.escape(k)}</th>'
                    f'<td style="{cell};word-break:break-all" data-fact="{html.escape(k.split()[-1].lower())}">{html.escape(v)}</td></tr>'
                    for k, v in banner_facts(row, payload))  # fmt: skip
    links = [f'<a href="/-/archived/{row["id"]}/raw" style="color:#0645ad">原始字节 Raw bytes</a>']
    links += [f'<a href="/archive/reports/{r["id"]}" style="color:#0645ad">报告 Report {r["year"] or ""} #{r["id"]}</a>' for r in reports]
    links.append('<a href="/" style="color:#0645ad">档案首页 Archive home</a>')
    return (
        '<div id="xxgk-archive-banner" style="all:initial;display:block;box-sizing:border-box;width:100%;'
        "background:#fffbe6;border-bottom:3px solid #c9a400;padding:8px 12px;font:13px/1.5 sans-serif;color:#222;"
        'position:relative;z-index:2147483647">'
        '<div style="font-weight:bold;font-size:14px">存档副本 · Archived copy — 本页是抓取时的原样副本（脚本已禁用）'
        " · the page as captured, scripts disabled</div>"
        f'<table style="border-collapse:collapse;font:inherit;color:inherit">{facts}</table>'
        f"<div>链接 Links: 已改写为存档副本 {rewritten} 个 rewritten to archived copies · 未存档已停用 {disabled} 个"
        f" disabled (not archived) · {' · '.join(links)}</div></div>"
    )


async def load(datasette, capture_id: int):
    directory = data_dir(datasette)
    if directory is None:
        return None, Response.text("archived copies are not available: no data directory configured (XXGK_DATA)",
                                   status=404)  # fmt: skip
    try:
        return await asyncio.to_thread(read_capture, directory, capture_id), None
    except LookupError as exc:
        return None, Response.text(f"no archived copy: {exc}", status=404)
    except Exception as exc:  # a damaged WARC file must not take the site down
        return None, Response.text(f"archived copy {capture_id} could not be read: {type(exc).__name__}: {exc}",
                                   status=502)  # fmt: skip


async def archived_raw(request, datasette):
    loaded, error = await load(datasette, int(request.url_vars["capture_id"]))
    if error:
        return error
    row, payload = loaded
    content_type, headers = raw_headers(row)
    return Response(payload, status=200, headers=headers, content_type=content_type)


async def archived(request, datasette):
    capture_id = int(request.url_vars["capture_id"])
    loaded, error = await load(datasette, capture_id)
    if error:
        return error
    row, payload = loaded
    db = datasette.get_database("archive")
    reports = await reports_of(db, capture_id)
    if base_type(row) in ("text/html", "application/xhtml+xml"):
        text = decode_html(row, payload)
        _, links = link_targets(row.get("url") or "", text)
        targets = await archived_targets(db, {t for _, _, t in links if t})
        page, rewritten, disabled = rewrite_links(text, row.get("url") or "", targets)
        banner = banner_html(row, payload, reports, rewritten, disabled)
        body = BODY_OPEN.search(page)
        page = page[: body.end()] + banner + page[body.end():] if body else banner + page
        headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                   "Content-Security-Policy": SANDBOX_CSP, "Cache-Control": "public, max-age=86400"}  # fmt: skip
        return Response(page.encode("utf-8"), status=200, headers=headers, content_type="text/html; charset=utf-8")
    context = {"row": row, "facts": banner_facts(row, payload), "reports": reports, "name": file_name(row),
               "inline": base_type(row) in INLINE, "kind": base_type(row)}  # fmt: skip
    return Response.html(await datasette.render_template("xxgk_archived.html", context, request=request))


@hookimpl
def register_routes():
    return [
        (r"^/-/archived/(?P<capture_id>[0-9]{1,18})/raw$", archived_raw),
        (r"^/-/archived/(?P<capture_id>[0-9]{1,18})$", archived),
    ]
