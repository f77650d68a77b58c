"""PDFs for the layout-class tests, drawn with the replica's own PDF pieces (reportlab, CJK font,
ruled tables): a generated report as its agency prints it, or as a browser prints the portal page
that shows it (page title and date on top of every page, URL and page count at the bottom, the
site's header, navigation, breadcrumb and 标题/来源/发布日期 table above the report, its footer below)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from replica.render.layout import LTable, Para, build
from replica.render.pdf import FONT, _markup, _register_font, _styles, _table


@dataclass
class Portal:
    """What the portal page around the report shows."""

    site: str = "沭阳县发展和改革局"
    short: str = "沭阳县发改局"  # the name in the page <title> suffix and the 来源 field
    url: str = "http://www.shuyang.gov.cn/syfgj/zfxxgkndbg/content/art_8841.html"
    printed: str = "2023/3/15 上午10:21"
    # "chrome": date + title on top, URL + n/m below (Chrome, Edge); "firefox": title + URL on top,
    # "n of m" + date below
    browser: str = "chrome"
    # the page's content box has a border drawn round the text on every page: "touching" (the report's
    # full-width tables meet it) or "padded" (they sit inside it); "" for none
    framed: str = ""
    published: str = "2023-01-20"
    # the 标题/来源 block: "cells" (label cells beside the values), "one_cell" ("标题：title" in one
    # ruled cell) or "lines" (a borderless table: plain text lines)
    meta: str = "cells"
    body_title: bool = True  # the report repeats its title under the page's heading
    heading: bool = True  # the page shows the title as its heading (else only in 标题 and <title>)
    nav: list[str] = field(
        default_factory=lambda: ["首页", "机构概况", "政务公开", "政务服务", "互动交流", "专题专栏"]
    )


def blocks_of(spec, style: str | None = None) -> list:
    return build(spec, "pdf", style)


def pdf_of(blocks: list, title: str = "", portal: Portal | None = None) -> bytes:
    """Paragraphs (Para or str) and tables (LTable) as a PDF; with ``portal``, printed by a browser."""
    _register_font()
    styles = _styles()
    small = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11)
    out = io.BytesIO()
    margin = 12 * mm if portal else 20 * mm
    # a browser sets the PDF's title to the page's <title>: the report's title and the site's name
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin + 4 * mm,
        bottomMargin=margin + 4 * mm,
        title=f"{title}-{portal.short}" if portal else title,
        invariant=1,
        showBoundary=1 if portal and portal.framed else 0,
    )
    story: list = []
    if portal:
        story += _portal_head(portal, title, styles, doc.width)
        if not portal.body_title and blocks and isinstance(blocks[0], Para) and blocks[0].kind == "title":
            blocks = blocks[1:]
    for block in blocks:
        if isinstance(block, LTable):
            padded = portal is not None and portal.framed == "padded"
            story.append(_table(block, doc.width * (0.94 if padded else 1), styles["cell"]))
            story.append(Spacer(1, 6))
        elif isinstance(block, Para):
            story.append(Paragraph(_markup(block.text), styles.get(block.kind, styles["body"])))
        else:
            story.append(Paragraph(_markup(block), styles["body"]))
    if portal:
        story += [Spacer(1, 10), Paragraph("【打印本页】　　【关闭窗口】", small), Spacer(1, 8)]
        story += [
            Paragraph(t, small)
            for t in (
                f"主办单位：{portal.site}　　承办单位：沭阳县人民政府办公室",
                "网站标识码：3213220001　　苏ICP备05008745号-1　　苏公网安备 32132202000123号",
                "地址：沭阳县人民中路1号　　联系电话：0527-83593000",
            )
        ]

    def page_chrome(canvas, document):
        if not portal:
            return
        canvas.saveState()
        canvas.setFont(FONT, 8)
        w, h = A4
        if portal.browser == "firefox":
            canvas.drawString(6 * mm, h - 6 * mm, f"{title}-{portal.short}")
            canvas.drawRightString(w - 6 * mm, h - 6 * mm, portal.url)
            canvas.drawString(6 * mm, 5 * mm, f"{document.page} of {document.page_count}")
            canvas.drawRightString(w - 6 * mm, 5 * mm, portal.printed)
        else:
            canvas.drawString(6 * mm, h - 6 * mm, portal.printed)
            canvas.drawCentredString(w / 2, h - 6 * mm, f"{title}-{portal.short}")
            canvas.drawString(6 * mm, 5 * mm, portal.url)
            canvas.drawRightString(w - 6 * mm, 5 * mm, f"{document.page}/{document.page_count}")
        canvas.restoreState()

    if portal:
        # two passes: the footer's "n/total" needs the page count
        probe = io.BytesIO()
        SimpleDocTemplate(
            probe,
            pagesize=A4,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin + 4 * mm,
            bottomMargin=margin + 4 * mm,
        ).build(list(_copy(story)))
        doc.page_count = _pages(probe.getvalue())
    doc.build(story, onFirstPage=page_chrome, onLaterPages=page_chrome)
    return out.getvalue()


def _portal_head(portal: Portal, title: str, styles: dict, width: float) -> list:
    small = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11)
    big = ParagraphStyle("site", fontName=FONT, fontSize=15, leading=20)
    label = ParagraphStyle("label", fontName=FONT, fontSize=8.5, leading=11)
    head = [
        Paragraph("无障碍　|　长者模式　|　繁体版　|　手机版　|　登录　注册", small),
        Spacer(1, 4),
        Paragraph(portal.site, big),
        Paragraph("请输入关键词　　搜索", small),
        Spacer(1, 4),
        Paragraph("　　".join(portal.nav), small),
        Spacer(1, 4),
        Paragraph("当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报", small),
        Spacer(1, 6),
    ]

    def p(text):
        return Paragraph(_markup(text), label)

    if portal.meta == "lines":
        meta = [
            Paragraph(t, label)
            for t in (
                "索引号：014106839/2023-00012　　　　分类：政府信息公开年报",
                f"标题：{title}",
                f"来源：{portal.short}　　　　发布日期：{portal.published}",
            )
        ]
        return [*head, *meta, Spacer(1, 10), Paragraph(_markup(title), styles["title"]), Spacer(1, 8)]
    if portal.meta == "cells":
        rows = [
            [p("索引号："), p("014106839/2023-00012"), p("分类："), p("政府信息公开年报")],
            [p("标题："), p(title), "", ""],
            [p("来源："), p(portal.short), p("发布日期："), p(portal.published)],
            [p("文号："), "", p("有效性："), ""],
        ]
        spans = [("SPAN", (1, 1), (3, 1))]
    else:
        rows = [
            [p("索引号：014106839/2023-00012"), p("分类：政府信息公开年报")],
            [p(f"标题：{title}"), ""],
            [p(f"来源：{portal.short}"), p(f"发布日期：{portal.published}")],
        ]
        spans = [("SPAN", (0, 1), (1, 1))]
    widths = [width * w for w in ((0.13, 0.37, 0.13, 0.37) if portal.meta == "cells" else (0.5, 0.5))]
    meta = Table(
        rows,
        colWidths=widths,
        style=TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *spans]
        ),
    )
    return [
        *head,
        meta,
        Spacer(1, 10),
        *([Paragraph(_markup(title), styles["title"])] if portal.heading else []),
        Paragraph(
            f"来源：{portal.short}　　发布日期：{portal.published}　　浏览次数：128　　字号：【大 中 小】",
            small,
        ),
        Spacer(1, 8),
    ]


def _copy(story):
    import copy

    return copy.deepcopy(story)


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()
