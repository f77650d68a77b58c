"""Facet counts of a whole table read from agg_facets (archive/summary.py, precomputed at build time).

A table page before any filter or search facets every row of the table: Datasette 0.65 runs ``select col
as value, count(*) as count from (select … from table) where col is not null group by col order by count
desc, value limit n`` for each facet, a scan of a covering index per facet per request (~70 ms each at
1,000,000 reports, over the 200 ms facet time limit with the page's other facets). The archive is
immutable while served, so the same counts come from agg_facets in the same order (count desc, value).
Any other facet SQL (filtered, searched, a facet agg_facets does not hold) runs as Datasette wrote it.
"""

from __future__ import annotations

import re

from datasette import hookimpl

WHOLE_TABLE_FACET = re.compile(
    r"select (?P<col>\w+) as value, count\(\*\) as count from \( select (?:[\w\[\]]+, )*[\w\[\]]+ "
    r"from (?P<table>\w+) \) where (?P=col) is not null group by (?P=col) order by count desc, value "
    r"limit (?P<limit>\d+)"
)
PRECOMPUTED = "select value, n as count from agg_facets where tbl = :xxgk_tbl and col = :xxgk_col " \
              "order by n desc, value limit {limit}"  # fmt: skip


def precomputed_facets(db) -> None:
    original = db.execute
    if getattr(original, "xxgk_facets", False):
        return
    held: set[tuple[str, str]] | None = None  # (table, column) pairs in agg_facets, read on first use

    async def execute(sql, params=None, *args, **kwargs):
        nonlocal held
        if not params and "count(*) as count" in sql:
            m = WHOLE_TABLE_FACET.fullmatch(" ".join(sql.split()))
            if m is not None:
                if held is None:
                    try:
                        held = {tuple(r) for r in await original("select distinct tbl, col from agg_facets")}
                    except Exception:  # an archive built before agg_facets: Datasette's own SQL
                        held = set()
                if (m["table"], m["col"]) in held:
                    sql = PRECOMPUTED.format(limit=m["limit"])
                    params = {"xxgk_tbl": m["table"], "xxgk_col": m["col"]}
        return await original(sql, params, *args, **kwargs)

    execute.xxgk_facets = True
    db.execute = execute


@hookimpl
def startup(datasette):
    for name, db in datasette.databases.items():
        if name != "_internal" and not db.is_mutable:  # counts precomputed hold only while nothing writes
            precomputed_facets(db)
