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
# labels: the table labels (keys.zh, unmapped cells' row/column labels) of the cells holding a non-zero
# value, so that 收费 finds the reports that charged fees even when their prose never says so.
SEARCH_COLUMNS = ("title", "agency", "body", "chars", "labels")

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


# A quoted phrase (ASCII or Chinese quotes), the OR operator, or a plain term.
_QUERY_PART = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+)')


def _term_to_fts(term: str, quoted: bool = False) -> str | None:
    if quoted:  # inside quotes, spaces between Han characters do not break the phrase
        term = re.sub(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])", "", term)
    toks = tokens(term)
    if not toks:
        return None
    if len(toks) == 1 and len(toks[0]) == 1 and _HAN_CHAR.match(toks[0]):
        return f'chars : "{toks[0]}"'
    # A trailing lone character or ASCII run may continue in the text ("2021年" in "2021年度"):
    # match it as a prefix.
    last = toks[-1]
    prefix = " *" if len(last) == 1 or not _HAN_CHAR.match(last) else ""
    return '"' + " ".join(toks) + '"' + prefix


def query_terms(q: str | None) -> list[list[str]]:
    """The query as OR-groups of ANDed terms (the readable text of each term, for highlighting):
    ``复议 OR 收费 "依申请 公开"`` -> [["复议"], ["收费", "依申请公开"]]. OR (or |) between two terms is the
    operator; anywhere else it is a word. Other FTS syntax is only text."""
    if not q:
        return []
    parts = []
    for m in _QUERY_PART.finditer(q):
        quoted = next((g for g in m.groups()[:3] if g is not None), None)
        if quoted is not None:
            parts.append(("term", re.sub(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])", "", quoted), True))
        elif m.group(4) in ("OR", "|", "或"):
            parts.append(("or", m.group(4), False))
        else:
            parts.append(("term", m.group(4), False))
    groups: list[list[tuple[str, bool]]] = [[]]
    for i, (kind, text, quoted) in enumerate(parts):
        is_op = (kind == "or" and 0 < i < len(parts) - 1 and parts[i - 1][0] == "term"
                 and parts[i + 1][0] == "term")  # fmt: skip
        if is_op:
            groups.append([])
        else:
            groups[-1].append((text, quoted))
    return [[t for t, _ in g] for g in groups if g]


def query_to_fts(q: str | None) -> str | None:
    """Rewrite a search box query into an FTS5 MATCH expression for ``report_search``.

    Each term (whitespace-separated, or a quoted phrase) becomes a phrase of its bigrams; terms are
    ANDed, and OR between two terms joins the groups on either side. A term of a single Han character
    searches the ``chars`` column. Returns None when the query has nothing searchable (only
    punctuation or spaces): the caller should then show no results.
    """
    groups = []
    for group in query_terms(q):
        parts = [p for p in (_term_to_fts(t, quoted=True) for t in group) if p]
        if parts:
            groups.append(" AND ".join(parts))
    if not groups:
        return None
    if len(groups) == 1:
        return groups[0]
    return " OR ".join(f"({g})" for g in groups)


def labels_of(db, report_ids) -> dict[int, str]:
    """Per report, the labels of its table cells that hold a non-zero value (keys.zh of report_values,
    row/column labels of report_cells), one per line. db: anything with execute() (sqlite3 or sqlite-utils)."""
    ids = list(report_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    for rid, zh in db.execute(
        f"SELECT v.report_id, k.zh FROM report_values v JOIN keys k ON k.key = v.key "
        f"WHERE v.report_id IN ({marks}) AND v.value IS NOT NULL AND v.value != 0 ORDER BY v.report_id, v.key", ids
    ).fetchall():
        out.setdefault(rid, []).append(zh or "")
    for rid, row_label, col_label, raw in db.execute(
        f"SELECT report_id, row_label, col_label, raw FROM report_cells WHERE report_id IN ({marks})", ids
    ).fetchall():
        if raw and re.search(r"[1-9]", raw):
            out.setdefault(rid, []).append(f"{row_label or ''}｜{col_label or ''}")
    return {rid: "\n".join(dict.fromkeys(v)) for rid, v in out.items()}


def create_table(db) -> None:
    existing = [r[1] for r in db.execute(f"PRAGMA table_info([{SEARCH_TABLE}])").fetchall()]
    if existing and tuple(existing) != SEARCH_COLUMNS:
        # an archive indexed before a column was added: rebuilt (build re-indexes every missing report)
        db.execute(f"DROP TABLE [{SEARCH_TABLE}]")
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS [{SEARCH_TABLE}] USING fts5("
        + ", ".join(SEARCH_COLUMNS)
        + ", tokenize='unicode61')"
    )


def search_row(report: dict, labels: str = "") -> dict:
    body = "\n".join(report.get(c) or "" for c in SECTION_TEXT_COLUMNS)
    title, agency = report.get("title") or "", report.get("agency_name") or ""
    return {
        "rowid": report["id"],
        "title": to_bigrams(title),
        "agency": to_bigrams(agency),
        "body": to_bigrams(body),
        "chars": distinct_chars(" ".join((title, agency, body, labels))),
        "labels": to_bigrams(labels),
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
        fetched = cur.fetchall()
        labels = labels_of(db, chunk)
        rows = [search_row(dict(zip(names, r, strict=True)), labels.get(r[0], "")) for r in fetched]
        db.conn.executemany(
            f"INSERT INTO [{SEARCH_TABLE}] (rowid, {', '.join(SEARCH_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(SEARCH_COLUMNS))})",
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
