"""A regulation as data, written out as text, Word and PDF for the import round-trip tests.

The data is the truth: each test renders it into a source format, imports it,
builds the model and compares article by article with what is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policybook.transforms.numerals import chinese

Items = list[tuple[str, list[str]]]  # (item text, sub-items)


@dataclass
class Art:
    title: str
    paras: list[str]
    items: Items = field(default_factory=list)


COMPANY = "华远科技有限公司"
TITLE = "员工考勤管理办法"
CHAPTERS: list[tuple[str, list[Art]]] = [
    (
        "总则",
        [
            Art(
                "目的",
                [
                    "为规范公司考勤管理，维护正常的工作秩序，根据《中华人民共和国劳动法》第三十六条及有关规定，结合公司实际，制定本办法。"
                ],
            ),
            Art("", ["本办法适用于华远科技有限公司全体员工，包括试用期员工。实习人员参照本办法执行。"]),
            Art(
                "定义",
                ["本办法所称考勤，是指公司对员工出勤情况的记录与管理，包括："],
                [("出勤、迟到、早退、旷工的记录；", []), ("请假、加班、补休的记录。", [])],
            ),
        ],
    ),
    (
        "工作时间与考勤",
        [
            Art(
                "工作时间",
                [
                    "公司实行标准工时制度，每日工作8小时，每周工作40小时。因工作需要延长工作时间的，依照本办法第九条的规定安排补休。"
                ],
            ),
            Art(
                "",
                [
                    "员工应当按时上下班，不得迟到、早退或者旷工。员工因故不能按时打卡的，应当在[X]个工作日内填写说明，经部门负责人确认；逾期未说明的，按本办法第七条处理。"
                ],
            ),
            Art(
                "考勤方式",
                ["公司采用以下方式记录考勤："],
                [("电子打卡，包括：", ["门禁打卡；", "手机定位打卡。"]), ("书面登记，适用于不能电子打卡的岗位。", [])],
            ),
            Art(
                "迟到与早退",
                [
                    "员工迟到或者早退的，每次扣款[X]元；当月累计超过三次的，按旷工半日处理。",
                    "因公外出、经批准的事假除外。",
                ],
            ),
            Art(
                "旷工", ["连续旷工超过三个工作日的，依照《中华人民共和国劳动合同法》第三十九条，公司可以解除劳动合同。"]
            ),
            Art("补休", ["员工加班的，应当在三个月内安排补休；无法安排补休的，依照第五条和本办法第八条的规定处理。"]),
        ],
    ),
    (
        "附则",
        [
            Art("", ["本办法由华远科技有限公司人力资源部负责解释。"]),
            Art("", ["本办法自2026年1月1日起施行。"]),
        ],
    ),
]


def articles() -> list[Art]:
    return [a for _, arts in CHAPTERS for a in arts]


def expected_text(art: Art, marks: tuple[str, str] = ("（{}）", "{}.")) -> str:
    """The article's text as policybook's model prints it: items numbered （一） then 1."""
    lines = list(art.paras)
    for index, (text, subs) in enumerate(art.items, 1):
        lines.append(marks[0].format(chinese(index)) + text)
        lines += [marks[1].format(i) + sub for i, sub in enumerate(subs, 1)]
    return "\n".join(lines)


def as_text(wrap: int = 0, article: str = "条", chapter: str = "章") -> str:
    """The regulation as plain text; ``wrap`` hard-wraps long lines at that many characters."""
    lines = [TITLE, "", "目录"] + [f"第{chinese(i)}{chapter}　{t}" for i, (t, _) in enumerate(CHAPTERS, 1)] + [""]
    number = 0
    for index, (title, arts) in enumerate(CHAPTERS, 1):
        lines += [f"第{chinese(index)}{chapter}　{title}", ""]
        for art in arts:
            number += 1
            head = f"第{chinese(number)}{article}　"
            body = [head + art.title, *art.paras] if art.title else [head + art.paras[0], *art.paras[1:]]
            body += item_lines(art)
            lines += [w for line in body for w in _wrap(line, wrap)] + [""]
    return "\n".join(lines)


def item_lines(art: Art) -> list[str]:
    out = []
    for index, (text, subs) in enumerate(art.items, 1):
        out.append(f"（{chinese(index)}）{text}")
        out += [f"{i}.{s}" for i, s in enumerate(subs, 1)]
    return out


def _wrap(line: str, width: int) -> list[str]:
    if not width or len(line) <= width:
        return [line]
    return [line[i : i + width] for i in range(0, len(line), width)]
