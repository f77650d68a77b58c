"""Table 二 (主动公开政府信息情况) -> ``proactive.<item>.<measure>``.

Printed as one table or as four or five small ones, each block a caption (第二十条第（X）项), a
header row (信息内容 | measures) and item rows. A value cell takes the measure of the header cell
above it (same grid column; in a text dump, same position), the money unit from that header.
"""

from __future__ import annotations

from functools import cache

from parsers.collect import Collector
from parsers.keys import all_keys
from parsers.labels import LabelIndex, norm
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


def map_table(view: GridView, out: Collector) -> None:
    table = 2
    items, measures = _indexes()
    header: dict[int, tuple[str, str | None, str]] = {}  # column -> (measure, unit, label)
    order: list[tuple[str, str | None, str]] = []  # the header's measures left to right (text dumps)
    for r in range(len(view.texts)):
        cells = view.logical(r)
        nonblank = [(c, t) for c, t in cells if t.strip()]
        if not nonblank:
            continue
        if "二十条" in norm(nonblank[0][1]) and len(nonblank) == 1:
            continue  # block caption
        at, item = _item_cell(items, nonblank)
        if item is None:
            found = {c: measures.match(t) for c, t in nonblank}
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
