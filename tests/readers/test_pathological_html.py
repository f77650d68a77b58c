"""Hostile HTML: deep nesting, huge tables, spans that pile up, pages past the size limit.
Each one ends in a parse result with a clear issue or in UnreadableDocument, never in a crash or
a runaway (sizes kept small enough for a fast suite)."""

import pytest

from parsers import parse
from parsers.document import MAX_GRID_WIDTH, Cell, Table
from parsers.errors import UnreadableDocument
from parsers.readers import html, limits


def _rules(out: dict) -> list[str]:
    return [i["rule"] for i in out["issues"]]


@pytest.mark.parametrize("open_tag,close_tag", [("<div>", "</div>"), ("<span>", "</span>"),
                                                 ("<table><tr><td>", "</td></tr></table>"), ("<b><i>", "")])
def test_ten_thousand_nested_tags(open_tag, close_tag):
    page = "<html><body><p>开头的段落</p>" + open_tag * 10_000 + "深处" + close_tag * 10_000 + "</body></html>"
    out = parse(page.encode("utf-8"), filename="deep.html")
    assert out["values"] == [] and out["cells"] == []
    # the HTML parser's own depth limit (256) and, for tags it nests, the walker's (200) both say so
    assert set(_rules(out)) == {"parse.deep_markup", "completeness.tables"}
    assert html.read(page.encode("utf-8")).paragraphs[0] == "开头的段落"


def test_deep_nesting_is_reported():
    intro = "<p>" + "本机关依法公开政府信息。" * 30 + "</p>"  # a body of two parts: read from <body>
    page = "<html><body>" + intro + "<div>" * 220 + "深处的文字" + "</div>" * 220 + "</body></html>"
    doc = html.read(page.encode("utf-8"))  # within the parser's limit, past the walker's
    assert [i["message"] for i in doc.issues] == ["markup nested deeper than 200 levels skipped"]
    assert "深处的文字" not in doc.paragraphs  # below the walker's depth bound


def test_table_of_2000_rows_by_50_columns():
    row = "<tr>" + "".join(f"<td>{c}</td>" for c in range(50)) + "</tr>"
    page = f"<html><body><p>表格</p><table>{row * 2000}</table></body></html>".encode()
    doc = html.read(page)
    (table,) = doc.tables
    assert len(table.rows) == 2000 and {len(r) for r in table.rows} == {50}
    assert table.rows[1999][49].text == "49"
    out = parse(page, filename="big.html")
    assert len(out["cells"]) == 2000 * 50  # a table of no known kind is kept whole
    assert out["cells"][-1]["cell"] == "t0r1999c49" and out["cells"][-1]["raw"] == "49"
    assert "parse.table_clipped" not in _rules(out)


def test_rowspans_piling_up_are_cut_at_the_grid_width():
    # every cell of every row spans 999 rows: without a cap the grid would be 400 x 20,000 slots
    rows = [[Cell(str(c), rowspan=999) for c in range(50)] for _ in range(400)]
    table = Table(rows=rows)
    grid = table.grid()
    assert len(grid) == 400 and {len(line) for line in grid} == {MAX_GRID_WIDTH}
    assert table.clipped
    assert grid[0][:3] == rows[0][:3] and grid[1][50] is rows[1][0]


def test_piled_up_rowspans_in_a_page_give_an_issue():
    row = "<tr>" + "".join(f"<td rowspan='999'>{c}</td>" for c in range(50)) + "</tr>"
    out = parse(f"<html><body><table>{row * 300}</table></body></html>".encode(), filename="spans.html")
    assert "parse.table_clipped" in _rules(out)
    assert max(c["col"] for c in out["cells"]) == MAX_GRID_WIDTH - 1


def test_page_past_the_size_limit_is_unreadable():
    page = b"<html><body><p>" + b"a" * (limits.MAX_HTML_BYTES + 1) + b"</p></body></html>"
    with pytest.raises(UnreadableDocument, match="too large"):
        parse(page, filename="huge.html")
