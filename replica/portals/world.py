"""ReplicaWorld: a deterministic set of replica government portals, each its own HTTP server on its
own loopback address (127.0.0.N, N >= 10), plus the truth about what they hold.

    with ReplicaWorld(seed=7, agencies_per_family=2, years=(2019, 2020, 2021, 2022)) as world:
        world.portals, world.reports(), world.noise_urls(), world.write_sources(path)
        world.change_report(page_url); world.add_report(source_id, year); world.request_log

`notices=True` adds to every portal two notices about its reports (更正说明 / 补充说明 / …的说明);
`faults=False` lifts the slow page and the 500s (benchmarks); `latency=(0.05, 0.2)` delays every
answer by that many seconds (benchmarks); `allow_doc=False` replaces the
LibreOffice-rendered DOC/WPS attachments by DOCX (fast tests); attachments are rendered on first
request in `render_workers` processes and cached; `prerender()` renders everything up front.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import random
import threading
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import yaml

from .agencies import pick_agencies
from .content import Item, body_fragment
from .faults import Faults, request_key
from .server import PortalServer, Request, Response
from .site import Site

FAMILIES = ("hanweb_jcms", "trs_wcm", "vsb", "gkmlpt", "json_api", "generic")
# provincial platforms (../shared/sources/platforms.md): worlds hold them when asked for by name
PLATFORM_FAMILIES = ("anhui_openness", "jiyue_shtml", "shaanxi_snowflake", "hanweb_xxgk")
FIRST_HOST = 10  # portals live on 127.0.0.10, 127.0.0.11, ... 127.0.0.254, then 127.0.1.10 ...
HOSTS_PER_BLOCK = 255 - FIRST_HOST


def portal_host(index: int) -> str:
    return f"127.0.{index // HOSTS_PER_BLOCK}.{FIRST_HOST + index % HOSTS_PER_BLOCK}"


@dataclass
class Portal:
    source_id: str
    family: str
    agency: str
    region: str
    region_code: str
    level: str
    base_url: str
    start_urls: list[str]
    params: dict = field(default_factory=dict)


@dataclass
class ReplicaReport:
    source_id: str
    year: int
    page_url: str
    title: str
    fmt: str  # html | docx | pdf | doc | wps
    attachments: list[tuple[str, str]]  # (url as linked from the page, real file name)
    spec: object  # replica.reports.ReportSpec
    version: int
    published: object = None  # datetime.date shown in the listing and the metadata block
    page_meta: dict = field(default_factory=dict)  # the 信息公开 block (canonical labels)
    # breaks of the agency's series put in on purpose: cross_year.carry, cross_year.stock,
    # text.copied_from_previous (what this report does against the agency's previous year)
    injected: list[str] = field(default_factory=list)
    # archive-level rules this report must be flagged for, from the truth of the whole series:
    # cross_year.carry.<applicant>, cross_year.stock.<item>, text.copied_from_previous, deadline
    expected_archive_issues: set[str] = field(default_factory=set)


def is_late(year: int, published, agency: str) -> bool:
    """After the legal deadline: 31 March for governments (and everyone before 2019), 31 January else."""
    government = agency.endswith(("人民政府", "政府办公室", "政府办公厅"))
    return published > date(year + 1, 3 if government or year <= 2018 else 1, 31)


def series_findings(reports: list[ReplicaReport]) -> dict[str, set[str]]:
    """page URL -> the archive-level rules its report breaks, checked from the truth of each agency's
    series (latest versions, one report per year: the first posted), independently of archive/."""
    from replica.reports import APPLICANTS

    out: dict[str, set[str]] = defaultdict(set)
    by_year: dict[tuple[str, int], ReplicaReport] = {}
    for rep in reports:
        if is_late(rep.year, rep.published, rep.spec.agency):
            out[rep.page_url].add("deadline")
        k = (rep.source_id, rep.year)
        if k not in by_year:
            by_year[k] = rep
    for (source, year), cur in by_year.items():
        prev = by_year.get((source, year - 1))
        if prev is None:
            continue
        cv, pv = cur.spec.values, prev.spec.values
        for a in APPLICANTS:
            this, last = cv.get(f"requests.carried_over.{a}"), pv.get(f"requests.carried_forward.{a}")
            if this is not None and last is not None and this != last:
                out[cur.page_url].add(f"cross_year.carry.{a}")
        for item in ("regulations", "normative_documents"):
            k = f"proactive.{item}"
            operands = (cv.get(f"{k}.in_force"), pv.get(f"{k}.in_force"), cv.get(f"{k}.issued"), cv.get(f"{k}.repealed"))
            if None not in operands and operands[0] != operands[1] + operands[2] - operands[3]:
                out[cur.page_url].add(f"cross_year.stock.{item}")
        if "text.copied_from_previous" in cur.injected:
            out[cur.page_url].add("text.copied_from_previous")
    return dict(out)


def _site_class(family: str) -> type[Site]:
    from . import anhui, generic, gkmlpt, hanweb, hanweb_xxgk, jiyue, jsonapi, shaanxi, trs, vsb

    return {
        "hanweb_jcms": hanweb.HanwebSite,
        "trs_wcm": trs.TrsSite,
        "vsb": vsb.VsbSite,
        "gkmlpt": gkmlpt.GkmlptSite,
        "json_api": jsonapi.JsonApiSite,
        "generic": generic.GenericSite,
        "anhui_openness": anhui.AnhuiSite,
        "jiyue_shtml": jiyue.JiyueSite,
        "shaanxi_snowflake": shaanxi.ShaanxiSite,
        "hanweb_xxgk": hanweb_xxgk.HanwebXxgkSite,
    }[family]


def _template(year: int) -> str:
    return "legacy" if year < 2019 else ("2019" if year < 2021 else "2021")


def render_stable(spec, fmt: str, style: str | None) -> bytes:
    """render() with the write times taken out, so that the same seed serves the same bytes in any
    process at any time: PDF through ReportLab's invariant mode, DOCX with fixed zip entry times.
    (DOC from LibreOffice keeps its own timestamps.)"""
    import reportlab.rl_config

    from replica.render import render

    reportlab.rl_config.invariant = 1
    data = render(spec, fmt, style)
    return _fixed_zip_times(data) if fmt == "docx" else data


def _fixed_zip_times(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


class ReplicaWorld:
    def __init__(
        self,
        seed: int = 7,
        agencies_per_family: int = 2,
        years: tuple[int, ...] | list[int] = (2019, 2020, 2021, 2022),
        faults: bool = True,
        families: tuple[str, ...] | list[str] = FAMILIES,
        noise: int | None = None,
        allow_doc: bool = True,
        render_workers: int = 0,
        series_breaks: float = 0.15,
        notices: bool = False,
        challenges: dict[str, str] | None = None,
        latency: tuple[float, float] | None = None,
    ):
        unknown = set(families) - set(FAMILIES) - set(PLATFORM_FAMILIES)
        if unknown:
            raise ValueError(f"unknown families {sorted(unknown)}; expected some of {FAMILIES + PLATFORM_FAMILIES}")
        if not years:
            raise ValueError("years must not be empty")
        self.seed = seed
        self.years = tuple(sorted(years))
        self.allow_doc = allow_doc
        self.notices = notices  # two notices (更正说明, 补充说明, …的说明) about reports on every portal
        self.series_breaks = series_breaks  # chance of each injected cross-year break / copied text
        # DOCX/PDF/DOC rendering is CPU-bound (about 0.5-2 s a file): worker processes keep the
        # servers responsive and use idle cores; 0 (default) renders in the requesting thread
        self.render_workers = render_workers
        self._pool = None
        self.faults = Faults(enabled=faults)
        # (min, max) seconds added to every answer, drawn per request (benchmarks: a real portal's latency)
        self.latency = latency
        self._latency_rng = random.Random(f"replica:{seed}:latency")
        self.request_log: list[tuple[str, str, int]] = []
        # every request with its span (replica.portals.server.Served + host): concurrency per host
        self.timed_log: list[tuple[str, object]] = []
        self._log_lock = threading.Lock()
        self._render_locks: dict[tuple, threading.Lock] = {}
        self._cache: dict[tuple, object] = {}
        self._cache_lock = threading.Lock()
        self.sites: list[Site] = []
        self.servers: list[PortalServer] = []
        for family in families:
            rng = random.Random(f"replica:{seed}:{family}")
            for agency in pick_agencies(rng, family, agencies_per_family):
                site = _site_class(family)(self, len(self.sites), agency, f"replica:{seed}:{agency.source_id}")
                count = noise if noise is not None else site.default_noise(rng)
                site.populate(self.years, count, allow_doc)
                self.sites.append(site)
        self._plan_faults()
        # anti-bot gates (replica/portals/challenges.py) by family or source id: {"trs_wcm": "riversec"}
        from .challenges import Gate

        self.gates: dict[str, Gate] = {}
        for key, kind in (challenges or {}).items():
            chosen = [s for s in self.sites if key in (s.family, s.agency.source_id)]
            if not chosen:
                raise ValueError(f"challenges: no portal of family or id {key!r}")
            for site in chosen:
                self.gates[site.agency.source_id] = Gate(kind, f"{seed}:{site.agency.source_id}")

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> ReplicaWorld:
        if self.servers:
            return self
        for site in self.sites:
            server = PortalServer(portal_host(site.index), self._app(site), self._observer(site))
            site.base_url = server.base_url
            server.start()
            self.servers.append(server)
        return self

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers = []
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ReplicaWorld:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- truth ----------------------------------------------------------------------------------
    @property
    def portals(self) -> list[Portal]:
        out = []
        for s in self.sites:
            a = s.agency
            out.append(
                Portal(a.source_id, s.family, a.name, a.place.name, a.place.code, a.place.level, s.base_url,
                       [s.base_url + u for u in s.start_urls()], s.params())
            )
        return out

    def portal(self, source_id: str) -> Portal:
        for p in self.portals:
            if p.source_id == source_id:
                return p
        raise KeyError(f"no replica portal {source_id!r}")

    def reports(self) -> list[ReplicaReport]:
        out = [self._report(s, it) for s in self.sites for it in s.items if it.kind == "report"]
        expected = series_findings(out)
        for rep in out:
            rep.expected_archive_issues = expected.get(rep.page_url, set())
        return out

    def noise_urls(self) -> list[str]:
        """Pages of non-report items in the listings (including the broken links; notices aside)."""
        return [s.base_url + it.path for s in self.sites for it in s.items if it.kind not in ("report", "notice")]

    def notice_truth(self) -> dict[str, str]:
        """Notice page URL -> the page URL of the report it is about."""
        return {s.base_url + it.path: s.base_url + it.about.path for s in self.sites for it in s.items
                if it.kind == "notice"}

    def broken_urls(self) -> list[str]:
        return [s.base_url + it.path for s in self.sites for it in s.items if it.kind == "broken"]

    def write_sources(self, path) -> None:
        """The source registry YAML (ARCHITECTURE.md section 6) for every portal."""
        entries = []
        for p in self.portals:
            entries.append({
                "id": p.source_id, "agency": p.agency, "region": p.region, "region_code": p.region_code,
                "level": p.level, "family": p.family, "start_urls": p.start_urls, "params": p.params,
                "notes": f"replica portal (seed {self.seed})",
            })
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump({"sources": entries}, fh, allow_unicode=True, sort_keys=False)

    def url_role(self, url: str) -> str:
        """listing | report | noise | broken | attachment | robots | other: what a URL is in this world."""
        parts = urlsplit(url)
        site = self._site_by_netloc(parts.netloc)
        if site is None:
            return "other"
        target = parts.path + ("?" + parts.query if parts.query else "")
        key = request_key(target)
        if parts.path == "/robots.txt":
            return "robots"
        if key in site.pages:
            return site.pages[key].kind
        if key in site.files:
            return "attachment"
        return "listing" if site.is_listing(parts.path) else "other"

    # --- changes --------------------------------------------------------------------------------
    def change_report(self, page_url: str) -> ReplicaReport:
        """A new version of a report: new bytes at the same URL(s), listing date moved."""
        site, item = self._find_item(page_url)
        if item.kind != "report":
            raise ValueError(f"{page_url} is not a report page")
        site.change_report(item)
        return self._report(site, item)

    def add_report(self, source_id: str, year: int) -> ReplicaReport:
        """A new report appears at the top of the portal's listing."""
        for site in self.sites:
            if site.agency.source_id == source_id:
                return self._report(site, site.add_report(year, self.allow_doc))
        raise KeyError(f"no replica portal {source_id!r}")

    # --- rendering (lazy, cached) ---------------------------------------------------------------
    def spec(self, site: Site, item: Item, version: int | None = None):
        """The report's truth. An agency's reports form a series: each year continues from the first
        version of the previous year's (carry-over, stock in force), worded afresh unless a copy is
        injected; a later version (a correction) keeps its year's inputs."""
        from replica.reports import generate

        version = item.version if version is None else version
        key = ("spec", site.agency.source_id, item.id, version)
        with self._cache_lock:
            if key in self._cache:
                return self._cache[key]
        prev_item = self._previous_report(site, item)
        prev = self.spec(site, prev_item, 1) if prev_item is not None else None
        plan = self.series_plan(site, item)
        carried = dict(prev.series["carried_forward"]) if prev is not None else None
        stock = dict(prev.series["in_force"]) if prev is not None and prev.series["in_force"] else None
        inject = random.Random(f"replica:{self.seed}:{site.agency.source_id}:{item.id}:inject")
        if "cross_year.carry" in plan and carried:
            applicant = inject.choice(sorted(carried))  # a restated carry-over: one column off
            carried[applicant] = (carried[applicant] or 0) + inject.randint(1, 3)
        if "cross_year.stock" in plan and stock:
            name = inject.choice(sorted(stock))
            stock[name] = (stock[name] or 0) + inject.choice((-2, -1, 1, 2, 3, 5))
        digest = hashlib.sha256(f"{self.seed}:{site.agency.source_id}:{item.year}:{version}".encode()).hexdigest()
        text_digest = hashlib.sha256(f"{self.seed}:{site.agency.source_id}:{item.year}:text".encode()).hexdigest()
        if "text.copied_from_previous" in plan and prev is not None:
            text_seed = prev.series["text_seed"]
        else:
            text_seed = int(text_digest[:12], 16)
        spec = generate(int(digest[:12], 16), _template(item.year), agency=site.agency.name,
                        region=site.agency.place.name, year=item.year, inconsistencies=item.inconsistencies,
                        carried_over=carried, prev_stock=stock, text_seed=text_seed)
        # the page's own title and date are what the report prints; the portal's region is the truth
        place = site.agency.place
        spec = dataclasses.replace(spec, title=item.title, published=item.date, region=place.name,
                                   region_code=place.code, level=place.level)
        with self._cache_lock:
            self._cache[key] = spec
        return spec

    def series_plan(self, site: Site, item: Item) -> list[str]:
        """The breaks injected into this report against the agency's previous year (deterministic)."""
        prev_item = self._previous_report(site, item)
        if prev_item is None or item.kind != "report":
            return []
        rng = random.Random(f"replica:{self.seed}:{site.agency.source_id}:{item.year}:series")
        plan = []
        if rng.random() < self.series_breaks:
            plan.append("cross_year.carry")
        # a stock chain needs the 2021 form (现行有效件数) in both years
        stock_draw = rng.random()
        if item.year > 2021 and stock_draw < self.series_breaks:
            plan.append("cross_year.stock")
        if rng.random() < self.series_breaks:
            plan.append("text.copied_from_previous")
        return plan

    def _previous_report(self, site: Site, item: Item) -> Item | None:
        """The first-posted report of the year before (ties: the lowest id)."""
        if item.kind != "report" or item.year is None:
            return None
        before = [it for it in site.items if it.kind == "report" and it.year == item.year - 1]
        return min(before, key=lambda it: it.id) if before else None

    def report_bytes(self, site: Site, item: Item, fmt: str, style: str | None = None) -> bytes:
        key = ("bytes", site.agency.source_id, item.id, item.version, fmt, style)
        with self._cache_lock:
            if key in self._cache:
                return self._cache[key]
            lock = self._render_locks.setdefault(key, threading.Lock())
        with lock:  # render each file once even when several requests ask at the same time
            with self._cache_lock:
                if key in self._cache:
                    return self._cache[key]
            data = self._render(self.spec(site, item), fmt, style)
            with self._cache_lock:
                self._cache[key] = data
        return data

    def _render(self, spec, fmt: str, style: str | None) -> bytes:
        if fmt == "html" or self.render_workers <= 0:
            return render_stable(spec, fmt, style)
        with self._cache_lock:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                # spawn, not fork: the parent runs server threads
                self._pool = ProcessPoolExecutor(self.render_workers, mp_context=multiprocessing.get_context("spawn"))
            pool = self._pool
        return pool.submit(render_stable, spec, fmt, style).result()

    def prerender(self, workers: int = 2) -> int:
        """Render every report page body and attachment now (benchmarks: keep rendering out of the
        measured crawl). Returns the number of files rendered."""
        from concurrent.futures import ThreadPoolExecutor

        jobs = [(s, it, a.render_fmt, None) for s in self.sites for it in s.items if it.kind == "report"
                for a in it.attachments]
        self._prerender_doc([job for job in jobs if job[2] in ("doc", "wps")])
        jobs += [(s, it, "html", f"{it.style}+utf-8") for s in self.sites for it in s.items
                 if it.kind == "report" and it.fmt == "html"]
        with ThreadPoolExecutor(max_workers=max(workers, self.render_workers)) as pool:
            list(pool.map(lambda job: self.report_bytes(*job), jobs))
        return len(jobs)

    def _prerender_doc(self, jobs: list) -> None:
        """DOC/WPS files in one LibreOffice run (one start-up instead of one per file)."""
        from replica.render.doc import convert_many

        todo = [(s, it, fmt) for s, it, fmt, _ in jobs
                if ("bytes", s.agency.source_id, it.id, it.version, fmt, None) not in self._cache]
        if not todo:
            return
        docx = [render_stable(self.spec(s, it), "docx", None) for s, it, _ in todo]
        for (s, it, fmt), data in zip(todo, convert_many(docx, "doc"), strict=True):
            with self._cache_lock:
                self._cache[("bytes", s.agency.source_id, it.id, it.version, fmt, None)] = data

    def report_html(self, site: Site, item: Item) -> str:
        data = self.report_bytes(site, item, "html", f"{item.style}+utf-8")
        return body_fragment(data.decode("utf-8", "replace"))

    # --- internals ------------------------------------------------------------------------------
    def _report(self, site: Site, item: Item) -> ReplicaReport:
        base = site.base_url
        return ReplicaReport(
            site.agency.source_id, item.year, base + item.path, item.title, item.fmt,
            [(base + a.path, a.filename) for a in item.attachments], self.spec(site, item), item.version,
            item.date, dict(item.meta), self.series_plan(site, item),
        )

    def _site_by_netloc(self, netloc: str) -> Site | None:
        for site in self.sites:
            if site.base_url and urlsplit(site.base_url).netloc == netloc:
                return site
        return None

    def _find_item(self, url: str) -> tuple[Site, Item]:
        parts = urlsplit(url)
        site = self._site_by_netloc(parts.netloc)
        key = request_key(parts.path + ("?" + parts.query if parts.query else ""))
        if site is None or key not in site.pages:
            raise KeyError(f"no replica page {url}")
        return site, site.pages[key]

    def _plan_faults(self) -> None:
        rng = random.Random(f"replica:{self.seed}:faults")
        for site in self.sites:
            listings = site.listing_targets()
            if listings:
                site_fail = listings[1] if len(listings) > 1 else listings[0]
                self.faults.add_fail_once(site_fail)
            reports = [it for it in site.items if it.kind == "report"]
            if reports:
                self.faults.add_fail_once(rng.choice(reports).path)
        with_files = [(s, it) for s in self.sites for it in s.items if it.attachments]
        if with_files:
            _, item = rng.choice(with_files)
            self.faults.add_fail_once(item.attachments[0].path)
        slow_site = rng.choice(self.sites) if self.sites else None
        if slow_site is not None:
            self.faults.add_slow(rng.choice([it for it in slow_site.items if it.kind == "report"]).path)

    def _observer(self, site: Site):
        def observe(served) -> None:
            with self._log_lock:
                self.timed_log.append((urlsplit(site.base_url).netloc, served))

        return observe

    def _app(self, site: Site):
        gate = self.gates.get(site.agency.source_id)

        def app(req: Request) -> Response:
            resp = gate.check(req) if gate is not None else None
            if resp is None:
                resp = self.faults.before(req.target) if req.path != "/robots.txt" else None
            if resp is None:
                resp = site.finish(req, site.respond(req))
                broken = self.faults.transport_fault(req.target)
                if broken:
                    resp = resp.copy()
                    resp.fault = broken
            with self._log_lock:
                self.request_log.append((req.method, site.base_url + req.target, resp.status))
                wait = self._latency_rng.uniform(*self.latency) if self.latency else 0.0
            if wait:
                time.sleep(wait)
            return resp

        return app
