"""The arithmetic the forms state or imply (report-schema.md, "Validation rules").

One issue per failed rule, with both sides; a rule with a blank (or missing) operand is not checked.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from parsers.collect import make_issue
from parsers.map_appeals import OUTCOMES, PROCEEDINGS
from parsers.map_requests import APPLICANTS

_RESULT_ROWS = (
    "granted", "partially_granted",
    "withheld_state_secret", "withheld_law_prohibited", "withheld_security_stability", "withheld_third_party",
    "withheld_internal_affairs", "withheld_process_info", "withheld_enforcement_file", "withheld_admin_query",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_still_unclear",
    "not_processed_petition", "not_processed_repeat", "not_processed_publication", "not_processed_excessive",
    "not_processed_confirmation",
)
_OTHER_2021 = ("other_no_correction", "other_fee_unpaid", "other_misc")
_LEGACY_CHANNELS = ("in_person", "by_fax", "online", "by_email", "by_letter", "by_letter_or_fax", "other_channels")
_LEGACY_ANSWERS = ("already_public", "granted", "partially_granted", "refused", "not_this_agency", "not_exist",
                   "told_to_amend", "told_other_channel", "other_answers")
_LEGACY_REFUSED = ("refused_state_secret", "refused_commercial_secret", "refused_privacy",
                   "refused_security_stability", "refused_not_gov_info", "refused_other_law")
_EPS = 1e-6


def _fmt(x) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return str(x)


class _Checker:
    def __init__(self, values: dict[str, object]):
        self.v = values
        self.issues: list[dict] = []

    def total(self, keys):
        """The sum of the values of ``keys`` (left to right, as sum() adds), or None when one is blank
        or missing (then the rule is not checked)."""
        get = self.v.get
        out = 0
        for k in keys:
            x = get(k)
            if x is None:
                return None
            out += x
        return out

    def equal(self, rule: str, key: str, left_keys, right_keys, left_name: str, right_name: str):
        ls = self.total(left_keys)
        rs = self.total(right_keys) if ls is not None else None
        if rs is None:
            return
        if abs(ls - rs) > _EPS:
            self.issues.append(make_issue(rule, "error", f"{left_name} = {_fmt(ls)} but {right_name} = {_fmt(rs)}",
                                          key, ls, rs))


# The rules as (rule, key, left keys, right keys, left name, right name), built once: the key
# strings cost more to build for every report than the arithmetic itself.
@cache
def _balance_rules() -> tuple:
    return tuple(
        (f"requests.balance.{a}", f"requests.handled_total.{a}",
         (f"requests.new_received.{a}", f"requests.carried_over.{a}"),
         (f"requests.handled_total.{a}", f"requests.carried_forward.{a}"), "一+二", "三(七)+四")
        for a in APPLICANTS)


@cache
def _row_rule(row: str) -> tuple:
    return (f"requests.row_total.{row}", f"requests.{row}.total", (f"requests.{row}.total",),
            tuple(f"requests.{row}.{a}" for a in APPLICANTS[:-1]), "总计", "sum of the six applicant columns")


@cache
def _handled_rules(other_rows: tuple[str, ...]) -> tuple:
    result_rows = _RESULT_ROWS + other_rows
    return tuple(
        (f"requests.handled_sum.{a}", f"requests.handled_total.{a}", (f"requests.handled_total.{a}",),
         tuple(f"requests.{r}.{a}" for r in result_rows), "(七)总计", "sum of (一) to (六)")
        for a in APPLICANTS)


@cache
def _appeals_and_staff_rules() -> tuple:
    return (*(
        (f"appeals.sum.{p}", f"appeals.{p}.total", tuple(f"appeals.{p}.{o}" for o in OUTCOMES[:-1]),
         (f"appeals.{p}.total",), "维持+纠正+其他+尚未审结", "总计")
        for p in PROCEEDINGS),
        ("legacy.org.staff_sum", "legacy.org.staff", ("legacy.org.staff",),
         ("legacy.org.staff_full_time", "legacy.org.staff_part_time"), "从事信息公开工作人员数", "专职+兼职"))


_LEGACY_SUMS = tuple(
    (rule, f"legacy.requests.{total}", tuple(f"legacy.requests.{p}" for p in parts), names)
    for rule, total, parts, names in (
        ("legacy.requests.channel_sum", "received", _LEGACY_CHANNELS, ("收到申请数", "sum of the channels")),
        ("legacy.requests.answer_sum", "answered", _LEGACY_ANSWERS, ("申请答复数", "sum of the answers")),
        ("legacy.requests.refused_sum", "refused", _LEGACY_REFUSED, ("不同意公开", "sum of its reasons")),
    )
)


def validate(values: dict[str, object], template: str | None) -> list[dict]:
    """``values``: key -> number or None. Returns the failed rules."""
    ch = _Checker(values)
    for rule in _balance_rules():
        ch.equal(*rule)
    rows = {k.split(".", 2)[1] for k in values if k.startswith("requests.")}
    for row in sorted(rows):
        ch.equal(*_row_rule(row))
    other_rows = tuple(r for r in _OTHER_2021 if r in rows) or ("other_handling",)
    for rule in _handled_rules(other_rows):
        ch.equal(*rule)
    for rule in _appeals_and_staff_rules():
        ch.equal(*rule)
    for rule, total, parts, names in _LEGACY_SUMS:
        printed = [p for p in parts if p in values]
        # only where the form prints the parts (two at least): a lone 其中 line is not a breakdown
        if len(printed) >= 2:
            ch.equal(rule, total, [total], printed, *names)
    return ch.issues


def deadline_issue(published: str | None, year: int | None, agency: str | None) -> dict | None:
    """Published after the legal deadline: departments 31 January, governments 31 March."""
    if not published or not year:
        return None
    try:
        when = date.fromisoformat(published)
    except ValueError:
        return None
    government = bool(agency) and agency.endswith(("人民政府", "政府"))
    # the 2008 Regulations gave everyone until 31 March; the 2019 ones moved departments to 31 January
    limit = date(year + 1, 3 if government or year <= 2018 else 1, 31)
    if when > limit:
        return make_issue("deadline", "warning", f"published {published}, after the deadline {limit.isoformat()}")
    return None


_TEXT_CLAIMS = (
    # (pattern over the narrative, keys whose sum it quotes)
    (re.compile(r"新收(?:到)?[^。；;\d]{0,16}?申请(?:共|计)?(\d+)(?:件|个|条)"), ("requests.new_received.total",)),
    (re.compile(r"上年结转[^。；;\d]{0,16}?申请(?:共|计)?(\d+)(?:件|个|条)"), ("requests.carried_over.total",)),
    (re.compile(r"行政复议(?:案件)?(?:共|计)?(\d+)(?:件|起)"), ("appeals.review.total",)),
    (re.compile(r"行政诉讼(?:案件)?(?:共|计)?(\d+)(?:件|起)"),
     ("appeals.litigation_direct.total", "appeals.litigation_after_review.total")),
)


def text_issues(sections: dict, values: dict[str, object]) -> list[dict]:
    """Numbers the narrative quotes (本年新收…申请N件, 行政复议N件) against the tables: warnings."""
    text = "".join(t for t in (sections.get("overview"), sections.get("requests"), sections.get("appeals")) if t)
    text = re.sub(r"\s+", "", text)
    issues = []
    for pattern, keys in _TEXT_CLAIMS:
        m = pattern.search(text)
        table = [values.get(k) for k in keys]
        if not m or any(x is None for x in table):
            continue
        said, printed = int(m.group(1)), sum(table)
        if abs(said - printed) > _EPS:
            issues.append(make_issue(f"text.vs_table.{keys[0]}", "warning",
                                     f"the text says {m.group(0)!r} but the table has {_fmt(printed)}",
                                     keys[0], said, printed))
    return issues
