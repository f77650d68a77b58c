"""Table 二 (主动公开政府信息情况) -> ``proactive.<item>.<measure>``.

Printed as one table or as four or five small ones, each block a caption (第二十条第（X）项), a
header row (信息内容 | measures) and item rows. A value cell takes the measure of the header cell
above it (same grid column; in a text dump, same position), the money unit from that header.
"""

from __future__ import annotations

from functools import cache, lru_cache

from parsers.collect import Collector
from parsers.keys import all_keys
from parsers.labels import LabelIndex, norm, squash
from parsers.tables import GridView
from parsers.values import header_unit

_EXTRA_MEASURES = {
    "本年新制作数量": "new_made", "新制作数量": "new_made", "本年新公开数量": "new_published",
    "新公开数量": "new_published", "对外公开总数量": "total_published", "公开总数量": "total_published",
    "本年增减": "change", "增减": "change", "本年增加减少": "change", "采购金额": "amount_yuan",
    "收费金额": "amount_yuan", "制发件数": "issued", "废止件数": "repealed", "有效件数": "in_force",
}
_EXTRA_ITEMS = {"其他对外管理服务": "other_services", "集中采购": "centralized_procurement",
                "政府采购": "centralized_procurement", "行政事业性收费项目": "fees"}


@cache
def _indexes():
    items: list[tuple[str, str]] = []
    measures: list[tuple[str, str]] = []
    for k in all_keys().values():
        if k.table != "proactive":
            continue
        _, item, measure = k.zh.split("｜")
        items.append((item, k.row))
        for m in measure.split(" / "):
            measures.append((m.split(" (")[0], k.col))
    items.extend(_EXTRA_ITEMS.items())
    measures.extend(_EXTRA_MEASURES.items())
    item_index = LabelIndex(items, fuzzy=0.8)
    measure_index = LabelIndex(measures, fuzzy=0.8)
    return item_index, measure_index


def item_labels() -> set[str]:
    return _indexes()[0].labels()


def _item_cell(items: LabelIndex, nonblank: list[tuple[int, str]]):
    """(position in ``nonblank``, item) of the row's item label: one of its first cells, since a block
    caption (第二十条第（五）项) may sit in a merged first column beside it."""
    for i, (_c, t) in enumerate(nonblank[:3]):
        item = items.match(t, loose=False)
        if item:
            return i, item
    for i, (_c, t) in enumerate(nonblank[:2]):
        if "二十条" in norm(t):
            continue
        item = items.match(t)
        if item:
            return i, item
        break
    return None, None


@lru_cache(maxsize=4096)  # per label text: every report repeats the same first cells
def _two_labels(items: LabelIndex, line: str) -> tuple[str, str] | None:
    """Two item labels end to end, the line break between them lost ("行政处罚行政强制")."""
    if items.match(line, loose=False):
        return None
    s = squash(line)
    for k in range(2, len(s) - 1):
        a, b = items.match(s[:k], loose=False), items.match(s[k:], loose=False)
        if a and b and a != b:
            return a, b
    return None


def _stacked(items: LabelIndex, nonblank: list[tuple[int, str]]):
    """(position, items) when one of the row's first cells holds several item labels, one a line
    (行政处罚 and 行政强制 in one ruled cell), else None."""
    for i, (_c, t) in enumerate(nonblank[:2]):
        lines = [x for x in t.split("\n") if x.strip()]
        if len(lines) == 1 and 4 <= len(lines[0]) <= 24:
            pair = _two_labels(items, lines[0])
            if pair:
                return i, list(pair)
        if len(lines) < 2:
            continue
        names = [items.match(x, loose=False) for x in lines]
        if all(names) and len(set(names)) == len(names):
            return i, names
    return None


def _one_line_values(cells: list[tuple[int, str]], label_c: int) -> bool:
    return all("\n" not in t.strip() for c, t in cells if c > label_c)


def _pair(view: GridView, cells, label_c: int, header: dict, order: list) -> list:
    """(column, text, header) of the value cells right of the label."""
    after = [(c, t) for c, t in cells if c > label_c]
    if view.spans_known:
        return [(c, t, header.get(c)) for c, t in after]
    k = len(order)
    return [(c, t, order[k - len(after) + i] if 0 <= k - len(after) + i < k else None)
            for i, (c, t) in enumerate(after)]


