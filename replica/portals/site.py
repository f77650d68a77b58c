"""The part every family shares: a portal's items, serving article pages and attachments, robots.txt,
charsets, gzip, and ETag/Last-Modified with 304 answers. Family modules subclass `Site`."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import random
from datetime import UTC, date, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from .agencies import Agency
from .content import (
    BROKEN_TITLES,
    NOTICE_TITLES,
    Attachment,
    Item,
    esc,
    html_page,
    noise_date,
    noise_text,
    noise_title,
    page_meta,
    report_date,
    report_title,
)
from .faults import request_key
from .server import Request, Response, http_date

if TYPE_CHECKING:
    from .world import ReplicaWorld

HTML_STYLES = ("one_table", "split_tables", "br_labels", "vertical_headers")
# Report formats and their shares; 'doc'/'wps' need LibreOffice to render, so they stay rare.
FORMAT_WEIGHTS = (("html", 45), ("docx", 20), ("pdf", 20), ("doc", 8), ("wps", 7))
ROBOTS = "User-agent: *\nDisallow: /admin/\nDisallow: {extra}\n"


class Site:
    family = ""
    id_range = (100000, 900000)
    robots_extra = "/manage/"
    has_handler = True  # the family has a download handler naming files in Content-Disposition
    noise_range = (18, 30)  # non-report items per portal

    def __init__(self, world: ReplicaWorld, index: int, agency: Agency, seed: str):
        self.world = world
        self.index = index
        self.agency = agency
        self.seed = seed
        self.base_url = ""
        self.items: list[Item] = []
        self.pages: dict[str, Item] = {}  # request key -> item (article pages, broken links)
        self.files: dict[str, tuple[Item, Attachment]] = {}  # request key -> attachment
        rng = random.Random(f"{seed}:site")
        self.charset = "gbk" if rng.random() < 0.3 else "utf-8"
        # GBK pages name the charset in the header, the meta tag, or both (as real ones do)
        self.charset_where = rng.choice(("both", "header", "meta")) if self.charset == "gbk" else "both"
        self.gzip = rng.random() < 0.5
        self.etag = rng.random() < 0.8  # the rest send Last-Modified only
        self.org_code = f"{rng.randint(0, 99999999):08d}{rng.choice('0123456789X')}"
        self.clock: date | None = None  # moves forward with every change: listing Last-Modified
        self.generation = 0  # bumped by every change: keys the response cache
        self._responses: dict[tuple[str, int], Response] = {}
        # listings that cut long link texts ("…"), leaving the full title only in the title attribute
        self.truncate = random.Random(f"{seed}:truncate").random() < 0.5
        self.setup(rng)

    def default_noise(self, rng: random.Random) -> int:
        return rng.randint(*self.noise_range)

    # --- hooks for the families -------------------------------------------------------------
    def setup(self, rng: random.Random) -> None:
        """Family-specific identifiers (column ids, paths)."""

    def item_path(self, item: Item) -> str:
        """The article URL path; families with several columns also set item.classify here."""
        raise NotImplementedError

    def attachment(self, item: Item, n: int, fmt: str, filename: str, mode: str, rng: random.Random) -> Attachment:
        raise NotImplementedError

    def article(self, item: Item, body: str) -> str:
        raise NotImplementedError

    def route(self, req: Request) -> Response | None:
        """Listings and family endpoints; None falls through to pages, files and 404."""
        return None

    def start_urls(self) -> list[str]:
        raise NotImplementedError

    def params(self) -> dict:
        return {}

    def listing_targets(self) -> list[str]:
        """Listing URLs of the current content (for faults and the URL-role lookup)."""
        return []

    def is_listing(self, req_path: str) -> bool:
        return False

    # --- content ------------------------------------------------------------------------------
    def populate(self, years: tuple[int, ...], noise: int, allow_doc: bool) -> None:
        rng = random.Random(f"{self.seed}:items")
        items: list[Item] = []
        for year in years:
            items.append(self._new_report(rng, year, allow_doc))
        noise_years = tuple(years) + (max(years) + 1,)
        for _ in range(noise):
            year = rng.choice(noise_years)
            title = noise_title(rng, self.agency.name, year)
            items.append(Item(0, "noise", title, noise_date(rng, year), None, text=noise_text(rng, title, self.agency.name)))
        broken_year = rng.choice(noise_years)
        items.append(Item(0, "broken", rng.choice(BROKEN_TITLES), noise_date(rng, broken_year), None))
        items.sort(key=lambda it: (it.date, it.title))
        next_id = rng.randint(*self.id_range)
        for it in items:
            it.id = next_id
            next_id += rng.randint(1, 60)
            self._place(it, rng)
        self.items = items
        if getattr(self.world, "notices", False):
            self._add_notices(items, next_id)
        self.clock = max(it.date for it in items)

    def _add_notices(self, items: list[Item], next_id: int) -> None:
        """Two notices about two of the reports (their own random stream, so that the rest of the
        portal is the same with or without them): one whose body links the report, one that names
        only the year (the archive must match it by source and year)."""
        rng = random.Random(f"{self.seed}:notices")
        reports = [it for it in items if it.kind == "report"]
        years = sorted({it.year for it in reports})
        chosen = rng.sample(years, min(2, len(years)))
        for n, year in enumerate(chosen):
            report = min((it for it in reports if it.year == year), key=lambda it: it.id)
            template, _ = rng.choice(NOTICE_TITLES)
            title = template.format(title=report.title, agency=self.agency.name, year=year)
            when = report.date + timedelta(days=rng.randint(3, 40))
            text = (f"{title}\n经核查，《{report.title}》中“本年新收政府信息公开申请数量”填报有误，"
                    f"由“{rng.randint(10, 99)}”更正为“{rng.randint(100, 199)}”，其余内容不变。\n特此说明。\n{self.agency.name}")
            notice = Item(next_id + 7 + n, "notice", title, when, year, text=text, about=report, links_report=n == 0)
            self._place(notice, rng)
            items.append(notice)

    def _new_report(self, rng: random.Random, year: int, allow_doc: bool) -> Item:
        fmt = rng.choices([f for f, _ in FORMAT_WEIGHTS], [w for _, w in FORMAT_WEIGHTS])[0]
        if fmt in ("doc", "wps") and not allow_doc:
            fmt = "docx"
        item = Item(0, "report", report_title(rng, self.agency.name, year), report_date(rng, year), year, fmt=fmt)
        item.style = rng.choice(HTML_STYLES) if fmt == "html" else None
        item.inconsistencies = 1 if rng.random() < 0.15 else 0
        return item

    def _attachment_plan(self, item: Item, rng: random.Random) -> list[tuple[str, str, str]]:
        """(fmt, filename, mode) for each attachment of a report."""
        if item.kind != "report":
            return []
        fmts = [item.fmt] if item.fmt != "html" else (["pdf"] if rng.random() < 0.25 else [])
        plan = []
        for fmt in fmts:
            name = rng.choice((item.title, f"{item.year}年政府信息公开工作年度报告", f"{self.agency.name}{item.year}年报"))
            mode = "link"
            if self.has_handler and rng.random() < 0.4:
                mode = rng.choice(("gbk", "rfc5987"))
            plan.append((fmt, f"{name}.{fmt}", mode))
        return plan

    def _place(self, item: Item, rng: random.Random) -> None:
        item.path = self.item_path(item)
        item.meta = page_meta(item, self.agency.name, self.org_code)
        self.pages[request_key(item.path)] = item
        for n, (fmt, filename, mode) in enumerate(self._attachment_plan(item, rng), start=1):
            att = self.attachment(item, n, fmt, filename, mode, rng)
            item.attachments.append(att)
            self.files[request_key(att.path)] = (item, att)
            if att.redirect_to:  # the handler's 302 target serves the bytes
                self.files[request_key(att.redirect_to)] = (item, dataclasses.replace(att, path=att.redirect_to, redirect_to=None))

    def shown(self, title: str) -> str:
        """A listing's link text (escaped)."""
        if self.truncate and len(title) > 24:
            title = title[:22] + "..."
        return esc(title)

    def listed(self, classify: int | None = None) -> list[Item]:
        """Items as listings show them: newest first."""
        items = [it for it in self.items if classify is None or it.classify == classify]
        return sorted(items, key=lambda it: (it.date, it.id), reverse=True)

    def add_report(self, year: int, allow_doc: bool) -> Item:
        rng = random.Random(f"{self.seed}:add:{year}:{len(self.items)}")
        item = self._new_report(rng, year, allow_doc)
        item.date = max(item.date, self.clock + timedelta(days=1))
        self.clock = item.date
        item.id = max(it.id for it in self.items) + rng.randint(1, 60)
        self._place(item, rng)
        self.items.append(item)
        self._changed()
        return item

    def _changed(self) -> None:
        self.generation += 1
        self._responses = {}

    def change_report(self, item: Item) -> None:
        rng = random.Random(f"{self.seed}:change:{item.id}:{item.version}")
        item.version += 1
        item.date = item.date + timedelta(days=rng.randint(1, 20))
        self.clock = max(self.clock + timedelta(days=1), item.date)
        item.modified = self.clock
        item.meta["发布日期"] = item.date.isoformat()
        self._changed()

    # --- serving ------------------------------------------------------------------------------
    def respond(self, req: Request) -> Response:
        """handle() with GET answers cached until the portal's content changes (a listing or page is
        built once per generation; the benchmark measures the crawler, not the replica)."""
        if req.method not in ("GET", "HEAD"):
            return self.handle(req)
        key = (request_key(req.target), self.generation)
        resp = self._responses.get(key)
        if resp is None:
            resp = self.handle(req)
            if resp.status in (200, 302, 404):
                self._responses[key] = resp
        return resp.copy()

    def handle(self, req: Request) -> Response:
        if req.path == "/robots.txt":
            text = ROBOTS.format(extra=self.robots_extra)
            return Response(200, text.encode(), "text/plain", last_modified=date(2019, 1, 1))
        if req.path.startswith("/admin/"):  # disallowed by robots.txt: a polite crawler never asks
            return self.html(self.page("后台管理", "<form><input name=user><input name=pwd type=password></form>"))
        resp = self.route(req)
        if resp is not None:
            return resp
        key = request_key(req.target)
        item = self.pages.get(key)
        if item is not None:
            if item.kind == "broken":
                return Response.not_found()
            return self.html(self.article(item, self.article_body(item)), item.last_modified)
        found = self.files.get(key)
        if found is not None:
            return self.file_response(*found)
        return Response.not_found()

    def article_body(self, item: Item) -> str:
        if item.kind == "noise":
            return "\n".join(f"<p>{esc(line)}</p>" for line in item.text.split("\n")[1:])
        if item.kind == "notice":
            body = "\n".join(f"<p>{esc(line)}</p>" for line in item.text.split("\n")[1:])
            if item.links_report:
                body += f'\n<p>原报告：<a href="{esc(item.about.path)}">{esc(item.about.title)}</a></p>'
            return body
        if item.fmt == "html":
            return self.world.report_html(self, item)
        return f"<p>{esc(item.title)}全文见附件。</p>"

    def file_response(self, item: Item, att: Attachment) -> Response:
        if att.redirect_to:
            return Response.redirect(att.redirect_to)
        data = self.world.report_bytes(self, item, att.render_fmt)
        ctype = {
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "doc": "application/msword",
            "wps": "application/octet-stream",
        }[att.fmt]
        headers: list[tuple[str, str | bytes]] = []
        if att.disposition == "gbk":
            headers.append(("Content-Disposition", b'attachment; filename="' + att.filename.encode("gbk", "replace") + b'"'))
        elif att.disposition == "rfc5987":
            ascii_name = f"download.{att.fmt}"
            headers.append(
                ("Content-Disposition", f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(att.filename)}")
            )
        return Response(200, data, ctype, headers, last_modified=item.last_modified, etag=self.etag)

    def html(self, text: str, last_modified: date | None = None, status: int = 200) -> Response:
        data = text.encode(self.charset, "xmlcharrefreplace")
        ctype = "text/html"
        if self.charset_where in ("both", "header"):
            ctype += f"; charset={self.charset}"
        return Response(status, data, ctype, last_modified=last_modified, etag=self.etag)

    def page(self, title: str, body: str, head: str = "") -> str:
        return html_page(title, body, self.charset, head, meta_charset=self.charset_where in ("both", "meta"))

    def finish(self, req: Request, resp: Response) -> Response:
        """Validators, 304 answers to conditional requests, gzip."""
        if resp.status == 200 and resp.last_modified is not None:
            etag = resp.derived.get("etag")
            if etag is None:
                etag = resp.derived["etag"] = '"' + hashlib.sha1(resp.body).hexdigest()[:20] + '"'
            resp.headers.append(("Last-Modified", http_date(resp.last_modified)))
            if resp.etag:
                resp.headers.append(("ETag", etag))
            if not_modified(req, etag if resp.etag else None, resp.last_modified):
                return Response(304, b"", headers=[h for h in resp.headers if h[0] in ("ETag", "Last-Modified")])
        textual = resp.content_type.startswith(("text/", "application/json", "application/xml"))
        if self.gzip and textual and len(resp.body) > 256 and "gzip" in req.header("accept-encoding"):
            if "gzip" not in resp.derived:
                resp.derived["gzip"] = gzip.compress(resp.body, mtime=0)
            resp.body = resp.derived["gzip"]
            resp.headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        return resp


def not_modified(req: Request, etag: str | None, last_modified: date) -> bool:
    inm = req.header("if-none-match")
    if inm:  # If-None-Match wins over If-Modified-Since (RFC 9110)
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return etag is not None and (etag in tags or "*" in tags)
    ims = req.header("if-modified-since")
    if not ims:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return parsedate_to_datetime(http_date(last_modified)) <= since
