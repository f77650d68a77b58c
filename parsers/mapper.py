"""Document -> values, unmapped cells and mapping issues: each table classified by its labels and
handed to the mapper of its kind; tables of no known kind are kept whole in ``cells``."""

from __future__ import annotations

from functools import cache

from parsers import map_appeals, map_legacy, map_proactive, map_requests, snap
from parsers.collect import Collector
from parsers.document import MAX_GRID_WIDTH, Document
from parsers.tables import GridView, classify
from parsers.values import parse_value


@cache
def _label_sets():
    # frozen: hashable, for the classifier's per-text cache
    return (frozenset(map_requests.row_labels()), frozenset(map_proactive.item_labels()),
            frozenset(map_legacy.labels()))


def map_document(doc: Document) -> tuple[Collector, list]:
    """The collector and the kind of each table in document order."""
    out = Collector()
    req_labels, pro_labels, leg_labels = _label_sets()
    req_state = map_requests.RequestsState()
    leg_state = map_legacy.LegacyState()
    kinds = []
    for i, table in enumerate(doc.tables):
        try:
            if snap.is_ocr(table):
                snap.snap_table(table)
            view = GridView.of(table, i)
            if table.clipped:
                out.issue("parse.table_clipped", "warning",
                          f"table {i}: merged cells reach past {MAX_GRID_WIDTH} columns; the excess was cut")
            kind = classify(view, req_labels, pro_labels, leg_labels)
            if kind is None and kinds and kinds[-1] == 3 and _numeric_rows(view, 7):
                kind = 3  # the rest of table 三 after a page break, without the rows that name it
            before = (len(out.values), len(out.cells))
            if kind == 3:
                map_requests.map_table(view, out, req_state)
            elif kind == 4:
                map_appeals.map_table(view, out)
            elif kind == 2:
                map_proactive.map_table(view, out)
            elif kind == "legacy":
                map_legacy.map_table(view, out, leg_state)
            if kind is None or (len(out.values), len(out.cells)) == before:
                _keep_unknown(view, out)
            if len(out.values) == before[0]:
                kind = None
        except Exception as exc:  # a mapper bug must not lose the rest of the report
            out.issue("parse.table_failed", "warning", f"table {i} could not be mapped: {type(exc).__name__}: {exc}")
            kind = None
        kinds.append(kind)
    return out, kinds


def _numeric_rows(view: GridView, n: int) -> bool:
    """Some row ends in ``n`` cells that are all numbers or blank, at least one a number."""
    for row in view.texts:
        tail = row[-n:]
        if len(row) > n and all(parse_value(t).is_number for t in tail) and any(t.strip() for t in tail):
            return True
    return False


def _keep_unknown(view: GridView, out: Collector) -> None:
    """Every cell of a table of no known layout, labelled by its row's first cell and its column's top."""
    table = f"t{view.index}"
    header = view.texts[0] if view.texts else []
    for r, row in enumerate(view.texts):
        row_label = next((t.strip() for t in row if t.strip()), None)
        seen = set()
        for c, t in enumerate(row):
            i = view.ids[r][c]
            if i in seen:
                continue
            seen.add(i)
            col_label = header[c].strip() if r and c < len(header) else None
            out.cell(table, r, c, t, row_label if c else None, col_label, view.ref(r, c))
