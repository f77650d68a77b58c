"""Archive-level findings: rules that need more than one report (report-schema.md, warnings).

- ``cross_year.carry.<applicant>``: this year's 上年结转 = last year's 结转下年度继续办理.
- ``cross_year.stock.<item>``: 现行有效件数 = last year's + 本年制发件数 - 本年废止件数 (2021 template).
- ``duplicate.other_source``: the same report (same year, same values, same agency or text) on
  another portal; both reports are linked in ``report_links`` (kind 'same_report').
- ``deadline``: published after 31 January (departments) / 31 March (governments, and everyone for
  the years before 2019) of the next year.
- ``text.copied_from_previous``: the section texts are nearly those of the agency's previous
  report (character-shingle Jaccard, numbers masked); every pair's score is in ``report_links``
  (kind 'previous_year').

Findings are recomputed over the whole archive on each build and applied as a difference, so an
unchanged archive is left byte-for-byte alone and a changed one only gains or loses what changed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from itertools import groupby

from archive.agencies import agency_kind
from archive.schema import REPORT_TEXT_COLUMNS

APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total")
STOCK_ITEMS = ("regulations", "normative_documents")
COPY_THRESHOLD = 0.8
COPY_MIN_CHARS = 200
SHINGLE = 4

_DIGITS = re.compile(r"[0-9０-９.．,，]+")
_SPACE = re.compile(r"\s+")


def shingles(text: str) -> set[str]:
    # Numbers are masked: a report copied from last year with this year's figures is still a copy.
    t = _SPACE.sub("", _DIGITS.sub("#", text))
    return {t[i : i + SHINGLE] for i in range(max(len(t) - SHINGLE + 1, 0))}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _ymd(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def deadline_for(year: int, agency_name: str | None) -> date:
    # the 2008 Regulations gave every agency until 31 March; the 2019 revision (from the 2019 reports
    # on) moved departments to 31 January, as the parsers' own deadline check does
    if agency_kind(agency_name) == "government" or year <= 2018:
        return date(year + 1, 3, 31)
    return date(year + 1, 1, 31)


def _parse_date(s) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(str(s)[:10])
    except ValueError:
        return None


CROSS_YEAR_KEYS = tuple(f"requests.{row}.{a}" for row in ("carried_over", "carried_forward") for a in APPLICANTS) + tuple(
    f"proactive.{item}.{m}" for item in STOCK_ITEMS for m in ("in_force", "issued", "repealed")
)
META_COLS = ("id", "agency_id", "source_id", "year", "agency_name", "published", "value_count", "is_latest")


def _text_hash(text: str) -> int | None:
    t = _SPACE.sub("", text)
    return hash(t) if len(t) >= COPY_MIN_CHARS else None


def compute(db) -> tuple[list[tuple], list[tuple]]:
    """The archive-level issues and links the archive should hold now.

    issues: (report_id, rule, severity, message, key, left_value, right_value, other_report_id)
    links: (report_id, other_report_id, kind, similarity)

    Streams the reports agency by agency, so memory holds one agency's texts at a time and, for the
    whole archive, only a few numbers per report.
    """
    issues: list[tuple] = []
    links: list[tuple] = []
    agency_names = dict(db.execute("SELECT id, name FROM agencies").fetchall())
    parse_deadline = {r[0] for r in db.execute(
        "SELECT DISTINCT report_id FROM report_issues WHERE rule = 'deadline' AND origin = 'parse'")}  # fmt: skip
    marks = ", ".join("?" * len(CROSS_YEAR_KEYS))
    values: dict[int, dict] = defaultdict(dict)
    for rid, key, value in db.execute(
        "SELECT v.report_id, v.key, v.value FROM report_values v JOIN reports r ON r.id = v.report_id "
        f"WHERE r.is_latest = 1 AND r.parse_status != 'failed' AND v.key IN ({marks})", CROSS_YEAR_KEYS
    ):
        values[rid][key] = value
    # candidates for "the same report elsewhere": same year and same value aggregates
    fingerprint = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT v.report_id, count(v.value), total(v.value), total(v.value * length(v.key)), "
            "total(v.value * v.value) FROM report_values v JOIN reports r ON r.id = v.report_id "
            "WHERE r.is_latest = 1 AND r.parse_status != 'failed' GROUP BY v.report_id"
        )
    }
    meta: dict[int, dict] = {}
    text_hash: dict[int, int | None] = {}
    cols = ", ".join(f"r.{c}" for c in (*META_COLS, *REPORT_TEXT_COLUMNS))
    cur = db.execute(f"SELECT {cols} FROM reports r WHERE r.parse_status != 'failed' ORDER BY r.agency_id, r.year, r.id")
    names = [d[0] for d in cur.description]
    for agency_id, group in groupby((dict(zip(names, r, strict=True)) for r in cur), key=lambda r: r["agency_id"]):
        by_year: dict[int, list[dict]] = defaultdict(list)
        for r in group:
            text = "".join(r[c] or "" for c in REPORT_TEXT_COLUMNS)
            meta[r["id"]] = {k: r[k] for k in META_COLS}
            issues.extend(_deadline(r, agency_names, parse_deadline))
            if r["is_latest"] and r["year"]:
                r["text"] = text
                text_hash[r["id"]] = _text_hash(text)
                by_year[r["year"]].append(r)
        if agency_id is None:
            continue
        chosen = {y: _pick(rs, fingerprint) for y, rs in by_year.items()}
        for year, cur_r in sorted(chosen.items()):
            prev = chosen.get(year - 1)
            if prev is not None:
                _cross_year(cur_r, prev, values, issues, links)
    _same_report(db, meta, fingerprint, text_hash, issues, links)
    return issues, links


def _pick(reports: list[dict], fingerprint) -> dict:
    # Several current reports of one agency and year (posted twice): take the fullest one.
    return max(reports, key=lambda r: ((fingerprint.get(r["id"]) or (0,))[0], r["published"] or "", r["id"]))


def _deadline(r: dict, agency_names: dict, parse_deadline: set) -> list[tuple]:
    pub, year = _parse_date(r["published"]), r["year"]
    if pub is None or not year or r["id"] in parse_deadline:
        return []
    name = r["agency_name"] or agency_names.get(r["agency_id"])
    due = deadline_for(year, name)
    if pub <= due:
        return []
    kind = agency_kind(name)
    return [(r["id"], "deadline", "warning",
             f"published {pub.isoformat()}, after the {kind} deadline {due.isoformat()} ({(pub - due).days} days late)",
             None, _ymd(pub), _ymd(due), None)]  # fmt: skip


def _cross_year(cur: dict, prev: dict, values: dict, issues: list, links: list) -> None:
    year = cur["year"]
    cv, pv = values.get(cur["id"], {}), values.get(prev["id"], {})
    for a in APPLICANTS:
        this, last = cv.get(f"requests.carried_over.{a}"), pv.get(f"requests.carried_forward.{a}")
        if this is not None and last is not None and this != last:
            issues.append((cur["id"], f"cross_year.carry.{a}", "warning",
                           f"上年结转 {this} but the {year - 1} report's 结转下年度继续办理 is {last}",
                           f"requests.carried_over.{a}", this, last, prev["id"]))  # fmt: skip
    for item in STOCK_ITEMS:
        k = f"proactive.{item}"
        now, before = cv.get(f"{k}.in_force"), pv.get(f"{k}.in_force")
        issued, repealed = cv.get(f"{k}.issued"), cv.get(f"{k}.repealed")
        if None in (now, before, issued, repealed):
            continue
        expected = before + issued - repealed
        if now != expected:
            issues.append((cur["id"], f"cross_year.stock.{item}", "warning",
                           f"现行有效件数 {now} but {year - 1}'s {before} + 制发 {issued} - 废止 {repealed} = {expected}",
                           f"{k}.in_force", now, expected, prev["id"]))  # fmt: skip
    a, b = cur["text"], prev["text"]
    if a and b:
        sim = round(jaccard(shingles(a), shingles(b)), 4)
        links.append((cur["id"], prev["id"], "previous_year", sim))
        if sim >= COPY_THRESHOLD and min(len(a), len(b)) >= COPY_MIN_CHARS:
            issues.append((cur["id"], "text.copied_from_previous", "warning",
                           f"section texts {sim:.0%} the same as the {year - 1} report (#{prev['id']})",
                           None, sim, COPY_THRESHOLD, prev["id"]))  # fmt: skip


def _same_report(db, meta, fingerprint, text_hash, issues, links) -> None:
    """The same report on several portals: same year and values, and the same agency name or text.

    Grouped by hashes (no pairwise scan of the archive); exact values and the text similarity are
    checked only inside a candidate group."""
    groups: dict[tuple, set] = defaultdict(set)
    for rid, m in meta.items():
        fp = fingerprint.get(rid)
        if not (m["is_latest"] and m["year"] and fp and fp[0]):
            continue
        if m["agency_name"]:
            groups[(m["year"], fp, "name", _norm(m["agency_name"]))].add(rid)
        if text_hash.get(rid) is not None:
            groups[(m["year"], fp, "text", text_hash[rid])].add(rid)
    pairs = set()
    for members in groups.values():
        ms = sorted(members)
        for i, x in enumerate(ms):
            for y in ms[i + 1 :]:
                if meta[x]["source_id"] != meta[y]["source_id"]:
                    pairs.add((x, y))
    full: dict[int, dict] = {}

    def values_of(rid):
        if rid not in full:
            full[rid] = dict(db.execute("SELECT key, value FROM report_values WHERE report_id = ?", [rid]).fetchall())
        return full[rid]

    def text_of(rid):
        cols = ", ".join(f"coalesce({c}, '')" for c in REPORT_TEXT_COLUMNS)
        return "".join(db.execute(f"SELECT {cols} FROM reports WHERE id = ?", [rid]).fetchone())

    for x, y in sorted(pairs):
        if values_of(x) != values_of(y):
            continue
        sim = round(jaccard(shingles(text_of(x)), shingles(text_of(y))), 4)
        for one, other in ((x, y), (y, x)):
            links.append((one, other, "same_report", sim))
            issues.append((one, "duplicate.other_source", "warning",
                           f"the same report is on source {meta[other]['source_id']} (#{other}); text similarity {sim:.0%}",
                           None, None, None, other))  # fmt: skip


def _norm(s: str | None) -> str:
    return _SPACE.sub("", s or "")


ISSUE_COLS = ("report_id", "rule", "severity", "message", "key", "left_value", "right_value", "other_report_id")


def apply(db) -> dict:
    """Bring report_issues (origin 'archive') and report_links to what compute() says; returns counts."""
    issues, links = compute(db)
    existing: dict[tuple, list[int]] = defaultdict(list)
    for row in db.execute(f"SELECT rowid, {', '.join(ISSUE_COLS)} FROM report_issues WHERE origin = 'archive'"):
        existing[tuple(row[1:])].append(row[0])
    to_insert = []
    for t in issues:
        if existing.get(t):
            existing[t].pop()
        else:
            to_insert.append(t)
    stale = [rowid for rowids in existing.values() for rowid in rowids]
    with db.conn:
        db.conn.executemany("DELETE FROM report_issues WHERE rowid = ?", [(x,) for x in stale])
        db.conn.executemany(
            f"INSERT INTO report_issues ({', '.join(ISSUE_COLS)}, origin) VALUES ({', '.join('?' * len(ISSUE_COLS))}, 'archive')",
            to_insert,
        )
        have = {tuple(r) for r in db.execute("SELECT report_id, other_report_id, kind, similarity FROM report_links")}
        want = set(links)
        db.conn.executemany(
            "DELETE FROM report_links WHERE report_id = ? AND other_report_id = ? AND kind = ?",
            [t[:3] for t in have - want],
        )
        db.conn.executemany("INSERT OR REPLACE INTO report_links VALUES (?, ?, ?, ?)", list(want - have))
    return {"archive_issues": len(issues), "issues_added": len(to_insert), "issues_removed": len(stale),
            "links": len(links)}  # fmt: skip
