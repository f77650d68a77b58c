"""DOCX with python-docx: real merges (gridSpan / vMerge), an East Asian font, headings as paragraphs."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from replica.render.layout import LTable, Para, build
from replica.reports import ReportSpec

CJK_FONT = "宋体"


def _set_east_asian(font_element, name: str) -> None:
    rpr = font_element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _write_lines(paragraph, text: str, bold: bool = False, size: float | None = None) -> None:
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if i:
            run.add_break()
        run.text = line
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        _set_east_asian(run._element, CJK_FONT)


def _table(doc, table: LTable) -> None:
    t = doc.add_table(rows=len(table.rows), cols=table.ncols)
    t.style = "Table Grid"
    cells = t._cells  # flat list, row-major: far faster than t.cell(r, c) in a loop
    n = table.ncols
    for r, line in enumerate(table.positions()):
        for c, cell in line:
            target = cells[r * n + c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(cells[(r + cell.rowspan - 1) * n + c + cell.colspan - 1])
            p = target.paragraphs[0]
            if cell.key is not None or not cell.header:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _write_lines(p, cell.text, size=9)


def render_docx(spec: ReportSpec, style: str | None = None) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    _set_east_asian(normal.element, CJK_FONT)
    doc.core_properties.title = spec.title
    doc.core_properties.author = spec.agency
    for block in build(spec, "docx", style):
        if isinstance(block, LTable):
            _table(doc, block)
            doc.add_paragraph()
            continue
        assert isinstance(block, Para)
        p = doc.add_paragraph()
        if block.kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _write_lines(p, block.text, bold=True, size=18)
        elif block.kind in ("heading", "subheading"):
            _write_lines(p, block.text, bold=True)
        elif block.kind == "signature":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _write_lines(p, block.text)
        else:
            p.paragraph_format.first_line_indent = Pt(22)
            _write_lines(p, block.text)
    when = dt.datetime(spec.published.year, spec.published.month, spec.published.day, 9, 0)
    doc.core_properties.created = doc.core_properties.modified = when
    doc.core_properties.last_printed = when
    out = io.BytesIO()
    doc.save(out)
    return _fixed_times(out.getvalue(), when)


def _fixed_times(data: bytes, when: dt.datetime) -> bytes:
    """Zip entries stamped with the report's date instead of now: same spec, same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
