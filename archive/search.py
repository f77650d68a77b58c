"""Chinese full-text search: character-bigram ingest into FTS5 (shared/spec/search-research.md, option 4a).

FTS5's unicode61 tokenizer keeps a run of Han characters as one token, so nothing inside it can
be found; trigram misses 2-character words. We store, per report, the text rewritten as
space-separated tokens: each run of Han characters becomes its overlapping bigrams (a lone
character stays itself) and each run of letters/digits stays one lower-cased token. A query
rewritten the same way into a phrase of bigrams matches exactly where the characters are adjacent
in the text, which is LIKE '%q%' semantics for any query of 2+ Han characters.
Single characters go to a separate column holding each distinct Han character once, so a
1-character query is a cheap membership test rather than a second positional index.

``report_search`` is keyed by rowid = reports.id; Datasette uses it as the ``fts_table`` of
``reports`` (fts_pk id) and the site's plugin rewrites the search box text with query_to_fts().
"""

from __future__ import annotations

import re
import unicodedata

from archive.schema import REPORT_TEXT_COLUMNS as SECTION_TEXT_COLUMNS

SEARCH_TABLE = "report_search"
SEARCH_COLUMNS = ("title", "agency", "body", "chars")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN_RUN = re.compile(rf"[{_HAN}]+|[0-9a-z]+")
_HAN_CHAR = re.compile(rf"[{_HAN}]")


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and letters (２０２１, ＡＢ) into ASCII, as readers type them.
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str | None) -> list[str]:
    if not text:
        return []
    out: list[str] = []
    for run in _TOKEN_RUN.findall(_normalise(text)):
        if len(run) > 1 and _HAN_CHAR.match(run):
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def to_bigrams(text: str | None) -> str:
    """The ingest form of a text: its bigram/word tokens joined by spaces."""
    return " ".join(tokens(text))


def distinct_chars(text: str | None) -> str:
    """Each distinct Han character of the text once, space-separated (for 1-character queries)."""
    if not text:
        return ""
    return " ".join(sorted(set(_HAN_CHAR.findall(_normalise(text)))))


def query_to_fts(q: str | None) -> str | None:
    """Rewrite a search box query into an FTS5 MATCH expression for ``report_search``.

    Each whitespace-separated term becomes a phrase of its bigrams; terms are ANDed. A term of a
    single Han character searches the ``chars`` column. Returns None when the query has nothing
    searchable (only punctuation or spaces): the caller should then show no results.
    """
    if not q:
        return None
    parts = []
    for term in q.split():
        toks = tokens(term)
        if not toks:
            continue
        if len(toks) == 1 and len(toks[0]) == 1 and _HAN_CHAR.match(toks[0]):
            parts.append(f'chars : "{toks[0]}"')
        else:
            # A trailing lone character or ASCII run may continue in the text ("2021年" in "2021年度"):
            # match it as a prefix.
            last = toks[-1]
            prefix = " *" if len(last) == 1 or not _HAN_CHAR.match(last) else ""
            parts.append('"' + " ".join(toks) + '"' + prefix)
    if not parts:
        return None
    return " AND ".join(parts)


def create_table(db) -> None:
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS [{SEARCH_TABLE}] USING fts5("
        + ", ".join(SEARCH_COLUMNS)
        + ", tokenize='unicode61')"
    )


def search_row(report: dict) -> dict:
    body = "\n".join(report.get(c) or "" for c in SECTION_TEXT_COLUMNS)
    title, agency = report.get("title") or "", report.get("agency_name") or ""
    return {
        "rowid": report["id"],
        "title": to_bigrams(title),
        "agency": to_bigrams(agency),
        "body": to_bigrams(body),
        "chars": distinct_chars(" ".join((title, agency, body))),
    }


def index_reports(db, report_ids) -> int:
    """(Re)index the given reports; returns how many rows were written."""
    create_table(db)
    n = 0
    cols = ", ".join(("id", "title", "agency_name", *SECTION_TEXT_COLUMNS))
    ids = list(report_ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM [{SEARCH_TABLE}] WHERE rowid IN ({marks})", chunk)
        cur = db.execute(f"SELECT {cols} FROM reports WHERE id IN ({marks})", chunk)
        names = [d[0] for d in cur.description]
        rows = [search_row(dict(zip(names, r, strict=True))) for r in cur.fetchall()]
        db.conn.executemany(
            f"INSERT INTO [{SEARCH_TABLE}] (rowid, {', '.join(SEARCH_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
            [(r["rowid"], *(r[c] for c in SEARCH_COLUMNS)) for r in rows],
        )
        n += len(rows)
    return n


def search(db, q: str) -> list[int]:
    """Report ids matching q (what the site's search box returns), ascending."""
    expr = query_to_fts(q)
    if expr is None:
        return []
    return [
        r[0]
        for r in db.execute(
            f"SELECT rowid FROM [{SEARCH_TABLE}] WHERE [{SEARCH_TABLE}] MATCH ? ORDER BY rowid", [expr]
        ).fetchall()
    ]
