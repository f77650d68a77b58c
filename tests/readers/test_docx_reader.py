"""DOCX reader details: breaks, cell paragraphs, nested tables, tracked changes, text boxes, gridBefore."""

import io
import re
import zipfile

import docx as python_docx

from parsers.readers import docx


def _save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _patch_xml(data: bytes, fn) -> bytes:
    """Rewrite word/document.xml through ``fn`` (for markup python-docx cannot write)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info)
            if info.filename == "word/document.xml":
                payload = fn(payload.decode("utf-8")).encode("utf-8")
            dst.writestr(info, payload)
    return out.getvalue()


def test_breaks_and_paragraphs_inside_cells_and_body():
    d = python_docx.Document()
    p = d.add_paragraph("一、总体情况")
    p.add_run().add_break()
    p.add_run("（一）主动公开")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "本年新\n制作数量"
    cell = t.cell(0, 1)
    cell.text = "第一段"
    cell.add_paragraph("")
    cell.add_paragraph("第二段")
    doc = docx.read(_save(d))
    assert doc.blocks[:2] == ["一、总体情况", "（一）主动公开"]
    assert [c.text for c in doc.tables[0].rows[0]] == ["本年新\n制作数量", "第一段\n第二段"]


def test_nested_small_table_flattened_and_wrapper_table_unwrapped(build):
    d = python_docx.Document()
    d.add_paragraph("前言")
    outer = d.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "项目"
    outer.cell(1, 0).text = "合计"
    outer.cell(1, 1).text = "3"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "甲"
    inner.cell(0, 1).text = "乙"
    frame = d.add_table(rows=1, cols=1)  # a one-cell frame around the real content
    frame.cell(0, 0).text = "三、收到和处理政府信息公开申请情况"
    build.docx_add_table(frame.cell(0, 0), build.TABLE3)
    doc = docx.read(_save(d))
    assert [type(b).__name__ for b in doc.blocks] == ["str", "Table", "str", "Table"]
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [["项目", "甲 乙"], ["合计", "3"]]
    assert doc.blocks[2] == "三、收到和处理政府信息公开申请情况"
    assert build.cells_of(doc.tables[1]) == build.TABLE3


def test_deleted_text_field_codes_and_text_boxes():
    d = python_docx.Document()
    d.add_paragraph("保留")
    d.add_paragraph("尾")

    def edit(xml: str) -> str:
        deleted = '<w:del w:id="1" w:author="a"><w:r><w:delText>删除的</w:delText></w:r></w:del>'
        field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
                 '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        box = ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
               '<mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p>'
               '</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>'
               '<w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>')
        return xml.replace("<w:t>保留</w:t></w:r>", f"<w:t>保留</w:t></w:r>{deleted}{field}{box}", 1)

    doc = docx.read(_patch_xml(_save(d), edit))
    assert doc.blocks == ["保留7", "文本框", "尾"]


def test_grid_before_keeps_columns_aligned_and_vmerge_without_restart():
    d = python_docx.Document()
    t = d.add_table(rows=2, cols=3)
    for r in range(2):
        for c in range(3):
            t.cell(r, c).text = f"{r}{c}"
    data = _save(d)

    def edit(xml: str) -> str:
        # Row 2 skips its first grid column (gridBefore=1) and drops that cell; a stray vMerge
        # continue with nothing above it in row 1 must read as an ordinary cell.
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", xml, flags=re.S)
        first = rows[0].replace("<w:tcPr>", "<w:tcPr><w:vMerge/>", 1)
        second = re.sub(r"<w:tc>.*?</w:tc>", "", rows[1], count=1, flags=re.S)
        second = second.replace("<w:tr>", "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>", 1)
        if second == rows[1]:
            second = re.sub(r"(<w:tr[^>]*>)", r'\1<w:trPr><w:gridBefore w:val="1"/></w:trPr>', second, count=1)
        return xml.replace(rows[0], first).replace(rows[1], second)

    doc = docx.read(_patch_xml(data, edit))
    rows = [[(c.text, c.rowspan, c.colspan) for c in row] for row in doc.tables[0].rows]
    assert rows == [[("00", 1, 1), ("01", 1, 1), ("02", 1, 1)], [("", 1, 1), ("11", 1, 1), ("12", 1, 1)]]
    assert [c.text if c else None for c in doc.tables[0].grid()[1]] == ["", "11", "12"]
