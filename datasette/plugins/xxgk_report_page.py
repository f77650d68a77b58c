"""The report page: a report's row page also shows its three tables laid out as the form prints
them (表二 主动公开, 表三 依申请公开, 表四 复议诉讼; legacy 统计表 as a list), its issues, and links
to the original URL and the archived copies. Labels come from the archive's keys table, so the
layout follows the canonical keys rather than a hard-coded form.

Everything is handed to the Jinja template as data; Datasette's autoescaping does the escaping.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from datasette.utils import tilde_decode
from datasette.utils.asgi import Response

from datasette import hookimpl

TABLE_TITLES = {
    "2": "表二 · 主动公开政府信息情况 (Table 2: proactive disclosure)",
    "3": "表三 · 收到和处理政府信息公开申请情况 (Table 3: applications and how they were handled)",
    "4": "表四 · 政府信息公开行政复议、行政诉讼情况 (Table 4: administrative reviews and lawsuits)",
    "legacy": "统计表 · Legacy statistics form (before 2019)",
}
APPLICANT_ORDER = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total")
SECTION_TITLES = (
    ("overview", "一、总体情况"), ("proactive_text", "二、主动公开政府信息情况"),
    ("requests_text", "三、收到和处理政府信息公开申请情况"), ("appeals_text", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems_text", "五、存在的主要问题及改进情况"), ("other_text", "六、其他需要报告的事项"),
)  # fmt: skip


def safe_url(url: str | None) -> str | None:
    """Only http(s) links: a javascript: or data: URL in a report row must not become a link."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _split(zh: str | None) -> list[str]:
    return [p for p in (zh or "").split("｜") if p]


def _common_prefix(paths: list[list[str]]) -> list[str]:
    if not paths:
        return []
    out = []
    for parts in zip(*paths, strict=False):
        if all(p == parts[0] for p in parts):
            out.append(parts[0])
        else:
            break
    return out


def _cell(value_row: dict | None) -> dict:
    if value_row is None:
        return {"text": "", "blank": True, "title": "not on the form / not found"}
    raw, value = value_row.get("raw"), value_row.get("value")
    text = raw if raw not in (None, "") else ("" if value is None else str(value))
    title = f"{value_row['key']} = {'null (blank)' if value is None else value} {value_row.get('unit') or ''}"
    if value_row.get("cell"):
        title += f" · {value_row['cell']}"
    ocr = value_row.get("source") == "ocr"
    if ocr:
        title += f" · OCR 识别 (confidence {value_row.get('confidence')})"
        if value_row.get("uncertain"):
            title += " · 存疑 uncertain: check the source document"
    return {"text": text, "blank": value is None, "title": title, "key": value_row["key"],
            "ocr": ocr, "uncertain": bool(ocr and value_row.get("uncertain"))}


# The printed form puts every row of 三、本年度办理结果 under that heading; the keys of its (三)-(六) groups
# start at the group, so their label paths are completed here: one label layout for every row.
TOP_HEADING = ("一、", "二、", "三、", "四、")
RESULTS_HEADING = "三、本年度办理结果"


def row_path(table_no: str, path: list[str]) -> list[str]:
    if table_no == "3" and path and not path[0].startswith(TOP_HEADING):
        return [RESULTS_HEADING, *path]
    return path


def label_heads(paths: list[list[str]]) -> list[list[dict]]:
    """Row label cells laid out as the form prints them: one column per label level, a group label spanning
    the rows of its group (rowspan), a row's last label spanning the levels it does not have (colspan)."""
    depth = max((len(p) for p in paths), default=1)
    out = []
    for i, path in enumerate(paths):
        heads = []
        for level in range(len(path)):
            prefix = path[: level + 1]
            if i > 0 and paths[i - 1][: level + 1] == prefix:
                continue  # covered by the rowspan of a row above
            span = 1
            while i + span < len(paths) and paths[i + span][: level + 1] == prefix:
                span += 1
            last = level == len(path) - 1
            heads.append({"text": path[level], "rowspan": span,
                          "colspan": depth - level if last and span == 1 else 1})  # fmt: skip
            if last and span > 1 and depth - level - 1 > 0:
                heads.append({"text": "小计", "rowspan": 1, "colspan": depth - level - 1})
        out.append(heads)
    return out


