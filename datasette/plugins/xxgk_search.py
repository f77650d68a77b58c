"""Chinese search in Datasette's own search box.

The archive indexes reports as character bigrams (archive/search.py); a query typed as is would
only match 2-character words. Datasette wraps every ``_search`` value in the SQL function
``escape_fts(:search)`` (searchmode escaped, the default), so we replace that function on each
connection with the bigram rewrite: the search box keeps showing what the reader typed.
"""

from __future__ import annotations

from datasette import hookimpl

try:
    from archive.search import query_to_fts
except ImportError:  # archive package absent: only 2-character words would work, say so loudly
    query_to_fts = None

# An empty phrase matches nothing: a query with no searchable characters shows no rows, not an error.
NO_MATCH = '""'


def rewrite(query: str | None) -> str:
    if query_to_fts is None:
        raise RuntimeError("archive.search.query_to_fts is not importable: install the project (pip install -e .)")
    expr = query_to_fts(query)
    return expr if expr else NO_MATCH


@hookimpl(trylast=True)
def prepare_connection(conn):
    # trylast: Datasette's own escape_fts is registered by its default plugin; ours must come after.
    conn.create_function("escape_fts", 1, rewrite, deterministic=True)
