"""Parsers: one raw document (HTML, DOCX, DOC/WPS, PDF, text dump) in, the parse contract out.

Public entry points (see ARCHITECTURE.md):
    parse(data: bytes, filename=None, url=None, content_type=None) -> dict   # the parse contract
    parse_file(path, url=None, content_type=None) -> dict
"""

from parsers.api import parse, parse_file

__all__ = ["parse", "parse_file"]
