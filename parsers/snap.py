"""OCR'd label cells snapped to the nearest label the templates know (行政处昼 -> 行政处罚, 重复外请 ->
重复申请), so a misread glyph does not lose a row. Only cells read by OCR (with a confidence) are
touched, and only when one known label is clearly the closest."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache

from parsers import map_legacy, map_proactive, map_requests
from parsers.document import Table
from parsers.labels import norm, squash

MIN_RATIO = 0.6  # similarity of the normalised label to the known one
MIN_MARGIN = 0.1  # the best known label must beat the second by this much
MIN_PREFIX = 6  # a label cut short by misread lines: at least this many leading characters agree
_NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# header words of the official tables: known too, so a header is never snapped to a row label
_HEADERS = ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "本年新制作数量", "本年新公开数量",
            "对外公开总数量", "本年处理决定数量", "本年收费金额", "申请人情况", "自然人", "法人或其他组织",
            "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "行政复议", "行政诉讼",
            "结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉", "复议后起诉")


@cache
def vocabulary() -> tuple[str, ...]:
    labels = set(map_requests._rows()[1]) | set(map_requests.GROUPS) | map_proactive.item_labels() | map_legacy.labels()
    labels |= {norm(h) for h in _HEADERS}
    return tuple(sorted(x for x in labels if len(x) >= 2))


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def nearest(text: str) -> str | None:
    """The known label ``text`` was most likely printed as, or None (already known, or no clear match)."""
    n = norm(text)
    if len(n) < 3 or len(_CJK.findall(n)) < 2:
        return None
    vocab = vocabulary()
    if n in vocab:
        return None
    scored = []
    for label in vocab:
        ratio = SequenceMatcher(None, n, label, autojunk=False).ratio()
        p = _prefix(n, label)
        if p >= MIN_PREFIX and p >= 0.7 * len(n):
            ratio = max(ratio, 0.9)
        scored.append((ratio, label))
    scored.sort(reverse=True)
    best_ratio, best = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    if best_ratio >= MIN_RATIO and best_ratio - second >= MIN_MARGIN:
        return best
    return None


def snap_table(table: Table) -> int:
    """Snap the OCR'd label cells of one table in place; returns how many were changed."""
    changed = 0
    for row in table.rows:
        for cell in row:
            if cell.confidence is None or not cell.text or not _CJK.search(cell.text):
                continue
            label = nearest(cell.text)
            if label is None:
                continue
            m = _NUMBERING.match(squash(cell.text))
            cell.text = (m.group(1) if m else "") + label
            changed += 1
    return changed


def is_ocr(table: Table) -> bool:
    return any(cell.confidence is not None for row in table.rows[:3] for cell in row)
