"""Legacy 统计指标 tables (pre-2019 forms, and the Ningbo 2019/2020 extras) -> ``legacy.<block>.<item>``.

Columns: the item label, a unit column (单位/计量单位: 条, 次, 万元...), one or more number columns.
With several number columns (本年度 | 历年累计, 本期实际 | 本年累计) the value is the first one
that is not cumulative; the others stay in ``cells``. Items whose label only makes sense in its
block (维持具体行政行为数 under 行政复议 / 行政诉讼 / 举报投诉) use the last block seen.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources

from parsers.collect import Collector
from parsers.keys import all_keys
from parsers.labels import LabelIndex, norm
from parsers.tables import GridView, is_blank
from parsers.values import header_unit

_UNIT_WORDS = {"条", "次", "个", "人", "人次", "件", "篇", "元", "万元", "千元", "项", "家", "场", "期", "——", "—", "-"}
_CONTEXTS = (("复议", "行政复议"), ("诉讼", "行政诉讼"), ("举报", "举报投诉"), ("投诉", "举报投诉"))
# header columns that hold no figures: the form's row codes and serial numbers
_NOT_VALUES = ("代码", "序号", "编号", "行次", "栏次")
_CONTEXT_KEYS = {"legacy.appeals.reviews": "行政复议", "legacy.appeals.lawsuits": "行政诉讼",
                 "legacy.appeals.complaints": "举报投诉"}


@cache
def project_aliases(table: str) -> list[tuple[str, str | None]]:
    """(label, key) pairs of data/label_aliases.json for one table: labels of real reports that the
    spec's keys.json does not list (the spec is copied, never edited here)."""
    data = json.loads(resources.files("parsers").joinpath("data/label_aliases.json").read_text("utf-8"))
    keys = all_keys()
    out = []
    for key, labels in data.get(table, {}).items():
        if key not in keys:
            raise ValueError(f"data/label_aliases.json: unknown key {key!r}")
        out.extend((label, key) for label in labels)
    # rows no key stands for: matched, they map to nothing (not to a key whose label they contain)
    out.extend((label, None) for label in data.get(f"{table}_unmapped", ()))
    return out


@cache
def _indexes():
    plain: list[tuple[str, str]] = []
    by_context: dict[str, list[tuple[str, str]]] = {}
    for k in all_keys().values():
        if k.table != "legacy":
            continue
        if "｜" in k.zh:
            ctx, item = k.zh.split("｜", 1)
            by_context.setdefault(ctx, []).append((item, k.key))
        else:
            plain.append((k.zh, k.key))
        plain.extend((a, k.key) for a in k.aliases)
    plain[:0] = project_aliases("legacy")
    return LabelIndex(plain, fuzzy=0.82), {c: LabelIndex(p, fuzzy=0.82) for c, p in by_context.items()}


def labels() -> set[str]:
    return _indexes()[0].labels()


@lru_cache(maxsize=4096)
def _context_of(label: str) -> str | None:
    """The block a label names (行政复议, 行政诉讼, 举报投诉), if any."""
    n = norm(label)
    for word, ctx in _CONTEXTS:
        if word in n:
            return ctx
    return None


class LegacyState:
    def __init__(self):
        self.context: str | None = None


def _columns(view: GridView):
    """(header row or None, unit column, value columns) from the header, else from the cells."""
    for r in range(min(3, len(view.texts))):
        unit_col, value_cols, label_col = None, [], None
        for c, t in view.logical(r):
            n = norm(t)
            if not n:
                continue
            if n in ("单位", "计量单位"):
                unit_col = c
            elif n in _NOT_VALUES:
                continue
            elif "指标" in n or n in ("项目", "内容", "名称"):
                label_col = c
            elif label_col is not None:
                value_cols.append((c, t))
        if label_col is not None and (unit_col is not None or value_cols):
            # the year's column first, cumulative columns last
            value_cols.sort(key=lambda ct: "累计" in ct[1])
            return r, unit_col, [c for c, _ in value_cols]
    # no header: the unit column is the one most often holding a unit word
    counts: dict[int, int] = {}
    for row in view.texts:
        for c, t in enumerate(row):
            if t.strip() in _UNIT_WORDS:
                counts[c] = counts.get(c, 0) + 1
    unit_col = max(counts, key=counts.get) if counts else None
    return None, unit_col, None


def map_table(view: GridView, out: Collector, state: LegacyState) -> None:
    table = "legacy"
    plain, by_context = _indexes()
    header_row, unit_col, value_cols = _columns(view)
    col_labels = {}
    if header_row is not None:
        col_labels = {c: t.strip() for c, t in view.logical(header_row)}
    header_len = len(view.texts[header_row]) if header_row is not None else None
    for r in range(len(view.texts)):
        if r == header_row:
            continue
        cells = view.logical(r)
        nonblank = [(c, t) for c, t in cells if not is_blank(t)]
        if not nonblank:
            continue
        u_col, v_cols = unit_col, value_cols
        if not view.spans_known and header_len is not None and len(cells) != header_len:
            # merges unmarked: the unit and number columns are counted from the row's end
            shift = len(cells) - header_len
            u_col = unit_col + shift if unit_col is not None else None
            v_cols = [c + shift for c in value_cols] if value_cols is not None else None
        limit = u_col if u_col else (min(v_cols) if v_cols else None)
        label_cells = [(c, t) for c, t in nonblank if limit is None or c < limit] or nonblank[:1]
        if limit is None:
            label_cells = label_cells[:1]
        # the most specific label is the rightmost; cells to its left (a merged block name) give context
        label_c, label = label_cells[-1]
        for _c, t in label_cells:
            ctx = _context_of(t)
            if ctx is not None:
                state.context = ctx
        key = None
        if state.context and state.context in by_context:
            key = by_context[state.context].match(label, loose=False)
        if key is None:
            key = plain.match(label)
        if key is None and state.context in by_context:
            key = by_context[state.context].match(label)
        if key in _CONTEXT_KEYS:
            state.context = _CONTEXT_KEYS[key]
        label_cols = {c for c, _ in label_cells}
        by_col = dict(cells)
        unit_text = ""
        if u_col is not None and u_col not in label_cols:
            unit_text = by_col.get(u_col, "")
        if v_cols is not None:
            candidates = [c for c in v_cols if c > label_c]
        else:
            candidates = [c for c, _ in cells if c > label_c and c != u_col]
        value_c = candidates[0] if candidates else None
        row_label = label.strip()
        if key and value_c is not None:
            raw = by_col.get(value_c, "")
            # the unit column, the number column's header, or the label itself ("收取的费用（万元）")
            unit = header_unit(unit_text) or header_unit(col_labels.get(value_c)) or header_unit(label)
            if is_blank(raw) and unit_text.strip() in ("——", "—", "-"):
                pass  # a group row (unit ——): no value of its own
            elif out.value(key, raw, table, view.ref(r, value_c), unit=unit):
                for c, t in cells:
                    if c not in label_cols and c not in (value_c, u_col):
                        out.cell(table, r, c, t, row_label, col_labels.get(c), view.ref(r, c))
                continue
        for c, t in cells:
            if c not in label_cols:
                out.cell(table, r, c, t, row_label, col_labels.get(c), view.ref(r, c))
