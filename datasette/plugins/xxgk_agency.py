"""Agency pages, comparison and rankings: the questions a journalist asks of one agency or a few.

- ``/agency?q=统计局``: lookup by partial name (every agency whose name contains the words, then, if
  none, whose name contains the characters in order: 杭州统计局 finds 杭州市统计局).
- ``/agency/<id>``: every year's report with the main figures (from report_summary, latest version of
  each report), a trend chart (inline SVG: no scripts, no downloads), its findings (report_issues) and
  its peers (same level and region, else same level and province).
- ``/compare?agency=<id>&agency=<id>`` or ``?region=<code>&region=<code>``: side by side per year.
- ``/rankings?year=YYYY&level=...``: most applications, most corrected by review or lawsuit, latest
  publishers, each row linking to the report.

Figures are read with SQL from the archive as it is; nothing here is precomputed or cached.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from datasette import hookimpl

DATABASE = "archive"
LEVELS = {"central": "中央 central", "province": "省级 province", "prefecture": "市级 prefecture",
          "county": "县级 county", "township": "乡镇 township", "other": "其他 other"}  # fmt: skip
# (column of report_summary, Chinese label, English label): the main figures, in the form's order.
FIGURES = (
    ("applications_new", "本年新收申请", "new applications"),
    ("applications_received", "收到申请（含上年结转）", "received incl. carried over"),
    ("granted", "予以公开", "granted"),
    ("partially_granted", "部分公开", "partly granted"),
    ("withheld", "不予公开", "withheld"),
    ("handled_total", "办理总计", "handled"),
    ("reviews_total", "行政复议", "reviews"),
    ("reviews_corrected", "复议纠正", "reviews corrected"),
    ("lawsuits_total", "行政诉讼", "lawsuits"),
    ("lawsuits_corrected", "诉讼纠正", "lawsuits corrected"),
    ("fees_collected_yuan", "收费（元）", "fees (yuan)"),
)
FIGURE_LABELS = {c: f"{zh} {en}" for c, zh, en in FIGURES}
# Series of the trend chart: a line each, colours readable in print and by most colour-blind readers.
TREND = (("applications_new", "#1f77b4"), ("granted", "#2ca02c"), ("withheld", "#d62728"),
         ("handled_total", "#9467bd"))  # fmt: skip
COMPARE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
MAX_COMPARED = 8
LOOKUP_LIMIT = 200
RANK_LIMIT = 20


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def lookup_patterns(q: str) -> list[list[str]]:
    """LIKE patterns to try in turn: every word as a substring, then the characters in order."""
    words = [w for w in re.split(r"[\s,，、]+", q.strip()) if w]
    if not words:
        return []
    exact = [f"%{_like_escape(w)}%" for w in words]
    chars = "%" + "%".join(_like_escape(c) for c in "".join(words)) + "%"
    return [exact, [chars]] if len("".join(words)) > 1 else [exact]


def fmt_number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}"


def trend_svg(years: list[int], series: list[dict], width: int = 640, height: int = 240) -> dict:
    """An inline line chart: ``series`` = [{label, colour, values: {year: number|None}}]. Returns the
    geometry for the template (no markup built here: Jinja escapes every label)."""
    left, right, top, bottom = 56, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for s in series for v in s["values"].values() if v is not None] or [0])
    step = nice_step(peak)
    ymax = step * max(1, -(-peak // step)) if peak else 1
    n = len(years)

    def x(i: int) -> float:
        return round(left + (plot_w * (i + 0.5) / n if n else 0), 1)

    def y(v: float) -> float:
        return round(top + plot_h - plot_h * v / ymax, 1)

    ticks = [{"y": y(t), "label": fmt_number(t)} for t in range(0, int(ymax) + 1, int(step) or 1)]
    out = []
    for s in series:
        points = [{"x": x(i), "y": y(s["values"][yr]), "year": yr, "value": s["values"][yr],
                   "text": fmt_number(s["values"][yr])}
                  for i, yr in enumerate(years) if s["values"].get(yr) is not None]  # fmt: skip
        # a gap (a year without the figure) breaks the line rather than drawing through it
        segments, current = [], []
        for i, yr in enumerate(years):
            if s["values"].get(yr) is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{x(i)},{y(s['values'][yr])}")
        if current:
            segments.append(current)
        out.append({**s, "points": points, "polylines": [" ".join(seg) for seg in segments]})
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "bottom": top + plot_h, "ticks": ticks, "years": [{"x": x(i), "label": yr} for i, yr in enumerate(years)],
            "series": out}  # fmt: skip


def nice_step(peak: float) -> int:
    if peak <= 0:
        return 1
    raw = peak / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return int(m * magnitude)
    return int(10 * magnitude)


async def rows(db, sql: str, params=None) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params or []))]


async def render(datasette, request, template: str, context: dict, status: int = 200) -> Response:
    context = {"levels": LEVELS, "fmt": fmt_number, "figures": FIGURES, "figure_labels": FIGURE_LABELS, **context}
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


async def find_agencies(db, q: str) -> tuple[list[dict], str]:
    """Agencies whose name (as registered or as printed in any of their reports) matches ``q``."""
    for attempt, patterns in enumerate(lookup_patterns(q)):
        where = " and ".join(["(a.name like ? escape '\\' or a.id in (select agency_id from report_summary"
                              " where agency like ? escape '\\'))"] * len(patterns))  # fmt: skip
        params = [p for p in patterns for _ in (0, 1)]
        found = await rows(db, f"""
            select a.id, a.name, a.region, a.region_code, a.level,
              (select count(*) from report_summary s where s.agency_id = a.id and coalesce(s.is_latest, 1) = 1) as reports,
              (select min(year) from report_summary s where s.agency_id = a.id) as first_year,
              (select max(year) from report_summary s where s.agency_id = a.id) as last_year
            from agencies a where {where}
            order by a.name = ? desc, instr(a.name, ?) = 1 desc, length(a.name), a.name limit {LOOKUP_LIMIT + 1}
        """, [*params, q.strip(), q.strip()])  # fmt: skip
        if found:
            return found, ("words" if attempt == 0 else "characters")
    return [], "none"


async def lookup_view(request, datasette):
    db = datasette.get_database(DATABASE)
    q = (request.args.get("q") or "").strip()
    found, how = (await find_agencies(db, q)) if q else ([], "none")
    if not q:
        found = await rows(db, f"""
            select a.id, a.name, a.region, a.region_code, a.level, count(s.report_id) as reports,
              min(s.year) as first_year, max(s.year) as last_year
            from agencies a left join report_summary s on s.agency_id = a.id and coalesce(s.is_latest, 1) = 1
            group by a.id order by a.region_code, a.name limit {LOOKUP_LIMIT + 1}""")  # fmt: skip
    return await render(datasette, request, "xxgk_agency_lookup.html", {
        "q": q, "agencies": found[:LOOKUP_LIMIT], "more": len(found) > LOOKUP_LIMIT, "how": how,
    })  # fmt: skip


async def agency_reports(db, agency_id: str) -> list[dict]:
    cols = ", ".join(f"s.{c}" for c, _, _ in FIGURES)
    return await rows(db, f"""
        select s.report_id, s.year, s.template, s.published, s.parse_status, s.error_count, s.warning_count,
          s.url, r.title, r.capture_id, {cols}
        from report_summary s join reports r on r.id = s.report_id
        where s.agency_id = ? and coalesce(s.is_latest, 1) = 1 order by s.year, s.report_id""", [agency_id])  # fmt: skip


async def agency_view(request, datasette):
    db = datasette.get_database(DATABASE)
    agency_id = request.url_vars["agency_id"]
    found = await rows(db, "select * from agencies where id = ?", [agency_id])
    if not found:
        return await render(datasette, request, "xxgk_agency_lookup.html",
                            {"q": agency_id, "agencies": [], "more": False, "how": "none",
                             "missing": agency_id}, status=404)  # fmt: skip
    agency = found[0]
    reports = await agency_reports(db, agency_id)
    years = sorted({r["year"] for r in reports if r["year"] is not None})
    by_year = {}
    for r in reports:  # two portals may carry the same year: the chart shows the first, the table both
        by_year.setdefault(r["year"], r)
    series = [{"key": c, "label": FIGURE_LABELS[c], "colour": colour,
               "values": {yr: by_year[yr][c] for yr in years}} for c, colour in TREND]  # fmt: skip
    findings = await rows(db, """
        select i.report_id, s.year, i.rule, i.severity, i.message, i.key, i.left_value, i.right_value
        from report_issues i join report_summary s on s.report_id = i.report_id
        where s.agency_id = ? and coalesce(s.is_latest, 1) = 1
        order by s.year desc, i.severity, i.rule""", [agency_id])  # fmt: skip
    peer_sql = """
        select a.id, a.name, a.region, a.level, s.year, s.report_id, s.applications_new, s.granted,
          s.reviews_corrected, s.lawsuits_corrected
        from agencies a left join report_summary s on s.report_id = (
          select report_id from report_summary x where x.agency_id = a.id and coalesce(x.is_latest, 1) = 1
          order by x.year desc limit 1)
        where a.id != ? and a.level is ? and {where} order by a.name limit 50"""
    peers = await rows(db, peer_sql.format(where="a.region_code is ?"),
                       [agency_id, agency["level"], agency["region_code"]])  # fmt: skip
    peer_scope = "region"
    if not peers and agency.get("region_code"):
        peers = await rows(db, peer_sql.format(where="substr(a.region_code, 1, 2) = ?"),
                           [agency_id, agency["level"], agency["region_code"][:2]])  # fmt: skip
        peer_scope = "province"
    sources = await rows(db, "select id, family, start_urls from sources where agency_id = ?", [agency_id])
    compare_all = "/compare?" + urlencode([("agency", agency_id)] + [("agency", p["id"]) for p in peers[:MAX_COMPARED - 1]])
    return await render(datasette, request, "xxgk_agency.html", {
        "agency": agency, "reports": reports, "chart": trend_svg(years, series) if years else None,
        "findings": findings, "peers": peers, "peer_scope": peer_scope, "sources": sources,
        "compare_all": compare_all,
    })  # fmt: skip


async def entity(db, kind: str, ident: str) -> dict | None:
    """One column of the comparison: an agency (its reports) or a region (sums over its agencies)."""
    if kind == "agency":
        found = await rows(db, "select id, name, region, level from agencies where id = ?", [ident])
        if not found:
            return None
        by_year = {}
        for r in await agency_reports(db, ident):
            by_year.setdefault(r["year"], r)
        return {"kind": kind, "id": ident, "name": found[0]["name"], "note": found[0]["region"],
                "href": f"/agency/{ident}", "years": by_year}  # fmt: skip
    sums = ", ".join(f"sum({c}) as {c}" for c, _, _ in FIGURES)
    found = await rows(db, f"""
        select year, max(region) as region, count(*) as reports, {sums}
        from report_summary where region_code = ? and coalesce(is_latest, 1) = 1
        group by year order by year""", [ident])  # fmt: skip
    if not found:
        return None
    return {"kind": kind, "id": ident, "name": found[0]["region"], "note": ident,
            "href": "/archive/report_summary?" + urlencode({"region_code": ident}),
            "years": {r["year"]: {**r, "href": "/archive/report_summary?" + urlencode(
                {"region_code": ident, "year": r["year"]})} for r in found}}  # fmt: skip


async def compare_view(request, datasette):
    db = datasette.get_database(DATABASE)
    wanted = [("agency", v) for v in request.args.getlist("agency") if v] + \
             [("region", v) for v in request.args.getlist("region") if v]  # fmt: skip
    add = (request.args.get("q") or "").strip()
    candidates = (await find_agencies(db, add))[0][:30] if add else []
    entities, missing = [], []
    for kind, ident in wanted[:MAX_COMPARED]:
        e = await entity(db, kind, ident)
        (entities.append(e) if e else missing.append(f"{kind} {ident}"))
    for e, colour in zip(entities, COMPARE_COLOURS, strict=False):
        e["colour"] = colour
    years = sorted({y for e in entities for y in e["years"] if y is not None})
    measure = request.args.get("measure") or "applications_new"
    if measure not in FIGURE_LABELS:
        measure = "applications_new"
    series = [{"key": e["id"], "label": e["name"], "colour": e["colour"],
               "values": {y: (e["years"].get(y) or {}).get(measure) for y in years}} for e in entities]  # fmt: skip
    regions = await rows(db, "select region_code, max(region) as region from report_summary"
                             " where region_code is not null group by region_code order by region_code")  # fmt: skip
    return await render(datasette, request, "xxgk_compare.html", {
        "entities": entities, "years": years, "missing": missing, "measure": measure,
        "chart": trend_svg(years, series) if years and entities else None, "q": add, "candidates": candidates,
        "wanted": wanted, "regions": regions,
    })  # fmt: skip


def deadline_sql(alias: str = "s") -> str:
    """Days between the legal deadline (departments 31 January, governments 31 March of the next year)
    and publication: positive = late."""
    return (f"cast(julianday({alias}.published) - julianday(({alias}.year + 1) || "
            f"case when {alias}.kind = 'government' then '-03-31' else '-01-31' end) as integer)")


async def rankings_view(request, datasette):
    db = datasette.get_database(DATABASE)
    years = [r["year"] for r in await rows(db, "select distinct year from report_summary where year is not null"
                                                " order by year desc")]  # fmt: skip
    year_arg = request.args.get("year")
    year = int(year_arg) if year_arg and year_arg.isdigit() else (years[0] if years else None)
    level = request.args.get("level") or ""
    if level not in LEVELS:
        level = ""
    where = "coalesce(s.is_latest, 1) = 1 and s.year = ?" + (" and s.level = ?" if level else "")
    params = [year] + ([level] if level else [])
    most = await rows(db, f"""
        select s.report_id, s.agency_id, s.agency, s.region, s.level, s.year, s.applications_new, s.granted
        from report_summary s where {where} and s.applications_new is not null
        order by s.applications_new desc, s.report_id limit {RANK_LIMIT}""", params)  # fmt: skip
    corrected = await rows(db, f"""
        select s.report_id, s.agency_id, s.agency, s.region, s.level, s.year, s.reviews_total, s.reviews_corrected,
          s.lawsuits_total, s.lawsuits_corrected,
          coalesce(s.reviews_corrected, 0) + coalesce(s.lawsuits_corrected, 0) as corrected
        from report_summary s where {where}
          and coalesce(s.reviews_corrected, 0) + coalesce(s.lawsuits_corrected, 0) > 0
        order by corrected desc, s.report_id limit {RANK_LIMIT}""", params)  # fmt: skip
    latest = await rows(db, f"""
        select s.report_id, s.agency_id, s.agency, s.region, s.level, s.kind, s.year, s.published,
          {deadline_sql()} as days_late
        from report_summary s where {where} and s.published is not null
        order by s.published desc, s.report_id limit {RANK_LIMIT}""", params)  # fmt: skip
    return await render(datasette, request, "xxgk_rankings.html", {
        "years": years, "year": year, "level": level, "most": most, "corrected": corrected, "latest": latest,
    })  # fmt: skip


@hookimpl
def register_routes():
    return [
        (r"^/agency/?$", lookup_view),
        (r"^/agency/(?P<agency_id>[^/]+)$", agency_view),
        (r"^/compare/?$", compare_view),
        (r"^/rankings/?$", rankings_view),
    ]
