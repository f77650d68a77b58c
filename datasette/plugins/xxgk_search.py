"""Chinese search in Datasette's own search box, and search result pages that stay fast for common words.

The archive indexes reports as character bigrams (archive/search.py); a query typed as is would
only match 2-character words. Datasette wraps every ``_search`` value in the SQL function
``escape_fts(:search)`` (searchmode escaped, the default), so we replace that function on each
connection with the bigram rewrite: the search box keeps showing what the reader typed.

A search page re-runs the FTS query joined to the table for its row count and for every facet:
for a word in half of 100,000 reports that is ~50k row lookups each (hundreds of ms). The hit
count needs no join (every report has exactly one row in report_search, rowid = report id), so on
an unfiltered search page we count on the FTS table alone; with filters, joined but stopping at the
cap. Above COUNT_CAP results the count says "more than"; when the words are in more than COUNT_CAP
reports the facets are skipped, filtered or not (the page says so; the filter form still works).

The rows of a search page: Datasette writes ``where <filters> and id in (select rowid from report_search
where ... match ...) order by id desc limit 51``, which evaluates every hit of the words before taking the
newest 51 (500,000 rowids for a common word at 1,000,000 reports; a common phrase's positions too). The
same rows come from walking the FTS hits newest first and joining each to the table until 51 pass the
filters (``newest_hits_first``): one row per hit on each side, so the rows are identical. The hit count is
walked the same way, stopping at the cap.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode

from datasette.filters import Filters

from datasette import hookimpl

try:
    from archive.search import SEARCH_TABLE, query_to_fts
except ImportError:  # archive package absent: only 2-character words would work, say so loudly
    SEARCH_TABLE, query_to_fts = "report_search", None

# An empty phrase matches nothing: a query with no searchable characters shows no rows, not an error.
NO_MATCH = '""'
# Above this many hits the count shows "more than" and facets are skipped (~2 us per hit per facet).
COUNT_CAP = 10_000


def count_cap() -> int:
    # XXGK_SEARCH_COUNT_CAP lets the tests exercise the capped page on a small archive.
    try:
        return max(1, int(os.environ.get("XXGK_SEARCH_COUNT_CAP", COUNT_CAP)))
    except ValueError:
        return COUNT_CAP

OUR_ARGS = ("_nocount", "_nofacet")


def rewrite(query: str | None) -> str:
    if query_to_fts is None:
        raise RuntimeError("archive.search.query_to_fts is not importable: install the project (pip install -e .)")
    expr = query_to_fts(query)
    return expr if expr else NO_MATCH


@hookimpl(trylast=True)
def prepare_connection(conn):
    # trylast: Datasette's own escape_fts is registered by its default plugin; ours must come after.
    conn.create_function("escape_fts", 1, rewrite, deterministic=True)


# Tables whose search box uses report_search, with the column holding the report id (metadata fts_pk).
SEARCH_PK = {"reports": "id", "report_summary": "report_id"}
# Query arguments that make the page something else than rows + count + metadata facets: left to Datasette.
HANDS_OFF = ("_searchmode", "_where", "_facet", "_facet_array", "_facet_date", "_filter_column")


def search_page(path: str, query_string: bytes, databases) -> tuple[str, str, list, str, list] | None:
    """(database, table, query pairs without our args, search text, column filters) for the HTML page of a
    search table with a plain ``_search``; None for anything else (raw mode, JSON/CSV, other pages)."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[0] not in databases or parts[1] not in SEARCH_PK:
        return None
    pairs = [(k, v) for k, v in parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
             if k not in OUR_ARGS]  # fmt: skip
    search = [v for k, v in pairs if k == "_search"]
    if len(search) != 1 or not search[0].strip():
        return None
    if any(k.startswith("_search_") or k.startswith(HANDS_OFF) for k, _ in pairs):
        return None
    filters = [(k, v) for k, v in pairs if not (k.startswith("_") and "__" not in k)]
    return parts[0], parts[1], pairs, search[0], filters


