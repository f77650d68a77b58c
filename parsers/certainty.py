"""How far an OCR'd figure can be trusted: every value read from an OCR'd cell is marked
``source: "ocr"`` with the reading's confidence; a figure the readings disagree on is uncertain, and
a whole table is uncertain when its figures break the table's own 勾稽 rules: a misread digit must
never be published as an exact figure."""

from __future__ import annotations

import re

from parsers.collect import make_issue
from parsers.document import Document, Table

MIN_CONFIDENCE = 0.6  # below this an OCR'd figure is uncertain on its own
_REF = re.compile(r"^t(\d+)r(\d+)c(\d+)$")
_KIND_OF_PREFIX = {"proactive": 2, "requests": 3, "appeals": 4, "legacy": "legacy"}


def _confidence(grids: dict, tables: list[Table], ref: str | None) -> float | None:
    m = _REF.match(ref or "")
    if not m:
        return None
    t, r, c = (int(x) for x in m.groups())
    if t >= len(tables):
        return None
    grid = grids.get(t)
    if grid is None:
        grid = grids[t] = tables[t].grid()
    if r >= len(grid) or c >= len(grid[r]) or grid[r][c] is None:
        return None
    return grid[r][c].confidence


def _any_confidence(tables) -> bool:
    for table in tables:  # plain loops: a generator over every cell of every report cost more
        for row in table.rows:
            for cell in row:
                if cell.confidence is not None:
                    return True
    return False


def mark_ocr(doc: Document, values: list[dict], issues: list[dict]) -> list[dict]:
    """Mark OCR'd values in place; returns the issues to add (one per uncertain table)."""
    tables = doc.tables
    # a document read as text (every one but an OCR'd scan) has no confidence anywhere: nothing to mark
    if not _any_confidence(tables):
        return []
    grids: dict = {}
    ocr_tables: dict = {}  # table kind -> its OCR'd values
    # a cell read as something that is no figure and no blank mark (——, /, 无)
    not_numbers = {i.get("key") for i in issues if i.get("rule") == "parse.not_a_number"}
    for v in values:
        conf = _confidence(grids, tables, v.get("cell"))
        if conf is None:
            continue
        v["source"] = "ocr"
        v["confidence"] = round(conf, 2)
        v["uncertain"] = conf < MIN_CONFIDENCE or v["key"] in not_numbers
        ocr_tables.setdefault(v.get("table"), []).append(v)
    if not ocr_tables:
        return []
    broken: dict = {}
    for issue in issues:
        if issue.get("severity") != "error" or not issue.get("key"):
            continue
        kind = _KIND_OF_PREFIX.get(str(issue["key"]).split(".", 1)[0])
        if kind in ocr_tables:
            broken.setdefault(kind, []).append(issue["rule"])
    out = []
    for kind, rules in broken.items():
        vals = ocr_tables[kind]
        for v in vals:
            v["uncertain"] = True
        out.append(make_issue("parse.ocr_uncertain", "warning",
                              f"table {kind} was read by OCR and its figures break {', '.join(dict.fromkeys(rules))}: "
                              f"all {len(vals)} of its figures are marked uncertain, none is published as exact"))
    unsure = [v["key"] for kind, vals in ocr_tables.items() if kind not in broken for v in vals if v["uncertain"]]
    if unsure:
        out.append(make_issue("parse.ocr_uncertain", "warning",
                              f"{len(unsure)} figure(s) read by OCR with low confidence are marked uncertain: "
                              + ", ".join(unsure[:8]) + (", ..." if len(unsure) > 8 else "")))
    return out
