"""Table 三 (收到和处理政府信息公开申请情况) -> ``requests.<row>.<applicant>``.

3 label columns + 7 applicant columns. Rows are found by their labels (the rightmost label cell
that names a row wins, the group cells to its left disambiguate "3.其他"); columns by the header
when the grid has real spans, else by the template's order (the last 7 cells of a row).
"""

from __future__ import annotations

from functools import cache, lru_cache

from parsers.collect import Collector
from parsers.keys import all_keys
from parsers.labels import LabelIndex, norm, squash, strip_numbering
from parsers.tables import GridView, is_blank

APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total")
_APPLICANT_LABELS = {
    "自然人": "natural_person", "公民": "natural_person",
    "商业企业": "commercial", "企业": "commercial",
    "科研机构": "research",
    "社会公益组织": "public_interest", "公益组织": "public_interest",
    "法律服务机构": "legal_services",
    "其他": "other_org", "其他组织": "other_org",
    "总计": "total", "合计": "total",
}
# group labels: they carry no numbers (2021's （六）其他处理 is both a group and, in 2019, a row)
GROUPS = {"本年度办理结果": "results", "办理结果": "results", "不予公开": "withheld", "无法提供": "unavailable",
          "不予处理": "not_processed", "其他处理": "other"}
_ROW_VARIANTS = {
    "new_received": ("本年新收申请数量", "本年新收政府信息公开申请"),
    "carried_over": ("上年结转申请数量", "上年结转政府信息公开申请"),
    "carried_forward": ("结转下年度继续办理申请数量", "结转下一年度继续办理"),
    "handled_total": ("合计", "总数"),
    "partially_granted": ("部分公开",),
}
D = len(APPLICANTS)


@cache
def _rows():
    """(row index, set of exact labels, {group: row} for items that need their group)."""
    pairs: list[tuple[str, str]] = []
    grouped: dict[tuple[str, str], str] = {}
    for k in all_keys().values():
        if k.table != "requests" or k.col != "natural_person":
            continue
        parts = k.zh.split("｜")[:-1]  # drop the applicant
        item = parts[-1]
        group = norm(parts[-2]) if len(parts) > 1 else None
        if norm(item) == "其他":  # 2021 （六）3.其他: only meaningful under its group
            grouped[(group, "其他")] = k.row
            continue
        pairs.append((item, k.row))
    for row, variants in _ROW_VARIANTS.items():
        pairs.extend((v, row) for v in variants)
    index = LabelIndex(pairs)
    return index, index.labels(), grouped


def row_labels() -> set[str]:
    """Exact normalised row labels, for table classification (the ambiguous 总计 left out)."""
    return {x for x in _rows()[1] if x not in ("总计", "合计", "总数", "其他处理")}


def match_row(labels: list[str], group: str | None = None) -> str | None:
    """The row key named by a row's label cells; ``group``: the normalised group label last seen
    above (for a piece of the table whose group cell was printed in an earlier piece)."""
    return _match_row(tuple(labels), group)


@lru_cache(maxsize=8192)  # every report of a template names its rows alike
def _match_row(labels: tuple[str, ...], group: str | None) -> str | None:
    index, _, grouped = _rows()
    groups = [GROUPS.get(norm(t)) for t in labels]
    for i in range(len(labels) - 1, -1, -1):
        n = norm(labels[i])
        if not n:
            continue
        if n == "其他":
            for t in [*labels[:i], group or ""]:
                row = grouped.get((norm(t), "其他"))
                if row:
                    return row
            continue
        if groups[i] and groups[i] != "other":
            continue
        if n in ("本年度办理结果", "办理结果"):
            continue
        if n.startswith("本年度办理结果") and i == len(labels) - 1:
            # group and item in one cell ("三、本年度办理结果（一）予以公开", PDF text): the item
            s = squash(labels[i])
            rest = strip_numbering(s[s.find("办理结果") + 4:])
            row = index.match(rest) if rest else None
            if row:
                return row
        row = index.match(labels[i])
        if row:
            return row
    return None


# words that name an applicant column whatever the rest of the label says ("科研院所", "社会公益机构",
# "法律服务组织", "律师事务所", the misprint "科研企业"), tried in this order when the exact label is unknown
_APPLICANT_WORDS = (("自然人", "natural_person"), ("公民", "natural_person"), ("个人", "natural_person"),
                    ("科研", "research"), ("企业", "commercial"), ("公益", "public_interest"),
                    ("法律服务", "legal_services"), ("律师", "legal_services"), ("总计", "total"),
                    ("合计", "total"), ("其他", "other_org"))  # 小计: a 法人 subtotal, not the total


