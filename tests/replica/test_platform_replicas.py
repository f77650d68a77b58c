"""The provincial platforms' replicas follow the real shapes: every report URL is one the shipped
registry's builder and `sources probe` recognise as that family, lists page as the real ones do, and
the modules answer as the real ones do to wrong or missing parameters."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

import pytest

from crawler.sources.build_registry import derive
from crawler.sourcetools import guess_family
from replica.portals import PLATFORM_FAMILIES, ReplicaWorld


@pytest.fixture(scope="module")
def world():
    with ReplicaWorld(
        seed=5,
        agencies_per_family=4,
        years=(2021, 2022),
        allow_doc=False,
        faults=False,
        families=PLATFORM_FAMILIES,
        noise=6,
    ) as w:
        yield w


def get(url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as resp:
            raw, status, ctype = resp.read(), resp.status, resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    if resp.headers.get("Content-Encoding") == "gzip":
        import gzip

        raw = gzip.decompress(raw)
    return status, raw.decode(
        "gbk" if "gbk" in ctype.lower() or b"charset=gbk" in raw[:400] else "utf-8", "replace"
    )


def test_report_urls_have_the_real_shapes(world):
    reports = world.reports()
    assert {world.portal(r.source_id).family for r in reports} == set(PLATFORM_FAMILIES)
    for rep in reports:
        family = world.portal(rep.source_id).family
        assert guess_family(rep.page_url)[0] == family, rep.page_url
        if family != "hanweb_xxgk" or "xxgkAnnualReport.jsp" in rep.page_url:
            assert derive(rep.page_url, "report", "other")["family"] == family, rep.page_url
    jiyue = [r.page_url for r in reports if world.portal(r.source_id).family == "jiyue_shtml"]
    assert all(re.search(r"/(?:19|20)\d{4}/[0-9a-f]{32}\.shtml(\?ddtab=true)?$", u) for u in jiyue)
    snow = [r.page_url for r in reports if world.portal(r.source_id).family == "shaanxi_snowflake"]
    assert all(re.search(r"/1[4-9]\d{17}\.html$", u) for u in snow)  # published 2022-2023: 19 digits, 14…-16…


def test_lists_page_as_the_real_ones(world):
    for site in world.sites:
        base = site.base_url
        if site.family == "jiyue_shtml":
            status, text = get(base + site.list_path())
            m = re.search(r"createPageHTML\('page_div',(\d+), 1,'([\w]+)','shtml',(\d+)\);", text)
            assert status == 200 and m and m.group(2) == site.list_name
            pages, total = int(m.group(1)), int(m.group(3))
            assert pages == site.page_count() and total == len(site.column_items())
            assert get(base + site.list_path(pages + 1))[0] == 404
        elif site.family == "shaanxi_snowflake":
            status, text = get(base + site.root)
            count = site.page_count(site.root)
            assert status == 200 and f"共{count}页" in text
            assert get(base + site.root + "1.html")[1] == text  # page 1 under both names
            assert get(base + site.root + f"{count + 1}.html")[0] == 404
        elif site.family == "anhui_openness":
            status, text = get(base + site.list_path(site.branch))
            assert (
                status == 200 and "您现在所在的位置" in text and f"共{site.page_count(site.branch)}页" in text
            )
            # the branch menu links the other agencies' lists, which answer with their reports
            for branch, name in site.others:
                assert site.list_path(branch).replace("&", "&amp;") in text
                other_status, other = get(base + site.list_path(branch))
                assert other_status == 200 and name in other


def test_xxgk_module_answers(world):
    for site in (s for s in world.sites if s.family == "hanweb_xxgk"):
        url = site.base_url + site.search_url()
        form = {
            "infotypeId": site.infotype,
            "jdid": site.jdid,
            "area": site.area,
            "divid": site.divid,
            "currpage": 1,
        }
        status, text = get(url, form)
        rows = re.findall(r'<tr class="tr_main_value_(?:odd|even)">', text)
        assert status == 200 and len(rows) == min(site.perpage, len(site.listed_items()))
        assert f"共{site.page_count()}页" in text and "funGoPage('/module/xxgk/search.jsp'," in text
        _, wrong = get(url, {**form, "area": "000000000000000000"})
        assert "tr_main_value" not in wrong  # a wrong unit code lists nothing
        # an agency-year without a report: 200 and an empty shell
        first = min(it.year for it in site.items if it.kind == "report")
        status, empty = get(site.base_url + site.jsp_path(first - 1))
        assert status == 200 and "暂无信息" in empty and "年度报告" not in empty
