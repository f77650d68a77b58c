"""One reader per format, each ``read(data: bytes) -> Document``; ``read_document`` dispatches."""

from __future__ import annotations

from parsers.document import Document
from parsers.errors import UnreadableDocument
from parsers.readers import limits
from parsers.readers.detect import FORMATS, looks_textual, sniff

__all__ = ["FORMATS", "read_document", "sniff"]


def read_document(data: bytes, fmt: str | None = None, filename: str | None = None,
                  content_type: str | None = None) -> Document:
    """Read ``data`` as ``fmt`` (sniffed when None). Raises UnreadableDocument with a one-line reason
    when nothing at all can be read; every lesser problem is in ``Document.issues``."""
    limits.check_input(data)
    if fmt is None:
        fmt = sniff(data, filename=filename, content_type=content_type)
    if fmt == "html":
        from parsers.readers import html

        return html.read(data, content_type=content_type)
    if fmt == "docx":
        from parsers.readers import docx

        return docx.read(data)
    if fmt in ("doc", "wps"):
        from parsers.readers import doc

        return doc.read(data, fmt=fmt)
    if fmt == "pdf":
        from parsers.readers import pdf

        return pdf.read(data)
    if fmt == "image":
        from parsers.readers import image

        return image.read(data)
    if fmt == "text":
        if not looks_textual(data):
            raise UnreadableDocument("binary data of no known format (not HTML, DOCX, DOC, WPS, PDF or text)")
        from parsers.readers import text

        return text.read(data)
    raise UnreadableDocument(f"unknown format {fmt!r}")