def column_heads(paths: list[list[str]]) -> list[list[dict]]:
    """Header rows for column label paths (自然人 | 法人或其他组织: 商业企业 … 其他 | 总计): a group spans its
    columns, a column without a sub-label spans the header rows."""
    depth = max((len(p) for p in paths), default=1)
    rows: list[list[dict]] = [[] for _ in range(depth)]
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            prefix = path[: level + 1]
            span = 1
            if level < len(path) - 1:
                while i + span < len(paths) and paths[i + span][: level + 1] == prefix and len(paths[i + span]) > level + 1:
                    span += 1
            last = level == len(path) - 1
            rows[level].append({"text": path[level], "colspan": span, "rowspan": depth - level if last else 1})
            i += span
    return rows


def matrix(table_no: str, keys: list[dict], values: dict[str, dict], col_order=None) -> dict:
    """Rows by row_key, columns by col_key, labels from the key labels (row part | column part)."""
    rows: dict[str, list[dict]] = {}
    cols: list[str] = []
    for k in keys:
        rows.setdefault(k["row_key"], []).append(k)
        if k["col_key"] not in cols:
            cols.append(k["col_key"])
    if col_order:
        cols = [c for c in col_order if c in cols] + [c for c in cols if c not in col_order]
    col_paths: dict[str, list[str]] = {}
    out_rows, paths = [], []
    for row_key, ks in rows.items():
        kpaths = [_split(k["zh"]) for k in ks]
        prefix = _common_prefix(kpaths) if len(kpaths) > 1 else kpaths[0][:-1]
        for k, path in zip(ks, kpaths, strict=True):
            col_paths.setdefault(k["col_key"], path[len(prefix):] or [k["col_key"]])
        by_col = {k["col_key"]: k["key"] for k in ks}
        paths.append(row_path(table_no, prefix or [row_key]))
        out_rows.append({
            "label": " ".join(prefix) or row_key,
            "row_key": row_key,
            "cells": [_cell(values.get(by_col[c])) if c in by_col else {"text": "", "blank": True, "absent": True}
                      for c in cols],
        })  # fmt: skip
    for row, heads in zip(out_rows, label_heads(paths), strict=True):
        row["heads"] = heads
    cpaths = [col_paths.get(c, [c]) for c in cols]
    return {"columns": [" ".join(p) for p in cpaths], "col_heads": column_heads(cpaths),
            "label_depth": max((len(p) for p in paths), default=1), "rows": out_rows}  # fmt: skip


def grouped_row(keys: list[dict], values: dict[str, dict]) -> dict:
    """Table 4: one data row under grouped headers (行政复议 | 行政诉讼 未经复议直接起诉 | 复议后起诉)."""
    groups: list[dict] = []
    for k in keys:
        path = _split(k["zh"])
        group = " ".join(path[:-1]) or k["row_key"]
        if not groups or groups[-1]["label"] != group:
            groups.append({"label": group, "span": 0})
        groups[-1]["span"] += 1
    return {
        "groups": groups,
        "columns": [(_split(k["zh"]) or [k["col_key"]])[-1] for k in keys],
        "cells": [_cell(values.get(k["key"])) for k in keys],
    }


def layout(template: str | None, keys: list[dict], values: dict[str, dict]) -> list[dict]:
    tables = []
    for table_no in ("2", "3", "4", "legacy"):
        ks = [k for k in keys if k["table_no"] == table_no
              and (k["key"] in values or (template and template in (k["templates"] or "").split(",")))]  # fmt: skip
        if not any(k["key"] in values for k in ks):
            continue
        entry = {"no": table_no, "title": TABLE_TITLES[table_no]}
        if table_no == "4":
            entry.update(kind="grouped", **grouped_row(ks, values))
        elif table_no == "legacy":
            entry.update(kind="list", items=[{"label": " ".join(_split(k["zh"])) or k["key"], "unit": k["unit"] or "",
                                              **_cell(values.get(k["key"]))} for k in ks if k["key"] in values])
        else:
            entry.update(kind="matrix", **matrix(table_no, ks, values, APPLICANT_ORDER if table_no == "3" else None))
        tables.append(entry)
    return tables


BALANCE_ROWS = ("new_received", "carried_over", "handled_total", "carried_forward")


def issue_cells(issue: dict, keys: dict[str, dict]) -> tuple[set[str], set[str]]:
    """(the cell the issue is about, the cells its rule adds up): what a reader checks by hand."""
    key = keys.get(issue.get("key") or "")
    if key is None:
        return set(), set()
    rule = issue.get("rule") or ""
    same_table = [k for k in keys.values() if k["table_no"] == key["table_no"] and k["key"] != key["key"]]
    if rule.startswith("requests.row_total"):
        parts = {k["key"] for k in same_table if k["row_key"] == key["row_key"] and k["col_key"] != "total"}
    elif rule.startswith("requests.handled_sum"):
        parts = {k["key"] for k in same_table if k["col_key"] == key["col_key"] and k["row_key"] not in BALANCE_ROWS}
    elif rule.startswith("requests.balance"):
        parts = {k["key"] for k in same_table if k["col_key"] == key["col_key"] and k["row_key"] in BALANCE_ROWS}
    elif rule.startswith("appeals.sum"):
        parts = {k["key"] for k in same_table if k["row_key"] == key["row_key"] and k["col_key"] != "total"}
    else:
        parts = set()
    return {key["key"]}, parts


