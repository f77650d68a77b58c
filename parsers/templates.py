"""Which form the report follows ("2019", "2021", "legacy" or None), decided from what was mapped.

The labels decide (report-schema.md, "Templates"); the year is only a prior for reports whose
tables carry no distinguishing row (table 三 and 四 are the same in both national formats).
"""

from __future__ import annotations

from functools import cache

_MARKS_2021 = ("proactive.regulations.issued", "proactive.regulations.repealed", "proactive.regulations.in_force",
               "proactive.normative_documents.issued", "proactive.normative_documents.repealed",
               "proactive.normative_documents.in_force", "proactive.fees.amount_yuan")
_MARKS_2021_ROWS = ("requests.other_no_correction.", "requests.other_fee_unpaid.", "requests.other_misc.")
_MARKS_2019_ROWS = ("proactive.regulations.new_", "proactive.regulations.total_",
                    "proactive.normative_documents.new_", "proactive.normative_documents.total_",
                    ".prev_items", ".change", "proactive.other_services.", "proactive.centralized_procurement.")


@cache
def _mark(key: str) -> int:
    """+1 for a 2021-only key, -1 for a 2019-only one, 0 otherwise."""
    if key in _MARKS_2021 or key.startswith(_MARKS_2021_ROWS):
        return 1
    if any(m in key for m in _MARKS_2019_ROWS):
        return -1
    return 0


def recognise(keys, year: int | None) -> str | None:
    keys = list(keys)
    marks = [_mark(k) for k in keys]
    score21 = marks.count(1)
    score19 = marks.count(-1)
    national = any(k.startswith(("requests.", "appeals.", "proactive.")) for k in keys)
    legacy = any(k.startswith("legacy.") for k in keys)
    if score21 > score19:
        return "2021"
    if score19 > score21:
        return "2019"
    if national:
        if year is not None and year >= 2021:
            return "2021"
        if year is not None and year <= 2018 and legacy:
            return "legacy"
        return "2019"
    if legacy:
        return "legacy"
    return None
