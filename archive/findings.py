"""Archive-level findings: rules that need more than one report (report-schema.md, warnings).

- ``cross_year.carry.<applicant>``: this year's 上年结转 = last year's 结转下年度继续办理.
- ``cross_year.stock.<item>``: 现行有效件数 = last year's + 本年制发件数 - 本年废止件数 (2021 template).
- ``duplicate.other_source``: the same report (same year, same values, same agency or text) on
  another portal; both reports are linked in ``report_links`` (kind 'same_report').
- ``deadline``: published after 31 January (departments) / 31 March (governments) of the next year.
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

from archive.agencies import agency_kind
from archive.schema import REPORT_TEXT_COLUMNS

APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total")
STOCK_ITEMS = ("regulations", "normative_documents")
COPY_THRESHOLD = 0.8
COPY_MIN_CHARS = 200
SHINGLE = 4
SAME_TEXT_THRESHOLD = 0.9

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
    if agency_kind(agency_name) == "government":
        return date(year + 1, 3, 31)
    return date(year + 1, 1, 31)


def _parse_date(s) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(str(s)[:10])
    except ValueError:
        return None


def _load(db):
    cols = ("id", "agency_id", "source_id", "year", "agency_name", "published", "title", "value_count",
            "is_latest", "parse_status", *REPORT_TEXT_COLUMNS)  # fmt: skip
    reports = [
        dict(zip(cols, r, strict=True))
        for r in db.execute(
            f"SELECT r.{', r.'.join(cols)} FROM reports r WHERE r.parse_status != 'failed' ORDER BY r.id"
        ).fetchall()
    ]
    agency_names = dict(db.execute("SELECT id, name FROM agencies").fetchall())
    parse_deadline = {r[0] for r in db.execute(
        "SELECT DISTINCT report_id FROM report_issues WHERE rule = 'deadline' AND origin = 'parse'")}  # fmt: skip
    values: dict[int, dict[str, float]] = defaultdict(dict)
    for rid, key, value in db.execute(
        "SELECT v.report_id, v.key, v.value FROM report_values v JOIN reports r ON r.id = v.report_id "
        "WHERE r.is_latest = 1 AND r.parse_status != 'failed'"
    ):
        values[rid][key] = value
    return reports, agency_names, parse_deadline, values


def _pick(reports: list[dict], values) -> dict:
    # Several current reports of one agency and year (posted twice): take the fullest one.
    return max(reports, key=lambda r: (len(values.get(r["id"], {})), r["published"] or "", r["id"]))


def compute(db) -> tuple[list[tuple], list[tuple]]:
    """The archive-level issues and links the archive should hold now.

    issues: (report_id, rule, severity, message, key, left_value, right_value, other_report_id)
    links: (report_id, other_report_id, kind, similarity)
    """
    reports, agency_names, parse_deadline, values = _load(db)
    issues: list[tuple] = []
    links: list[tuple] = []

    for r in reports:
        pub, year = _parse_date(r["published"]), r["year"]
        if pub is None or not year or r["id"] in parse_deadline:
            continue
        name = r["agency_name"] or agency_names.get(r["agency_id"])
        due = deadline_for(year, name)
        if pub > due:
            kind = "government" if agency_kind(name) == "government" else "department"
            issues.append((r["id"], "deadline", "warning",
                           f"published {pub.isoformat()}, after the {kind} deadline {due.isoformat()} "
                           f"({(pub - due).days} days late)", None, _ymd(pub), _ymd(due), None))  # fmt: skip

    latest = [r for r in reports if r["is_latest"]]
    by_agency_year: dict[tuple, list[dict]] = defaultdict(list)
    for r in latest:
        if r["agency_id"] and r["year"]:
            by_agency_year[(r["agency_id"], r["year"])].append(r)
    chosen = {k: _pick(v, values) for k, v in by_agency_year.items()}
    shingle_cache: dict[int, set] = {}

    def text_of(r):
        return "".join(r[c] or "" for c in REPORT_TEXT_COLUMNS)

    def shingles_of(r):
        if r["id"] not in shingle_cache:
            shingle_cache[r["id"]] = shingles(text_of(r))
        return shingle_cache[r["id"]]

    for (agency_id, year), cur in sorted(chosen.items()):
        prev = chosen.get((agency_id, year - 1))
        if prev is None:
            continue
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
        a, b = text_of(cur), text_of(prev)
        if a and b:
            sim = round(jaccard(shingles_of(cur), shingles_of(prev)), 4)
            links.append((cur["id"], prev["id"], "previous_year", sim))
            if sim >= COPY_THRESHOLD and min(len(a), len(b)) >= COPY_MIN_CHARS:
                issues.append((cur["id"], "text.copied_from_previous", "warning",
                               f"section texts {sim:.0%} the same as the {year - 1} report (#{prev['id']})",
                               None, sim, COPY_THRESHOLD, prev["id"]))  # fmt: skip

    # The same report on several portals: same year and values, and the same agency name or text.
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in latest:
        v = values.get(r["id"])
        if v and r["year"]:
            groups[(r["year"], tuple(sorted(v.items())))].append(r)
    for group in groups.values():
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                if x["source_id"] == y["source_id"]:
                    continue
                same_name = bool(x["agency_name"]) and _norm(x["agency_name"]) == _norm(y["agency_name"])
                sim = round(jaccard(shingles_of(x), shingles_of(y)), 4)
                if not (same_name or sim >= SAME_TEXT_THRESHOLD):
                    continue
                for one, other in ((x, y), (y, x)):
                    links.append((one["id"], other["id"], "same_report", sim))
                    issues.append((one["id"], "duplicate.other_source", "warning",
                                   f"the same report is on source {other['source_id']} (#{other['id']}); "
                                   f"text similarity {sim:.0%}", None, None, None, other["id"]))  # fmt: skip
    return issues, links


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
