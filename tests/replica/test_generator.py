"""The report generator: consistent by construction, deliberate breaks known exactly, deterministic."""

import re
from decimal import Decimal

import pytest

from parsers.keys import all_keys, keys_for
from replica.reports import APPLICANTS, check_rules, generate, money_mode, rule_operands

TEMPLATES = ("2019", "2021", "legacy", "2019_legacy")


def test_deterministic_from_seed():
    for t in TEMPLATES:
        a, b = generate(11, t), generate(11, t)
        assert (a.values, a.raw, a.title, a.published, a.options, a.sections) == \
            (b.values, b.raw, b.title, b.published, b.options, b.sections)
    assert generate(11, "2019").values != generate(12, "2019").values


@pytest.mark.parametrize("template", TEMPLATES)
def test_keys_are_canonical_and_complete(template):
    keys = all_keys()
    for seed in range(20):
        spec = generate(seed, template)
        assert set(spec.values) <= set(keys), set(spec.values) - set(keys)
        assert set(spec.values) == set(spec.raw)
        counts = {t: sum(1 for k in spec.values if k.startswith(t + ".")) for t in ("proactive", "requests", "appeals")}
        if template == "2019" or template == "2019_legacy":
            assert counts == {"proactive": 22, "requests": 23 * 7, "appeals": 15}
            assert spec.template == "2019"
        elif template == "2021":
            own = {k.key for k in keys_for("2021")}
            assert set(spec.values) <= own
            if spec.options["t3_single_other"]:  # the 2019 row （六）其他处理 kept in a 2021 report
                assert counts == {"proactive": 10, "requests": 23 * 7, "appeals": 15}
                assert "requests.other_handling.total" in spec.values
            else:
                assert counts == {"proactive": 10, "requests": 25 * 7, "appeals": 15}
                assert not any(k.startswith("requests.other_handling.") for k in spec.values)
        else:
            assert counts == {"proactive": 0, "requests": 0, "appeals": 0}
            assert all(k.startswith("legacy.") for k in spec.values)
            assert "legacy.org.staff" in spec.values and "legacy.requests.received" in spec.values
        if template == "2019_legacy":
            assert "legacy.proactive.items" in spec.values


@pytest.mark.parametrize("template", TEMPLATES)
def test_consistent_specs_satisfy_every_rule(template):
    for seed in range(60):
        spec = generate(seed, template)
        assert spec.expected_issues == set(), (seed, spec.expected_issues)
        v = spec.values
        if template != "legacy":  # the printed rule, recomputed by hand, where no operand is blank
            for a in APPLICANTS:
                ops = [v[f"requests.{r}.{a}"] for r in ("new_received", "carried_over", "handled_total", "carried_forward")]
                if None not in ops:
                    assert ops[0] + ops[1] == ops[2] + ops[3]
        else:
            if None not in (v["legacy.org.staff"], v["legacy.org.staff_full_time"], v["legacy.org.staff_part_time"]):
                assert v["legacy.org.staff"] == v["legacy.org.staff_full_time"] + v["legacy.org.staff_part_time"]


def test_variants_occur():
    specs = [generate(seed, t) for seed in range(60) for t in ("2019", "2021")]
    for option in ("label_variants", "heading_variants", "t2_caption_space", "fullwidth_digits", "t3_single_other",
                   "blank_subtotals", "nbsp_first", "broken_labels", "t2_split"):
        assert any(s.options[option] for s in specs), option
        assert not all(s.options[option] for s in specs), option
    sub = next(s for s in specs if s.options["blank_subtotals"])
    assert sub.values["requests.granted.total"] is None and sub.raw["requests.granted.total"] in ("", "——", "/")


def test_rule_sets_per_template():
    r19 = rule_operands(generate(1, "2019").values)
    r21 = rule_operands(generate(1, "2021").values)
    assert not generate(1, "2021").options["t3_single_other"]
    leg = rule_operands(generate(1, "legacy").values)
    assert len([r for r in r19 if r.startswith("requests.row_total.")]) == 23
    assert len([r for r in r21 if r.startswith("requests.row_total.")]) == 25
    assert len(r19) == 7 + 23 + 7 + 3 and len(r21) == 7 + 25 + 7 + 3
    # 2021: (六) is three rows, all part of the handled sum
    left, right = r21["requests.handled_sum.total"]
    assert left == ["requests.handled_total.total"] and len(right) == 21
    assert len(r19["requests.handled_sum.total"][1]) == 19
    assert "requests.other_fee_unpaid.total" in right
    assert set(leg) == {"legacy.org.staff_sum", "legacy.requests.channel_sum", "legacy.requests.answer_sum",
                        "legacy.requests.refused_sum"}


def _consistent(template, start=0):
    """A spec without blank cells (so every rule is checked)."""
    for seed in range(start, start + 200):
        spec = generate(seed, template)
        if None not in spec.values.values():
            return spec
    raise AssertionError("no spec without blanks")