async def count_hits(db, table: str, text: str, filters: list, cap: int) -> tuple[int, int]:
    """(reports matching the words, rows matching words and filters), each counted up to cap + 1: the first
    on the FTS table alone (one row per report), the second joined to the table with Datasette's own
    filter syntax, stopping at the cap."""
    fts = f"select rowid from [{SEARCH_TABLE}] where [{SEARCH_TABLE}] match escape_fts(:xxgk_q)"
    params = {"xxgk_q": text}
    words = (await db.execute(f"select count(*) from ({fts} limit {cap + 1})", params)).first()[0]
    if not filters:
        return words, words
    where, fparams = Filters(sorted(filters), {}, None).build_where_clauses(table)
    # driven by the FTS hits (each joined to its row), stopping at the cap: no list of every hit first
    sql = (f"select count(*) from (select 1 from (select rowid as xxgk_hit from ({fts})) "
           f"cross join [{table}] on [{SEARCH_PK[table]}] = xxgk_hit "
           f"where {' and '.join(where) or '1'} limit {cap + 1})")  # fmt: skip
    return words, (await db.execute(sql, {**params, **fparams})).first()[0]


# Datasette 0.65's table SQL for a search on the first page in the default order (newest first).
TABLE_SEARCH_SQL = re.compile(
    r"select (?P<cols>.+?) from (?P<table>reports|report_summary) where (?:(?P<filters>.+?) and )?"
    r"(?P<pk>id|report_id) in \(select rowid from report_search where report_search match escape_fts\(:search\)\) "
    r"order by (?P=pk) desc limit (?P<limit>\d+)",
    re.S,
)
# The filters of Datasette's filter form (a column against a parameter); anything else keeps Datasette's SQL.
FILTER_CLAUSE = re.compile(r'"\w+" (?:=|!=|>|>=|<|<=|like|not like|glob) :p\d+|"\w+" is (?:not )?null')


def newest_hits_first(sql: str) -> str | None:
    """The same query driven by the FTS hits newest first (stops after `limit` rows pass the filters), or
    None for SQL of another shape."""
    m = TABLE_SEARCH_SQL.fullmatch(" ".join(sql.split())) if "report_search match" in sql else None
    if m is None or SEARCH_PK.get(m["table"]) != m["pk"]:
        return None
    filters = m["filters"].split(" and ") if m["filters"] else []
    if not all(FILTER_CLAUSE.fullmatch(f.strip()) for f in filters):
        return None
    return (f"select {m['cols']} from (select rowid as xxgk_hit from {SEARCH_TABLE} "
            f"where {SEARCH_TABLE} match escape_fts(:search) order by rowid desc) "
            f"cross join {m['table']} on {m['pk']} = xxgk_hit where {' and '.join(filters) or '1'} "
            f"order by xxgk_hit desc limit {m['limit']}")  # fmt: skip


def rewrite_search_sql(db) -> None:
    original = db.execute
    if getattr(original, "xxgk_search", False):
        return

    async def execute(sql, *args, **kwargs):
        return await original(newest_hits_first(sql) or sql, *args, **kwargs)

    execute.xxgk_search = True
    db.execute = execute


@hookimpl
def startup(datasette):
    for name, db in datasette.databases.items():
        if name != "_internal":
            rewrite_search_sql(db)


def search_pages(app, datasette):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("method", "GET").upper() in ("GET", "HEAD"):
            found = search_page(scope.get("path", ""), scope.get("query_string", b""), datasette.databases)
            if found is not None:
                database, table, pairs, text, filters = found
                cap = count_cap()
                try:
                    words, hits = await count_hits(datasette.get_database(database), table, text, filters, cap)
                except Exception:  # a bad filter value: left to Datasette, which reports it as usual
                    words = hits = None
                if hits is not None:
                    # Every facet re-runs the word search and joins each of its hits, whatever the filters
                    # keep: so the facets depend on how common the words are, not on the filtered count.
                    skip_facets = words > cap
                    extra = [("_nocount", "1")] + ([("_nofacet", "1")] if skip_facets else [])
                    scope = dict(scope, query_string=urlencode(pairs + extra).encode("utf-8"),
                                 xxgk_search={"hits": min(hits, cap), "capped": hits > cap,
                                              "facets_skipped": skip_facets, "cap": cap})  # fmt: skip
        await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: search_pages(app, datasette)


@hookimpl
def extra_template_vars(request):
    return {"xxgk_search": request.scope.get("xxgk_search") if request is not None else None}
