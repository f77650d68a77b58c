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
    r"|存在的主要问题及改进情况|其他需要报告的事项"
    # the legacy reports' parts
    r"|概述|依申请公开政府信息情况|因政府信息公开申请提起行政复议、?行政诉讼的情况|政府信息公开工作存在的主要问题及改进情况)[。.]?$"
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
            row.append(_cell_of(cell_lines))
            cell_lines = None

    def end_row():
        nonlocal row
        end_cell()
        if row and not rows:
            # paragraphs indented with a TAB (an ordinary .txt report) before a table's first row
            while row and _leading_text(row):
                blocks.append(row.pop(0).text.replace("\n", "").strip())
            if row and _closing(row):
                blocks.extend(c.text.strip() for c in row)
                row.clear()
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
        if line[:1] == "\t":
            if cell_lines is None and not row and _indented_heading(line, lines, n, True):
                end_table()
                blanks = 0
                blocks.append(clean_cell(line).strip())
                continue
            if blanks >= 2:
                end_table()
            if cell_lines is not None:  # end_cell inline: this is the loop's hot path
                row.append(_cell_of(cell_lines))
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


def _cell_of(lines: list[str]) -> Cell:
    """A table cell from its lines (the TAB line and the lines continuing it)."""
    return Cell(clean_cell(lines[0] if len(lines) == 1 else "\n".join(lines)))


def _indented_heading(line: str, lines: list[str], n: int, row_start: bool) -> bool:
    """A TAB line that is a part heading standing alone: it opens no row of cells."""
    if not row_start or not _PART_HEADING.match(squash(line)):
        return False
    nxt = lines[n + 1] if n + 1 < len(lines) else ""
    # a cell that the next line continues or a row with more cells is part of a table, unless the next
    # cell is itself a table's first row (a caption or a header: the heading sits right above the table)
    return not nxt.strip() or not nxt.startswith("\t") or not squash(nxt[1:]).replace(".", "").isdigit()


_DATE_LINE = re.compile(
    r"^(?:\d{4}|[〇零○一二三四五六七八九]{4})年[\d〇零○一二三四五六七八九十元]{1,3}月[\d〇零○一二三四五六七八九十]{1,3}日$"
)
_TITLE_WORDS = ("年度报告", "年报")


def _leading_text(row: list[Cell]) -> bool:
    """The row's first cell is text: a sentence, a part heading (not a label beside a number), the
    title or the title's first line (the agency above "2013年政府信息公开工作年度报告")."""
    nxt = squash(row[1].text) if len(row) > 1 else ""
    if _text_cell(row[0].text):
        return not nxt.isdigit()
    first = squash(row[0].text)
    return (
        bool(first)
        and len(first) <= 40
        and not any(ch.isdigit() for ch in first)
        and len(nxt) <= 60
        and any(w in nxt for w in _TITLE_WORDS)
    )


def _text_cell(text: str) -> bool:
    """A TAB line that is a sentence, the title or a part heading: never a table's first cell."""
    t = squash(text)
    if (len(t) >= 25 and "。" in t) or (len(t) >= 8 and t.endswith("。")):
        return True
    return bool(_PART_HEADING.match(t)) or (len(t) <= 60 and any(w in t for w in _TITLE_WORDS))


def _closing(cells: list[Cell]) -> bool:
    """The closing lines (the agency, the date) indented with a TAB."""
    texts = [squash(c.text) for c in cells]
    return bool(
        texts
        and all(texts)
        and _DATE_LINE.match(texts[-1])
        and all(len(t) <= 30 and not any(ch.isdigit() for ch in t) for t in texts[:-1])
    )
