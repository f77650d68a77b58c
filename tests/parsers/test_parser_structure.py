"""The text-dump reader, span inference for dumps, and mapping of span-known grids (HTML/DOCX-like
tables built in the document model), including reordered columns and merged headers."""

import pytest

from parsers.api import parse_document
from parsers.document import Cell, Document, Table
from parsers.errors import UnreadableDocument
from parsers.readers.text import read

DUMP = "标题行\n\t[bookmark: a]统计\n指标\n\t单位\n\n\t条目一\n\t\n\t[bookmark: F_1]171\n\n\n段落\n\tX\n\n"


def test_text_reader_cells_rows_tables_and_bookmarks():
    doc = read(DUMP.encode("utf-8"))
    assert doc.format == "text"
    assert doc.paragraphs == ["标题行", "段落"]
    first, second = doc.tables
    assert not first.spans_known
    assert [[c.text for c in r] for r in first.rows] == [["统计\n指标", "单位"], ["条目一", "", "171"]]
    assert [[c.text for c in r] for r in second.rows] == [["X"]]


def test_two_blank_lines_end_a_table():
    doc = read(b"\tA\n\n\n\tB\n\n")
    assert len(doc.tables) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030"])
def test_text_encodings(encoding):
    doc = read(DUMP.encode(encoding))
    assert doc.paragraphs[0] == "标题行"
    assert doc.tables[0].rows[1][2].text == "171"
    assert not doc.issues


def test_undecodable_bytes_are_an_issue_not_a_crash():
    doc = read("标题".encode() + b"\xff\xfe\xfd\x80 tail\n")
    assert doc.issues and doc.issues[0]["rule"] == "parse.encoding"


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\x00\x01\x02\x03" * 50])
def test_unreadable_input_raises(data):
    with pytest.raises(UnreadableDocument):
        read(data)


def C(text, rs=1, cs=1):
    return Cell(text, rowspan=rs, colspan=cs)


