"""Helpers shared by the readers for tables inside tables."""

from __future__ import annotations


def is_layout_table(own_text: int, nested_text: int) -> bool:
    """A table whose nested tables hold most of its text is page layout, not data: its cells are read
    as ordinary content. A small table inside a data cell is flattened into that cell's text."""
    return own_text > 0 and nested_text >= 0.5 * own_text


def flatten_table_text(rows: list[list[str]]) -> str:
    """A nested table as cell text: one line per row, cells separated by a space."""
    lines = (" ".join(t.replace("\n", " ") for t in row if t) for row in rows)
    return "\n".join(line for line in lines if line.strip())
