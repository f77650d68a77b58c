"""Build the shipped registry (crawler/sources/<province>.yaml + left-out.yaml) from
real-portals.csv.

    python3 -m crawler.sources.build_registry ../shared/sources/real-portals.csv

One source per agency listing. Where the CSV has only report pages, the listing is derived from the
report URL's shape (the TRS column above ``/YYYYMM/tYYYYMMDD_N.html``, the Hanweb column
``/col/colN/`` of ``/art/…/art_N_M.html``, gkmlpt's ``/gkmlpt/annualreport``, …) and ``notes`` says
so. Reports of several agencies published in one column (a city's 年报 column with its departments)
make one source for the column: its agency is the column's owner, the others are in ``covers``.
Ids are stable: province slug, host label, and a hash of the listing URL (never of the order of
rows). Rows that cannot be a source (reposts on another body's portal, unidentified agencies,
hosts outside the allowlist, flip-book copies) are in left-out.yaml with the reason.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import yaml

from crawler.hosts import is_government_host
from crawler.regions import resolve
from crawler.sources import HERE, LEFT_OUT_FILE, PROVINCES, registry_files

LAST_YEAR = 2025  # the last year covered by a published report (reports appear in January-March)
LEVEL_RANK = {"central": 0, "province": 1, "prefecture": 2, "county": 3, "other": 4, "township": 5}
_YEAR_SEG = re.compile(r"(?:19|20)\d{2}")
_TRS_RE = re.compile(r"^(?P<col>.*/)(?P<ym>(?:19|20)\d{4})/t(?:(?:19|20)\d{6}_)?\d+(?:_wap)?(?:\.s?html?)?$")
_HANWEB_ART = re.compile(r"^(?P<pre>.*?)/art/(?:19|20)\d{2}/\d{1,2}/\d{1,2}/art_(?P<col>\d+)_\d+\.html$")
_GKMLPT = re.compile(r"^(?P<pre>.*?)/gkmlpt/(?:content/\d+/\d+/m?post_\d+\.html|annualreport|index)")
_NFCMS = re.compile(r"^(?P<col>.*/)content/m?post_\d+\.html$")
_JIYUE = re.compile(r"^(?P<col>.*/)(?:19|20)\d{4}/[0-9a-f]{32}\.shtml$")
_SNOWFLAKE = re.compile(r"^(?P<col>.*/)\d{19}\.html$")
_ANHUI = re.compile(r"/(?:openness/)?(?:OpennessAnnualReport|XxgkAnnualReport)/show/\d+\.html$|"
                    r"/openness/detail/annual_report/[0-9a-f]{24}\.html$")
_VSB_INFO = re.compile(r"^(?P<pre>.*?)/info/(?P<tree>\d+)/\d+\.htm$")
# agency texts that name no agency (the CSV marks guesses with 推断 and unknowns with 某)
_UNKNOWN_AGENCY = re.compile(r"某|^镇人民政府|^区机关|部门\(|部门（")
_REPOST = re.compile(r"转载")


def _clean_agency(name: str) -> tuple[str, str | None]:
    """Agency name without the CSV's annotations, and the annotation (kept in notes)."""
    m = re.match(r"^(.*?)[(（](.*)[)）]$", name.strip())
    if not m:
        return name.strip(), None
    return m.group(1).strip(), m.group(2).strip()


def _url(parts, path: str, query: str = "") -> str:
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _up_years(col: str) -> str:
    """A column path without its trailing year sub-columns (…/zfxxgknb/2021n/ -> …/zfxxgknb/): the
    family spiders walk year sub-columns from the parent, so one source covers every year."""
    segs = [s for s in col.split("/") if s]
    keep = len(segs)
    for i in range(len(segs) - 1, max(-1, len(segs) - 4), -1):
        if _YEAR_SEG.search(segs[i]):
            keep = i
    if keep == 0:
        return "/"  # dated folders only (/2023-01/19/): the portal root, walked by the spider
    return "/" + "/".join(segs[:keep]) + ("/" if keep else "")


