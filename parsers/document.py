"""The document model every reader produces: paragraphs and tables, in reading order.

A table is a list of rows, each a list of the cells that start in that row, with their spans.
Readers of formats that carry merges (HTML rowspan/colspan, DOCX gridSpan/vMerge, PDF ruling
lines) set the spans; the text-dump reader cannot know them (``spans_known=False``) and the
mapper infers them from the known templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Cell:
    text: str  # the cell's text; line breaks inside the cell kept as "\n"
    rowspan: int = 1
    colspan: int = 1
    confidence: float | None = None  # OCR'd cells: how sure the reading is (0..1); None when read as text


# Slots a grid row may have: real report tables have under 20 columns; rowspans piling up (every
# cell of 2,000 rows spanning 999 rows) would otherwise make a grid of 100 million slots.
MAX_GRID_WIDTH = 200


@dataclass
class Table:
    rows: list[list[Cell]]
    spans_known: bool = True
    page: int | None = None  # PDF: page where the table starts
    clipped: bool = False  # set by grid() when spans reached past MAX_GRID_WIDTH and were cut
    # PDF: x of each grid column's left edge and of the right edge (joins a table continued on the next
    # page whose rows there draw fewer column rulings)
    xs: tuple[float, ...] | None = None

    def grid(self) -> list[list[Cell | None]]:
        """Expand spans into a rectangular grid; a merged cell appears in every slot it covers."""
        grid: list[list[Cell | None]] = []
        pending: dict[int, dict[int, Cell]] = {}  # row -> {col: cell}: slots taken by rowspans from above
        for r, row in enumerate(self.rows):
            taken = pending.pop(r, None)
            if not taken and len(row) <= MAX_GRID_WIDTH:
                for cell in row:
                    if cell.colspan > 1 or cell.rowspan > 1:
                        break
                else:
                    grid.append(list(row))  # the common row: no spans into it or from it
                    continue
            if taken is None:
                taken = {}
            line: list[Cell | None] = []
            c = 0
            for cell in row:
                while c in taken:
                    line.append(taken.pop(c))
                    c += 1
                colspan = cell.colspan if cell.colspan > 1 else 1
                rowspan = cell.rowspan if cell.rowspan > 1 else 1
                if colspan == 1 and rowspan == 1 and c < MAX_GRID_WIDTH:  # the usual cell, even in a spanned row
                    line.append(cell)
                    c += 1
                    continue
                if c + colspan > MAX_GRID_WIDTH:
                    self.clipped = True
                    colspan = max(MAX_GRID_WIDTH - c, 0)
                for dc in range(colspan):
                    line.append(cell)
                    for dr in range(1, rowspan):
                        pending.setdefault(r + dr, {})[c + dc] = cell
                c += colspan
            while c in taken:
                line.append(taken.pop(c))
                c += 1
            # rowspans that reach past the last cell of this row
            for cc in sorted(taken):
                while len(line) < cc:
                    line.append(None)
                line.insert(cc, taken.pop(cc))
            if len(line) > MAX_GRID_WIDTH:
                self.clipped = True
                del line[MAX_GRID_WIDTH:]
            grid.append(line)
        width = max((len(x) for x in grid), default=0)
        for line in grid:
            if len(line) < width:
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
