"""Table 四 (行政复议、行政诉讼) -> ``appeals.<proceeding>.<outcome>``: one row of 15 numbers.

With real spans each column's header path (行政诉讼 / 复议后起诉 / 结果维持) names it; a text dump
or a header that does not resolve to the 15 distinct columns falls back to the template order.
"""

from __future__ import annotations

from parsers.collect import Collector
from parsers.labels import norm
from parsers.tables import GridView, is_blank
from parsers.values import parse_value

PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
ORDER = [(p, o) for p in PROCEEDINGS for o in OUTCOMES]
D = len(ORDER)
_OUTCOME_WORDS = (("维持", "upheld"), ("纠正", "corrected"), ("纠错", "corrected"), ("其他", "other"),
                  ("未审结", "pending"), ("总计", "total"), ("合计", "total"), ("小计", "total"))


def _proceeding(path: list[str]) -> str | None:
    joined = "".join(path)
    if "复议后起诉" in joined or "复议后" in joined:
        return "litigation_after_review"
    if "直接起诉" in joined or "未经复议" in joined:
        return "litigation_direct"
    if "行政复议" in joined:
        return "review"
    return None


def _outcome(path: list[str]) -> str | None:
    for t in reversed(path):
        for word, outcome in _OUTCOME_WORDS:
            if word in t:
                return outcome
    return None


def _is_value(text: str) -> bool:
    return is_blank(text) or parse_value(text).is_number


def _data_row(view: GridView) -> int | None:
    blank_row = None
    for r, row in enumerate(view.texts):
        if len(row) < D:
            continue
        cells = [t for t in row[-D:] if not is_blank(t)]  # a label cell ("件数") may precede the 15
        if all(_is_value(t) for t in cells):
            if cells:
                return r
            blank_row = r  # a form left empty: its last empty row is the data row
    return blank_row


def map_table(view: GridView, out: Collector) -> None:
    table = 4
    r = _data_row(view)
    if r is None and _transposed(view, out):
        return
    if r is None and _piece(view, out):
        return
    if r is None:
        out.issue("parse.table_unread", "warning", f"table {view.index} looks like table 四 but has no data row")
        return
    row = view.texts[r]
    width = len(row)
    cols = None
    if view.spans_known:
        found: dict[int, tuple[str, str]] = {}
        for c in range(width):
            path = []
            for h in range(r):
                t = norm(view.texts[h][c]) if c < len(view.texts[h]) else ""
                if t and (not path or path[-1] != t):
                    path.append(t)
            p, o = _proceeding(path), _outcome(path)
            if p and o:
                found[c] = (p, o)
        if len(found) == D and len(set(found.values())) == D:
            cols = found
    if cols is None:
        cols = {width - D + i: po for i, po in enumerate(ORDER)}
    col_names = {c: f"{p}.{o}" for c, (p, o) in cols.items()}
    seen = set()
    for c in range(width):
        i = view.ids[r][c]
        if i in seen:
            continue
        seen.add(i)
        ref = view.ref(r, c)
        if c in cols and out.value(f"appeals.{col_names[c]}", row[c], table, ref):
            continue
        out.cell(table, r, c, row[c], None, col_names.get(c), ref)
    for r2 in range(r + 1, len(view.texts)):  # more rows than the form has: keep them
        for c, t in enumerate(view.texts[r2]):
            out.cell(table, r2, c, t, None, col_names.get(c), view.ref(r2, c))


def _piece(view: GridView, out: Collector) -> bool:
    """行政复议 (5 columns) or 行政诉讼 (10 columns) printed as a table of its own: every number
    column must be named by its header path (a 行政复议 table names no proceeding under it)."""
    if not view.spans_known:
        return False
    for r in range(1, len(view.texts)):
        cells = view.logical(r)
        filled = [t for _, t in cells[1:] if not is_blank(t)]  # the first cell may be a label ("件数")
        if not filled or not all(parse_value(t).is_number for t in filled):
            continue
        cols: dict[int, tuple[str, str]] = {}
        for c, _t in cells:
            path = [norm(view.texts[h][c]) for h in range(r) if c < len(view.texts[h]) and view.texts[h][c].strip()]
            p, o = _proceeding(path), _outcome(path)
            if p is None and o and any("行政复议" in t for t in path):
                p = "review"
            if p and o:
                cols[c] = (p, o)
        if len(cols) not in (5, 10) or len(set(cols.values())) != len(cols) or len(cols) < len(cells) - 1:
            return False
        for c, t in cells:
            if c in cols:
                p, o = cols[c]
                out.value(f"appeals.{p}.{o}", t, 4, view.ref(r, c))
        return True
    return False


def _transposed(view: GridView, out: Collector) -> bool:
    """Table 四 printed with the proceedings as rows and the five outcomes as columns."""
    header: dict[int, str] = {}
    mapped = False
    for r in range(len(view.texts)):
        cells = view.logical(r)
        outcomes = {c: _outcome([norm(t)]) for c, t in cells if t.strip()}
        if sum(1 for o in outcomes.values() if o) >= 4 and not any(_proceeding([norm(t)]) for _, t in cells[1:]):
            header = {c: o for c, o in outcomes.items() if o}
            continue
        labels = [norm(t) for c, t in cells if c < min(header, default=0)]
        p = _proceeding(labels)
        if not header or not p:
            continue
        for c, t in cells:
            if c in header and out.value(f"appeals.{p}.{header[c]}", t, 4, view.ref(r, c)):
                mapped = True
            elif c >= min(header):
                out.cell(4, r, c, t, " ".join(labels), header.get(c), view.ref(r, c))
    return mapped
