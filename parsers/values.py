"""Cell text -> canonical number (report-schema.md, "Values").

``parse_value`` returns a ``Parsed`` with the number (int when integral, else float; None for a
blank cell or text that is not a number) and whether the text was a number at all, so the caller
can raise a warning naming the cell.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from parsers.labels import clean_cell

_BLANK = re.compile(r"^(?:[-—–－―_/／\\~～.。…]*|无|空|暂无|不适用|未涉及|N/?A|null|none)$", re.IGNORECASE)
_CHANGE = re.compile(r"^(增加?|减少?|新增|净增|增减)\(?([+-]?\d+(?:\.\d+)?)\)?(?:个|项|件|条)?$")
# a unit after the number, sometimes in brackets ("2（件）"); 起/宗/例 count cases; ¥ before money
_NUMBER = re.compile(r"^¥?([+-]?)(\d+(?:\.\d+)?|\.\d+)\(?(亿元|万元|千元|元|万|件|条|次|个|项|人次|人|篇|家|场|期"
                     r"|起|宗|例|笔|份|批|户)?\)?$")
_UNIT_FACTOR = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_HEADER_UNIT = re.compile(r"(?:单位[:：]?)?(亿元|万元|千元|元)")


@dataclass(frozen=True)
class Parsed:
    value: int | float | None
    is_number: bool  # False: the text was neither blank nor a number (warn)
    unit: str | None = None  # the money unit the number was written in


def _compact(text: str) -> str:
    s = unicodedata.normalize("NFKC", clean_cell(text))
    # NBSP, U+3000 and ordinary spaces inside numbers ("1 234", " 0")
    s = "".join(s.split())
    return s.replace(",", "").replace("，", "")


def to_number(d: Decimal) -> int | float:
    if d == d.to_integral_value():
        return int(d)
    return float(d)


@lru_cache(maxsize=4096)  # the same headers and labels in every report
def header_unit(label: str | None) -> str | None:
    """The money unit a header states: 本年收费金额（单位：万元） -> 万元, 采购总金额（元） -> 元."""
    if not label:
        return None
    m = _HEADER_UNIT.search(unicodedata.normalize("NFKC", label))
    return m.group(1) if m else None


def parse_value(text: str | None, *, money: bool = False, unit: str | None = None) -> Parsed:
    """One cell. ``money``: convert to yuan, a bare number taking ``unit`` (else 元)."""
    return _parse(text or "", money, unit)


@lru_cache(maxsize=4096)  # reports repeat the same few cell texts ("0", "") hundreds of times
def _parse(text: str, money: bool, unit: str | None) -> Parsed:
    s = _compact(text)
    if _BLANK.match(s):
        return Parsed(None, True)
    sign = 1
    m = _CHANGE.match(s)
    if m:
        word, digits = m.groups()
        if word.startswith("减"):
            sign = -1
        s = digits
    m = _NUMBER.match(s)
    if not m:
        return Parsed(None, False)
    neg, digits, suffix = m.groups()
    try:
        d = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return Parsed(None, False)
    if neg == "-":
        d = -d
    d *= sign
    used = None
    if suffix == "万":  # "70.49万": a money cell's 万元, a count's ten thousands
        suffix = "万元" if money else None
        if not money:
            d *= 10000
    if money:
        used = suffix if suffix in _UNIT_FACTOR else (unit if unit in _UNIT_FACTOR else "元")
        d *= _UNIT_FACTOR[used]
    elif suffix in _UNIT_FACTOR:
        # money written into a count cell: keep the number as printed, note the unit
        used = suffix
    return Parsed(to_number(d), True, used)
