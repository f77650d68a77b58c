"""Helpers shared by the readers for tables inside tables."""

from __future__ import annotations

from bisect import bisect_left

# A cell holding more text than this is page layout around paragraphs, not a data cell (the
# longest cells of the report tables, the 勾稽 note and the 部分公开 label, are under 60 characters).
LAYOUT_CELL_CHARS = 300


def is_layout_table(own_text: int, nested_text: int) -> bool:
    """A table whose nested tables hold most of its text is page layout, not data: its cells are read
    as ordinary content. A small table inside a data cell is flattened into that cell's text."""
    return own_text > 0 and nested_text >= 0.5 * own_text


def flatten_table_text(rows: list[list[str]]) -> str:
    """A nested table as cell text: one line per row, cells separated by a space."""
    lines = (" ".join(t.replace("\n", " ") for t in row if t) for row in rows)
    return "\n".join(line for line in lines if line.strip())


def cell_positions(table) -> dict[int, tuple[int, int]]:
    """id(cell) -> (row, column) of the grid slot where each cell starts."""
    out: dict[int, tuple[int, int]] = {}
    for r, line in enumerate(table.grid()):
        for c, cell in enumerate(line):
            if cell is not None and id(cell) not in out:
                out[id(cell)] = (r, c)
    return out


def starts_within(starts: list, lo: float, hi: float) -> int:
    """How many of the sorted ``starts`` (column lefts, row tops) lie in [lo, hi): the span of a ruled
    cell whose box runs from lo to hi."""
    return bisect_left(starts, hi) - bisect_left(starts, lo)
