"""/-/search: the reports found by a search, made for reading (title, agency, year, region, form, a
highlighted snippet of where the words are), most relevant first (FTS5 bm25), with year / region /
level / template facets. An empty search lists every report, newest first.

Queries go through archive.search.query_to_fts (bigrams; OR and "quoted phrases"). Costs stay bounded
for words found in most reports: the hit count stops at COUNT_CAP (the page says "more than"); above it,
relevance is ranked among the newest COUNT_CAP hits and the facets show their values without counts
(each count would join every hit). The counts of the unsearched listing are the same for every
visitor and the archive is immutable while served, so they are cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from urllib.parse import urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from datasette import hookimpl

try:
    from archive.search import SEARCH_TABLE, query_terms, query_to_fts
except ImportError:  # pragma: no cover - the project is installed with the site
    SEARCH_TABLE, query_terms, query_to_fts = "report_search", None, None

DATABASE = "archive"
PAGE_SIZE = 20
COUNT_CAP = 10_000
SNIPPET_CHARS = 120
# (query argument = report_summary column, heading)
FACETS = (("year", "年度 Year"), ("region", "地区 Region"), ("level", "层级 Level"), ("template", "模板 Template"))
TEXT_COLUMNS = ("overview", "proactive_text", "requests_text", "appeals_text", "problems_text", "other_text")
SECTION_ZH = {"overview": "一、总体情况", "proactive_text": "二、主动公开", "requests_text": "三、依申请公开",
              "appeals_text": "四、复议诉讼", "problems_text": "五、问题和改进", "other_text": "六、其他事项"}  # fmt: skip

_cache: OrderedDict = OrderedDict()
CACHE_SIZE = 256


async def _cached(db, sql: str, params: dict) -> list:
    key = (sql, tuple(sorted(params.items())))
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    rows = [tuple(r) for r in (await db.execute(sql, params)).rows]
    _cache[key] = rows
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return rows


def _filters(args) -> dict[str, str]:
    return {col: args.get(col) for col, _ in FACETS if args.get(col)}


def _where(filters: dict[str, str], alias: str = "s") -> tuple[str, dict]:
    clauses, params = [], {}
    for col, value in filters.items():
        if col == "year":
            clauses.append(f"{alias}.year = cast(:f_year as integer)")
        else:
            clauses.append(f"{alias}.[{col}] = :f_{col}")
        params[f"f_{col}"] = value
    return " and ".join(clauses) or "1", params


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def highlight_terms(q: str) -> list[str]:
    """The words to mark in snippets: each term of the query, normalised as the index normalises it."""
    terms = {_norm(t) for group in query_terms(q) for t in group} if query_terms else set()
    return sorted((t for t in terms if t.strip() and t not in ("or",)), key=len, reverse=True)


def mark(text: str, terms: list[str]) -> Markup:
    """text with every occurrence of a term in <mark>, HTML-escaped."""
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append(Markup("<mark>") + escape(m.group(0)) + Markup("</mark>"))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> Markup | None:
    """A window of text around the first occurrence of any term, terms marked; None when none occurs."""
    norm = _norm(text)
    if len(norm) != len(text):  # NFKC changed the length (rare ligatures): show the normalised text
        text = norm
    first = min((i for i in (norm.find(t) for t in terms) if i >= 0), default=-1)
    if first < 0:
        return None
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    piece = re.sub(r"\s+", " ", text[start:end])
    return (Markup("…") if start else Markup("")) + mark(piece, terms) + (Markup("…") if end < len(text) else Markup(""))


async def _snippets(db, ids: list[int], terms: list[str]) -> dict[int, tuple[str, Markup]]:
    """Per report: (where, snippet) from its sections, else from its table labels, else its title."""
    if not ids or not terms:
        return {}
    marks = ",".join(str(int(i)) for i in ids)
    out: dict[int, tuple[str, Markup]] = {}
    rows = (await db.execute(f"select id, title, agency_name, {', '.join(TEXT_COLUMNS)} from reports "
                             f"where id in ({marks})")).rows  # fmt: skip
    for r in rows:
        for col in TEXT_COLUMNS:
            s = snippet(r[col], terms) if r[col] else None
            if s is not None:
                out[r["id"]] = (SECTION_ZH[col], s)
                break
    missing = [i for i in ids if i not in out]
    if missing:
        marks = ",".join(str(int(i)) for i in missing)
        labels = (await db.execute(
            "select v.report_id, k.zh, v.raw from report_values v join keys k on k.key = v.key "
            f"where v.report_id in ({marks}) and v.value is not null and v.value != 0 order by v.report_id, v.key"
        )).rows  # fmt: skip
        cells = (await db.execute("select report_id, row_label || '｜' || col_label as zh, raw from report_cells "
                                  f"where report_id in ({marks})")).rows  # fmt: skip
        for rid, zh, raw in [tuple(x) for x in labels] + [tuple(x) for x in cells]:
            if rid in out or not zh or not raw or not re.search(r"[1-9]", raw):
                continue
            s = snippet(f"{zh}：{raw}", terms, width=200)
            if s is not None:
                out[rid] = ("表格 Table", s)
    for r in rows:
        if r["id"] not in out:
            for col in ("title", "agency_name"):
                s = snippet(r[col] or "", terms)
                if s is not None:
                    out[r["id"]] = ("标题 Title" if col == "title" else "机关 Agency", s)
                    break
    return out


async def search_results(db, q: str, filters: dict[str, str], page: int) -> dict:
    expr = query_to_fts(q) if q.strip() else None
    where, params = _where(filters)
    offset = (page - 1) * PAGE_SIZE
    facets_counted = True
    if not q.strip():
        total = (await _cached(db, f"select count(*) from report_summary s where {where}", params))[0][0]
        capped = False
        ids = [r[0] for r in (await db.execute(
            f"select s.report_id from report_summary s where {where} order by s.report_id desc "
            f"limit {PAGE_SIZE} offset {offset}", params)).rows]  # fmt: skip
        hits_sql = None
    elif expr is None:
        return {"total": 0, "capped": False, "rows": [], "facets": [], "facets_counted": False, "ranked_newest": False}
    else:
        params = {**params, "e": expr}
        fts = f"select rowid from [{SEARCH_TABLE}] where [{SEARCH_TABLE}] match :e"
        words = (await db.execute(f"select count(*) from ({fts} limit {COUNT_CAP + 1})", params)).first()[0]
        if filters:
            joined = (f"from [{SEARCH_TABLE}] join report_summary s on s.report_id = [{SEARCH_TABLE}].rowid "
                      f"where [{SEARCH_TABLE}] match :e and {where}")  # fmt: skip
            total = (await db.execute(f"select count(*) from (select 1 {joined} limit {COUNT_CAP + 1})", params)).first()[0]
        else:
            joined = f"from [{SEARCH_TABLE}] where [{SEARCH_TABLE}] match :e"
            total = words
        capped = total > COUNT_CAP
        if words <= COUNT_CAP:
            ranked = f"select [{SEARCH_TABLE}].rowid {joined} order by rank limit {PAGE_SIZE} offset {offset}"
        else:  # bm25 of every hit would cost ~1 us each: rank the newest COUNT_CAP
            ranked = (f"select rid from (select [{SEARCH_TABLE}].rowid as rid, rank as r {joined} "
                      f"order by [{SEARCH_TABLE}].rowid desc limit {COUNT_CAP}) order by r "
                      f"limit {PAGE_SIZE} offset {offset}")  # fmt: skip
        ids = [r[0] for r in (await db.execute(ranked, params)).rows]
        facets_counted = words <= COUNT_CAP
        hits_sql = fts
        total = min(total, COUNT_CAP)
    rows = []
    if ids:
        marks = ",".join(str(int(i)) for i in ids)
        found = {r["report_id"]: dict(r) for r in (await db.execute(
            "select s.report_id, r.title, s.agency, s.agency_id, s.year, s.region, s.level, s.template, s.published,"
            " s.is_latest, s.parse_status, s.error_count from report_summary s join reports r on r.id = s.report_id"
            f" where s.report_id in ({marks})")).rows}  # fmt: skip
        terms = highlight_terms(q) if q.strip() else []
        snippets = await _snippets(db, ids, terms)
        for i in ids:
            if i in found:
                row = found[i]
                row["title_html"] = mark(row["title"] or f"报告 {i}", terms)
                row["where"], row["snippet"] = snippets.get(i, (None, None))
                rows.append(row)
    facets = []
    for col, heading in FACETS:
        if hits_sql is None:
            values = await _cached(db, f"select s.[{col}], count(*) from report_summary s where {where} "
                                   f"and s.[{col}] is not null group by 1 order by 2 desc, 1 limit 30", params)  # fmt: skip
        elif facets_counted:
            values = [tuple(r) for r in (await db.execute(
                f"select s.[{col}], count(*) from report_summary s where s.report_id in ({hits_sql}) and {where} "
                f"and s.[{col}] is not null group by 1 order by 2 desc, 1 limit 30", params)).rows]  # fmt: skip
        else:  # the values, without counts
            values = [(v, None) for v, _ in await _cached(
                db, f"select s.[{col}], count(*) from report_summary s where s.[{col}] is not null "
                "group by 1 order by 2 desc, 1 limit 30", {})]  # fmt: skip
        facets.append({"column": col, "heading": heading, "values": values, "selected": filters.get(col)})
    return {"total": total, "capped": capped, "rows": rows, "facets": facets, "facets_counted": facets_counted,
            "ranked_newest": bool(q.strip()) and not facets_counted}  # fmt: skip


async def search_view(request, datasette):
    q = request.args.get("q", "")
    filters = _filters(request.args)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return Response.html("400: page must be a number · 页码必须是数字", status=400)
    db = datasette.get_database(DATABASE)
    result = await search_results(db, q, filters, page)

    def url(**changes) -> str:
        args = {"q": q, **filters, "page": page}
        args.update(changes)
        return "/-/search?" + urlencode({k: v for k, v in args.items() if v not in (None, "", 1) or k == "q"})

    pages = -(-result["total"] // PAGE_SIZE) if result["total"] else 1
    return Response.html(await datasette.render_template("xxgk_search.html", {
        "q": q, "filters": filters, "result": result, "page": page, "pages": pages, "url": url,
        "page_size": PAGE_SIZE, "cap": COUNT_CAP,
    }, request=request))  # fmt: skip


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_view)]


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/search"), "label": "搜索 Search"}]