def annotate(tables: list[dict], issues: list[dict], keys: list[dict]) -> None:
    """Number the issues and mark the cells behind each: hl = error | warning (the cell the issue is
    about) or part (a cell its rule adds up); marks = the numbers of the issues on that cell."""
    by_key = {k["key"]: k for k in keys}
    primary: dict[str, list[dict]] = {}
    parts: dict[str, list[dict]] = {}
    for n, issue in enumerate(issues, 1):
        issue["n"] = n
        mine, theirs = issue_cells(issue, by_key)
        issue["cells"] = sorted(mine | theirs)
        for k in mine:
            primary.setdefault(k, []).append(issue)
        for k in theirs - mine:
            parts.setdefault(k, []).append(issue)
    cells = []
    for t in tables:
        if t["kind"] == "matrix":
            cells += [c for row in t["rows"] for c in row["cells"]]
        elif t["kind"] == "grouped":
            cells += t["cells"]
        else:
            cells += t["items"]
    for cell in cells:
        key = cell.get("key")
        if key in primary:
            mine = primary[key]
            cell["hl"] = "error" if any(i["severity"] == "error" for i in mine) else "warning"
            cell["marks"] = [i["n"] for i in mine]
        elif key in parts:
            cell["hl"] = "part"
            cell["marks"] = [i["n"] for i in parts[key]]


async def captures_of(db, ids) -> dict[int, dict]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    found = await db.execute(
        f"select id, url, fetched_at, sha256, size, warc_file, content_type from captures where id in ({marks})", ids)
    return {r["id"]: dict(r) for r in found.rows}


NOTICE_KINDS = {"correction": "更正 correction", "supplement": "补充 supplement", "explanation": "说明 explanation"}


async def notices_of(db, report: dict) -> list[dict]:
    """Notices (更正说明, 补充说明, …) about this report, or about any version of it (same URL)."""
    try:
        found = await db.execute(
            "select n.capture_id, n.url, n.title, n.kind, n.published, n.matched_by, n.text from report_notices n"
            " join reports r on r.id = n.report_id where r.url = ? order by n.published, n.capture_id",
            [report.get("url")])
    except Exception:  # noqa: BLE001 - an archive built before notices existed has no such table
        return []
    out = []
    for r in found.rows:
        n = dict(r)
        n["kind_label"] = NOTICE_KINDS.get(n["kind"], n["kind"])
        n["original_url"] = safe_url(n["url"])
        out.append(n)
    return out


def citation(report: dict, capture: dict | None, page_url: str) -> str:
    """One line a journalist can paste: who, what, when published, where, and which archived bytes."""
    parts = [f"{report.get('agency_name') or report.get('agency_id') or '佚名'}：《{report.get('title') or '年度报告'}》"]
    if report.get("published"):
        parts.append(f"发布于 {report['published']}")
    if report.get("url"):
        parts.append(f"原文 {report['url']}")
    if capture:
        parts.append(f"存档于 {(capture.get('fetched_at') or '')[:10]}（sha256 {capture.get('sha256')}）")
    parts.append(f"政府信息公开工作年度报告档案 {page_url}")
    return "，".join(parts) + "。"


async def load_report(datasette, database: str, pk: str) -> tuple[dict, list[dict], list[dict], dict] | None:
    db = datasette.get_database(database)
    rows = (await db.execute("select * from reports where id = ?", [pk])).rows
    if not rows:
        return None
    report = dict(rows[0])
    values = {r["key"]: dict(r) for r in (await db.execute(
        "select key, value, raw, unit, cell, source, confidence, uncertain from report_values where report_id = ?", [pk])).rows}
    keys = [dict(r) for r in (await db.execute(
        "select key, table_no, row_key, col_key, zh, unit, templates from keys order by rowid")).rows]
    issues = [dict(r) for r in (await db.execute(
        "select rule, severity, message, key, left_value, right_value from report_issues where report_id = ?"
        " order by severity, rule", [pk])).rows]
    tables = layout(report.get("template"), keys, values)
    annotate(tables, issues, keys)
    return report, tables, issues, values


