"""Each validation rule fires with the right sides, and stays quiet on consistent or blank data."""

import pytest

from parsers.map_requests import APPLICANTS
from parsers.templates import recognise
from parsers.validate import _RESULT_ROWS, deadline_issue, validate

SIX = APPLICANTS[:-1]


def consistent_2019() -> dict:
    v = {}
    rows = {"new_received": [5, 1, 0, 0, 0, 1], "carried_over": [1, 0, 0, 0, 0, 0],
            "granted": [3, 1, 0, 0, 0, 0], "unavailable_not_held": [1, 0, 0, 0, 0, 1],
            "handled_total": [4, 1, 0, 0, 0, 1], "carried_forward": [2, 0, 0, 0, 0, 0]}
    for row in ("new_received", "carried_over", *_RESULT_ROWS, "other_handling", "handled_total", "carried_forward"):
        nums = rows.get(row, [0] * 6)
        for a, n in zip(SIX, nums, strict=True):
            v[f"requests.{row}.{a}"] = n
        v[f"requests.{row}.total"] = sum(nums)
    for p, nums in (("review", [1, 1, 0, 0, 2]), ("litigation_direct", [0, 0, 0, 1, 1]),
                    ("litigation_after_review", [0, 0, 0, 0, 0])):
        for o, n in zip(("upheld", "corrected", "other", "pending", "total"), nums, strict=True):
            v[f"appeals.{p}.{o}"] = n
    return v


def rules(issues):
    return {i["rule"]: i for i in issues}


def test_consistent_data_passes_every_rule():
    assert validate(consistent_2019(), "2019") == []


def test_balance():
    v = consistent_2019()
    v["requests.carried_forward.natural_person"] = 3
    v["requests.carried_forward.total"] = 3
    got = rules(validate(v, "2019"))
    assert set(got) == {"requests.balance.natural_person", "requests.balance.total"}
    i = got["requests.balance.natural_person"]
    assert i["message"] == "一+二 = 6 but 三(七)+四 = 7"
    assert (i["left"], i["right"]) == (6, 7)
    assert i["severity"] == "error"
    assert i["key"] == "requests.handled_total.natural_person"


def test_row_total():
    v = consistent_2019()
    v["requests.granted.total"] = 5
    got = rules(validate(v, "2019"))
    assert "requests.row_total.granted" in got
    assert (got["requests.row_total.granted"]["left"], got["requests.row_total.granted"]["right"]) == (5, 4)
    # the 总计 column also breaks the column sum of results
    assert "requests.handled_sum.total" in got


def test_handled_sum():
    v = consistent_2019()
    v["requests.withheld_state_secret.research"] = 2
    v["requests.withheld_state_secret.total"] = 2
    got = rules(validate(v, "2019"))
    assert set(got) == {"requests.handled_sum.research", "requests.handled_sum.total"}
    assert (got["requests.handled_sum.research"]["left"], got["requests.handled_sum.research"]["right"]) == (0, 2)


def test_handled_sum_2021_uses_the_three_other_rows():
    v = consistent_2019()
    del v["requests.other_handling.natural_person"]
    for row, n in (("other_no_correction", 0), ("other_fee_unpaid", 0), ("other_misc", 1)):
        v[f"requests.{row}.natural_person"] = n
    got = rules(validate(v, "2021"))
    assert (got["requests.handled_sum.natural_person"]["left"],
            got["requests.handled_sum.natural_person"]["right"]) == (4, 5)


def test_appeals_sum():
    v = consistent_2019()
    v["appeals.litigation_direct.total"] = 3
    got = rules(validate(v, "2019"))
    assert set(got) == {"appeals.sum.litigation_direct"}
    assert got["appeals.sum.litigation_direct"]["message"] == "维持+纠正+其他+尚未审结 = 1 but 总计 = 3"


def test_blank_operand_is_not_checked():
    v = consistent_2019()
    v["requests.carried_forward.natural_person"] = 9
    v["requests.carried_over.natural_person"] = None
    v["requests.granted.total"] = None  # row total left blank
    v["requests.granted.natural_person"] = 7
    got = rules(validate(v, "2019"))
    assert "requests.balance.natural_person" not in got
    assert "requests.row_total.granted" not in got
    assert "requests.handled_sum.natural_person" in got


@pytest.mark.parametrize("values,rule,sides", [
    ({"legacy.org.staff": 3, "legacy.org.staff_full_time": 1, "legacy.org.staff_part_time": 1},
     "legacy.org.staff_sum", (3, 2)),
    ({"legacy.requests.received": 10, "legacy.requests.in_person": 2, "legacy.requests.online": 7},
     "legacy.requests.channel_sum", (10, 9)),
    ({"legacy.requests.answered": 4, "legacy.requests.granted": 2, "legacy.requests.refused": 1},
     "legacy.requests.answer_sum", (4, 3)),
    ({"legacy.requests.refused": 2, "legacy.requests.refused_privacy": 1,
      "legacy.requests.refused_state_secret": 0}, "legacy.requests.refused_sum", (2, 1)),
])
def test_legacy_rules(values, rule, sides):
    got = rules(validate(values, "legacy"))
    assert set(got) == {rule}
    assert (got[rule]["left"], got[rule]["right"]) == sides
    fixed = dict(values)
    first = next(iter(values))
    fixed[first] = sides[1]
    assert validate(fixed, "legacy") == []


def test_legacy_sum_needs_the_parts_printed():
    # a lone 其中 line is not a breakdown of 不同意公开
    assert validate({"legacy.requests.refused": 5, "legacy.requests.refused_privacy": 1}, "legacy") == []


def test_deadline():
    assert deadline_issue("2021-02-01", 2020, "宁波市北仑区商务局")["rule"] == "deadline"
    assert deadline_issue("2021-01-31", 2020, "宁波市北仑区商务局") is None
    assert deadline_issue("2021-03-20", 2020, "宁波市北仑区人民政府") is None
    assert deadline_issue("2021-04-01", 2020, "宁波市北仑区人民政府")["severity"] == "warning"
    assert deadline_issue(None, 2020, "x") is None


def test_template_recognition():
    assert recognise(["proactive.regulations.issued", "requests.granted.total"], 2020) == "2021"
    assert recognise(["proactive.regulations.new_made", "requests.granted.total"], 2022) == "2019"
    assert recognise(["proactive.licensing.change", "legacy.org.staff"], 2020) == "2019"  # Ningbo hybrid
    assert recognise(["requests.other_misc.total", "requests.granted.total"], None) == "2021"
    assert recognise(["requests.granted.total"], 2022) == "2021"  # only the year can tell
    assert recognise(["requests.granted.total"], 2020) == "2019"
    assert recognise(["legacy.requests.received"], 2016) == "legacy"
    assert recognise([], 2020) is None


def test_text_vs_table():
    from parsers.validate import text_issues

    values = {"requests.new_received.total": 12, "appeals.review.total": 1,
              "appeals.litigation_direct.total": 1, "appeals.litigation_after_review.total": 2}
    sections = {"overview": "本年度共新收政府信息公开申请14件，上年结转0件。", "appeals": "发生行政复议1件，行政诉讼3件。"}
    got = rules(text_issues(sections, values))
    assert set(got) == {"text.vs_table.requests.new_received.total"}
    i = got["text.vs_table.requests.new_received.total"]
    assert (i["left"], i["right"], i["severity"]) == (14, 12, "warning")
    assert text_issues({"overview": "本年度新收申请12件。"}, values) == []
    assert text_issues({"overview": "无"}, values) == []