def test_checker_finds_exactly_the_rules_a_change_breaks():
    v = dict(_consistent("2019").values)
    v["requests.granted.natural_person"] += 1
    assert check_rules(v) == {"requests.row_total.granted", "requests.handled_sum.natural_person"}
    v = dict(_consistent("2021").values)
    v["requests.handled_total.total"] += 2
    assert check_rules(v) == {"requests.balance.total", "requests.row_total.handled_total",
                              "requests.handled_sum.total"}
    v = dict(_consistent("2021").values)
    v["appeals.litigation_direct.pending"] += 1
    assert check_rules(v) == {"appeals.sum.litigation_direct"}
    v = dict(_consistent("legacy").values)
    v["legacy.requests.refused_privacy"] += 1
    assert check_rules(v) == {"legacy.requests.refused_sum"}
    v["legacy.org.staff_part_time"] += 1
    assert check_rules(v) == {"legacy.requests.refused_sum", "legacy.org.staff_sum"}


def test_blank_operand_is_not_checked():
    v = dict(_consistent("2019").values)
    v["requests.granted.natural_person"] += 1
    v["requests.granted.total"] = None  # the row total is blank: row rule unchecked, column rule still fails
    assert check_rules(v) == {"requests.handled_sum.natural_person"}


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_inconsistencies_break_n_distinct_rules(template, n):
    for seed in range(8):
        spec = generate(seed, template, inconsistencies=n)
        assert spec.expected_issues == check_rules(spec.values)
        assert len(spec.expected_issues) >= n
        assert set(spec.broken) <= spec.expected_issues
        # one changed cell per deliberate break (cells left blank in the clean spec may be printed instead)
        clean = generate(seed, template)
        changed = {k for k in clean.values if clean.values[k] is not None and clean.values[k] != spec.values[k]}
        assert 1 <= len(changed) <= len(spec.broken)
        for k in changed:
            assert spec.raw[k] != clean.raw[k]


def test_too_many_inconsistencies_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot break"):
        generate(1, "legacy", inconsistencies=9)


# ------------------------------------------------------------ printed text denotes the value

def _denoted(raw: str, key: str, mode: str | None) -> int | Decimal | None:
    """Independent reading of a printed cell by report-schema.md's value rules."""
    s = raw.replace("\u00a0", "").replace("\u3000", "").strip()
    s = s.translate(str.maketrans("０１２３４５６７８９＋－", "0123456789+-"))
    if s in ("", "——", "—", "/", "无"):
        return None
    m = re.fullmatch(r"(增|减)（(\d+)）", s)
    if m:
        return int(m.group(2)) * (1 if m.group(1) == "增" else -1)
    factor = Decimal(1)
    if s.endswith("万元"):
        s, factor = s[:-2], Decimal(10000)
    elif s.endswith("元"):
        s = s[:-1]
    elif mode in ("wan_header", "wan_unit"):
        factor = Decimal(10000)
    d = Decimal(s) * factor
    return int(d) if d == d.to_integral_value() else d


@pytest.mark.parametrize("template", TEMPLATES)
def test_raw_text_denotes_the_value(template):
    seen_modes, seen_signs = set(), set()
    for seed in range(40):
        spec = generate(seed, template, inconsistencies=seed % 2)
        for k, raw in spec.raw.items():
            mode = money_mode(k, spec.options)
            assert _denoted(raw, k, mode) == spec.values[k], (seed, k, raw, spec.values[k])
            if mode and spec.values[k]:
                seen_modes.add(mode)
            if k.endswith(".change") and spec.values[k]:
                seen_signs.add(re.sub(r"\d+", "n", raw))
    if template in ("2019", "2019_legacy"):
        assert {"wan_suffix", "yuan_suffix", "yuan_header", "wan_header", "bare"} <= seen_modes
        assert {"增（n）", "减（n）", "＋n", "+n"} <= seen_signs


def test_metadata():
    for seed in range(30):
        for t in TEMPLATES:
            s = generate(seed, t)
            assert s.agency in s.title and str(s.year) in s.title and s.title.endswith("信息公开工作年度报告")
            assert s.published.year == s.year + 1 and s.published.month <= 3
            if not s.is_government:
                assert s.published.month == 1  # departments: by 31 January
            lo, hi = {"2019": (2019, 2020), "2019_legacy": (2019, 2020), "2021": (2021, 2025), "legacy": (2008, 2018)}[t]
            assert lo <= s.year <= hi
            assert set(s.sections) == {"overview", "proactive", "requests", "appeals", "problems", "other"}
    s = generate(3, "2021", agency="杭州市统计局", region="浙江省杭州市", year=2023)
    assert (s.agency, s.region, s.region_code, s.year) == ("杭州市统计局", "浙江省杭州市", "330100", 2023)
    assert s.title in ("杭州市统计局2023年政府信息公开工作年度报告", "2023年杭州市统计局政府信息公开工作年度报告")


def test_sections_quote_the_table_numbers():
    for seed in range(20):
        s = generate(seed, "2021")
        nt = s.values["requests.new_received.total"]
        if nt is not None:
            assert f"收到政府信息公开申请{nt}件" in s.sections["requests"]
        rv = s.values["appeals.review.total"]
        if rv is not None:
            assert f"行政复议{rv}件" in s.sections["appeals"]
        assert "信息处理费" in s.sections["other"]


def test_unknown_template_is_rejected():
    with pytest.raises(ValueError, match="unknown template"):
        generate(1, "2030")
