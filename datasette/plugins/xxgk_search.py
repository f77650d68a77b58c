"""Chinese search in Datasette's own search box, and search result pages that stay fast for common words.

The archive indexes reports as character bigrams (archive/search.py); a query typed as is would
only match 2-character words. Datasette wraps every ``_search`` value in the SQL function
``escape_fts(:search)`` (searchmode escaped, the default), so we replace that function on each
connection with the bigram rewrite: the search box keeps showing what the reader typed.

A search page re-runs the FTS query joined to the table for its row count and for every facet:
for a word in half of 100,000 reports that is ~50k row lookups each (hundreds of ms). The hit
count needs no join (every report has exactly one row in report_search, rowid = report id), so on
an unfiltered search page we count on the FTS table alone, capped at COUNT_CAP, and skip the
facets when the hits exceed it (the page says so; a filter such as year brings them back).
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

try:
    from archive.search import SEARCH_TABLE, query_to_fts
except ImportError:  # archive package absent: only 2-character words would work, say so loudly
    SEARCH_TABLE, query_to_fts = "report_search", None

# An empty phrase matches nothing: a query with no searchable characters shows no rows, not an error.
NO_MATCH = '""'
# Tables whose search box uses report_search (metadata.yml fts_table).
SEARCH_TABLES = ("reports", "report_summary")
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


def plain_search(path: str, query_string: bytes, databases) -> tuple[str, list, str] | None:
    """(database, query pairs without our args, search text) for an HTML page of a search table whose only
    filter is a plain ``_search``; None otherwise (filters, raw mode, JSON/CSV, other pages)."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[0] not in databases or parts[1] not in SEARCH_TABLES:
        return None
    pairs = [(k, v) for k, v in parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
             if k not in OUR_ARGS]  # fmt: skip
    search = [v for k, v in pairs if k == "_search"]
    if len(search) != 1 or not search[0].strip():
        return None
    for k, _ in pairs:
        is_filter = not (k.startswith("_") and "__" not in k)
        if is_filter or k.startswith("_search_") or k in ("_searchmode", "_where", "_facet", "_facet_array"):
            return None
    return parts[0], pairs, search[0]


def search_pages(app, datasette):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("method", "GET").upper() in ("GET", "HEAD"):
            found = plain_search(scope.get("path", ""), scope.get("query_string", b""), datasette.databases)
            if found is not None:
                database, pairs, text = found
                cap = count_cap()
                result = await datasette.get_database(database).execute(
                    f"select count(*) from (select rowid from [{SEARCH_TABLE}] where [{SEARCH_TABLE}] "
                    f"match escape_fts(:q) limit {cap + 1})", {"q": text})  # fmt: skip
                hits = result.first()[0]
                extra = [("_nocount", "1")] + ([("_nofacet", "1")] if hits > cap else [])
                scope = dict(scope, query_string=urlencode(pairs + extra).encode("utf-8"),
                             xxgk_search={"hits": min(hits, cap), "capped": hits > cap})  # fmt: skip
        await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: search_pages(app, datasette)


@hookimpl
def extra_template_vars(request):
    return {"xxgk_search": request.scope.get("xxgk_search") if request is not None else None}
