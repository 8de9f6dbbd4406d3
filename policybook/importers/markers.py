"""Import stage: the heading and item markers of Chinese regulations, anchored at the start of a paragraph.

Only a marker that *starts* a paragraph is structure: "依照第十二条" inside a
sentence never matches, because every pattern here is anchored with ``^``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policybook.transforms.numerals import parse_number

NUM = r"[零〇一二两兩三四五六七八九十百千万萬\d０-９]+"
SMALL = r"[一二三四五六七八九十]+"
SEP = r"[\s\u3000]*"

CHAPTER_RE = re.compile(rf"^第{SEP}({NUM}){SEP}章(?P<sep>[\s\u3000:：]*)(?P<rest>.*)$")
SECTION_RE = re.compile(rf"^第{SEP}({NUM}){SEP}[节節](?P<sep>[\s\u3000:：]*)(?P<rest>.*)$")
ARTICLE_RE = re.compile(rf"^第{SEP}({NUM}){SEP}[条條](?P<sep>[\s\u3000:：]*)(?P<rest>.*)$", re.S)
APPENDIX_RE = re.compile(rf"^(附[件表])(?:{SEP}({NUM}))?{SEP}[:：、.．]?{SEP}(?P<rest>.*)$")
TOC_RE = re.compile(r"^目\s*[录錄]$")
LEADER_RE = re.compile(r"[\s.·…．\-_]{2,}\s*\d+\s*$|\s+\d+\s*$")

# item markers, outermost first as regulations conventionally nest them
ITEM_KINDS = ("cn-dun", "cn-paren", "num-dot", "num-paren", "num-rparen", "circled")
ITEM_RES = {
    "cn-dun": re.compile(rf"^({SMALL}){SEP}[、，．]{SEP}(?P<rest>.+)$", re.S),
    "cn-paren": re.compile(rf"^[（(]{SEP}({SMALL}){SEP}[）)]{SEP}(?P<rest>.+)$", re.S),
    "num-dot": re.compile(r"^(\d{1,2})[.．、](?!\d)[\s\u3000]*(?P<rest>.+)$", re.S),
    "num-paren": re.compile(r"^[（(]\s*(\d{1,2})\s*[）)][\s\u3000]*(?P<rest>.+)$", re.S),
    "num-rparen": re.compile(r"^(\d{1,2})[）)][\s\u3000]*(?P<rest>.+)$", re.S),
    "circled": re.compile(r"^([①-⑳])[\s\u3000]*(?P<rest>.+)$", re.S),
}
TITLE_NOUN_RE = re.compile(
    r"(手册|手冊|办法|辦法|制度|规定|規定|细则|細則|规范|規範|条例|條例|准则|準則|规则|規則|守则|守則|规程|規程|章程|须知|須知)"
    r"([（(][^）)]{1,6}[）)])?$"
)
FILE_EXT_RE = re.compile(r"\.(docx?|pdf|txt|wps|rtf)$", re.I)  # a title copied from a download page
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass
class Marker:
    kind: str  # chapter, section, article, appendix, or one of ITEM_KINDS
    number: int  # 0 when the marker carries none (附件 alone)
    rest: str  # the text after the marker
    spaced: bool = True  # a space or colon separated marker and text
    sample: str = ""  # an item marker as written for item 1: "（一）", "1.", "(1)", "①"


def heading(text: str) -> Marker | None:
    """第X章 / 第X节 / 第X条 / 附件X at the start of a paragraph."""
    for kind, regex in (("chapter", CHAPTER_RE), ("section", SECTION_RE), ("article", ARTICLE_RE)):
        match = regex.match(text)
        if match:
            return Marker(kind, parse_number(match.group(1)), match["rest"].strip(), bool(match["sep"]))
    match = APPENDIX_RE.match(text)
    if match and len(match["rest"]) <= 40 and not re.search(r"[，。；]", match["rest"]):
        return Marker("appendix", parse_number(match.group(2)) if match.group(2) else 0, match["rest"].strip())
    return None


def item(text: str) -> Marker | None:
    """一、 /（一）/ 1. /（1）/ 1) / ① at the start of a paragraph."""
    for kind in ITEM_KINDS:
        match = ITEM_RES[kind].match(text)
        if match:
            written = text[: match.start("rest")].strip()
            first = {"circled": "①", "num-dot": "1", "num-paren": "1", "num-rparen": "1"}.get(kind, "一")
            sample = (written[: match.start(1)] + first + written[match.end(1) :]).replace(" ", "")
            return Marker(kind, _item_number(kind, match.group(1)), match["rest"].strip(), sample=sample)
    return None


def head(text: str, marker: Marker) -> str:
    """The marker as written in ``text`` (everything before its rest): "第十二条　", "（一）"."""
    text = text.strip()
    return text[: len(text) - len(marker.rest)] if text.endswith(marker.rest) else text[: -len(marker.rest) or None]


def _item_number(kind: str, raw: str) -> int:
    return CIRCLED.index(raw) + 1 if kind == "circled" else parse_number(raw)


def starts_block(text: str) -> bool:
    """Does this line open a new paragraph whatever the line before it (a heading or an item)?"""
    stripped = text.strip()
    found = heading(stripped)
    if found is not None and found.kind != "appendix":
        # a wrapped line may begin "第五条和本办法…": only a marker set apart from its text opens a block
        return found.spaced or not found.rest
    return bool(found or item(stripped) or TOC_RE.match(stripped))


def toc_entry(text: str) -> str:
    """A contents line without its dot leaders and page number."""
    return LEADER_RE.sub("", text).strip()
