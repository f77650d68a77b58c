"""Renderers of generated reports: ``render(spec, fmt, style=None) -> bytes``.

fmt: text | html | docx | pdf | doc. Every renderer draws the same blocks (layout.build), so a
value sits in the same table cell in every format.
"""

from __future__ import annotations

from replica.reports import ReportSpec

FORMATS = ("text", "html", "docx", "pdf", "doc")


def render(spec: ReportSpec, fmt: str, style: str | None = None) -> bytes:
    if fmt == "text":
        from replica.render.text import render_text
        return render_text(spec, style)
    if fmt == "html":
        from replica.render.html import render_html
        return render_html(spec, style)
    if fmt == "docx":
        from replica.render.docx import render_docx
        return render_docx(spec, style)
    if fmt == "pdf":
        from replica.render.pdf import render_pdf
        return render_pdf(spec, style)
    if fmt in ("doc", "wps"):
        from replica.render.doc import render_doc
        return render_doc(spec, style)
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