def derive(url: str, kind: str, guess: str) -> dict:
    """family, start URL, params and a note from a CSV URL."""
    parts = urlsplit(url)
    path, q = parts.path, parse_qs(parts.query)
    if "xxgkAnnualReport.jsp" in path and "area" in q:
        years = q.get("fbtime", [])
        return {"family": "hanweb_xxgk", "start": _url(parts, path, parts.query),
                "params": {"annual_report_areas": [q["area"][0]],
                           "annual_report_years": [int(y) for y in years if y.isdigit()]},
                "note": "xxgkAnnualReport.jsp: one URL per agency-year (area = unit code); start URL is the report"}
    if "/module/xxgk/search.jsp" in path:
        return {"family": "hanweb_xxgk", "start": url, "params": {}, "note": None}
    if kind != "report":
        m = re.search(r"/col/col(\d+)/", path)
        if m:
            return {"family": "hanweb_jcms", "start": url, "params": {"columnid": int(m.group(1))}, "note": None}
        m = _GKMLPT.match(path)
        if m:
            return {"family": "gkmlpt", "start": _url(parts, m.group("pre") + "/gkmlpt/annualreport"),
                    "params": {}, "note": None}
        if re.search(r"/(?:XxgkContent|OpennessAnnualReport|XxgkAnnualReport|openness)/", path):
            return {"family": "anhui_openness", "start": url, "params": {}, "note": None}
        family = "trs_wcm" if guess == "trs_wcm" else "generic"
        return {"family": family, "start": url, "params": {}, "note": None}
    derived = "listing derived from the report URL"
    m = _HANWEB_ART.match(path)
    if m:
        return {"family": "hanweb_jcms", "start": _url(parts, f"{m.group('pre')}/col/col{m.group('col')}/index.html"),
                "params": {"columnid": int(m.group("col"))},
                "note": f"{derived} (Hanweb /art/…/art_<col>_<id>.html -> /col/col<col>/index.html)"}
    m = _GKMLPT.match(path)
    if m:
        return {"family": "gkmlpt", "start": _url(parts, m.group("pre") + "/gkmlpt/annualreport"), "params": {},
                "note": f"{derived} (gkmlpt content/…/post_N.html -> /gkmlpt/annualreport)"}
    if _ANHUI.search(path):
        return {"family": "anhui_openness", "start": url, "params": {},
                "note": "start URL is a report page: the Anhui platform spider finds the agency's 年报 list from it"}
    m = _JIYUE.match(path)
    if m:
        return {"family": "jiyue_shtml", "start": url, "params": {}, "group": _url(parts, m.group("col")),
                "note": "start URL is a report page (/YYYYMM/<32hex>.shtml): the 集约化 spider finds its column from it"}
    m = _SNOWFLAKE.match(path)
    if m:
        col = _up_years(m.group("col"))
        return {"family": "shaanxi_snowflake", "start": _url(parts, col), "params": {},
                "note": f"{derived} (19-digit id page -> its 年报 column {col})"}
    m = _TRS_RE.match(path)
    if m:
        col = _up_years(m.group("col"))
        return {"family": "trs_wcm", "start": _url(parts, col), "params": {},
                "note": f"{derived} (TRS /YYYYMM/tYYYYMMDD_N -> column {col})"}
    m = _VSB_INFO.match(path)
    if m:
        tree = m.group("tree")
        return {"family": "vsb", "start": _url(parts, f"{m.group('pre')}/list.jsp",
                                                 f"urltype=tree.TreeTempUrl&wbtreeid={tree}"),
                "params": {"treeid": int(tree)},
                "note": f"{derived} (VSB /info/<tree>/<id>.htm -> list.jsp?wbtreeid={tree}; the static column name is unknown)"}
    if "wbtreeid" in q:
        tree = q["wbtreeid"][0]
        list_path = path.replace("_content.jsp", "_list.jsp").replace("content.jsp", "list.jsp")
        return {"family": "vsb", "start": _url(parts, list_path, f"urltype=tree.TreeTempUrl&wbtreeid={tree}"),
                "params": {"treeid": int(tree)}, "note": f"{derived} (VSB content.jsp -> list.jsp, wbtreeid={tree})"}
    m = _NFCMS.match(path)
    if m:
        col = _up_years(m.group("col"))
        return {"family": "generic", "start": _url(parts, col), "params": {},
                "note": f"{derived} (NFCMS …/content/post_N.html -> column {col})"}
    # any other shape: the folder of the report page, walked by the generic spider
    col = _up_years(path.rsplit("/", 1)[0] + "/") if "/" in path.strip("/") else "/"
    return {"family": "generic", "start": _url(parts, col), "params": {},
            "note": f"{derived} (its folder {col}, shape not of a known family)"}


