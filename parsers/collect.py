"""What the mappers produce: values by key, unmapped cells, and issues met on the way."""

from __future__ import annotations

from functools import cache

from parsers.keys import all_keys
from parsers.values import _parse


def make_issue(rule: str, severity: str, message: str, key: str | None = None, left=None, right=None) -> dict:
    """An issue as the parse contract and ARCHITECTURE.md give it (key, left, right always present)."""
    return {"rule": rule, "severity": severity, "message": message, "key": key, "left": left, "right": right}


@cache
def _key_info() -> dict[str, tuple[bool, str | None]]:
    """key -> (is money, unit), looked up once per value."""
    return {k: (spec.is_money, spec.unit) for k, spec in all_keys().items()}


class Collector:
    def __init__(self):
        self.values: dict[str, dict] = {}
        self.cells: list[dict] = []
        self.issues: list[dict] = []
        self.keys = all_keys()
        self._info = _key_info()

    def value(self, key: str, raw: str, table, ref: str, unit: str | None = None) -> bool:
        """Record the cell ``raw`` as the value of ``key``. False when the key does not exist."""
        info = self._info.get(key)
        if info is None:
            return False
        parsed = _parse(raw or "", info[0], unit)  # parse_value without the wrapper's call
        if not parsed.is_number:
            self.issue("parse.not_a_number", "warning", f"{key}: {raw.strip()!r} in cell {ref} is not a number", key)
        entry = {"key": key, "value": parsed.value, "raw": raw, "table": table,
                 "unit": info[1], "cell": ref}
        old = self.values.get(key)
        if old is None:
            self.values[key] = entry
        elif old["value"] is None and parsed.value is not None:
            # a group row mapped first with an empty cell must not hide the real value
            self.values[key] = entry
        elif parsed.value is not None and old["value"] != parsed.value:
            self.issue("parse.duplicate_key", "warning",
                       f"{key} appears twice: {old['raw'].strip()!r} ({old['cell']}) and {raw.strip()!r} ({ref}); "
                       "kept the first", key, old["value"], parsed.value)
        return True

    def cell(self, table, r: int, c: int, raw: str, row_label: str | None, col_label: str | None, ref: str):
        if not raw or not raw.strip():
            return
        self.cells.append({"table": table, "row": r, "col": c, "row_label": row_label or None,
                           "col_label": col_label or None, "raw": raw, "cell": ref})

    def issue(self, rule: str, severity: str, message: str, key=None, left=None, right=None):
        self.issues.append(make_issue(rule, severity, message, key, left, right))
