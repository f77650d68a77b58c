"""Each family's listing mechanics, over real HTTP, and the truth lists against what is served:
walking every portal the way its CMS works finds exactly the world's reports and noise items."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest

from replica.portals import ReplicaWorld

YEARS = (2019, 2020, 2021, 2022)


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, retries: int = 2):
    """(status, headers, body) with the deterministic first-request 500s retried, as a crawler would."""
    for attempt in range(retries + 1):
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                body = resp.read()
                if resp.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                return resp.status, resp.headers, body
        except urllib.error.HTTPError as exc:
            if exc.code == 500 and attempt < retries:
                continue
            return exc.code, exc.headers, exc.read()
    raise AssertionError("unreachable")


def text_of(headers, body: bytes) -> str:
    m = re.search(r"charset=([\w-]+)", headers.get("Content-Type", "")) or re.search(rb"charset=([\w-]+)", body[:500])
    charset = m.group(1) if m else "utf-8"
    return body.decode(charset.decode() if isinstance(charset, bytes) else charset)


def links(html: str, base: str) -> list[tuple[str, str]]:
    """(absolute url, title or text) of every <a href>."""
    out = []
    for m in re.finditer(r'<a href="([^"]+)"(?: title="([^"]*)")?[^>]*>([^<]*)</a>', html):
        out.append((urljoin(base, m.group(1).replace("&amp;", "&")), m.group(2) or m.group(3)))
    return out


@pytest.fixture(scope="module")
def world():
    # seed 6: one hanweb portal with xxgkAnnualReport.jsp reports and one without, one TRS portal
    # with stale stub pages past the last one and one without
    with ReplicaWorld(seed=6, agencies_per_family=2, years=YEARS, allow_doc=False) as w:
        yield w


def portals(world, family):
    return [p for p in world.portals if p.family == family]


def truth(world, portal) -> tuple[set[str], set[str]]:
    reports = {r.page_url for r in world.reports() if r.source_id == portal.source_id}
    noise = {u for u in world.noise_urls() if u.startswith(portal.base_url + "/")}
    return reports, noise


# --- Hanweb -------------------------------------------------------------------------------------
def walk_hanweb(portal) -> dict[str, str]:
    status, headers, body = fetch(portal.start_urls[0])
    assert status == 200
    page = text_of(headers, body)
    total = int(re.search(r"totalRecord:(\d+)", page).group(1))
    perpage = int(re.search(r"perPage:(\d+)", page).group(1))
    found = dict((u, t) for u, t in links(page, portal.start_urls[0]) if "/art/" in u or "AnnualReport" in u)
    p = portal.params
    form = f"col=1&appid=1&webid={p['webid']}&path=/&columnid={p['columnid']}&unitid={p['unitid']}&permissiontype=0"
    start = len(found) + 1
    while start <= total:
        end = start + 3 * perpage - 1
        url = f"{portal.base_url}/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage={perpage}"
        status, headers, body = fetch(url, form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        xml = body.decode("utf-8")
        assert int(re.search(r"<totalrecord>(\d+)</totalrecord>", xml).group(1)) == total
        records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)
        assert len(records) == min(end, total) - start + 1
        for rec in records:
            found.update((u, t) for u, t in links(rec, portal.base_url + "/") if "/art/" in u or "AnnualReport" in u)
        start = end + 1
    assert len(found) == total
    return found


def test_hanweb_column_embeds_first_window_and_dataproxy_pages_the_rest(world):
    jsp = [any("xxgkAnnualReport.jsp" in r.page_url for r in world.reports() if r.source_id == p.source_id)
           for p in portals(world, "hanweb_jcms")]
    assert sorted(jsp) == [False, True]
    for portal in portals(world, "hanweb_jcms"):
        status, headers, body = fetch(portal.start_urls[0])
        page = text_of(headers, body)
        perpage = portal.params["perpage"]
        embedded = re.findall(r"<record><!\[CDATA\[", page)
        total = int(re.search(r"totalRecord:(\d+)", page).group(1))
        assert len(embedded) == min(3 * perpage, total)
        assert total > 3 * perpage  # the replica makes dataproxy necessary
        assert f"columnid:{portal.params['columnid']}" in page and f"unitid:{portal.params['unitid']}" in page
        found = walk_hanweb(portal)
        reports, noise = truth(world, portal)
        assert set(found) == reports | noise
        art = r"/art/\d{4}/\d{1,2}/\d{1,2}/art_" + str(portal.params["columnid"]) + r"_\d+\.html"
        assert all(re.fullmatch(art, urlsplit(u).path) for u in noise)
        jsp = r"/module/xxgk/xxgkAnnualReport\.jsp\?area=11\d{6}\d{9}[0-9A-Z]&fbtime=(20\d\d)$"
        for url in reports:  # one parameterized report URL per agency-year, or an /art/ page
            assert re.search(jsp, url) or re.fullmatch(art, urlsplit(url).path)
            page = text_of(*fetch(url)[1:])
            assert found[url] in page and 'class="xxgk_table' in page and 'id="zoom"' in page


def test_hanweb_dataproxy_get_windows_and_wrong_column(world):
    portal = portals(world, "hanweb_jcms")[0]
    p = portal.params
    q = f"columnid={p['columnid']}&unitid={p['unitid']}&webid={p['webid']}"
    status, _, body = fetch(f"{portal.base_url}/module/jpage/dataproxy.jsp?startrecord=3&endrecord=7&perpage=5&{q}")
    assert status == 200 and body.decode().count("<record>") == 5
    status, _, body = fetch(f"{portal.base_url}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=5&perpage=5"
                            f"&columnid=1&unitid={p['unitid']}")
    assert status == 200 and "<totalrecord>0</totalrecord>" in body.decode() and "<record>" not in body.decode()
    status, _, body = fetch(f"{portal.base_url}/module/web/jpage/dataproxy.jsp?startrecord=x&{q}")
    assert status == 400


# --- TRS ----------------------------------------------------------------------------------------
def test_trs_createpagehtml_count_and_index_pages(world):
    for portal in portals(world, "trs_wcm"):
        start = portal.start_urls[0]
        status, headers, body = fetch(start)
        page = text_of(headers, body)
        m = re.search(r'createPageHTML\((\d+), (\d+), "index", "(s?html)"\);', page)
        count, current, ext = int(m.group(1)), int(m.group(2)), m.group(3)
        assert current == 0 and count >= 2 and f"var countPage = {count}" in page
        found = {}
        for n in range(count):
            url = start if n == 0 else urljoin(start, f"index_{n}.{ext}")
            status, headers, body = fetch(url)
            page = text_of(headers, body)
            assert status == 200 and f'createPageHTML({count}, {n}, "index", "{ext}")' in page
            rows = re.findall(r'<a href="(\./\d{6}/t\d{8}_\d+\.s?html)" title="([^"]+)"', page)
            assert rows
            found.update((urljoin(url, h), t) for h, t in rows)
        status, headers, body = fetch(urljoin(start, f"index_{count}.{ext}"))  # one past the last page
        assert status == 404 or (status == 200 and "/t20" not in body.decode() and len(body) < 400)
        reports, noise = truth(world, portal)
        assert set(found) == reports | noise


def test_trs_article_body_and_relative_attachments(world):
    for portal in portals(world, "trs_wcm"):
        for report in (r for r in world.reports() if r.source_id == portal.source_id):
            status, headers, body = fetch(report.page_url)
            page = text_of(headers, body)
            assert '<div class="TRS_Editor">' in page
            for url, name in report.attachments:
                assert re.search(r"/P0\d{20}\.(pdf|docx)$", url)
                assert f'href="./{url.rsplit("/", 1)[1]}"' in page and name in page


# --- VSB ----------------------------------------------------------------------------------------
def test_vsb_pages_numbered_downward(world):
    for portal in portals(world, "vsb"):
        url = portal.start_urls[0]
        col = urlsplit(url).path[:-4]
        visited, found = [], {}
        while url:
            status, headers, body = fetch(url)
            assert status == 200
            page = text_of(headers, body)
            visited.append(urlsplit(url).path)
            found.update((u, t) for u, t in links(page, url) if "/info/" in u)
            nxt = re.search(r'<span class="p_next p_fun"><a href="([^"]+)">下页</a>', page)
            url = urljoin(url, nxt.group(1)) if nxt else None
        count = len(visited)
        assert count >= 2
        assert visited == [f"{col}.htm"] + [f"{col}/{n}.htm" for n in range(count - 1, 0, -1)]
        assert re.search(rf"共{len(found)}条", text_of(*fetch(portal.start_urls[0])[1:]))
        reports, noise = truth(world, portal)
        assert set(found) == reports | noise
        assert all(re.fullmatch(r"/info/\d+/\d+\.htm", urlsplit(u).path) for u in found)
        assert fetch(f"{portal.base_url}{col}/{count}.htm")[0] == 404


# --- gkmlpt -------------------------------------------------------------------------------------
def gkmlpt_config(portal):
    status, headers, body = fetch(portal.start_urls[0])
    page = text_of(headers, body)
    sid = re.search(r"SID: '(\d+)'", page).group(1)
    tree = json.loads(re.search(r"TREE: (\[.*?\]), SERVICE_AREA_ID", page).group(1))
    return sid, tree


def test_gkmlpt_config_api_paging_and_report_classify(world):
    prefixes = sorted(urlsplit(p.start_urls[0]).path.split("/gkmlpt/")[0] for p in portals(world, "gkmlpt"))
    assert all(p.startswith("/") for p in prefixes)  # both under a department path in this world
    for portal in portals(world, "gkmlpt"):
        sid, tree = gkmlpt_config(portal)
        assert sid == portal.params["sid"]
        nodes = {n["name"]: n for n in tree[0]["children"]}
        node = nodes["政府信息公开年报"]
        assert node["id"] == portal.params["classify_ids"][0]
        root = portal.start_urls[0].split("/gkmlpt/")[0] + "/gkmlpt"  # .../gkmlpt, under a department prefix or not
        assert nodes["政府信息公开指南"]["jump_url"] == urlsplit(root).path + "/mguide"
        api = f"{root}/api/all/{node['id']}?sid={sid}"
        page0 = json.loads(fetch(api + "&page=0")[2])
        page1 = json.loads(fetch(api + "&page=1")[2])
        assert page0 == page1
        assert page1["classify"]["post_count"] == node["post_count"] == len(page1["articles"])
        found = {a["url"]: a for a in page1["articles"]}
        reports, noise = truth(world, portal)
        in_classify = {u for u in found if u in reports}
        assert in_classify == reports and set(found) - reports <= noise
        for art in page1["articles"]:
            pid = art["id"]
            assert art["url"] == f"{root}/content/{pid // 1000000}/{pid // 1000}/post_{pid}.html"
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", art["created_at"])
            for key in ("create_time", "identifier", "publisher", "document_number", "attachment"):
                assert key in art
        # classify 0 lists everything, 100 a page
        all1 = json.loads(fetch(f"{root}/api/all/0?page=1&sid={sid}")[2])
        all2 = json.loads(fetch(f"{root}/api/all/0?page=2&sid={sid}")[2])
        total = all1["classify"]["post_count"]
        assert total > 100 and len(all1["articles"]) == 100 and len(all2["articles"]) == total - 100
        every = {a["url"] for a in all1["articles"] + all2["articles"]}
        assert every == reports | noise
        wrong = json.loads(fetch(f"{root}/api/all/0?page=1&sid=1")[2])
        assert wrong["articles"] == []


def test_gkmlpt_attachments_named_by_post_id(world):
    portal = portals(world, "gkmlpt")[0]
    sid, _ = gkmlpt_config(portal)
    cid = portal.params["classify_ids"][0]
    root = portal.start_urls[0].split("/gkmlpt/")[0] + "/gkmlpt"
    arts = json.loads(fetch(f"{root}/api/all/{cid}?page=1&sid={sid}")[2])["articles"]
    with_files = [a for a in arts if a["attachment"]]
    assert with_files
    for art in with_files:
        page = text_of(*fetch(art["url"])[1:])
        for att in art["attachment"]:
            assert urlsplit(att["url"]).path.endswith(f"/{art['id']}.{att['type']}")
            assert f'class="nfw-cms-attachment" href="{urlsplit(att["url"]).path}" alt="{att["name"]}"' in page
            status, _, data = fetch(att["url"])
            assert status == 200 and len(data) == int(att["size"])


# --- JSON list API ------------------------------------------------------------------------------
def test_json_api_pages_by_params(world):
    for portal in portals(world, "json_api"):
        p = portal.params
        found = {}
        page = p["first_page"]
        while True:
            url = urljoin(portal.start_urls[0], p["url_template"].replace("{page}", str(page)))
            data = json.loads(fetch(url)[2])
            items = data["searchVO"]["listVO"]
            if not items:
                break
            assert data["searchVO"]["totalCount"] == len(world_items(world, portal))
            found.update((it[p["url_field"]], it) for it in items)
            page += 1
        assert page - p["first_page"] == data["searchVO"]["totalpage"] >= 2
        reports, noise = truth(world, portal)
        assert set(found) == reports | noise
        for r in (r for r in world.reports() if r.source_id == portal.source_id):
            item = found[r.page_url]
            assert item[p["title_field"]] == r.title
            assert item[p["date_field"]] == r.published.strftime("%Y.%m.%d")
            assert [(a["url"], a["name"]) for a in item[p["attachments_field"]]] == r.attachments


def world_items(world, portal):
    reports, noise = truth(world, portal)
    return reports | noise


# --- generic ------------------------------------------------------------------------------------
def test_generic_reports_found_by_link_text(world):
    for portal in portals(world, "generic"):
        home = text_of(*fetch(portal.start_urls[0])[1:])
        gk = [u for u, t in links(home, portal.start_urls[0]) if t in ("政府信息公开", "信息公开", "政务公开")]
        assert len(gk) == 1
        side = text_of(*fetch(gk[0])[1:])
        col = [u for u, t in links(side, gk[0]) if "年报" in t or "年度报告" in t]
        assert len(col) == 1
        url, found = col[0], {}
        while url:
            page = text_of(*fetch(url)[1:])
            pairs = links(page, url)
            found.update((u, t) for u, t in pairs if re.search(r"/\d{6}/\d+\.html$", u))
            nxt = [u for u, t in pairs if t == "下一页"]
            url = nxt[0] if nxt else None
        reports, noise = truth(world, portal)
        assert reports <= set(found) and set(found) - reports <= noise
        assert any(t for u, t in found.items() if u in noise)  # reports sit among other items


def test_generic_rebuilt_portal_redirects_the_old_column():
    with ReplicaWorld(seed=11, agencies_per_family=1, families=("generic",), years=(2021,), faults=False) as w:
        portal = w.portals[0]
        home = text_of(*fetch(portal.start_urls[0])[1:])
        old = [u for u, t in links(home, portal.start_urls[0]) if t in ("政府信息公开", "信息公开", "政务公开")][0]
        assert urlsplit(old).path == "/zwgk/index.html"
        conn = http.client.HTTPConnection(urlsplit(old).netloc, timeout=10)
        conn.request("GET", "/zwgk/index.html")
        resp = conn.getresponse()
        assert resp.status == 301 and resp.getheader("Location") == "/xxgk/index.html"
        conn.close()
        assert w.url_role(old) == "listing"
        side = text_of(*fetch(old)[1:])  # followed to the new column
        assert any("年报" in t or "年度报告" in t for _, t in links(side, portal.base_url + "/xxgk/index.html"))
