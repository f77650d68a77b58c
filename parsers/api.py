"""The parse contract (../shared/spec/parse-contract.md): bytes in, one JSON-ready dict out."""

from __future__ import annotations

import importlib
from pathlib import Path

from parsers import metadata as meta
from parsers.certainty import mark_ocr
from parsers.collect import make_issue
from parsers.document import Document
from parsers.errors import UnreadableDocument
from parsers.mapper import map_document
from parsers.templates import recognise
from parsers.validate import deadline_issue, text_issues, validate

PARSER_VERSION = "1.0"
_PARTS = {"proactive": 2, "requests": 3, "appeals": 4}


def _read_document():
    """The format readers' dispatcher, or None while it does not exist (then only text is read)."""
    try:
        return importlib.import_module("parsers.readers").read_document
    except (ImportError, AttributeError):
        return None


def read(data: bytes, filename=None, content_type=None) -> Document:
    if not data or not data.strip():
        raise UnreadableDocument("empty file")
    read_document = _read_document()
    if read_document is not None:
        return read_document(data, None, filename=filename, content_type=content_type)
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocument("not a text document and no reader for other formats is installed")
    from parsers.readers import text
    return text.read(data)


def parse_document(doc: Document, url: str | None = None) -> dict:
    """Map, validate and describe a document already read."""
    collected, kinds = map_document(doc)
    m = meta.extract(doc)
    values = list(collected.values.values())
    template = recognise(collected.values.keys(), m["year"])
    issues = [{**make_issue(i.get("rule", "parse.reader"), i.get("severity", "warning"), i.get("message", "")), **i}
              for i in doc.issues]
    issues += collected.issues
    by_key = {v["key"]: v["value"] for v in values}
    issues += validate(by_key, template)
    issues += text_issues(m["sections"], by_key)
    if template in ("2019", "2021"):
        for part, table in _PARTS.items():
            if table not in kinds:
                issues.append(make_issue(f"completeness.table_{part}", "warning",
                                         f"table {'二三四'[table - 2]} ({part}) not found"))
    if not any(k is not None for k in kinds):
        issues.append(make_issue("completeness.tables", "warning", "no statistical table found"))
    for name, text in m["sections"].items():
        if text is None and template in ("2019", "2021"):
            issues.append(make_issue(f"completeness.section_{name}", "warning", f"section '{name}' not found"))
    late = deadline_issue(m["published"], m["year"], m["agency"])
    if late:
        issues.append(late)
    issues += mark_ocr(doc, values, issues)
    return {
        "metadata": {
            "title": m["title"], "agency": m["agency"], "year": m["year"], "published": m["published"],
            "template": template, "format": doc.format, "url": url,
            "sections": m["sections"], "page_meta": m["page_meta"], "parser_version": PARSER_VERSION,
        },
        "values": values,
        "cells": collected.cells,
        "issues": issues,
    }


def parse(data: bytes, filename=None, url=None, content_type=None) -> dict:
    """One document -> the parse contract. Raises UnreadableDocument only for unreadable input."""
    doc = read(data, filename=filename, content_type=content_type)
    return parse_document(doc, url=url)


def parse_file(path, url=None, content_type=None) -> dict:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"cannot read {p}: {exc.strerror or exc}") from exc
    return parse(data, filename=p.name, url=url, content_type=content_type)
