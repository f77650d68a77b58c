"""Bad input never raises a traceback: UnreadableDocument with a reason, or a Document with issues."""

import io
import os
import struct
import zipfile

import pytest

from parsers.errors import ConverterMissing, UnreadableDocument
from parsers.readers import doc, docx, html, limits, pdf, read_document


@pytest.mark.parametrize("reader", [html.read, docx.read, pdf.read, doc.read, read_document])
def test_empty_file(reader):
    with pytest.raises(UnreadableDocument, match="empty file"):
        reader(b"")


def test_binary_junk_has_no_format():
    junk = bytes(range(256)) * 40
    with pytest.raises(UnreadableDocument, match="binary data of no known format"):
        read_document(junk)
    with pytest.raises(UnreadableDocument, match="not a readable PDF"):
        read_document(junk, filename="report.pdf")
    with pytest.raises(UnreadableDocument, match="not a readable DOCX"):
        read_document(junk, "docx")
    with pytest.raises(UnreadableDocument, match="no OLE2 or RTF header"):
        read_document(junk, filename="report.doc")


def test_truncated_and_corrupt_docx(build):
    data = build.make_docx(["正文", build.TABLE3])
    with pytest.raises(UnreadableDocument, match="DOCX"):
        docx.read(data[: len(data) // 2])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>unclosed")
    with pytest.raises(UnreadableDocument, match="not well-formed XML"):
        docx.read(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnreadableDocument, match="no word/document.xml"):
        read_document(buf.getvalue())


def test_zip_bomb_posing_as_docx_is_refused_without_inflating_it():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<" + b" " * (limits.MAX_ZIP_MEMBER_BYTES + 10) + b"/>")
    data = buf.getvalue()
    assert len(data) < 200_000  # ~64 MB of spaces deflates to a small file
    with pytest.raises(UnreadableDocument, match="word/document.xml declares"):
        read_document(data)


def test_zip_member_lying_about_its_size_is_refused():
    buf = io.BytesIO()
    payload = b'<?xml version="1.0"?>' + b"<x>" + b"a" * 5_000_000 + b"</x>"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", payload)
    data = bytearray(buf.getvalue())
    # Patch the declared uncompressed size in the central directory to 100 bytes.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24: cd + 28] = struct.pack("<I", 100)
    with pytest.raises(UnreadableDocument):
        docx.read(bytes(data))


def test_truncated_and_garbled_pdf(build):
    data = build.make_pdf(["正文段落", build.TABLE3])
    try:
        got = pdf.read(data[: len(data) // 3])
    except UnreadableDocument as e:
        assert "PDF" in str(e)
    else:  # pdfium may rebuild a damaged file: then it must at least be a Document
        assert got.format == "pdf"
    with pytest.raises(UnreadableDocument, match="not a readable PDF"):
        pdf.read(b"%PDF-1.7\n" + os.urandom(2000))


def test_long_pdf_is_capped_with_an_issue():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(300):
        c.drawString(72, 720, f"page {i + 1} body text")
        c.showPage()
    c.save()
    got = pdf.read(buf.getvalue())
    assert got.issues == [{"rule": "parse.pages_skipped", "severity": "warning",
                           "message": "only the first 60 of 300 pages were read"}]
    assert got.paragraphs[0] == "page 1 body text"
    assert got.paragraphs[-1] == "page 60 body text"
    assert len(got.paragraphs) == 60


def test_pdf_with_tables_as_images_reports_no_text():
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (400, 200), "white")
    for x in range(0, 400, 40):  # a drawn grid: a "table" that is only pixels
        for y in range(200):
            img.putpixel((x, y), (0, 0, 0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(img), 72, 500, width=400, height=200)
    c.showPage()
    c.save()
    got = pdf.read(buf.getvalue())
    assert got.blocks == []
    assert [i["rule"] for i in got.issues] == ["parse.no_text"]
    assert got.issues[0]["severity"] == "error"


def test_html_that_is_binary_garbage_still_reads_or_says_why():
    data = b"<html><body><p>" + bytes(range(128, 256)) * 10 + b"</p></body></html>"
    got = html.read(data)
    assert got.format == "html"
    assert len(got.paragraphs) == 1


def test_doc_reader_without_libreoffice_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no soffice to be found
    with pytest.raises(ConverterMissing, match="LibreOffice \\(soffice\\) is not installed"):
        doc.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "WordDocument".encode("utf-16-le"))


def test_damaged_ole_file_is_not_imported_as_text():
    with pytest.raises(UnreadableDocument, match="without a word-processing stream"):
        doc.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000))


def test_pdf_page_of_grid_paper_is_not_searched_for_tables():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 800, "grid paper")
    for i in range(160):  # 160 x 160 rulings: a pattern, not a table
        c.line(20, 20 + i * 5, 820, 20 + i * 5)
        c.line(20 + i * 5, 20, 20 + i * 5, 820)
    c.showPage()
    c.save()
    got = pdf.read(buf.getvalue())
    assert got.tables == []
    assert got.paragraphs == ["grid paper"]
    assert [i["rule"] for i in got.issues] == ["parse.pdf_tables"]
    assert "160 x 160 rulings" in got.issues[0]["message"]


def test_pdf_table_drawn_inside_a_form_xobject_is_read_by_the_pdfplumber_fallback():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.beginForm("grid")
    for y in (700, 680, 660):
        c.line(100, y, 300, y)
    for x in (100, 200, 300):
        c.line(x, 660, x, 700)
    c.endForm()
    c.doForm("grid")
    c.setFont("STSong-Light", 10)
    c.drawString(110, 686, "自然人")
    c.drawString(210, 686, "总计")
    c.drawString(110, 666, "3")
    c.drawString(210, 666, "5")
    c.showPage()
    c.save()
    got = pdf.read(buf.getvalue())
    assert [[(x.text, x.rowspan, x.colspan) for x in row] for row in got.tables[0].rows] == [
        [("自然人", 1, 1), ("总计", 1, 1)], [("3", 1, 1), ("5", 1, 1)]]


def test_page_shown_rotated_reads_upright():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    width, height = 595, 842
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.setPageRotation(90)  # a landscape table page made by turning a portrait page
    c.transform(0, 1, -1, 0, width, 0)  # draw in the displayed (landscape) coordinates
    c.setFont("STSong-Light", 12)
    c.drawString(100, 540, "三、收到和处理政府信息公开申请情况")
    for y in (500, 480, 460):
        c.line(100, y, 400, y)
    for x in (100, 250, 400):
        c.line(x, 460, x, 500)
    c.setFont("STSong-Light", 10)
    for x, y, text in ((110, 486, "自然人"), (260, 486, "总计"), (110, 466, "3"), (260, 466, "5")):
        c.drawString(x, y, text)
    c.drawString(100, 400, "四、行政复议")
    c.showPage()
    c.save()
    got = pdf.read(buf.getvalue())
    assert got.issues == []
    assert got.paragraphs == ["三、收到和处理政府信息公开申请情况", "四、行政复议"]
    assert [[(x.text, x.rowspan, x.colspan) for x in row] for row in got.tables[0].rows] == [
        [("自然人", 1, 1), ("总计", 1, 1)], [("3", 1, 1), ("5", 1, 1)]]
