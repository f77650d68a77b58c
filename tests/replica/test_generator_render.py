"""The renderers draw the templates' real structure in every format (checked without the parsers)."""

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from docx import Document

from replica.render import render
from replica.render.layout import LTable, build
from replica.render.text import table_lines
from replica.reports import generate

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _rows(lines: list[str]) -> list[list[str]]:
    """Text-dump table lines -> rows of cell texts (continuation lines joined without the break)."""
    rows, row = [], []
    for line in lines:
        if line == "":
            if row:
                rows.append(row)
            row = []
        elif line.startswith("\t"):
            row.append(re.sub(r"\[bookmark: [^\]]*\]", "", line[1:]))
        elif row:
            row[-1] += line
    if row:
        rows.append(row)
    return rows


def _skeleton(rows: list[list[str]]) -> list[list[str]]:
    """Numbers replaced by #, so that layouts can be compared whatever the values."""
    return [["#" if re.fullmatch(r"[\s\u00a0]*(\d+|[^\d\s]?[（(]?\d+[）)]?|[\d.]+万?元|/|——)?[\s\u00a0]*", c) and
             re.search(r"\d|/|——", c) else c for c in r] for r in rows]


def _seed_tables(name: str) -> tuple[list[list[str]], list[list[str]]]:
    text = (SEEDS / name).read_text("utf-8")
    t3 = text[text.index("\t（本列数据"):text.index("四、政府信息公开行政复议")]
    t4 = text[text.index("\t行政复议"):text.index("五、存在的主要问题")]
    return _rows(t3.split("\n")), _rows(t4.split("\n"))


def _plain_2019_spec():
    spec = next(s for s in (generate(i, "2019") for i in range(100)) if None not in s.values.values())
    return dataclasses.replace(spec, options={**spec.options, "t4_header_row": 2, "broken_labels": False,
                                              "label_variants": False, "fullwidth_digits": False})


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is absent")
def test_text_tables_match_the_seed_layout_cell_for_cell():
    seed_t3, seed_t4 = _seed_tables("002_746ea976d873778e.txt")
    spec = _plain_2019_spec()
    tables = [b for b in build(spec, "text", "one_table") if isinstance(b, LTable)]
    mine_t3 = _rows(table_lines(tables[1]))
    mine_t4 = _rows(table_lines(tables[2]))
    assert len(mine_t3) == len(seed_t3) == 26
    assert _skeleton(mine_t3) == _skeleton(seed_t3)
    assert _skeleton(mine_t4) == _skeleton(seed_t4)
    assert [len(r) for r in mine_t4] == [2, 7, 15, 15]


def test_label_variants_in_text():
    spec = next(s for s in (generate(i, "2019") for i in range(100)) if s.options["label_variants"])
    text = render(spec, "text", "one_table").decode("utf-8")
    assert "\t一、本年新收到政府信息公开申请数量\n" in text and "\t四、转结下年度继续办理\n" in text
    assert "\t(三)不予公开\n" in text and "\t1、属于国家秘密\n" in text and '3、危及"三安全一稳定"' in text
    assert "\t其他组织\n" in text


def test_2021_report_with_the_single_2019_other_row():
    spec = next(s for s in (generate(i, "2021") for i in range(100)) if s.options["t3_single_other"])
    t3 = [b for b in build(spec, "text", "one_table") if isinstance(b, LTable)][1]
    rows = _rows(table_lines(t3))
    assert len(rows) == 3 + 23
    assert rows[3 + 20][:2] == ["", "（六）其他处理"] and len(rows[3 + 20]) == 9