async def report_context(datasette, database: str, pk: str, base_url: str = "") -> dict:
    loaded = await load_report(datasette, database, pk)
    if loaded is None:
        return {}
    report, tables, issues, _ = loaded
    caps = await captures_of(datasette.get_database(database), [report.get("capture_id"), report.get("page_capture_id")])
    capture = caps.get(report.get("capture_id"))
    page_url = f"{base_url}/{database}/reports/{report['id']}"
    notices = await notices_of(datasette.get_database(database), report)
    return {
        "xxgk_report": {
            "id": report["id"],
            "title": report.get("title"),
            "agency_name": report.get("agency_name"),
            "agency_id": report.get("agency_id"),
            "year": report.get("year"),
            "template": report.get("template"),
            "published": report.get("published"),
            "format": report.get("format"),
            "parse_status": report.get("parse_status"),
            "url": report.get("url"),
            "original_url": safe_url(report.get("url")),
            "capture_id": report.get("capture_id"),
            "page_capture_id": report.get("page_capture_id"),
            "capture": capture,
            "page_capture": caps.get(report.get("page_capture_id")),
            "tables": tables,
            "issues": issues,
            "highlighted": any(c for i in issues for c in i["cells"]),
            "ocr": any(c.get("uncertain") for t in tables for row in t.get("rows", []) for c in row.get("cells", [])),
            "cite": citation(report, capture, page_url),
            "sections": [(title, report.get(col)) for col, title in SECTION_TITLES if report.get(col)],
            "notices": notices,
        }
    }


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "reports" or request is None:
        return {}

    async def inner():
        pks = request.url_vars.get("pks")
        if not pks:
            return {}
        base = f"{request.scheme}://{request.host}"
        return await report_context(datasette, database, tilde_decode(pks), base)

    return inner


# ---- the report as its printed form, in CSV ----------------------------------------------------------


def expand(rows_of_heads: list[list[dict]], width: int) -> list[list[str]]:
    """Spanned header cells as a full grid: a cell's text repeated over every position it spans."""
    grid = [[None] * width for _ in rows_of_heads]
    for r, heads in enumerate(rows_of_heads):
        col = 0
        for h in heads:
            while col < width and grid[r][col] is not None:
                col += 1
            for dr in range(h["rowspan"]):
                for dc in range(h["colspan"]):
                    if r + dr < len(grid) and col + dc < width:
                        grid[r + dr][col + dc] = h["text"]
            col += h["colspan"]
    return [["" if c is None else c for c in line] for line in grid]


def form_rows(report: dict, tables: list[dict]) -> list[list]:
    """The tables as printed: header rows with their spans filled in (a spanned cell repeats its label
    to the right and downwards, so every row and column can be read on its own in a spreadsheet)."""
    out: list[list] = [[report.get("title") or f"report {report['id']}"],
                       [f"{report.get('agency_name') or ''}", f"{report.get('year') or ''}年度",
                        f"模板 {report.get('template') or ''}", f"发布 {report.get('published') or ''}",
                        report.get("url") or ""]]  # fmt: skip
    for t in tables:
        out += [[], [t["title"]]]
        if t["kind"] == "matrix":
            depth = t["label_depth"]
            header = expand(t["col_heads"], len(t["columns"]))
            for i, line in enumerate(header):
                corner = ["申请人情况" if t["no"] == "3" and i == 0 else ""] + [""] * (depth - 1)
                out.append(corner + line)
            labels = expand([row["heads"] for row in t["rows"]], depth)
            for line, row in zip(labels, t["rows"], strict=True):
                out.append(line + [c["text"] for c in row["cells"]])
        elif t["kind"] == "grouped":
            groups = []
            for g in t["groups"]:
                groups += [g["label"]] * g["span"]
            out += [groups, t["columns"], [c["text"] for c in t["cells"]]]
        else:
            out.append(["统计指标", "单位", "统计数"])
            out += [[it["label"], it["unit"], it["text"]] for it in t["items"]]
    return out


async def form_csv(request, datasette):
    pk = request.url_vars["report_id"]
    loaded = await load_report(datasette, "archive", pk)
    if loaded is None:
        return Response.text(f"没有此报告 · no report {pk}", status=404)
    report, tables, _, _ = loaded
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(form_rows(report, tables))
    name = f"{report.get('agency_name') or 'report'}-{report.get('year') or ''}-{pk}.csv"
    return Response(buf.getvalue(), status=200, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"report-{pk}.csv\"; filename*=UTF-8''{quote(name)}"})


@hookimpl
def register_routes():
    return [(r"^/-/form/(?P<report_id>[0-9]{1,18})\.csv$", form_csv)]
