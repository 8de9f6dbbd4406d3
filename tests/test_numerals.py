"""Chinese numerals as regulations write them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policybook.transforms.numerals import chinese, letters, parse_chinese, roman

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
