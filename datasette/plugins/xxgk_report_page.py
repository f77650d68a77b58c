"""The report page: a report's row page also shows its three tables laid out as the form prints
them (表二 主动公开, 表三 依申请公开, 表四 复议诉讼; legacy 统计表 as a list), its issues, and links
to the original URL and the archived copies. Labels come from the archive's keys table, so the
layout follows the canonical keys rather than a hard-coded form.

Everything is handed to the Jinja template as data; Datasette's autoescaping does the escaping.
"""

from __future__ import annotations

from datasette.utils import tilde_decode

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
    return {"text": text, "blank": value is None, "title": title}


def matrix(keys: list[dict], values: dict[str, dict], col_order=None) -> dict:
    """Rows by row_key, columns by col_key, labels from the key labels (row part | column part)."""
    rows: dict[str, list[dict]] = {}
    cols: list[str] = []
    for k in keys:
        rows.setdefault(k["row_key"], []).append(k)
        if k["col_key"] not in cols:
            cols.append(k["col_key"])
    if col_order:
        cols = [c for c in col_order if c in cols] + [c for c in cols if c not in col_order]
    col_labels: dict[str, str] = {}
    out_rows = []
    for row_key, ks in rows.items():
        paths = [_split(k["zh"]) for k in ks]
        prefix = _common_prefix(paths) if len(paths) > 1 else paths[0][:-1]
        for k, path in zip(ks, paths, strict=True):
            col_labels.setdefault(k["col_key"], " ".join(path[len(prefix):]) or k["col_key"])
        by_col = {k["col_key"]: k["key"] for k in ks}
        out_rows.append({
            "label": " ".join(prefix) or row_key,
            "cells": [_cell(values.get(by_col[c])) if c in by_col else {"text": "", "blank": True, "absent": True}
                      for c in cols],
        })  # fmt: skip
    return {"columns": [col_labels.get(c, c) for c in cols], "rows": out_rows}


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
            entry.update(kind="matrix", **matrix(ks, values, APPLICANT_ORDER if table_no == "3" else None))
        tables.append(entry)
    return tables


async def report_context(datasette, database: str, pk: str) -> dict:
    db = datasette.get_database(database)
    rows = (await db.execute("select * from reports where id = ?", [pk])).rows
    if not rows:
        return {}
    report = dict(rows[0])
    values = {r["key"]: dict(r) for r in (await db.execute(
        "select key, value, raw, unit, cell from report_values where report_id = ?", [pk])).rows}
    keys = [dict(r) for r in (await db.execute(
        "select key, table_no, row_key, col_key, zh, unit, templates from keys order by rowid")).rows]
    issues = [dict(r) for r in (await db.execute(
        "select rule, severity, message, key, left_value, right_value from report_issues where report_id = ?"
        " order by severity, rule", [pk])).rows]
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
            "tables": layout(report.get("template"), keys, values),
            "issues": issues,
            "sections": [(title, report.get(col)) for col, title in SECTION_TITLES if report.get(col)],
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
        return await report_context(datasette, database, tilde_decode(pks))

    return inner