def _slug_host(host: str) -> str:
    labels = [x for x in host.lower().split(":")[0].split(".") if x not in ("www", "gov", "cn", "com")]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(labels[-2:][::-1]) or "host").strip("-")


def source_id(province_slug: str, start_url: str) -> str:
    parts = urlsplit(start_url)
    key = (parts.netloc.lower() + parts.path + ("?" + parts.query if parts.query else "")).encode()
    return f"{province_slug}-{_slug_host(parts.netloc)}-{hashlib.sha1(key).hexdigest()[:6]}"


def _listing_key(url: str) -> str:
    p = urlsplit(url)
    return p.netloc.lower().removeprefix("www.") + p.path + ("?" + p.query if p.query else "")


def _group_key(d: dict, agency: str) -> str:
    """Rows that make one source: the same listing; for the platforms entered from report pages, the
    same column (集约化: several agencies' reports in one 年报 column) or the same agency on one host
    (Anhui: a report page and the agency's platform page lead to the same 年报 list)."""
    if d["family"] == "anhui_openness":
        return f"anhui:{urlsplit(d['start']).netloc.lower().removeprefix('www.')}:{agency}"
    return _listing_key(d.get("group") or d["start"])


def _owner(candidates: list[dict]) -> dict:
    """The column's owner among the agencies listed in it: a listing row's agency, else the
    government (人民政府 / 办公室 / 办公厅), else the highest level."""
    def rank(c):
        gov = bool(re.search(r"人民政府(办公室|办公厅)?$|管理委员会$|管委会$", c["agency"]))
        return (c["kind"] == "report", not gov, LEVEL_RANK.get(c["level"], 9), c["agency"])
    return sorted(candidates, key=rank)[0]


