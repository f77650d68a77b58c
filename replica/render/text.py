"""Plain-text dump in the seeds' format (shared/spec/text-dump-format.md).

A table cell is a line starting with TAB (its further lines follow without TAB), a blank line ends
a row, a merged cell appears once: a cell continued from the row above prints as an empty cell,
a cell continued to the right is not printed again.
"""

from __future__ import annotations

from replica.render.layout import LTable, Para, build
from replica.reports import ReportSpec


def table_lines(table: LTable) -> list[str]:
    owner: dict[tuple[int, int], tuple[int, int, object]] = {}
    for r, line in enumerate(table.positions()):
        for c, cell in line:
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    owner[(r + dr, c + dc)] = (r, c, cell)
    lines: list[str] = []
    for r in range(len(table.rows)):
        for c in range(table.ncols):
            if (r, c) not in owner:
                continue
            r0, c0, cell = owner[(r, c)]
            if c != c0:
                continue  # continued to the right: printed once
            last = r0 + cell.rowspan - 1
            if cell.bottom and cell.rowspan > 1:
                text = cell.text if r == last else ""
            else:
                text = cell.text if r == r0 else ""
            parts = text.split("\n")
            lines.append("\t" + parts[0])
            lines.extend(parts[1:])
        lines.append("")
    lines.append("")
    return lines


def render_text(spec: ReportSpec, style: str | None = None) -> bytes:
    lines: list[str] = []
    for block in build(spec, "text", style):
        if isinstance(block, Para):
            lines.append(block.text)
        else:
            lines.extend(table_lines(block))
    return ("\n".join(lines) + "\n").encode("utf-8")
