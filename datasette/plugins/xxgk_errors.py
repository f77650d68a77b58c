"""A bad sort or filter is the reader's mistake: HTTP 400 with the bilingual error page, never a 500.

Datasette 0.65 raises a 500 for ``?_sort=nope``, and a filter on a column that does not exist
(``?nope=1``) silently matches nothing (SQLite reads the unknown quoted name as a string). Both are
answered 400 here; templates/error.html renders the page (Chinese first, with navigation).
"""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import parse_qsl, unquote

from datasette.views.base import DatasetteError

from datasette import hookimpl

BAD_REQUEST_PREFIXES = ("Cannot sort table by", "Cannot use _sort", "no such column")
FORMATS = (".json", ".csv")


@hookimpl
def handle_exception(datasette, request, exception):
    message = getattr(exception, "message", None) or str(exception)
    if isinstance(exception, DatasetteError) and exception.status == 500 and message.startswith(BAD_REQUEST_PREFIXES):
        exception.status = 400  # the default handler (trylast) renders it with this status
    elif isinstance(exception, sqlite3.OperationalError) and message.startswith("no such column"):
        return _response_later(datasette, request, 400, message)
    return None


def _response_later(datasette, request, status: int, message: str):
    async def inner():
        from datasette.utils.asgi import Response

        if request.path.endswith(".json"):
            return Response.json({"ok": False, "error": message, "status": status, "title": None}, status=status)
        html = await datasette.render_template("error.html", {"status": status, "error": message, "title": None},
                                               request=request)  # fmt: skip
        return Response.html(html, status=status)

    return inner


async def unknown_filter(datasette, path: str, query_string: bytes) -> str | None:
    """The message for a table page filtering on a column the table does not have; None when fine."""
    parts = unquote(path).strip("/").split("/")
    if len(parts) != 2 or parts[0] not in datasette.databases:
        return None
    table = parts[1]
    for ext in FORMATS:
        if table.endswith(ext):
            table = table[: -len(ext)]
    db = datasette.get_database(parts[0])
    cache = datasette.__dict__.setdefault("_xxgk_columns", {})
    if (db.name, table) not in cache:
        if not await db.table_exists(table) and table not in await db.view_names():
            cache[(db.name, table)] = None
        else:
            cache[(db.name, table)] = set(await db.table_columns(table)) | {"rowid"}
    columns = cache[(db.name, table)]
    if columns is None:
        return None
    for key, _ in parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True):
        if key.startswith("_"):
            continue
        column = key.rsplit("__", 1)[0] if "__" in key else key
        if column not in columns:
            return f"没有这一列：{column} · No such column to filter on: {column}"
    return None


def reject_bad_filters(app, datasette):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("query_string"):
            message = await unknown_filter(datasette, scope.get("path", ""), scope["query_string"])
            if message is not None:
                if scope["path"].endswith(".json"):
                    body = json.dumps({"ok": False, "error": message, "status": 400}, ensure_ascii=False).encode()
                    ctype = b"application/json; charset=utf-8"
                else:
                    body = (await datasette.render_template(
                        "error.html", {"status": 400, "error": message, "title": None})).encode()  # fmt: skip
                    ctype = b"text/html; charset=utf-8"
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: reject_bad_filters(app, datasette)