def build(csv_path: Path) -> tuple[dict[str, list[dict]], list[dict]]:
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    left_rows: list[dict] = []
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        url = row["url"].strip()
        agency, annotation = _clean_agency(row["agency"])
        base = {"url": url, "agency": row["agency"], "region": row["region"]}
        host = urlsplit(url).hostname or ""
        if not is_government_host(host):
            left_rows.append({**base, "reason": f"host {host} is outside the government-host allowlist"})
            continue
        if _REPOST.search(row["agency"]):
            left_rows.append({**base, "reason": "a repost on another body's portal, not the agency's own listing"})
            continue
        if _UNKNOWN_AGENCY.search(row["agency"]):
            left_rows.append({**base, "reason": "the agency is not identified (the CSV names it only by its portal)"})
            continue
        if "翻页电子书" in row["agency"] or "/files/basic-html/" in url:
            left_rows.append({**base, "reason": "a flip-book copy of one report, not a listing"})
            continue
        match = resolve(row["region"])
        if match.code is None:
            left_rows.append({**base, "reason": f"region {row['region']!r} not resolved to a division"})
            continue
        d = derive(url, row["kind"], row["family_guess"])
        groups[_group_key(d, agency)].append({
            "agency": agency, "annotation": annotation, "region": row["region"], "code": match.code,
            "region_note": match.note, "level": row["level"], "kind": row["kind"], "year": row["year"],
            "url": url, **d,
        })
    by_province: dict[str, list[dict]] = defaultdict(list)
    for members in groups.values():
        owner = _owner(members)
        slug = next((s for name, s in PROVINCES.items() if owner["region"].startswith(name)), None)
        slug = slug or "central"
        notes = []
        if owner["note"]:
            notes.append(owner["note"])
        if owner["kind"] == "platform":
            notes.append("start URL is the agency's 信息公开 platform page (no 年报 column seen)")
        if owner["annotation"]:
            notes.append(f"CSV annotation: {owner['annotation']}")
        if owner["region_note"]:
            notes.append(f"region code: {owner['region_note']}")
        reports = sorted({m["url"] for m in members if m["kind"] == "report"})
        if reports:
            notes.append(f"{len(reports)} report(s) seen in real-portals.csv, e.g. {reports[0]}")
        covers = sorted({m["agency"] for m in members} - {owner["agency"]})
        params = dict(owner["params"])
        if owner["family"] == "hanweb_xxgk":
            params["annual_report_areas"] = sorted({a for m in members
                                                    for a in m["params"].get("annual_report_areas", [])})
            seen = {y for m in members for y in m["params"].get("annual_report_years", [])}
            # every year from the first one seen: one URL per agency-year, the missing ones answer empty
            params["annual_report_years"] = list(range(min(seen), LAST_YEAR + 1)) if seen else []
            params = {k: v for k, v in params.items() if v}
        entry = {
            "id": source_id(slug, owner["start"]),
            "agency": owner["agency"], "region": owner["region"], "region_code": owner["code"],
            "level": owner["level"], "family": owner["family"], "start_urls": [owner["start"]],
        }
        if owner["family"] in ("anhui_openness", "jiyue_shtml"):
            # every way in that the rows show (the owner's first): one list, found from any of them
            entry["start_urls"] += sorted({m["start"] for m in members} - {owner["start"]})
        if params:
            entry["params"] = params
        if covers:
            entry["covers"] = covers
        entry["notes"] = "; ".join(notes) if notes else "listing from real-portals.csv"
        by_province[slug].append(entry)
    for entries in by_province.values():
        entries.sort(key=lambda e: (LEVEL_RANK.get(e["level"], 9), e["region"], e["agency"], e["id"]))
    # agencies with no source at all: every one of their rows was left out
    in_registry = {a for es in by_province.values() for e in es for a in (e["agency"], *e.get("covers", []))}
    left_agencies: dict[str, dict] = {}
    for r in left_rows:
        name = _clean_agency(r["agency"])[0]
        if name not in in_registry and r["agency"] not in left_agencies:
            left_agencies[r["agency"]] = {"agency": r["agency"], "region": r["region"], "reason": r["reason"],
                                          "url": r["url"]}
    left = {"agencies": sorted(left_agencies.values(), key=lambda x: (x["region"], x["agency"])),
            "rows": left_rows}
    return dict(by_province), left


def write(by_province: dict[str, list[dict]], left: dict, out: Path = HERE) -> list[Path]:
    for old in registry_files():
        if old.parent == out:
            old.unlink()
    written = []
    header = ("# Generated by crawler/sources/build_registry.py from real-portals.csv: edit the script or\n"
              "# the CSV, not this file (ids are stable: province, host, hash of the listing URL).\n")
    for slug, entries in sorted(by_province.items()):
        path = out / f"{slug}.yaml"
        path.write_text(header + yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False,
                                                width=200), encoding="utf-8")
        written.append(path)
    (out / LEFT_OUT_FILE.name).write_text(
        "# real-portals.csv agencies with no source (agencies) and rows that are not sources (rows),\n"
        "# each with the reason. Generated by crawler/sources/build_registry.py.\n"
        + yaml.safe_dump(left, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", default=str(Path(__file__).resolve().parents[2].parent
                                                   / "shared" / "sources" / "real-portals.csv"))
    args = ap.parse_args(argv)
    by_province, left = build(Path(args.csv))
    written = write(by_province, left)
    n = sum(len(v) for v in by_province.values())
    print(f"{n} sources in {len(written)} files; {len(left['agencies'])} agencies and "
          f"{len(left['rows'])} rows left out", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
