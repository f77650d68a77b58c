"""Notices about a report (更正说明, 补充说明, 关于…年度报告的说明): captured by the crawler with role
``notice``, kept in ``report_notices`` and linked to the report they are about. They are never
reports: no ``reports`` row, no values, no place in the counts.

Which report a notice is about, first match wins:
- ``link``: the notice page links a report page of the archive (latest version of that URL);
- ``title``: the notice names a report's title (《…》) of the same source;
- ``source_year``: the same source's report for the year the notice names (several: the one
  published last before the notice, else the first);
- ``none``: kept unlinked (report_id null), so that nothing captured is lost.

Rebuilt from the captures on every build; rows already identical are not written.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawler.reports import notice_kind, title_year
from parsers.readers.html import decode

MAX_TEXT = 20000  # characters of the notice body kept (notices are a few paragraphs)
_QUOTED_TITLE = re.compile(r"《([^》]{6,200})》")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


def _page(data: bytes, content_type: str | None, base_url: str) -> tuple[str, list[str]]:
    """Body text and absolute link targets of a notice page."""
    text, _, _ = decode(data, content_type)
    try:
        doc = lxml_html.document_fromstring(text or "<html></html>", base_url=base_url)
    except (ValueError, lxml_html.etree.ParserError):
        return "", []
    for bad in doc.xpath("//script|//style|//head"):
        bad.drop_tree()
    hrefs = [urljoin(base_url, h.strip()).split("#", 1)[0] for h in doc.xpath("//a/@href") if h and h.strip()]
    body = re.sub(r"[ \t\u3000\xa0]+", " ", doc.text_content())
    body = "\n".join(line.strip() for line in body.splitlines() if line.strip())
    return body[:MAX_TEXT], hrefs


def _published(row: dict) -> str | None:
    try:
        meta = json.loads(row.get("page_meta") or "{}")
    except ValueError:
        meta = {}
    for key in ("发布日期", "成文日期"):
        m = _DATE.search(str(meta.get(key) or "")) if isinstance(meta, dict) else None
        if m:
            return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return None


def _normal(title: str | None) -> str:
    return re.sub(r"\s+", "", title or "")


def match_report(notice: dict, hrefs: list[str], by_url: dict, by_source: dict) -> tuple[int | None, str]:
    """(report id, how it was matched) for one notice."""
    for href in hrefs:
        if href in by_url and href != notice["url"]:
            return by_url[href], "link"
    mine = by_source.get(notice["source_id"], [])
    quoted = {_normal(t) for t in _QUOTED_TITLE.findall(notice["title"] or "")}
    for rep in mine:
        if _normal(rep["title"]) in quoted:
            return rep["id"], "title"
    same_year = [r for r in mine if notice["year"] is not None and r["year"] == notice["year"]]
    if same_year:
        before = [
            r
            for r in same_year
            if r["published"] and notice["published"] and r["published"] <= notice["published"]
        ]
        pick = (
            max(before, key=lambda r: (r["published"], r["id"]))
            if before
            else min(same_year, key=lambda r: r["id"])
        )
        return pick["id"], "source_year"
    return None, "none"


def compute(db, data_dir) -> list[dict]:
    """The report_notices rows the captures call for (the latest good capture of each notice URL)."""
    cur = db.execute(
        "SELECT * FROM captures WHERE role = 'notice' AND status BETWEEN 200 AND 299 AND error IS NULL "
        "AND warc_file IS NOT NULL ORDER BY id"
    )
    names = [d[0] for d in cur.description]
    latest: dict[str, dict] = {}
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        latest[row["url"]] = row
    if not latest:
        return []
    from crawler.store import CaptureStore

    store = CaptureStore(data_dir)
    reports = [
        dict(zip(("id", "url", "source_id", "year", "title", "published"), r, strict=True))
        for r in db.execute(
            "SELECT id, url, source_id, year, title, published FROM reports WHERE is_latest = 1 ORDER BY id"
        )
    ]
    by_url = {r["url"]: r["id"] for r in reports}
    by_source: dict[str, list[dict]] = {}
    for r in reports:
        by_source.setdefault(r["source_id"], []).append(r)
    out = []
    for url, cap in sorted(latest.items(), key=lambda kv: kv[1]["id"]):
        try:
            text, hrefs = _page(store.read_payload(cap), cap.get("content_type"), url)
            error = None
        except Exception as exc:  # noqa: BLE001 - an unreadable notice is kept with the reason
            text, hrefs, error = None, [], f"{type(exc).__name__}: {exc}"[:500]
        notice = {
            "capture_id": cap["id"],
            "source_id": cap["source_id"],
            "url": url,
            "title": cap.get("title"),
            "kind": notice_kind(cap.get("title")),
            "year": title_year(cap.get("title")),
            "published": _published(cap),
        }
        report_id, how = match_report(notice, hrefs, by_url, by_source)
        out.append({**notice, "report_id": report_id, "matched_by": how, "text": text, "error": error})
    store.close()
    return out


def apply(db, data_dir) -> dict:
    """Bring report_notices to what compute() says; returns counts."""
    want = {r["capture_id"]: r for r in compute(db, data_dir)}
    cur = db.execute("SELECT * FROM report_notices")
    names = [d[0] for d in cur.description]
    have = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    stale = [cid for cid in have if cid not in want]
    changed = [r for cid, r in want.items() if have.get(cid) != r]
    with db.conn:
        db.conn.executemany("DELETE FROM report_notices WHERE capture_id = ?", [(c,) for c in stale])
        if changed:
            cols = list(changed[0])
            db.conn.executemany(
                f"INSERT OR REPLACE INTO report_notices ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [tuple(r[c] for c in cols) for r in changed],
            )
    return {
        "notices": len(want),
        "linked": sum(1 for r in want.values() if r["report_id"] is not None),
        "written": len(changed),
        "removed": len(stale),
    }
