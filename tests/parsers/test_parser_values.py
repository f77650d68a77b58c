"""Cell text -> number, as report-schema.md "Values" says."""

import pytest

from parsers.values import header_unit, parse_value


@pytest.mark.parametrize("raw,want", [
    ("14", 14), (" 0", 0), ("\xa00", 0), ("0 ", 0), ("\u30003", 3), ("１２３", 123), ("1,234", 1234),
    ("232586.0", 232586), ("2.5", 2.5), ("12件", 12), ("5条", 5),
])
def test_counts(raw, want):
    p = parse_value(raw)
    assert p.is_number and p.value == want
    assert type(p.value) is type(want)


@pytest.mark.parametrize("raw", ["", "  ", "——", "—", "-", "/", "／", "无", "－", "\xa0"])
def test_blank_is_null_not_zero(raw):
    p = parse_value(raw)
    assert p.value is None and p.is_number


@pytest.mark.parametrize("raw,want", [
    ("增（2）", 2), ("增(2)", 2), ("+2", 2), ("＋2", 2), ("＋586", 586), ("减（2）", -2), ("-2", -2),
    ("－2", -2), ("减少3", -3), ("增加4", 4),
])
def test_signed_changes(raw, want):
    assert parse_value(raw).value == want


@pytest.mark.parametrize("raw,unit,want", [
    ("70.49万元", None, 704900), ("419311元", None, 419311), ("638.11万元", None, 6381100),
    ("232586.0", None, 232586), ("1.5", "万元", 15000), ("96171.6", "万元", 961716000),
    ("0.0", "万元", 0), ("12.3", None, 12.3), ("0.01万元", "元", 100), ("1.23456万元", None, 12345.6),
])
def test_money_into_yuan_exactly(raw, unit, want):
    p = parse_value(raw, money=True, unit=unit)
    assert p.value == want
    assert isinstance(p.value, int) == isinstance(want, int)


def test_decimal_arithmetic_has_no_float_noise():
    # 0.07 * 10000 in binary floats is 700.0000000000001
    assert parse_value("0.07万元", money=True).value == 700
    assert parse_value("1.1", money=True, unit="万元").value == 11000


@pytest.mark.parametrize("raw", ["约100", "见附件", "12%", "abc", "1.2.3"])
def test_not_a_number(raw):
    p = parse_value(raw)
    assert p.value is None and not p.is_number


def test_header_units():
    assert header_unit("本年收费金额（单位：万元）") == "万元"
    assert header_unit("采购总金额（元）") == "元"
    assert header_unit("采购总金额") is None
    assert header_unit(None) is None
