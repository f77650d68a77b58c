"""Tables as grids of cell texts, and which of the report's tables each one is.

``GridView`` gives every mapper the same thing whatever the format: a rectangular grid of texts
plus the identity of the cell in each slot (a merged cell fills several slots with one identity).
Text dumps do not mark merges (``spans_known=False``); their rows keep their own cell counts and
the mappers infer the spans from the known templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from parsers.document import Table
from parsers.labels import clean_cell, norm, squash

# table kinds: 2 (主动公开), 3 (依申请), 4 (复议诉讼), "legacy" (统计指标 forms), None (unknown)


_NONE_ID = id(None)


@dataclass
class GridView:
    index: int  # the table's position among the document's tables
    texts: list[list[str]]  # raw cell text per slot ("" for an empty slot)
    ids: list[list[int]]  # cell identity per slot; equal ids = one merged cell
    spans_known: bool
    page: int | None = None

    @classmethod
    def of(cls, table: Table, index: int) -> GridView:
        # a grid of slots when the spans are known, else the rows as printed (text dumps: no None)
        rows = table.grid() if table.spans_known else table.rows
        texts = [["" if c is None else c.text for c in row] for row in rows]
        if any("[bookmark:" in "\0".join(row) for row in texts):  # rare: clean only then
            texts = [[clean_cell(t) for t in row] for row in texts]
        ids = [list(map(id, row)) for row in rows]
        for row in ids:
            if _NONE_ID in row:  # empty slots: each its own identity, never one merged cell
                row[:] = [-1 - i if x == _NONE_ID else x for i, x in enumerate(row)]
        return cls(index, texts, ids, table.spans_known, table.page)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.texts), default=0)

    def logical(self, r: int) -> list[tuple[int, str]]:
        """The distinct cells of row r, left to right, as (first column, text)."""
        out: list[tuple[int, str]] = []
        last = None
        for c, (t, i) in enumerate(zip(self.texts[r], self.ids[r], strict=False)):
            if i != last:
                out.append((c, t))
                last = i
        return out

    def ref(self, r: int, c: int) -> str:
        return f"t{self.index}r{r}c{c}"


def is_blank(text: str) -> bool:
    return not squash(text)


_APPEALS_WORDS = ("行政复议", "行政诉讼", "复议后起诉", "直接起诉")


_OUTCOME_WORDS = ("维持", "纠正", "其他结果", "审结", "总计")


def _outcome_header(view: GridView) -> bool:
    return any(sum(1 for t in row if any(w in squash(t) for w in _OUTCOME_WORDS)) >= 4 for row in view.texts)


@lru_cache(maxsize=16384)
def _text_kind(text: str, req_labels: frozenset, pro_labels: frozenset, legacy_labels: frozenset):
    """What one cell text says of its table: (a table 三 row label, a table 二 label, a legacy form
    label, the appeals words it holds), or None when it says nothing. Cached: the same labels recur
    in every report."""
    n = norm(text)
    if not n:
        return None
    words = tuple(w for w in _APPEALS_WORDS if w in n)
    req = n in req_labels
    pro = n in pro_labels or "二十条" in n
    leg = n in legacy_labels or n in ("统计指标", "指标名称")
    return (req, pro, leg, words) if req or pro or leg or words else None


def classify(view: GridView, req_labels: frozenset, pro_labels: frozenset, legacy_labels: frozenset):
    """The table's kind from its labels (never from its position in the document)."""
    req = pro = leg = 0
    words = set()
    for row in view.texts:
        row_req = False
        for t in row:
            if not t or t.isdigit():  # blank or a count: never a label (no label set holds digits)
                continue
            kind = _text_kind(t, req_labels, pro_labels, legacy_labels)
            if kind is None:
                continue
            if kind[0]:
                row_req = True
            pro += kind[1]
            leg += kind[2]
            if kind[3]:
                words.update(kind[3])
        req += row_req
    width = view.width
    if req >= 3 and width >= 8:
        return 3
    if "行政复议" in words and len(words) >= 2 and width >= 12:
        return 4
    if "行政复议" in words and ("直接起诉" in words or "复议后起诉" in words) and _outcome_header(view):
        return 4  # printed transposed: proceedings as rows
    if ("行政复议" in words or "行政诉讼" in words) and _outcome_header(view):
        return 4  # one piece of table 四 (复议 and 诉讼 printed as two tables)
    if pro and pro >= leg:
        return 2
    if leg:
        return "legacy"
    if req >= 1 and width >= 8:  # a piece of table 三 (split over pages) with few rows
        return 3
    return None
