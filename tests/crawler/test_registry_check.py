"""Source registry: validation with one clear message per problem, and `xxgk sources check`."""

import textwrap

import pytest

from crawler.registry import RegistryError, check_sources, load_sources
from xxgk.cli import main

GOOD = """\
sources:
  - id: zj-hangzhou-fgw
    agency: 杭州市发展和改革委员会
    region: 浙江省杭州市
    region_code: "330100"
    level: prefecture
    family: hanweb_jcms
    start_urls: [http://www.hangzhou.gov.cn/col/col1229/index.html]
    params: {webid: 1, columnid: 1229, unitid: 5555}
    notes: free text
  - id: gov-stats
    agency: 国家统计局
    region: 中华人民共和国
    region_code: "100000"
    level: central
    family: json_api
    start_urls: [https://www.stats.gov.cn/xxgk/]
    params: {api: /api/list, list_path: data.list, fields: {title: title, url: url, date: pubtime}}
"""

BAD = """\
sources:
  - id: Bad_ID
    agency: 某局
    region: 某省
    region_code: 33010
    level: city
    family: wordpress
    start_urls: [ftp://example.gov.cn/]
  - id: dup
    agency: 甲
    region: 乙
    region_code: "110000"
    level: province
    family: trs_wcm
    start_urls: [http://a.gov.cn/index.html]
  - id: dup
    agency: 丙
    region: 丁
    region_code: "110000"
    level: province
    family: vsb
    start_urls: [http://b.gov.cn/list.htm]
  - id: no-urls
    agency: 戊
    region: 己
    region_code: "1100AA"
    level: county
    family: gkmlpt
    start_urls: []
    params: {sidd: 2}
    colour: red
  - just a string
"""


def write(tmp_path, text):
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_registry_loads(tmp_path):
    sources = load_sources(write(tmp_path, GOOD))
    assert [s.id for s in sources] == ["zj-hangzhou-fgw", "gov-stats"]
    assert sources[0].params == {"webid": 1, "columnid": 1229, "unitid": 5555}
    assert sources[0].region_code == "330100" and sources[1].level == "central"
    assert sources[0].hosts == {"www.hangzhou.gov.cn"}


def test_every_problem_is_named(tmp_path):
    sources, problems = check_sources(write(tmp_path, BAD))
    assert [s.id for s in sources] == ["dup"]  # the first 'dup' only
    text = "\n".join(problems)
    assert "entry #1 (id 'Bad_ID'): id must be" in text
    assert "region_code 33010 must be a quoted 6-digit string" in text
    assert "level 'city' is not one of" in text
    assert "family 'wordpress' is not one of" in text
    assert "start URL 'ftp://example.gov.cn/' is not an absolute http(s) URL" in text
    assert "entry #3 (id 'dup'): duplicate id (first at entry #2)" in text
    assert "entry #4 (id 'no-urls'): region_code '1100AA' is not a 6-digit" in text
    assert "entry #4 (id 'no-urls'): start_urls must be a non-empty list" in text
    assert "params ['sidd'] are not known to family gkmlpt" in text
    assert "unknown keys ['colour']" in text
    assert "entry #5: not a mapping" in text
    assert len(problems) == 11
    with pytest.raises(RegistryError) as exc:
        load_sources(tmp_path / "sources.yaml")
    assert len(exc.value.problems) == 11


def test_file_level_problems(tmp_path):
    assert check_sources(tmp_path / "missing.yaml")[1][0].startswith("cannot read")
    assert check_sources(write(tmp_path, "sources: [\n"))[1][0].startswith("not valid YAML")
    assert check_sources(write(tmp_path, "foo: 1\n"))[1] == ["expected a top-level 'sources:' list"]
    _, problems = check_sources(write(tmp_path, "sources:\n  - {id: x, agency: a, region: b, region_code: '110000',"
                                                " level: other, family: json_api, start_urls: [http://x.cn/]}\n"))
    assert problems == ["entry #1 (id 'x'): json_api needs params.api (list endpoint) or params.url_template",
                        "entry #1 (id 'x'): json_api needs params.list_path (dotted path to the item list)"]


def test_sources_check_command(tmp_path, capsys):
    assert main(["sources", "check", str(write(tmp_path, GOOD))]) == 0
    assert "2 valid source(s), 0 problem(s)" in capsys.readouterr().out
    assert main(["sources", "check", str(write(tmp_path, BAD))]) == 1
    out = capsys.readouterr().out
    assert "duplicate id" in out and "1 valid source(s), 11 problem(s)" in out
