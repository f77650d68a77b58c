"""Builders for the reader tests: one table spec rendered as real HTML, DOCX, PDF and DOC files.

A spec row is a list of (text, rowspan, colspan); the readers must give back exactly these cells.
"""

from __future__ import annotations

import html as html_lib
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

NUMS = [[f"{r}{c}" for c in range(7)] for r in range(8)]

# Table 三 of the 2019 format, shortened to the interesting merges; "\n" is a line break in a cell.
TABLE3 = [
    [("（勾稽\n关系）", 3, 3), ("申请人情况", 1, 7)],
    [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
    [("商业\n企业", 1, 1), ("科研\n机构", 1, 1), ("社会公益\n组织", 1, 1), ("法律服务\n机构", 1, 1), ("其他", 1, 1)],
    [("一、本年新收", 1, 3), *[(n, 1, 1) for n in NUMS[0]]],
    [("二、上年结转", 1, 3), *[(n, 1, 1) for n in NUMS[1]]],
    [("三、本年\n度办理\n结果", 5, 1), ("（一）予以公开", 1, 2), *[(n, 1, 1) for n in NUMS[2]]],
    [("（三）不\n予公开", 2, 1), ("1.国家秘密", 1, 1), *[(n, 1, 1) for n in NUMS[3]]],
    [("2.法律禁止", 1, 1), *[(n, 1, 1) for n in NUMS[4]]],
    [("（四）无法\n提供", 1, 1), ("1.不掌握", 1, 1), *[(n, 1, 1) for n in NUMS[5]]],
    [("（七）总计", 1, 2), *[(n, 1, 1) for n in NUMS[6]]],
    [("四、结转下年度", 1, 3), *[(n, 1, 1) for n in NUMS[7]]],
]
WIDTH = 10


def spec_rows(spec):
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in spec]


def cells_of(table):
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in table.rows]


def slots(spec):
    """(row, col, rowspan, colspan, text) of every spec cell, placed on the grid."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(spec):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, rs, cs, text))
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            c += cs
    return out


def html_table(spec) -> str:
    rows = []
    for row in spec:
        tds = []
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            tds.append(f"<td{attrs}>" + "<br/>".join(html_lib.escape(x) for x in text.split("\n")) + "</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return '<table border="1" cellspacing="0">\n' + "\n".join(rows) + "\n</table>"


def docx_add_table(document, spec, width=WIDTH):
    from docx.shared import Cm

    table = document.add_table(rows=len(spec), cols=width)
    table.style = "Table Grid"
    table.autofit = False
    for row in table.rows:
        for cell in row.cells:
            cell.width = Cm(1.5)
    for r, c, rs, cs, text in slots(spec):
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text  # python-docx writes "\n" as <w:br/>
    return table


def make_docx(blocks, title=None) -> bytes:
    """blocks: str paragraphs and table specs (lists), in order."""
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            docx_add_table(document, block)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_pdf(blocks, repeat_rows=0, font_size=7) -> bytes:
    """blocks: str paragraphs, table specs, or "PAGEBREAK". Ruled tables with real spans (reportlab)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Table as RLTable

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    style = ParagraphStyle("body", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    story = []
    for block in blocks:
        if block == "PAGEBREAK":
            story.append(PageBreak())
        elif isinstance(block, str):
            story.append(Paragraph(html_lib.escape(block), style))
        else:
            width = max(c + cs for _r, c, _rs, cs, _t in slots(block))
            data = [[""] * width for _ in block]
            commands = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONTNAME", (0, 0), (-1, -1), font),
                        ("FONTSIZE", (0, 0), (-1, -1), font_size), ("LEADING", (0, 0), (-1, -1), font_size + 2),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            for r, c, rs, cs, text in slots(block):
                data[r][c] = text
                if rs > 1 or cs > 1:
                    commands.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
            story.append(RLTable(data, colWidths=[46] * width, style=TableStyle(commands), repeatRows=repeat_rows))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title="测试年报").build(story)
    return buf.getvalue()


LONG_PARAGRAPH = ("本年度，我局认真贯彻落实《中华人民共和国政府信息公开条例》和上级部署，坚持以公开为常态、"
                  "不公开为例外，全面推进决策、执行、管理、服务、结果公开，主动回应社会关切，取得了明显成效。")


def _soffice_convert(data: bytes, target: str) -> bytes:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    with tempfile.TemporaryDirectory() as work:
        src = Path(work, "report.docx")
        src.write_bytes(data)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work}/profile",
                        "--convert-to", target, "--outdir", work, str(src)],
                       capture_output=True, timeout=180, check=False)
        out = Path(work, f"report.{target}")
        if not out.exists():
            pytest.fail(f"LibreOffice did not produce a .{target}")
        return out.read_bytes()


@pytest.fixture(scope="session")
def soffice_pdf():
    """A PDF exported by LibreOffice (embedded Noto CJK subset fonts, Writer table rulings)."""
    return _soffice_convert(make_docx(["一、总体情况", LONG_PARAGRAPH, TABLE3, "四、复议诉讼"]), "pdf")


@pytest.fixture(scope="session")
def soffice_doc():
    """A real .doc made by LibreOffice from a DOCX with TABLE3 (session-scoped: soffice is slow)."""
    return _soffice_convert(make_docx(["一、总体情况", "本年度情况如下。", TABLE3, "四、复议诉讼"]), "doc")


@pytest.fixture
def build():
    """The builders, for tests (conftest functions cannot be imported under importlib mode)."""

    class Builders:
        TABLE3 = TABLE3
        LONG_PARAGRAPH = LONG_PARAGRAPH
        spec_rows = staticmethod(spec_rows)
        cells_of = staticmethod(cells_of)
        html_table = staticmethod(html_table)
        make_docx = staticmethod(make_docx)
        make_pdf = staticmethod(make_pdf)
        docx_add_table = staticmethod(docx_add_table)

    return Builders