def _split_values(view: GridView, out: Collector, r: int, cells, label_c: int, names: list[str],
                  header: dict, order: list) -> None:
    """Several items in one ruled row: every cell holds one line per item, in the same order."""
    label = " / ".join(names)
    for c, t, h in _pair(view, cells, label_c, header, order):
        ref = view.ref(r, c)
        lines = [x for x in t.split("\n") if x.strip()]
        if h and len(lines) == len(names):
            for name, line in zip(names, lines, strict=True):
                out.value(f"proactive.{name}.{h[0]}", line, 2, ref, unit=h[1])
            continue
        out.cell(2, r, c, t, label, h[2] if h else None, ref)


def map_table(view: GridView, out: Collector) -> None:
    table = 2
    items, measures = _indexes()
    header: dict[int, tuple[str, str | None, str]] = {}  # column -> (measure, unit, label)
    order: list[tuple[str, str | None, str]] = []  # the header's measures left to right (text dumps)
    pending: list[str] = []  # items of a merged label still waiting for their rows (text dumps)
    for r in range(len(view.texts)):
        cells = view.logical(r)
        nonblank = [(c, t) for c, t in cells if t.strip()]
        if not nonblank:
            continue
        if "二十条" in norm(nonblank[0][1]) and len(nonblank) == 1:
            continue  # block caption
        stacked = _stacked(items, nonblank)
        at, item = _item_cell(items, nonblank) if stacked is None else (None, None)
        if item is None and stacked is None:
            if pending and not cells[0][1].strip():
                # a text dump: the row below a merged two-item label, which prints as an empty cell
                at, item, pending = None, pending[0], pending[1:]
                nonblank = [cells[0], *nonblank]
                at = 0
        if stacked is not None:
            at, names = stacked
            label_c = nonblank[at][0]
            first = r
            while first > 0 and view.spans_known and view.ids[first - 1][label_c] == view.ids[r][label_c]:
                first -= 1
            last = r
            while last + 1 < len(view.texts) and view.spans_known \
                    and view.ids[last + 1][label_c] == view.ids[r][label_c]:
                last += 1
            if last > first or (not view.spans_known and _one_line_values(cells, label_c)):
                # one label cell beside a row of values per item ("行政处罚\n行政强制" over two rows)
                if last - first + 1 == len(names):
                    item = names[r - first]
                elif last == first:
                    item, pending = names[0], names[1:]
            else:
                _split_values(view, out, r, cells, label_c, names, header, order)
                continue
        if item is None and stacked is None:
            found = {c: measures.match(t) for c, t in nonblank}
            if "new_made" in found.values() and {"repealed", "in_force"} & set(found.values()):
                # the 2021 form's 本年制发件数 printed as 本年制作数量 beside 本年废止件数 / 现行有效件数
                found = {c: "issued" if m == "new_made" else m for c, m in found.items()}
            if any(found.values()):
                header, order = {}, []
                for c, t in nonblank:
                    if found[c]:
                        header[c] = (found[c], header_unit(t), t.strip())
                        order.append(header[c])
                        # a header cell spanning several columns covers each of them
                        for cc in range(c + 1, len(view.texts[r])):
                            if view.ids[r][cc] != view.ids[r][c]:
                                break
                            header[cc] = header[c]
                continue
        label_c, row_label = nonblank[at if at is not None else 0]
        row_label = row_label.strip()
        after = [(c, t) for c, t in cells if c > label_c]
        if view.spans_known:
            pairs = [(c, t, header.get(c)) for c, t in after]
        else:
            # merges unmarked: the values are the last cells, under the header's measures from the right
            k = len(order)
            pairs = [(c, t, order[k - len(after) + i] if 0 <= k - len(after) + i < k else None)
                     for i, (c, t) in enumerate(after)]
        for c, t, h in pairs:
            ref = view.ref(r, c)
            # the money unit from the header, else from the item label ("行政事业性收费（万元）")
            if item and h and out.value(f"proactive.{item}.{h[0]}", t, table, ref, unit=h[1] or header_unit(row_label)):
                continue
            out.cell(table, r, c, t, row_label, h[2] if h else None, ref)
