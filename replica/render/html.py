"""HTML pages: the report inside portal-like chrome, tables with real rowspan/colspan.

Styles (layout.STYLES): one_table, split_tables (table 二 as one table per block), br_labels
(labels broken with <br>), vertical_headers (table 四 outcome headers one character per line),
word_html (the markup of Word's "save as web page" pasted into a CMS: MsoNormal paragraphs and
spans inside every cell, <o:p></o:p>, &nbsp; for empty cells); add "gbk" to encode the page in GBK
with a matching meta charset.
"""

from __future__ import annotations

from html import escape

from replica.render.layout import LTable, build, parse_style
from replica.reports import ReportSpec


def _cell_html(text: str, word: bool = False) -> str:
    if not word:
        return "<br>".join(escape(t) for t in text.split("\n")) or "&nbsp;"
    inner = '<br>'.join(f'<span style="font-size:10.5pt;font-family:宋体">{escape(t)}</span>'
                        for t in text.split("\n")) if text else '<span lang="EN-US">&nbsp;</span>'
    return f'<p class="MsoNormal" align="center" style="text-align:center">{inner}<o:p></o:p></p>'


def table_html(table: LTable, word: bool = False) -> str:
    if word:
        out = ['<table class="MsoNormalTable" border="0" cellspacing="0" cellpadding="0" width="100%" '
               'style="border-collapse:collapse;border:none">\n<tbody>']
    else:
        out = ['<table border="1" cellspacing="0" cellpadding="4" class="report-table" style="border-collapse:collapse">']
    for row in table.rows:
        out.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.key is None and not cell.header:
                attrs += ' style="text-align:center"'
            if word:
                attrs += ' valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt"'
            out.append(f"<td{attrs}>{_cell_html(cell.text, word)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>" if word else "</table>")
    return "\n".join(out)


def html_body(spec: ReportSpec, style: str | None = None) -> str:
    """The article content (no page chrome, no <h1> title): for portals that wrap it in their own page."""
    parts = []
    word = "word_html" in parse_style(spec, "html", style)
    for block in build(spec, "html", style):
        if isinstance(block, LTable):
            parts.append(table_html(block, word))
        elif word and block.kind != "title":
            parts.append(f'<p class="MsoNormal" style="text-indent:21.0pt"><span style="font-family:仿宋_GB2312">'
                         f'{escape(block.text)}</span><o:p></o:p></p>')
        elif block.kind == "title":
            continue
        elif block.kind == "heading":
            parts.append(f"<p><strong>{escape(block.text)}</strong></p>")
        elif block.kind == "signature":
            parts.append(f'<p style="text-align:right">{escape(block.text)}</p>')
        else:
            parts.append(f'<p style="text-indent:2em">{escape(block.text)}</p>')
    return "\n".join(parts)


def render_html(spec: ReportSpec, style: str | None = None) -> bytes:
    flags = parse_style(spec, "html", style)
    charset = "gbk" if "gbk" in flags else "utf-8"
    title = escape(spec.title)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}</title>
<style>.report-table td{{border:1px solid #000}}</style>
</head>
<body>
<div class="header"><div class="logo">{escape(spec.region)}人民政府门户网站</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/">政府信息公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; 政府信息公开年报</div>
<div class="article">
<h1 class="title">{title}</h1>
<div class="content" id="zoom">
{html_body(spec, style)}
</div>
</div>
<div class="footer">主办：{escape(spec.agency)}　技术支持：大汉网络</div>
</body>
</html>
"""
    return page.encode(charset, errors="xmlcharrefreplace")
