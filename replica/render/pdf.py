"""PDF with reportlab: embedded CJK TrueType font, ruled tables (grid lines pdfplumber can find).

Noto CJK ships CFF outlines that reportlab cannot embed, so a TrueType CJK font is required
(fonts-wqy-zenhei in scripts/setup.sh; other TrueType CJK fonts are tried too). Tables may run
over a page break, as in real reports.
"""

from __future__ import annotations

import glob
import io
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from replica.render.layout import LTable, Para, build
from replica.reports import ReportSpec

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT = "ReplicaCJK"


class NoCJKFont(RuntimeError):
    pass


@cache
def _register_font() -> str:
    paths = list(FONT_CANDIDATES) + sorted(glob.glob("/usr/share/fonts/truetype/**/*.tt[fc]", recursive=True))
    for path in paths:
        try:
            pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
        except Exception:  # not there, or no CJK glyphs / CFF outlines: try the next one
            continue
        if pdfmetrics.getFont(FONT).face.charToGlyph.get(ord("政")):
            return path
    raise NoCJKFont("no TrueType CJK font found: install fonts-wqy-zenhei (scripts/setup.sh)")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=24, alignment=TA_CENTER, firstLineIndent=0,
                                spaceAfter=6),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=20, firstLineIndent=0, spaceBefore=4),
        "subheading": ParagraphStyle("subheading", parent=base, firstLineIndent=0),
        "body": base,
        "intro": base,
        "signature": ParagraphStyle("signature", parent=base, alignment=TA_RIGHT, firstLineIndent=0),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5, wordWrap="CJK", alignment=TA_CENTER),
    }


def _markup(text: str) -> str:
    return "<br/>".join(escape(t) for t in text.split("\n"))


def _table(table: LTable, width: float, cell_style: ParagraphStyle) -> Table:
    data = [["" for _ in range(table.ncols)] for _ in table.rows]
    commands = [("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for r, line in enumerate(table.positions()):
        for c, cell in line:
            data[r][c] = Paragraph(_markup(cell.text), cell_style) if cell.text else ""
            if cell.rowspan > 1 or cell.colspan > 1:
                commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    total = sum(table.widths) or table.ncols
    widths = [width * w / total for w in (table.widths or [1] * table.ncols)]
    return Table(data, colWidths=widths, style=TableStyle(commands), splitByRow=1)


def render_pdf(spec: ReportSpec, style: str | None = None) -> bytes:
    _register_font()
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=spec.title, author=spec.agency,
                            invariant=1)  # no timestamps or random ids: same spec, same bytes
    story = []
    for block in build(spec, "pdf", style):
        if isinstance(block, LTable):
            story.append(_table(block, doc.width, styles["cell"]))
            story.append(Spacer(1, 6))
        else:
            assert isinstance(block, Para)
            story.append(Paragraph(_markup(block.text), styles.get(block.kind, styles["body"])))
    doc.build(story)
    return out.getvalue()
