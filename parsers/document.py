"""The document model every reader produces: paragraphs and tables, in reading order.

A table is a list of rows, each a list of the cells that start in that row, with their spans.
Readers of formats that carry merges (HTML rowspan/colspan, DOCX gridSpan/vMerge, PDF ruling
lines) set the spans; the text-dump reader cannot know them (``spans_known=False``) and the
mapper infers them from the known templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str  # the cell's text; line breaks inside the cell kept as "\n"
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    rows: list[list[Cell]]
    spans_known: bool = True
    page: int | None = None  # PDF: page where the table starts

    def grid(self) -> list[list[Cell | None]]:
        """Expand spans into a rectangular grid; a merged cell appears in every slot it covers."""
        grid: list[list[Cell | None]] = []
        pending: dict[tuple[int, int], Cell] = {}  # (row, col) slots taken by rowspans from above
        for r, row in enumerate(self.rows):
            line: list[Cell | None] = []
            c = 0
            cells = iter(row)
            while True:
                while (r, c) in pending:
                    line.append(pending.pop((r, c)))
                    c += 1
                cell = next(cells, None)
                if cell is None:
                    break
                for dc in range(max(cell.colspan, 1)):
                    line.append(cell)
                    for dr in range(1, max(cell.rowspan, 1)):
                        pending[(r + dr, c + dc)] = cell
                c += max(cell.colspan, 1)
            # rowspans that reach past the last cell of this row
            for rr, cc in sorted(k for k in pending if k[0] == r):
                while len(line) < cc:
                    line.append(None)
                line.insert(cc, pending.pop((rr, cc)))
            grid.append(line)
        width = max((len(x) for x in grid), default=0)
        for line in grid:
            line.extend([None] * (width - len(line)))
        return grid


@dataclass
class Document:
    blocks: list[str | Table]  # a str is one paragraph
    format: str  # html | docx | doc | wps | pdf | text
    page_meta: dict[str, str] = field(default_factory=dict)  # portal metadata block: 索引号, 发布日期...
    title_hint: str | None = None  # <title>/<h1> of an HTML page, PDF metadata title
    issues: list[dict] = field(default_factory=list)  # problems met while reading

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