def _applicant(text: str) -> str | None:
    n = norm(text)
    found = _APPLICANT_LABELS.get(n)
    if found or not n or len(n) > 8 or "法人" in n:  # 法人或其他组织 is the group over five columns
        return found
    return next((a for w, a in _APPLICANT_WORDS if w in n), None)


class RequestsState:
    """Carried from one piece of table 三 to the next (a table split over pages)."""

    def __init__(self):
        self.columns: dict[int, str] | None = None  # grid column -> applicant
        self.width: int | None = None
        self.labels: list[str] = []
        self.group: str | None = None  # the last group label seen (（六）其他处理...)

    def see(self, labels: list[str]) -> None:
        for t in labels:
            if GROUPS.get(norm(t)):
                self.group = norm(t)


def _header_columns(view: GridView, first_data: int) -> dict[int, str] | None:
    cols: dict[int, str] = {}
    for c in range(view.width):
        found = None
        for r in range(first_data):
            t = view.texts[r][c] if c < len(view.texts[r]) else ""
            a = _applicant(t) if t else None
            if a:
                found = a  # the bottom-most applicant label of the column
        if found:
            cols[c] = found
    if sorted(cols.values()) == sorted(APPLICANTS) and len(cols) == D:
        return cols
    return None


def map_table(view: GridView, out: Collector, state: RequestsState) -> None:
    table = 3
    width = view.width
    rows = view.texts
    if view.spans_known:
        first_data = next((r for r in range(len(rows)) if match_row(_grid_labels(view, r, width - D), state.group)), None)
        if first_data is None:
            return
        cols = _header_columns(view, first_data)
        if cols is None and state.columns and state.width == width and first_data == 0:
            cols = state.columns
        if cols is None:
            cols = {width - D + i: a for i, a in enumerate(APPLICANTS)}
        state.columns, state.width = cols, width
        start = min(cols)
        for r in range(first_data, len(rows)):
            labels = _grid_labels(view, r, start)
            row = match_row(labels, state.group)
            state.see(labels)
            _emit_row(view, out, r, row, labels, [(c, cols.get(c)) for c in range(start, width)], table)
        return
    # text dump: merged cells appear once; the last 7 cells of a data row are the applicants,
    # the cells before are labels, left-aligned, and an empty leading cell repeats the label above
    prev = state.labels
    for r, row_texts in enumerate(rows):
        n = len(row_texts)
        if n < D + 1:
            state.see(row_texts)  # a group label printed on a row of its own
            if n == D and any(not is_blank(t) for t in row_texts) and prev:
                # seven numbers and no label at all: the row cannot be named, keep its cells
                _emit_row(view, out, r, None, [], [(c, None) for c in range(n)], table)
            continue
        labels = list(row_texts[: n - D])
        for i, t in enumerate(labels):
            if is_blank(t) and i < len(prev):
                labels[i] = prev[i]
        row = match_row(labels, state.group)
        state.see(labels)
        if row is None and (not prev or all(is_blank(t) for t in row_texts[n - D:])):
            continue  # a header row that happens to be wide
        padded = labels + [labels[-1]] * max(0, 3 - len(labels))
        if row is not None or any(not is_blank(t) for t in labels):
            prev = padded  # also an unknown labelled row (a subtotal): it is the "label above" next
        _emit_row(view, out, r, row, labels, [(n - D + i, a) for i, a in enumerate(APPLICANTS)], table)
    state.labels = prev


def _grid_labels(view: GridView, r: int, start: int) -> list[str]:
    out: list[str] = []
    last = None
    texts, ids = view.texts[r], view.ids[r]
    for c in range(min(max(start, 0), len(texts))):
        i = ids[c]
        if i != last:
            t = texts[c]
            if t and (not out or out[-1] != t):
                out.append(t)
            last = i
    return out


def _emit_row(view, out: Collector, r, row, labels, columns, table):
    row_label = " | ".join(t.strip() for t in labels if t and t.strip()) or None
    seen = set()
    texts, ids = view.texts[r], view.ids[r]
    n = len(texts)
    for c, applicant in columns:
        if c >= n:
            continue
        i = ids[c]
        if i in seen:
            continue
        seen.add(i)
        raw = texts[c]
        ref = view.ref(r, c)
        if row and applicant and out.value(f"requests.{row}.{applicant}", raw, table, ref):
            continue
        out.cell(table, r, c, raw, row_label, applicant, ref)
