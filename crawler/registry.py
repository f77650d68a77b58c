"""Source registry: one YAML entry per agency portal (ARCHITECTURE.md section 6).

A source is data, not code: the ``family`` picks the spider, ``params`` tune it. Validation
collects every problem of every entry, each message naming the entry, so that a registry of
hundreds of lines can be fixed in one pass (``xxgk sources check FILE``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from crawler.transport import TRANSPORTS

FAMILIES = ("hanweb_jcms", "trs_wcm", "vsb", "gkmlpt", "json_api", "generic",
            # provincial platforms (../shared/sources/platforms.md)
            "anhui_openness", "jiyue_shtml", "shaanxi_snowflake", "hanweb_xxgk")
LEVELS = ("central", "province", "prefecture", "county", "township", "other")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REGION_CODE_RE = re.compile(r"^\d{6}$")
KNOWN_KEYS = {"id", "agency", "region", "region_code", "level", "family", "start_urls", "params", "notes",
              "covers", "transport"}  # covers: other agencies whose reports the same listing publishes
# Params each family understands (others are reported, since a typo silently changes a crawl).
FAMILY_PARAMS = {
    "hanweb_jcms": {"webid", "columnid", "unitid", "webname", "perpage", "path", "sourceContentType",
                    "annual_report_areas", "annual_report_years", "max_pages"},
    "trs_wcm": {"max_pages", "column", "ext"},
    "vsb": {"max_pages", "column", "treeid"},
    "gkmlpt": {"sid", "classify", "classify_ids", "per_page", "max_pages"},
    "json_api": {"url_template", "api", "query", "page_param", "size_param", "page_size", "first_page",
                 "items_path", "list_path", "total_path", "pages_path", "fields", "title_field",
                 "url_field", "date_field", "attachments_field", "max_pages"},
    "generic": {"max_depth", "max_pages"},
    # start URL: a per-agency 年报 list, or one report page (the list is found from its breadcrumb)
    "anhui_openness": {"max_pages"},
    # start URL: a column list page (<site>/<col>/list.shtml) or one report page of the column
    "jiyue_shtml": {"max_pages"},
    # start URL: a 年报 column (…/zfxxgknb/ or …/zfxxgknb/1.html) or one report page of it
    "shaanxi_snowflake": {"max_pages", "max_depth"},
    # search.jsp lists (form fields as the page's funGoPage/xxgk scripts post them) and/or
    # xxgkAnnualReport.jsp?area=&fbtime= per agency-year
    "hanweb_xxgk": {"area", "infotypeId", "jdid", "divid", "standardXxgk", "annual_report_areas",
                    "annual_report_years", "max_pages"},
}


# libyaml's parser when built in (the shipped registry is hundreds of entries; safe either way)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RegistryError(ValueError):
    """The registry file has broken entries; ``problems`` lists one message per problem."""

    def __init__(self, path: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s):\n" + "\n".join("  " + p for p in problems))


@dataclass
class Source:
    id: str
    agency: str
    region: str
    region_code: str
    level: str
    family: str
    start_urls: list[str]
    params: dict = field(default_factory=dict)
    notes: str | None = None
    covers: list[str] = field(default_factory=list)
    transport: str | None = None  # the transport to start with (crawler/transport.py); None: default

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def hosts(self) -> set[str]:
        return {urlsplit(u).netloc.lower() for u in self.start_urls}


def _check_url(url) -> str | None:
    if not isinstance(url, str):
        return f"start URL {url!r} is not a string"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"start URL {url!r} is not an absolute http(s) URL"
    return None


def validate_entry(entry, index: int) -> tuple[Source | None, list[str]]:
    """Return (source, []) or (None, problems); problems name the entry by id or position."""
    if not isinstance(entry, dict):
        return None, [f"entry #{index + 1}: not a mapping ({type(entry).__name__})"]
    sid = entry.get("id")
    label = f"entry #{index + 1} (id {sid!r})" if sid else f"entry #{index + 1}"
    problems = []

    def bad(msg):
        problems.append(f"{label}: {msg}")

    if not isinstance(sid, str) or not ID_RE.match(sid):
        bad("id must be lowercase letters, digits and single hyphens ([a-z0-9-]+)")
    for key in ("agency", "region"):
        if not isinstance(entry.get(key), str) or not entry.get(key).strip():
            bad(f"{key} is missing or empty")
    code = entry.get("region_code")
    if isinstance(code, int) and not isinstance(code, bool):
        bad(f"region_code {code!r} must be a quoted 6-digit string (YAML read it as a number)")
    elif not isinstance(code, str) or not REGION_CODE_RE.match(code):
        bad(f"region_code {code!r} is not a 6-digit GB/T 2260 code")
    if entry.get("level") not in LEVELS:
        bad(f"level {entry.get('level')!r} is not one of {', '.join(LEVELS)}")
    family = entry.get("family")
    if family not in FAMILIES:
        bad(f"family {family!r} is not one of {', '.join(FAMILIES)}")
    urls = entry.get("start_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls:
        bad("start_urls must be a non-empty list of URLs")
        urls = []
    for u in urls:
        msg = _check_url(u)
        if msg:
            bad(msg)
    params = entry.get("params") or {}
    if not isinstance(params, dict):
        bad("params must be a mapping")
        params = {}
    elif family in FAMILY_PARAMS:
        unknown = sorted(set(params) - FAMILY_PARAMS[family])
        if unknown:
            bad(f"params {unknown} are not known to family {family}")
        if family == "json_api":
            if "url_template" not in params and "api" not in params:
                bad("json_api needs params.api (list endpoint) or params.url_template")
            if "items_path" not in params and "list_path" not in params:
                bad("json_api needs params.list_path (dotted path to the item list)")
            if "url_template" in params and "{page}" not in str(params["url_template"]):
                bad("params.url_template must contain {page}")
            if "fields" in params and not isinstance(params["fields"], dict):
                bad("params.fields must be a mapping (title, url, date, attachments)")
    unknown_keys = sorted(set(entry) - KNOWN_KEYS)
    if unknown_keys:
        bad(f"unknown keys {unknown_keys}")
    notes = entry.get("notes")
    if notes is not None and not isinstance(notes, str):
        bad("notes must be text")
    covers = entry.get("covers") or []
    if not isinstance(covers, list) or not all(isinstance(c, str) and c.strip() for c in covers):
        bad("covers must be a list of agency names")
        covers = []
    transport = entry.get("transport")
    if transport is not None and transport not in TRANSPORTS:
        bad(f"transport {transport!r} is not one of {', '.join(TRANSPORTS)}")
    if problems:
        return None, problems
    return Source(
        id=sid, agency=entry["agency"].strip(), region=entry["region"].strip(), region_code=code,
        level=entry["level"], family=family, start_urls=[u.strip() for u in urls], params=dict(params),
        notes=notes, covers=list(covers), transport=transport,
    ), []


def check_sources(path: str | Path) -> tuple[list[Source], list[str]]:
    """Every valid source and every problem found (file-level problems included)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"cannot read {path}: {exc}"]
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return [], [f"not valid YAML: {exc}"]
    if isinstance(doc, dict):
        entries = doc.get("sources")
    else:
        entries = doc
    if not isinstance(entries, list):
        return [], ["expected a top-level 'sources:' list"]
    sources, problems, seen = [], [], {}
    for i, entry in enumerate(entries):
        src, errs = validate_entry(entry, i)
        problems.extend(errs)
        if src is None:
            continue
        if src.id in seen:
            problems.append(f"entry #{i + 1} (id {src.id!r}): duplicate id (first at entry #{seen[src.id] + 1})")
            continue
        seen[src.id] = i
        sources.append(src)
    return sources, problems


def load_sources(path: str | Path) -> list[Source]:
    """Valid sources, or RegistryError listing every problem."""
    sources, problems = check_sources(path)
    if problems:
        raise RegistryError(str(path), problems)
    return sources


def dump_sources(sources: list[Source], path: str | Path) -> None:
    data = {"sources": [{k: v for k, v in s.to_dict().items() if v not in (None, {}, [])} for s in sources]}
    Path(path).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
