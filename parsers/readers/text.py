"""Reader for plain-text dumps (../shared/spec/text-dump-format.md) and ordinary .txt reports.

A line starting with TAB starts a table cell; following lines without TAB continue that cell; a
blank line ends a table row; two blank lines (or a paragraph) end the table. Merges are not marked,
so tables come out with ``spans_known=False`` and the mapper infers spans from the templates.
"""

from __future__ import annotations

import re

from parsers.document import Cell, Document, Table
from parsers.errors import UnreadableDocument
from parsers.labels import clean_cell, squash

# the report's part headings, which some dumps print indented with a TAB ("\t二、主动公开政府信息情况"):
# numbered and worded as the template prints them, never a table's row label (those are followed
# by number cells or are worded otherwise: "二、上年结转政府信息公开申请数量")
_PART_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,2}[、.．]|第[一二三四五六七八九十]{1,2}部分|[(（][一二三四五六七八九十]{1,2}[)）])"
    r"(?:总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况|政府信息公开行政复议、?行政诉讼情况"
    r"|存在的主要问题及改进情况|其他需要报告的事项)[。.]?$"
)


def decode(data: bytes) -> tuple[str, str | None]:
    """Text and the issue to record (None when the encoding was clean)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), None
    # UTF-16 without BOM: every other byte of ASCII-range text is NUL
    head = data[:200]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        return data.decode(enc, errors="replace"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), None
    except UnicodeDecodeError:
        return data.decode(
            "utf-8", errors="replace"
        ), "undecodable bytes replaced (neither UTF-8 nor GB18030)"


def read(data: bytes) -> Document:
    if not data or not data.strip():
        raise UnreadableDocument("empty document")
    text, problem = decode(data)
    if "\x00" in text[:1000]:
        raise UnreadableDocument("binary data, not text")
    issues = []
    if problem:
        issues.append({"rule": "parse.encoding", "severity": "warning", "message": problem})
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list = []
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    cell_lines: list[str] | None = None  # the cell being read
    blanks = 0  # blank lines since the last table line

    def end_cell():
        nonlocal cell_lines
        if cell_lines is not None:
            row.append(Cell(clean_cell(cell_lines[0] if len(cell_lines) == 1 else "\n".join(cell_lines))))
            cell_lines = None

    def end_row():
        nonlocal row
        end_cell()
        if row:
            rows.append(row)
            row = []

    def end_table():
        nonlocal rows
        end_row()
        if rows:
            blocks.append(Table(rows=rows, spans_known=False))
            rows = []

    for n, line in enumerate(lines):
        if line.startswith("\t") and _indented_heading(line, lines, n, cell_lines is None and not row):
            end_table()
            blanks = 0
            blocks.append(clean_cell(line).strip())
            continue
        if line.startswith("\t"):
            if blanks >= 2:
                end_table()
            end_cell()
            cell_lines = [line[1:]]
            blanks = 0
        elif not line.strip():
            if cell_lines is not None or row:
                end_row()
            blanks += 1
        elif cell_lines is not None:
            cell_lines.append(line)  # a cell continued on the next line
        else:
            end_table()
            blanks = 0
            blocks.append(clean_cell(line).strip())
    end_table()
    if not any(isinstance(b, Table) or b for b in blocks):
        raise UnreadableDocument("no text in document")
    return Document(blocks=[b for b in blocks if not isinstance(b, str) or b], format="text", issues=issues)


def _indented_heading(line: str, lines: list[str], n: int, row_start: bool) -> bool:
    """A TAB line that is a part heading standing alone: it opens no row of cells."""
    if not row_start or not _PART_HEADING.match(squash(line)):
        return False
    nxt = lines[n + 1] if n + 1 < len(lines) else ""
    # a cell that the next line continues or a row with more cells is part of a table, unless the next
    # cell is itself a table's first row (a caption or a header: the heading sits right above the table)
    return not nxt.strip() or not nxt.startswith("\t") or not squash(nxt[1:]).replace(".", "").isdigit()
