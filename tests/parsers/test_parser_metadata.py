"""Title, agency, year, published date and sections from the paragraphs and the portal's page block."""

import subprocess
import sys

from parsers.api import parse_document
from parsers.document import Document
from parsers.metadata import extract, section_of


def meta(paras, **kw):
    return extract(Document(blocks=list(paras), format="html", **kw))


def test_title_on_two_lines_and_signature():
    m = meta(["宁波市北仑区商务局", "2020年政府信息公开工作年度报告", "一、总体情况", "正文。",
              "宁波市北仑区商务局", "2021年1月22日"])
    assert m["title"] == "宁波市北仑区商务局2020年政府信息公开工作年度报告"
    assert (m["agency"], m["year"], m["published"]) == ("宁波市北仑区商务局", 2020, "2021-01-22")
    assert m["sections"]["overview"] == "正文。"


def test_year_first_title_without_zhengfu():
    m = meta(["2020年慈溪市经济和信息化局信息公开工作年度报告", "一、总体情况", "x"])
    assert (m["agency"], m["year"]) == ("慈溪市经济和信息化局", 2020)
    assert m["published"] is None


def test_year_from_statistical_period_and_agency_from_signature():
    m = meta(["政府信息公开工作年度报告", "本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。",
              "一、总体情况", "x", "某某市统计局", "二〇二二年一月十五日"])
    assert m["year"] == 2021
    assert m["agency"] == "某某市统计局"
    assert m["published"] == "2022-01-15"


def test_page_meta_and_title_hint_fallbacks():
    m = meta(["一、总体情况", "本年度……"], page_meta={"发布日期": "2021-01-29 10:00", "发布机构": "某某区司法局"},
             title_hint="某某区司法局2020年政府信息公开工作年度报告")
    assert m["title"] == "某某区司法局2020年政府信息公开工作年度报告"
    assert (m["agency"], m["year"], m["published"]) == ("某某区司法局", 2020, "2021-01-29")
    assert m["page_meta"]["发布机构"] == "某某区司法局"
    m = meta(["一、总体情况"], page_meta={"成文日期": "2021年03月02日"})
    assert m["published"] == "2021-03-02"


def test_section_headings_by_words_not_numbers():
    assert section_of("二、主动公开政府信息公开情况统计表") == "proactive"
    assert section_of("三、依申请公开情况") == "requests"
    assert section_of("三、收到和处理政府信息公开申请情况") == "requests"
    assert section_of("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况") == "appeals"
    assert section_of("五、政府信息公开工作存在的主要问题及改进情况") == "problems"
    assert section_of("七、其他需要报告的事项") == "other"
    assert section_of("五、机构建设及组织保障情况") is None
    m = meta(["标题2020年政府信息公开工作年度报告", "一、概述", "a", "五、机构建设及组织保障情况", "b",
              "六、存在的主要问题及改进情况", "存在的主要问题：", "c", "七、其他需要报告的事项", "无。"])
    assert m["sections"]["overview"] == "a"
    assert m["sections"]["problems"] == "存在的主要问题：\nc"
    assert m["sections"]["other"] == "无。"
    assert m["sections"]["proactive"] is None


def test_missing_sections_are_completeness_warnings():
    out = parse_document(Document(blocks=["某局2020年政府信息公开工作年度报告", "一、总体情况", "x"], format="html"))
    assert out["metadata"]["template"] is None
    assert out["metadata"]["parser_version"]
    rules = {i["rule"] for i in out["issues"]}
    assert "completeness.tables" in rules


def test_cli_readable_output_and_unreadable_exit(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("某某局\n2020年政府信息公开工作年度报告\n四、政府信息公开行政复议、行政诉讼情况\n"
                 "\t行政复议\n\t行政诉讼\n\n" + "".join(f"\t{x}\n" for x in range(15)) + "\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "xxgk", "parse", str(f)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "某某局2020年政府信息公开工作年度报告" in proc.stdout
    assert "行政复议" in proc.stdout and "诉讼(复议后起诉)" in proc.stdout
    line = next(x for x in proc.stdout.splitlines() if x.strip().startswith("诉讼(复议后起诉)"))
    assert line.split()[1:] == ["10", "11", "12", "13", "14"]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "xxgk", "parse", "--json", str(empty)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "unreadable" in proc.stderr
    missing = subprocess.run([sys.executable, "-m", "xxgk", "parse", str(tmp_path / "nope.pdf")],
                             capture_output=True, text=True)
    assert missing.returncode != 0 and len(missing.stderr.strip().splitlines()) == 1


def test_title_skips_page_chrome_and_sentences():
    m = meta(["首页 > 信息公开 > 政府信息公开年报", "根据《条例》要求，现公布本机关2020年政府信息公开工作年度报告。",
              "某某县人民政府办公室", "2020年度政府信息公开工作年度报告", "一、总体情况", "x"])
    assert m["title"] == "某某县人民政府办公室2020年度政府信息公开工作年度报告"
    assert m["agency"] == "某某县人民政府办公室"
    assert m["year"] == 2020


def test_title_hint_without_the_site_name():
    m = meta(["一、总体情况", "x"], title_hint="某某区商务局2020年政府信息公开工作年度报告_某某区人民政府门户网站")
    assert m["title"] == "某某区商务局2020年政府信息公开工作年度报告"
    m = meta(["一、总体情况", "x"], title_hint="某某门户 - 某某区商务局2021年政府信息公开工作年度报告")
    assert m["title"] == "某某区商务局2021年政府信息公开工作年度报告"


def test_agency_before_guanyu_and_chinese_numeral_year():
    m = meta(["某某市人民政府办公室关于二〇二〇年政府信息公开工作年度报告的公告", "一、总体情况", "x"])
    assert m["agency"] == "某某市人民政府办公室"
    assert m["year"] == 2020
