"""Format sniffing from bytes, names and content types; DOC and WPS through LibreOffice."""

import io
import zipfile

import pytest

from parsers.errors import UnreadableDocument
from parsers.readers import doc, read_document
from parsers.readers.detect import sniff

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_STREAM = "WordDocument".encode("utf-16-le")


def test_magic_numbers_win_over_names(build):
    assert sniff(b"%PDF-1.4\n...", filename="report.doc") == "pdf"
    assert sniff(b"\r\n%PDF-1.7 junk before the header") == "pdf"
    assert sniff(build.make_docx(["正文"]), filename="report.pdf") == "docx"
    assert sniff(OLE + b"\x00" * 100 + WORD_STREAM) == "doc"
    assert sniff(b"{\\rtf1\\ansi hello}", filename="a.doc") == "doc"


def test_doc_versus_wps_by_name_content_type_and_streams():
    word = OLE + b"\x00" * 100 + WORD_STREAM
    assert sniff(word, filename="2020年报.wps") == "wps"
    assert sniff(word, content_type="application/kswps") == "wps"
    assert sniff(word, filename="x.bin", content_type="application/msword") == "doc"
    works = OLE + b"\x00" * 100 + "MatOST".encode("utf-16-le")
    assert sniff(works) == "wps"


def test_html_sniffed_even_under_office_names():
    # Word "web page" files saved with a .doc name are common on old portals.
    page = '<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><p>年报</p></body></html>'
    assert sniff(page.encode("gbk"), filename="nb.doc") == "html"
    assert sniff(b"\xef\xbb\xbf  <!DOCTYPE html><html></html>") == "html"
    assert sniff(b'<?xml version="1.0"?><!DOCTYPE html><html></html>') == "html"
    assert sniff("<div class='TRS_Editor'>正文</div>".encode("gb18030")) == "html"


def test_text_and_fallbacks():
    assert sniff("一、总体情况\n\t0\n".encode("gb18030")) == "text"
    assert sniff("一、总体情况".encode(), filename="a.txt") == "text"
    assert sniff(b"plain words", content_type="text/html; charset=utf-8") == "html"
    assert sniff(bytes(range(256)), filename="scan.pdf") == "pdf"  # junk: the PDF reader says why
    assert sniff(b"") == "text"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<x/>")
    assert sniff(buf.getvalue()[:40]) == "docx"  # truncated zip: member name in the local header


def test_doc_made_by_libreoffice_reads_back_exact_table(build, soffice_doc):
    got = read_document(soffice_doc, filename="report.doc")
    assert got.format == "doc"
    assert got.paragraphs == ["一、总体情况", "本年度情况如下。", "四、复议诉讼"]
    assert build.cells_of(got.tables[0]) == build.TABLE3
    as_wps = read_document(soffice_doc, filename="report.wps")
    assert as_wps.format == "wps"
    assert build.cells_of(as_wps.tables[0]) == build.TABLE3


def test_truncated_doc_is_unreadable(soffice_doc):
    with pytest.raises(UnreadableDocument, match="not a readable DOC|LibreOffice could not convert"):
        doc.read(soffice_doc[: len(soffice_doc) // 2])


def test_pdf_exported_by_libreoffice_with_embedded_cjk_font(build, soffice_pdf):
    got = read_document(soffice_pdf, filename="report.pdf")
    assert got.format == "pdf" and got.issues == []
    # The wrapped paragraph comes back as one paragraph.
    assert got.paragraphs == ["一、总体情况", build.LONG_PARAGRAPH, "四、复议诉讼"]
    assert len(got.tables) == 1
    cells = build.cells_of(got.tables[0])
    # Spans exact; texts equal up to the soft wraps of narrow PDF cells (a PDF keeps only visual lines).
    assert [[(t.replace("\n", ""), rs, cs) for t, rs, cs in row] for row in cells] == [
        [(t.replace("\n", ""), rs, cs) for t, rs, cs in row] for row in build.TABLE3]
    assert cells[2][0] == ("商业\n企业", 1, 1)
