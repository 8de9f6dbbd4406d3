"""Chinese numerals as regulations write them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policybook.transforms.numerals import chinese, cn_number, cn_upper, letters, parse_chinese, roman

CASES = {
    1: "一",
    9: "九",
    10: "十",
    11: "十一",
    19: "十九",
    20: "二十",
    21: "二十一",
    99: "九十九",
    100: "一百",
    101: "一百零一",
    105: "一百零五",
    110: "一百一十",
    111: "一百一十一",
    120: "一百二十",
    1000: "一千",
    1001: "一千零一",
    1010: "一千零一十",
    1100: "一千一百",
    2024: "二千零二十四",
    9999: "九千九百九十九",
    10000: "一万",
    10010: "一万零一十",
    100000: "十万",
}


@pytest.mark.parametrize(("n", "text"), CASES.items())
def test_known_numerals(n: int, text: str) -> None:
    assert chinese(n) == text


@given(st.integers(min_value=1, max_value=9999))
def test_round_trip(n: int) -> None:
    assert parse_chinese(chinese(n)) == n


@pytest.mark.parametrize("bad", [0, -1, 10**8])
def test_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError):
        chinese(bad)


def test_letters_and_roman() -> None:
    assert [letters(n) for n in (1, 2, 26, 27, 28)] == ["A", "B", "Z", "AA", "AB"]
    assert [roman(n) for n in (1, 4, 9, 14, 40)] == ["i", "iv", "ix", "xiv", "xl"]


AMOUNTS = {
    1200: "壹仟贰佰元整",
    10: "壹拾元整",
    0: "零元整",
    1005.5: "壹仟零伍元伍角",
    0.05: "伍分",
    1.05: "壹元零伍分",
    12.3: "壹拾贰元叁角",
    1010: "壹仟零壹拾元整",
    100500: "壹拾万零伍佰元整",
    105000: "壹拾万伍仟元整",
    10001: "壹万零壹元整",
    30000.07: "叁万元零柒分",
    12345678.9: "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角",
    "1,234.56": "壹仟贰佰叁拾肆元伍角陆分",
}


@pytest.mark.parametrize(("amount", "text"), AMOUNTS.items())
def test_cn_upper_amounts(amount: object, text: str) -> None:
    assert cn_upper(amount) == text


@pytest.mark.parametrize(
    ("value", "text"), [(3, "三"), (15, "十五"), (105, "一百零五"), (0, "零"), ("7", "七"), (20.0, "二十")]
)
def test_cn_number(value: object, text: str) -> None:
    assert cn_number(value) == text


@pytest.mark.parametrize("bad", ["三", 2.5, None, True, "12abc"])
def test_filters_refuse_what_is_not_a_number(bad: object) -> None:
    with pytest.raises(ValueError):
        cn_number(bad)


def test_filters_in_templates() -> None:
    from policybook.diagnostics import Diagnostics
    from policybook.transforms.variables import Renderer

    diags = Diagnostics()
    renderer = Renderer({"days": 3, "bonus": 1200, "word": "三"}, diags)
    text = renderer.text("连续旷工{{ days | cn_number }}天，奖金{{ bonus | cn_upper }}。", None)
    assert text == "连续旷工三天，奖金壹仟贰佰元整。"
    renderer.text("{{ word | cn_number }}", None)
    assert "cn_number needs a number written in digits, found '三'" in str(diags.errors[0])


def test_parse_number_as_sources_write_it() -> None:
    from policybook.transforms.numerals import parse_number

    assert [parse_number(t) for t in ("十二", "一百零五", "12", "１２", "二〇", "两", "一萬")] == [
        12,
        105,
        12,
        12,
        20,
        2,
        10000,
    ]


def test_legal_numerals() -> None:
    from policybook.transforms.numerals import chinese_legal

    assert chinese_legal(12) == "壹拾贰"
    assert chinese_legal(105, traditional=True) == "壹佰零伍"