def test_text_dump_rows_and_values():
    spec = next(s for s in (generate(i, "2021") for i in range(5, 100))
                if not (s.options["t3_single_other"] or s.options["label_variants"] or s.options["heading_variants"]))
    text = render(spec, "text", "one_table").decode("utf-8")
    assert text.startswith(spec.title) or text.startswith(spec.agency)
    rows = _rows(text[text.index("\t（本列数据"):text.index("四、政府信息公开行政复议")].split("\n"))
    assert len(rows) == 3 + 25  # 3 header rows, 25 data rows (2021)
    first = rows[3]
    assert first[0] == "一、本年新收政府信息公开申请数量"
    assert first[1:] == [spec.raw[f"requests.new_received.{a}"] for a in
                         ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org",
                          "total")]
    assert any(r[:3] == ["", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"] for r in rows)
    assert text.rstrip().endswith(f"{spec.published.year}年{spec.published.month}月{spec.published.day}日")


def test_t4_headers_at_the_bottom_of_their_merge():
    spec = generate(3, "2019")
    spec = dataclasses.replace(spec, options={**spec.options, "t4_header_row": 3})
    t4 = [b for b in build(spec, "text", "one_table") if isinstance(b, LTable)][-1]
    rows = _rows(table_lines(t4))
    assert rows[1][:5] == [""] * 5 and rows[2][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


@pytest.mark.parametrize("template,span", [("2019", 20), ("2021", 22)])
def test_html_real_spans_and_styles(template, span):
    spec = generate(7, template)
    one = render(spec, "html", "one_table").decode("utf-8")
    assert f'rowspan="{span}"' in one and 'colspan="7"' in one and 'colspan="10"' in one
    assert one.count("<table") == 3
    split = render(spec, "html", "split_tables").decode("utf-8")
    assert split.count("<table") == (5 if template == "2019" else 4) + 2
    br = render(spec, "html", "br_labels").decode("utf-8")
    assert "商业<br>企业" in br
    vert = render(spec, "html", "vertical_headers").decode("utf-8")
    assert "结<br>果<br>维<br>持" in vert
    word = render(spec, "html", "word_html").decode("utf-8")
    assert word.count('<p class="MsoNormal"') > 200 and "<o:p></o:p>" in word and f'rowspan="{span}"' in word
    gbk = render(spec, "html", "one_table+gbk")
    assert b"charset=gbk" in gbk
    assert spec.title in gbk.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    with pytest.raises(ValueError, match="unknown style"):
        render(spec, "html", "fancy")


def test_html_body_is_a_fragment_for_portal_pages():
    from replica.render.html import html_body

    spec = generate(6, "2019_legacy")
    body = html_body(spec, "one_table")
    assert "<html" not in body and "<h1" not in body and body.count("<table") == 5
    assert "五、机构建设及组织保障情况" in body and spec.raw["legacy.org.staff"] in body


def test_docx_real_merges_and_cjk_font():
    spec = generate(4, "2019")
    data = render(spec, "docx", "one_table")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert 'w:gridSpan w:val="7"' in xml and 'w:gridSpan w:val="10"' in xml
    assert xml.count('<w:vMerge w:val="restart"/>') >= 8
    assert 'w:eastAsia="宋体"' in xml
    doc = Document(io.BytesIO(data))
    assert len(doc.tables) == 3
    t3 = doc.tables[1]
    assert len(t3.rows) == 26 and len(t3.columns) == 10
    assert t3.cell(3, 0).text == "一、本年新收政府信息公开申请数量"
    assert t3.cell(3, 3).text == spec.raw["requests.new_received.natural_person"]
    assert t3.cell(25, 9).text == spec.raw["requests.carried_forward.total"]
    assert t3.cell(10, 0).text == "三、本年度办理结果"  # vertically merged over the result rows
    assert doc.core_properties.title == spec.title


def test_pdf_embedded_font_and_ruled_tables():
    spec = generate(4, "2021")
    data = render(spec, "pdf", "one_table")
    assert data.startswith(b"%PDF") and b"/FontFile2" in data
    pdf = pypdfium2.PdfDocument(data)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert spec.agency in text and "三、收到和处理政府信息公开申请情况" in text
    with pdfplumber.open(io.BytesIO(data)) as p:
        tables = [t for page in p.pages for t in page.extract_tables()]
    widths = sorted({len(t[0]) for t in tables})
    assert 10 in widths and 15 in widths
    t4 = next(t for t in tables if len(t[0]) == 15)
    assert t4[-1] == [spec.raw[f"appeals.{p}.{o}"] for p in ("review", "litigation_direct", "litigation_after_review")
                      for o in ("upheld", "corrected", "other", "pending", "total")]


def test_same_spec_same_bytes():
    spec = generate(8, "2021")
    for fmt in ("text", "html", "docx", "pdf"):
        assert render(spec, fmt) == render(spec, fmt), fmt


def test_title_replaced_by_a_portal_still_renders():
    spec = next(s for s in (generate(i, "2019") for i in range(50)) if s.options["title_style"] == "two_lines")
    other = dataclasses.replace(spec, title=f"{spec.year}年{spec.agency}政府信息公开年报")
    text = render(other, "text").decode("utf-8")
    assert text.startswith(other.title + "\n")


def test_doc_is_word_97():
    spec = generate(2, "legacy")
    data = render(spec, "doc")
    assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1") and len(data) > 10_000


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        render(generate(1, "2019"), "odt")
