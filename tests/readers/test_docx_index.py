"""The DOCX reader's one-pass index (paragraph texts, cell spans, cell paragraphs) must read exactly
what the element-by-element walk reads: same blocks on generated reports and on odd markup."""

import io
import zipfile

import pytest
from lxml import etree

from parsers.readers import docx
from replica.render import render
from replica.reports import generate

W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
     'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')
ODD = [
    # tab stops in the paragraph properties are not tabs
    '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t></w:r></w:p>',
    '<w:p><w:r><w:sym w:char="F0FC"/><w:sym w:char="zz"/><w:noBreakHyphen/><w:t xml:space="preserve"> a </w:t>'
    '<w:br/><w:t>b</w:t><w:cr/></w:r></w:p>',
    '<w:p><w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:fldSimple><w:r><w:t>域</w:t></w:r></w:fldSimple>'
    '<w:r><w:instrText>HYPER</w:instrText></w:r></w:p>',
    '<w:p><w:ins><w:r><w:t>插入</w:t></w:r></w:ins><w:del><w:r><w:tab/><w:delText>删</w:delText></w:r></w:del>'
    '<w:r><w:t>尾</w:t></w:r></w:p>',
    '<w:p><w:moveFrom><w:r><w:t>移走</w:t></w:r></w:moveFrom><w:moveTo><w:r><w:t>移来</w:t></w:r></w:moveTo></w:p>',
    # a text box (read once, from mc:Choice), a text element inside a text element, a paragraph and
    # a table inside a paragraph, a run outside any paragraph
    '<w:p><w:r><w:t>前</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
    '<w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>'
    '<w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
    '<w:r><w:t>后</w:t></w:r></w:p>',
    '<w:p><w:r><w:t>外</w:t><w:t>层<w:t>内</w:t></w:t></w:r><w:p><w:r><w:t>嵌套</w:t></w:r></w:p>'
    '<w:tbl><w:tr><w:tc><w:r><w:t>怪</w:t></w:r></w:tc></w:tr></w:tbl></w:p><w:r><w:t>游离</w:t></w:r>',
    # spans: a second tcPr (ignored), a tracked property change (ignored), a bad gridSpan, hMerge
    '<w:tbl><w:tr><w:tc><w:tcPr><w:tcW/></w:tcPr><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>'
    '<w:tc><w:tcPr><w:vMerge w:val="restart"/><w:gridSpan w:val="x"/></w:tcPr><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr>'
    '<w:tr><w:tc><w:tcPr><w:tcPrChange><w:tcPr><w:gridSpan w:val="3"/></w:tcPr></w:tcPrChange><w:gridSpan w:val="2"/></w:tcPr>'
    '<w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>'
    '<w:tr><w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>d</w:t><w:br/><w:t>d2</w:t></w:r></w:p></w:tc>'
    '<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p><w:r><w:t>e</w:t></w:r></w:p></w:tc>'
    '<w:tc><w:sdt><w:sdtContent><w:p><w:r><w:t>f</w:t></w:r></w:p></w:sdtContent></w:sdt></w:tc></w:tr></w:tbl>',
]


def _body(data: bytes):
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    root = etree.fromstring(xml, docx._XML_PARSER)
    names = docx._Names(docx.W_NS)
    return root.find(names.body), names


def _read(data: bytes, indexed: bool) -> list:
    body, names = _body(data)
    reader = docx._Reader(names)
    if indexed:
        reader.index_paragraphs(body)
    reader.blocks_of(body, reader.blocks)
    return [b if isinstance(b, str) else [[(c.text, c.rowspan, c.colspan) for c in row] for row in b.rows]
            for b in reader.blocks]


def _docx(body_xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
                                        f"{body_xml}</w:body></w:document>")
    return buf.getvalue()


def test_odd_markup_reads_the_same_with_and_without_the_index():
    data = _docx("".join(ODD))
    blocks = _read(data, indexed=True)
    assert blocks == _read(data, indexed=False)
    assert blocks[:8] == ["甲\t乙", "ü- a", "b", "链接域", "插入尾", "移来", "前后", "框内"]
    assert blocks[8] == "外层"
    assert blocks[9] == [[("a", 1, 1), ("b", 1, 1)], [("c", 1, 2), ("", 1, 1)], [("d\nd2", 1, 2), ("f", 1, 1)]]


@pytest.mark.parametrize("seed,template", [(0, "2019"), (1, "2021"), (2, "legacy"), (3, "2019_legacy")])
def test_generated_reports_read_the_same_with_and_without_the_index(seed, template):
    data = render(generate(seed, template), "docx")
    indexed = _read(data, indexed=True)
    assert indexed == _read(data, indexed=False)
    assert sum(isinstance(b, list) for b in indexed) >= 3
