"""CSV and text files from a Chinese Windows: GBK (mainland) or Big5 (Taiwan, Hong Kong).

Their byte ranges overlap, so one file often decodes both ways; the reading whose
characters are common ones is taken, and a file too short to tell is refused rather
than read wrong (a Big5 roster read as GBK once printed 朝妈 for 陳鎔).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policybook.diagnostics import SourceError
from policybook.source.textfile import decode_table, legacy_readings

LEGACY = ("gb18030", "cp950")

ROSTER_HANS = (
    "工号,姓名,公司,部门,入职日期,状态\n"
    "SZ001,张伟,sz,客服一部,2023-03-01,在职\n"
    "SH002,陈静,华远科技（上海）有限公司,研发部,2021-02-03,在职\n"
)
ROSTER_HANT = (
    "工號,姓名,公司,部門,入職日期,狀態\n"
    "HK001,張偉,hk,客服一部,2023-03-01,在職\n"
    "HK002,陳靜,華遠科技（香港）有限公司,研發部,2021-02-03,在職\n"
)
LEAVE_HANT = (
    "姓名,工號,部門,請假類別,請假事由\n"
    "李明,HY0301,市場部,事假,家中有事，需要處理。\n"
    "劉芳,HY4,研發部,病假,急性腸胃炎，遵醫囑休息三天。\n"
)
LEAVE_HANS = (
    "姓名,工号,部门,请假类别,请假事由\n"
    "李明,HY0301,市场部,事假,家中有事，需要处理。\n"
    "刘芳,HY4,研发部,病假,急性肠胃炎，遵医嘱休息三天。\n"
)

NAMES_HANS = "姓名,部门\n王芳,研发部\n赵六,客服部\n"


@pytest.mark.parametrize(
    ("text", "encoding", "name"),
    [
        (ROSTER_HANS, "gbk", "GBK"),
        (LEAVE_HANS, "gbk", "GBK"),
        (ROSTER_HANT, "gbk", "GBK"),  # Traditional characters saved as GBK (GB18030 has them)
        (NAMES_HANS, "gbk", "GBK"),
        (ROSTER_HANT, "cp950", "Big5"),
        (LEAVE_HANT, "cp950", "Big5"),
    ],
)
def test_each_chinese_windows_file_reads_as_written(text: str, encoding: str, name: str, tmp_path: Path) -> None:
    data = text.encode(encoding)
    assert legacy_readings(data) == [(name, text)]
    assert decode_table(data, tmp_path / "staff.csv", "forms.csv-encoding") == text


def test_a_file_too_short_to_tell_is_refused_not_guessed(tmp_path: Path) -> None:
    data = "姓名\n王芳\n趙六\n".encode("cp950")  # reads as GB2312's commonest characters too
    assert len(legacy_readings(data)) == 2
    with pytest.raises(SourceError) as info:
        decode_table(data, tmp_path / "staff.csv", "forms.csv-encoding")
    message = str(info.value.diagnostics.errors[0])
    assert "staff.csv:1" in message and "reads as GBK and as Big5 alike" in message and "CSV UTF-8" in message


def test_utf8_is_read_first_with_or_without_excel_bom(tmp_path: Path) -> None:
    assert decode_table(("\ufeff" + LEAVE_HANT).encode("utf-8"), tmp_path / "a.csv", "x") == LEAVE_HANT
    assert decode_table(LEAVE_HANS.encode("utf-8"), tmp_path / "a.csv", "x") == LEAVE_HANS


@pytest.mark.parametrize(("text", "encoding"), [(NAMES_HANS, "gbk"), (ROSTER_HANT, "cp950"), (LEAVE_HANT, "cp950")])
def test_the_cases_above_that_decode_both_ways(text: str, encoding: str) -> None:
    """Not a trivial choice: these bytes decode without error as GBK and as Big5."""
    data = text.encode(encoding)
    assert {data.decode("gb18030"), data.decode("cp950")} >= {text} and len({data.decode(c) for c in LEGACY}) == 2