APPLICANTS_ZH = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def requests_grid(order=None):
    """Table 三 with real spans; ``order``: a permutation of the 7 applicant columns."""
    order = order or list(range(7))
    names = [APPLICANTS_ZH[i] for i in order]
    legal_first = next(i for i, n in enumerate(names) if n in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"))
    # header: note (3x3) | 申请人情况 (7); then singles span 2 rows, the 5 legal-person columns under one group
    row1 = [C("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), C("申请人情况", 1, 7)]
    row2, row3 = [], []
    legal = [n for n in names if n in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]
    assert names[legal_first:legal_first + 5] == legal, "the 5 legal-person columns must stay together"
    for i, n in enumerate(names):
        if n in legal:
            if i == legal_first:
                row2.append(C("法人或其他组织", 1, 5))
            row3.append(C(n))
        else:
            row2.append(C(n, 2, 1))

    def nums(base):
        return [C(str(base + order[i])) for i in range(7)]  # value = base + canonical column index

    rows = [row1, row2, row3,
            [C("一、本年新收政府信息公开申请数量", 1, 3), *nums(100)],
            [C("二、上年结转政府信息公开申请数量", 1, 3), *nums(200)],
            [C("三、本\n年\n度\n办\n理\n结\n果", 3, 1), C("（一）予以公开", 1, 2), *nums(300)],
            [C("（三）不予公开", 2, 1), C("1.属于国家秘密"), *nums(400)],
            [C("2.其他法律行政法规禁止公开"), *nums(500)],
            [C("四、结转下年度继续办理", 1, 3), *nums(600)]]
    return Table(rows=rows)


ROW_BASES = {"new_received": 100, "carried_over": 200, "granted": 300, "withheld_state_secret": 400,
             "withheld_law_prohibited": 500, "carried_forward": 600}
CANON = ["natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total"]


@pytest.mark.parametrize("order", [None, [6, 0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 0, 6]])
def test_requests_grid_columns_from_header(order):
    out = parse_document(Document(blocks=[requests_grid(order)], format="html"))
    v = {x["key"]: x["value"] for x in out["values"]}
    for row, base in ROW_BASES.items():
        for i, a in enumerate(CANON):
            assert v[f"requests.{row}.{a}"] == base + i, (row, a)
    assert len(v) == 6 * 7


def test_requests_text_dump_span_inference():
    """Leading empty cells stand for the label above; the last 7 cells are the applicants."""
    rows = [["三、本年度办理结果", "（一）予以公开"] + ["1"] * 7,
            ["", "（三）不予公开", "1.属于国家秘密"] + ["2"] * 7,
            ["", "", "2.其他法律行政法规禁止公开"] + ["3"] * 7,
            ["", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"] + ["4"] * 7,
            ["", "", "3.其他"] + ["5"] * 7,
            ["", "（七）总计"] + ["6"] * 7,
            ["四、结转下年度继续办理"] + ["7"] * 6 + [""]]
    t = Table(rows=[[Cell(x) for x in r] for r in rows], spans_known=False)
    out = parse_document(Document(blocks=[t], format="text"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v["requests.granted.research"] == 1
    assert v["requests.withheld_law_prohibited.total"] == 3
    assert v["requests.other_misc.other_org"] == 5  # "3.其他" under （六） above it
    assert v["requests.handled_total.natural_person"] == 6
    assert v["requests.carried_forward.other_org"] == 7
    assert v["requests.carried_forward.total"] is None
    cells = {x["key"]: x["cell"] for x in out["values"]}
    assert cells["requests.granted.natural_person"] == "t0r0c2"


def appeals_grid(header_in_bottom_row: bool, vertical: bool):
    o = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    if vertical:
        o = ["\n".join(x) for x in o]
    first = [C(x, 2, 1) for x in o] if header_in_bottom_row else [C(x, 2, 1) for x in o]
    rows = [[C("行政复议", 1, 5), C("行政诉讼", 1, 10)],
            [*first, C("未经复议直接起诉", 1, 5), C("复议后起诉", 1, 5)],
            [*[C(x) for x in o], *[C(x) for x in o]],
            [C(str(i)) for i in range(15)]]
    return Table(rows=rows)


@pytest.mark.parametrize("vertical", [False, True])
def test_appeals_grid(vertical):
    out = parse_document(Document(blocks=[appeals_grid(True, vertical)], format="docx"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v["appeals.review.upheld"] == 0
    assert v["appeals.review.total"] == 4
    assert v["appeals.litigation_direct.corrected"] == 6
    assert v["appeals.litigation_after_review.total"] == 14
    assert len(v) == 15


def test_appeals_grid_with_columns_in_another_order():
    """复议后起诉 printed before 未经复议直接起诉: the header decides, not the position."""
    o = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [[C("行政复议", 1, 5), C("行政诉讼", 1, 10)],
            [*[C(x, 2, 1) for x in o], C("复议后起诉", 1, 5), C("未经复议直接起诉", 1, 5)],
            [*[C(x) for x in o], *[C(x) for x in o]],
            [C(str(i)) for i in range(15)]]
    out = parse_document(Document(blocks=[Table(rows=rows)], format="html"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v["appeals.litigation_after_review.upheld"] == 5
    assert v["appeals.litigation_direct.upheld"] == 10


def test_proactive_2021_grid_with_spanning_cells_and_wan_header():
    rows = [[C("第二十条第（一）项", 1, 4)],
            [C("信息内容"), C("本年制发件数"), C("本年废止件数"), C("现行有效件数")],
            [C("规章"), C("1"), C("0"), C("3")],
            [C("行政规范性文件"), C("2"), C("1"), C("9")],
            [C("第二十条第（五）项", 1, 4)],
            [C("信息内容"), C("本年处理决定数量", 1, 3)],
            [C("行政许可"), C("88", 1, 3)],
            [C("第二十条第（八）项", 1, 4)],
            [C("信息内容"), C("本年收费金额（单位：万元）", 1, 3)],
            [C("行政事业性收费"), C("0.5", 1, 3)]]
    out = parse_document(Document(blocks=["2022年某局政府信息公开工作年度报告", Table(rows=rows)], format="html"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v == {"proactive.regulations.issued": 1, "proactive.regulations.repealed": 0,
                 "proactive.regulations.in_force": 3, "proactive.normative_documents.issued": 2,
                 "proactive.normative_documents.repealed": 1, "proactive.normative_documents.in_force": 9,
                 "proactive.licensing.decisions": 88, "proactive.fees.amount_yuan": 5000}
    assert out["metadata"]["template"] == "2021"


def test_proactive_split_into_small_tables_and_not_a_number_warning():
    blocks = [Table(rows=[[C("第二十条第（九）项", 1, 3)], [C("信息内容"), C("采购项目数量"), C("采购总金额（万元）")],
                          [C("政府集中采购"), C("3"), C("12.5")]]),
              Table(rows=[[C("信息内容"), C("上一年项目数量"), C("本年增/减"), C("处理决定数量")],
                          [C("行政许可"), C("10"), C("减（3）"), C("见附件")]])]
    out = parse_document(Document(blocks=blocks, format="html"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v["proactive.centralized_procurement.amount_yuan"] == 125000
    assert v["proactive.licensing.change"] == -3
    assert v["proactive.licensing.decisions"] is None
    warn = [i for i in out["issues"] if i["rule"] == "parse.not_a_number"]
    assert len(warn) == 1 and "proactive.licensing.decisions" in warn[0]["message"]
    assert "t1r1c3" in warn[0]["message"]
    assert out["metadata"]["template"] == "2019"


def test_unknown_table_is_kept_in_cells():
    t = Table(rows=[[C("项目"), C("数量")], [C("宣传活动"), C("12")]])
    out = parse_document(Document(blocks=[t], format="html"))
    assert out["values"] == []
    assert {"table": "t0", "row": 1, "col": 1, "row_label": "宣传活动", "col_label": "数量", "raw": "12",
            "cell": "t0r1c1"} in out["cells"]
    assert "completeness.tables" in {i["rule"] for i in out["issues"]}
    assert out["metadata"]["template"] is None


def test_reader_issues_are_passed_on():
    doc = Document(blocks=["x"], format="pdf", issues=[{"rule": "parse.ocr_needed", "severity": "warning",
                                                       "message": "no text layer"}])
    out = parse_document(doc)
    assert out["issues"][0]["rule"] == "parse.ocr_needed"
    assert out["issues"][0]["key"] is None


def test_proactive_caption_in_a_merged_first_column():
    """第二十条 blocks printed with the caption as a vertical first column beside the rows."""
    cap1 = C("第二十条第（一）项", 3, 1)
    cap5 = C("第二十条第（五）项", 2, 1)
    rows = [[cap1, C("信息内容"), C("本年新制作数量"), C("本年新公开数量"), C("对外公开总数量")],
            [C("规章"), C("1"), C("2"), C("3")],
            [C("规范性文件"), C("4"), C("5"), C("6")],
            [cap5, C("信息内容"), C("上一年项目数量"), C("本年增/减"), C("处理决定数量")],
            [C("行政许可"), C("7"), C("+8"), C("9")]]
    out = parse_document(Document(blocks=[Table(rows=rows)], format="html"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v == {"proactive.regulations.new_made": 1, "proactive.regulations.new_published": 2,
                 "proactive.regulations.total_published": 3, "proactive.normative_documents.new_made": 4,
                 "proactive.normative_documents.new_published": 5, "proactive.normative_documents.total_published": 6,
                 "proactive.licensing.prev_items": 7, "proactive.licensing.change": 8,
                 "proactive.licensing.decisions": 9}


def test_proactive_text_dump_caption_and_header_in_one_row():
    rows = [["第二十条第（六）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            ["行政处罚", "3", "减（1）", "40"],
            ["行政强制", "1", "0", "2"]]
    t = Table(rows=[[Cell(x) for x in r] for r in rows], spans_known=False)
    out = parse_document(Document(blocks=[t], format="text"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v["proactive.penalty.prev_items"] == 3
    assert v["proactive.penalty.change"] == -1
    assert v["proactive.coercion.decisions"] == 2


def test_legacy_grid_with_block_column_and_cumulative_column():
    """指标名称 spanning a block column and an item column; 本期实际 | 本年累计: the period's column."""
    rows = [[C("指标名称", 1, 2), C("计量单位"), C("本期实际"), C("本年累计")],
            [C("行政复议", 3, 1), C("行政复议数量"), C("件"), C("4"), C("9")],
            [C("维持具体行政行为数"), C("件"), C("3"), C("7")],
            [C("被依法纠错数"), C("件"), C("1"), C("2")],
            [C("举报投诉", 2, 1), C("举报投诉数量"), C("件"), C("2"), C("2")],
            [C("维持具体行政行为数"), C("件"), C("1"), C("1")],
            [C("收费", 1, 1), C("依申请公开信息收取的费用"), C("万元"), C("0.05"), C("0.1")]]
    out = parse_document(Document(blocks=[Table(rows=rows)], format="docx"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v == {"legacy.appeals.reviews": 4, "legacy.appeals.reviews_upheld": 3,
                 "legacy.appeals.reviews_corrected": 1, "legacy.appeals.complaints": 2,
                 "legacy.appeals.complaints_upheld": 1, "legacy.fees.collected_yuan": 500}
    cumulative = {c["row_label"]: c["raw"] for c in out["cells"] if c["col_label"] == "本年累计"}
    assert cumulative["行政复议数量"] == "9"
    assert out["metadata"]["template"] == "legacy"


def test_odd_tables_never_crash_the_parse():
    """Ragged rows, empty tables, giant spans, labels without numbers: issues or cells, never an exception."""
    import random

    rng = random.Random(7)
    words = ["自然人", "总计", "行政复议", "行政诉讼", "规章", "第二十条第（五）项", "信息内容", "本年增/减", "统计指标",
             "单位", "收到申请数", "（三）不予公开", "3.其他", "——", "", "12", "增（3）", "x", "1.属于国家秘密"]
    for _ in range(150):
        rows = []
        for _r in range(rng.randint(0, 12)):
            rows.append([Cell(rng.choice(words), rowspan=rng.choice([1, 1, 2, 40]), colspan=rng.choice([1, 1, 3, 30]))
                         for _c in range(rng.randint(0, 16))])
        t = Table(rows=rows, spans_known=rng.random() < 0.5)
        out = parse_document(Document(blocks=["标题", t, Table(rows=[])], format="html"))
        assert set(out) == {"metadata", "values", "cells", "issues"}
        assert not [i for i in out["issues"] if i["rule"] == "parse.table_failed"], out["issues"]


def test_requests_grid_split_with_group_in_the_first_piece():
    """Table 三 broken across two tables (a page break): the second piece's "3.其他" belongs to
    the （六） group printed in the first piece, and the columns come from the first piece's header."""
    full = requests_grid()
    first = Table(rows=full.rows[:5] + [[C("三、本年度办理结果"), C("（六）其他处理", 2, 1),
                                         C("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
                                         *[C("1") for _ in range(7)]],
                                        [C(""), C("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
                                         *[C("2") for _ in range(7)]]])
    second = Table(rows=[[C(""), C(""), C("3.其他"), *[C(str(10 + i)) for i in range(7)]],
                         [C(""), C("（七）总计", 1, 2), *[C("9") for _ in range(7)]]])
    out = parse_document(Document(blocks=[first, "（续表）", second], format="pdf"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert v["requests.other_fee_unpaid.total"] == 2
    assert v["requests.other_misc.natural_person"] == 10
    assert v["requests.other_misc.total"] == 16
    assert v["requests.handled_total.research"] == 9


def test_appeals_transposed_and_with_a_label_column():
    rows = [[C("类别", 1, 2), C("结果维持"), C("结果纠正"), C("其他结果"), C("尚未审结"), C("总计")],
            [C("行政复议", 1, 2), C("1"), C("0"), C("0"), C("1"), C("2")],
            [C("行政诉讼", 2, 1), C("未经复议直接起诉"), C("0"), C("1"), C("0"), C("0"), C("1")],
            [C("复议后起诉"), C("3"), C("0"), C("0"), C("0"), C("3")]]
    out = parse_document(Document(blocks=[Table(rows=rows)], format="html"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert len(v) == 15
    assert v["appeals.review.pending"] == 1 and v["appeals.review.total"] == 2
    assert v["appeals.litigation_direct.corrected"] == 1
    assert v["appeals.litigation_after_review.upheld"] == 3
    # the usual layout with a label cell before the 15 numbers
    o = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [[C("", 3, 1), C("行政复议", 1, 5), C("行政诉讼", 1, 10)],
            [*[C(x, 2, 1) for x in o], C("未经复议直接起诉", 1, 5), C("复议后起诉", 1, 5)],
            [*[C(x) for x in o], *[C(x) for x in o]],
            [C("件数"), *[C(str(i)) for i in range(15)]]]
    out = parse_document(Document(blocks=[Table(rows=rows)], format="html"))
    v = {x["key"]: x["value"] for x in out["values"]}
    assert len(v) == 15 and v["appeals.litigation_after_review.total"] == 14
