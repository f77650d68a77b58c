"""Downloads a researcher can open in Excel or WPS on Chinese Windows.

- CSV: every ``.csv`` response starts with a UTF-8 byte order mark (BOM) by default, so that Excel and
  WPS read it as UTF-8 instead of GBK (mojibake otherwise). ``?_bom=0`` leaves it out, for programs
  that do not expect one.
- XLSX: ``.xlsx`` of any table (every row matching the filters, sort and search, fetched page by page
  through Datasette's own JSON API, up to Excel's 1,048,575 data rows) or query (its rows, as the query
  page shows them), with a second sheet saying where the data came from and what each column means.
- ``/-/dictionary``: the data dictionary (every table and column from metadata.yml, every canonical key
  from the keys table) and how to search the downloaded .db.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlencode

from datasette.utils.asgi import Response

from datasette import hookimpl

BOM = "\ufeff".encode()
EXCEL_MAX_ROWS = 1_048_575  # one row is the header
PAGE_ARGS_DROPPED = ("_next", "_size", "_shape", "_facet", "_nofacet", "_nocount", "_bom", "_labels")
# openpyxl refuses control characters in cells; formulas must never be written from data
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def wants_bom(scope) -> bool:
    if not scope.get("path", "").endswith(".csv"):
        return False
    args = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    return args.get("_bom", "1") not in ("0", "off", "false", "no")


def add_bom(app):
    """Prefix the first body chunk of a successful .csv response with the UTF-8 BOM."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or not wants_bom(scope):
            return await app(scope, receive, send)
        state = {"ok": False, "sent": False}

        async def send_with_bom(message):
            if message["type"] == "http.response.start":
                ctype = dict(message.get("headers") or []).get(b"content-type", b"")
                state["ok"] = message["status"] == 200 and ctype.startswith((b"text/csv", b"text/plain"))
                if state["ok"]:
                    headers = []
                    for k, v in message.get("headers") or []:
                        if k.lower() == b"content-length":
                            v = str(int(v) + len(BOM)).encode()
                        headers.append((k, v))
                    message = dict(message, headers=headers)
            elif message["type"] == "http.response.body" and state["ok"] and not state["sent"]:
                state["sent"] = True
                body = message.get("body", b"")
                if not body.startswith(BOM):
                    message = dict(message, body=BOM + body)
            await send(message)

        await app(scope, receive, send_with_bom)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return add_bom


def cell_value(value):
    if isinstance(value, dict) and "value" in value:  # an expanded foreign key ({value, label})
        value = value["value"]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        return ILLEGAL.sub("", value)
    return value


def column_descriptions(datasette, database: str, table: str | None) -> dict:
    if not table:
        return {}
    meta = datasette.metadata(database=database, table=table) or {}
    return meta.get("columns") or {}


async def table_rows(datasette, request, columns: list[str]):
    """Every row of the table view the request describes, page by page through the JSON API."""
    pairs = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True)
             if k not in PAGE_ARGS_DROPPED]  # fmt: skip
    path = request.path.rsplit(".", 1)[0] + ".json"
    next_token, count = None, 0
    while True:
        qs = pairs + [("_size", "max"), ("_shape", "objects"), ("_nofacet", "1"), ("_nocount", "1")]
        if next_token:
            qs.append(("_next", next_token))
        resp = await datasette.client.get(path + "?" + urlencode(qs))
        if resp.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {resp.status_code}")
        page = resp.json()
        for row in page["rows"]:
            yield [row.get(c) for c in columns]
            count += 1
            if count >= EXCEL_MAX_ROWS:
                return
        next_token = page.get("next")
        if not next_token:
            return


async def render_xlsx(datasette, columns, rows, sql, query_name, database, table, request, view_name, data):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(table or query_name or "query")[:31])
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    ws.freeze_panes = "A2"

    def write(values):
        out = []
        for v in values:
            cell = WriteOnlyCell(ws, value=cell_value(v))
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # a cell text beginning with = is text, never a formula
            out.append(cell)
        ws.append(out)

    n = 0
    truncated = False
    if view_name == "table" and table:
        async for values in table_rows(datasette, request, columns):
            write(values)
            n += 1
        truncated = n >= EXCEL_MAX_ROWS
    else:
        for row in rows:
            write(list(row))
            n += 1
        truncated = bool(data.get("truncated"))
    about = wb.create_sheet(title="说明 About")
    descriptions = column_descriptions(datasette, database, table)
    source = request.path.rsplit(".", 1)[0] + (("?" + request.query_string) if request.query_string else "")
    for line in (
        ["数据来源 Source", source],
        ["数据库 Database", database],
        ["表 Table" if table else "查询 Query", table or query_name or "(SQL)"],
        ["SQL", sql or ""],
        ["行数 Rows", n],
        ["不完整 Truncated", "是 yes: 行数达到上限 the row limit was reached" if truncated else "否 no"],
        ["导出时间 Exported (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")],
        ["说明 Note", "空白单元格表示报告中该项为空白（——、/、无），不等于 0 · A blank cell is blank in the report, never 0."],
        [],
        ["列 Column", "说明 Description"],
        *([c, descriptions.get(c, "")] for c in columns),
    ):
        about.append([cell_value(v) for v in line])
    buf = io.BytesIO()
    wb.save(buf)
    name = f"{table or query_name or database}.xlsx"
    return Response(
        buf.getvalue(), status=200,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name)}"},
    )  # fmt: skip


def ascii_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "download"


def can_render_xlsx(view_name):
    return view_name in ("table", "query")


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "xlsx", "render": render_xlsx, "can_render": can_render_xlsx}


# ---- data dictionary ---------------------------------------------------------------------------------


async def dictionary_view(request, datasette):
    db = datasette.get_database("archive")
    meta = datasette.metadata(database="archive") or {}
    table_meta = meta.get("tables") or {}
    tables = []
    for name in await db.table_names():
        tm = table_meta.get(name) or {}
        if tm.get("hidden") or name.startswith("report_search"):
            continue
        columns = [r["name"] for r in (await db.execute(f"pragma table_info([{name}])")).rows]
        described = tm.get("columns") or {}
        tables.append({"name": name, "description": tm.get("description") or "",
                       "columns": [{"name": c, "description": described.get(c, "")} for c in columns]})  # fmt: skip
    keys = [dict(r) for r in (await db.execute(
        "select key, table_no, zh, unit, templates from keys order by rowid")).rows]  # fmt: skip
    html = await datasette.render_template(
        "xxgk_dictionary.html", {"tables": tables, "keys": keys}, request=request)  # fmt: skip
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/-/dictionary$", dictionary_view)]
