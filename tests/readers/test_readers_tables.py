"""The same merged table, rendered by real libraries as HTML, DOCX and PDF, comes back cell for cell."""

from parsers.readers import docx, html, pdf, read_document


def test_html_table_exact_cells_and_grid(build):
    page = ("<html><body><div id='zoom'><p>三、收到和处理政府信息公开申请情况</p>"
            + build.html_table(build.TABLE3) + "<p>四、复议诉讼</p></div></body></html>")
    doc = html.read(page.encode("utf-8"))
    assert doc.format == "html"
    assert [type(b).__name__ for b in doc.blocks] == ["str", "Table", "str"]
    table = doc.tables[0]
    assert build.cells_of(table) == build.TABLE3
    grid = table.grid()
    assert len(grid) == 11 and all(len(line) == 10 for line in grid)
    assert grid[2][3].text == "自然人" and grid[2][4].text == "商业\n企业"
    assert grid[7][0].text == "三、本年\n度办理\n结果"  # rowspan 5 from row 5 covers row 7
    assert grid[9][2].text == "（七）总计"
    assert [c.text for c in grid[10][3:]] == ["70", "71", "72", "73", "74", "75", "76"]


def test_docx_table_exact_cells_in_body_order(build):
    data = build.make_docx(["一、总体情况", "正文。", build.TABLE3, "四、复议诉讼"], title="某局2020年年报")
    doc = docx.read(data)
    assert doc.format == "docx"
    assert doc.title_hint == "某局2020年年报"
    assert doc.blocks[:2] == ["一、总体情况", "正文。"]
    assert doc.blocks[3] == "四、复议诉讼"
    assert build.cells_of(doc.blocks[2]) == build.TABLE3


def test_pdf_table_exact_cells_spans_from_ruling_lines(build):
    data = build.make_pdf(["三、收到和处理政府信息公开申请情况", build.TABLE3, "四、复议诉讼"])
    doc = pdf.read(data)
    assert doc.format == "pdf"
    assert doc.paragraphs == ["三、收到和处理政府信息公开申请情况", "四、复议诉讼"]
    assert len(doc.tables) == 1
    assert doc.tables[0].page == 1
    assert build.cells_of(doc.tables[0]) == build.TABLE3
    assert doc.title_hint == "测试年报"


def test_pdf_table_continued_over_page_break_without_header(build):
    long_rows = [[(f"第{i}项", 1, 1), (str(i), 1, 1), (str(i * 2), 1, 1)] for i in range(70)]
    spec = [[("项目", 1, 1), ("本年", 1, 1), ("上年", 1, 1)], *long_rows]
    doc = pdf.read(build.make_pdf(["表格如下", spec, "表后文字"], font_size=9))
    assert len(doc.tables) == 1, [t.page for t in doc.tables]
    assert doc.tables[0].page == 1
    assert build.cells_of(doc.tables[0]) == spec
    assert doc.paragraphs == ["表格如下", "表后文字"]


def test_pdf_table_continued_with_repeated_header_drops_the_repeat(build):
    header = [("项目", 1, 1), ("本年", 1, 1), ("上年", 1, 1)]
    spec = [header, *[[(f"第{i}项", 1, 1), (str(i), 1, 1), ("0", 1, 1)] for i in range(70)]]
    doc = pdf.read(build.make_pdf([spec], repeat_rows=1, font_size=9))
    assert len(doc.tables) == 1
    assert build.cells_of(doc.tables[0]) == spec


def test_pdf_new_table_after_caption_on_next_page_is_not_joined(build):
    spec = [[("a", 1, 1), ("b", 1, 1)], [("1", 1, 1), ("2", 1, 1)]]
    doc = pdf.read(build.make_pdf([spec, "PAGEBREAK", "二、下一个表", spec]))
    assert len(doc.tables) == 2
    assert [t.page for t in doc.tables] == [1, 2]
    assert [type(b).__name__ for b in doc.blocks] == ["Table", "str", "Table"]


def test_read_document_sniffs_each_format(build):
    docx_bytes = build.make_docx(["正文", build.TABLE3])
    assert read_document(docx_bytes).format == "docx"
    assert read_document(build.make_pdf(["正文", build.TABLE3])).format == "pdf"
    page = "<!DOCTYPE html><html><body><p>正文</p>" + build.html_table(build.TABLE3) + "</body></html>"
    doc = read_document(page.encode("gb18030"), filename="nb.html", content_type="text/html; charset=GBK")
    assert doc.format == "html" and doc.paragraphs == ["正文"]
    assert build.cells_of(doc.tables[0]) == build.TABLE3


def test_pdf_rulings_drawn_as_thin_filled_rectangles():
    """Word's PDF export draws borders as 0.5 pt filled rectangles, cell by cell."""
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    xs, ys = (100, 180, 260, 340), (700, 680, 660)
    for y in ys:
        for x0, x1 in zip(xs, xs[1:], strict=False):
            c.rect(x0, y - 0.25, x1 - x0, 0.5, stroke=0, fill=1)
    for x in xs:
        for y0, y1 in zip(ys[1:], ys, strict=False):
            if not (x == 180 and y1 == 700):  # no ruling between the first two header cells: a colspan
                c.rect(x - 0.25, y0, 0.5, y1 - y0, stroke=0, fill=1)
    c.drawString(110, 686, "head")
    c.drawString(270, 686, "total")
    for x, text in ((110, "1"), (190, "2"), (270, "3")):
        c.drawString(x, 666, text)
    c.showPage()
    c.save()
    doc = pdf.read(buf.getvalue())
    assert [[(x.text, x.rowspan, x.colspan) for x in row] for row in doc.tables[0].rows] == [
        [("head", 1, 2), ("total", 1, 1)], [("1", 1, 1), ("2", 1, 1), ("3", 1, 1)]]
