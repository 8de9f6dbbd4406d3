"""Import stage: structure run into one line (第一章 總則 第一條 … 第二條 …) split where the numbers prove it.

Text copied from a web page often loses its line breaks. A marker inside a
line is structure only when it stands after a break (start, space, 。；：) and
its number is the next one of its kind: 第一條 … 第二條 … in order, （一）…（二）…
restarting under each outer marker; a first marker (一、, 1.) counts only when
its 2 follows before the next outer marker. "依照第三條" is never split: no
break before it, and 3 is rarely the next number where it is cited.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from policybook.importers import markers
from policybook.importers.markers import NUM, SMALL
from policybook.importers.paragraphs import Para
from policybook.importers.report import Record
from policybook.transforms.numerals import parse_number

BREAK = r"(?:^|(?<=[\s\u3000。；;！？!?：:」”）)]))"
LEVELS: list[tuple[str, re.Pattern[str]]] = [
    ("第X章", re.compile(rf"{BREAK}第[\s\u3000]*({NUM})[\s\u3000]*章")),
    ("第X节", re.compile(rf"{BREAK}第[\s\u3000]*({NUM})[\s\u3000]*[节節]")),
    ("第X条", re.compile(rf"{BREAK}第[\s\u3000]*({NUM})[\s\u3000]*[条條](?![例款件])")),
    ("一、", re.compile(rf"{BREAK}({SMALL})[、]")),
    ("（一）", re.compile(rf"{BREAK}[（(]({SMALL})[）)]")),
    ("1.", re.compile(rf"{BREAK}(\d{{1,2}})[.．、](?!\d)")),
    ("(1)", re.compile(rf"{BREAK}[（(](\d{{1,2}})[）)]")),
    ("1)", re.compile(rf"{BREAK}(\d{{1,2}})[）)]")),
    ("①", re.compile(rf"{BREAK}([①-⑳])")),
]
ARTICLE = 2  # the level of 第X条 in LEVELS
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
TITLE_RE = re.compile(r"^(\S{1,6}?[\s\u3000]*\S{1,10}?)[\s\u3000]+(\S.*)$", re.S)
PUNCT_RE = re.compile(r"[，。；：,;！？!?]")
HEADING_BEFORE_RE = re.compile(r"([^\s\u3000，。；：,;！？!?、.．（）()]{2,12})[\s\u3000]+$")


@dataclass
class Candidate:
    para: int
    pos: int
    level: int
    number: int
    heading: int = -1  # where an unnumbered heading before it starts ("… 考勤规定 1.员工…"), -1: none


def split_run_in(paras: list[Para], record: Record) -> list[Para]:
    """Paragraphs with markers proved inside them split at those markers; the count goes to the report."""
    accepted = _proved(_candidates(paras))
    cuts: dict[int, list[int]] = {}
    for found in accepted:
        if found.heading >= 0 and found.number == 1:  # the heading that restarts the items goes apart
            cuts.setdefault(found.para, []).append(found.heading)
        if found.pos > 0:
            cuts.setdefault(found.para, []).append(found.pos)
    if not cuts:
        return paras
    out: list[Para] = []
    for index, para in enumerate(paras):
        if index not in cuts:
            out.append(para)
            continue
        pieces = _pieces(para.text, cuts[index])
        record.counts["run-in"] += len(cuts[index])
        record.infer(para.where, f"run-in text split at {len(cuts[index])} marker(s) whose numbers run in order")
        out += [Para(piece, para.where) for text in pieces for piece in _title_apart(text)]
    return out


def _candidates(paras: list[Para]) -> list[Candidate]:
    found = []
    for index, para in enumerate(paras):
        if para.table is not None:
            continue
        text = para.text.strip()
        for level, (_, regex) in enumerate(LEVELS):
            for match in regex.finditer(text):
                number = _number(match.group(1))
                heading = _heading_before(text, match.start()) if number == 1 and level > ARTICLE else -1
                found.append(Candidate(index, match.start(), level, number, heading))
    found.sort(key=lambda c: (c.para, c.pos, c.level))
    return _one_per_place(found)


def _one_per_place(found: list[Candidate]) -> list[Candidate]:
    """（一） also matches … nothing else, but (1) matches both (1) and 1): keep the outer reading."""
    out: list[Candidate] = []
    for candidate in found:
        if out and (out[-1].para, out[-1].pos) == (candidate.para, candidate.pos):
            continue
        out.append(candidate)
    return out


def _number(raw: str) -> int:
    return CIRCLED.index(raw) + 1 if raw in CIRCLED else parse_number(raw)


def _proved(found: list[Candidate]) -> list[Candidate]:
    """A kind of marker often out of order inside a line (第三条 … 第一条 …) proves nothing: fragments."""
    while True:
        accepted = _prove(found)
        kept = {id(c) for c in accepted}
        inline = Counter(c.level for c in accepted if c.pos > 0)
        stray = Counter(c.level for c in found if c.pos > 0 and id(c) not in kept)
        # one citation set apart by a space ("按 第三条 处理") is not a fragment page; a third of them is
        doubtful = {level for level, count in stray.items() if 3 * count >= inline[level]}
        if not doubtful:
            return accepted
        found = [c for c in found if c.level not in doubtful or c.pos == 0]


def _prove(found: list[Candidate]) -> list[Candidate]:
    """The candidates whose number is the next of their level (inside a line, a 1 only when its 2 follows)."""
    last = [0] * len(LEVELS)
    accepted = []
    for index, candidate in enumerate(found):
        if not _fits(found, index, last):
            continue
        level, number = candidate.level, candidate.number
        accepted.append(candidate)
        last[level] = number
        for deeper in range(max(level + 1, ARTICLE + 1), len(LEVELS)):
            last[deeper] = 0  # articles run on through chapters; items restart under each article
    return accepted


def _fits(found: list[Candidate], index: int, last: list[int]) -> bool:
    candidate = found[index]
    level, number = candidate.level, candidate.number
    if number not in (last[level] + 1, 1):
        return False
    if candidate.pos == 0 or number != 1:  # a marker opening a paragraph is structure already: it sets the count
        return True
    # inside a line, a 1 needs its 2 after it; items restart only under an outer marker or an unnumbered
    # heading set apart before them (articles run on)
    return _two_follows(found, index) and (not last[level] or level == ARTICLE or candidate.heading >= 0)


def _heading_before(text: str, pos: int) -> int:
    """ "…制定本制度。 考勤规定 1.员工…": where a short unnumbered heading, set apart by spaces, starts."""
    offset = max(0, pos - 24)  # a heading is short: look at the end of the text before only
    before = text[offset:pos]
    match = HEADING_BEFORE_RE.search(before)
    if not match:
        return -1
    start = offset + match.start(1)
    if start == 0 or not re.match(r"[\s\u3000。；！？]", text[start - 1]):
        return -1
    return start


def _two_follows(found: list[Candidate], index: int) -> bool:
    level = found[index].level
    for later in found[index + 1 :]:
        if later.level == level and later.number == 2:
            return True
        if later.level < level or (later.level == level and later.number == 1):
            return False
    return False


def _pieces(text: str, cuts: list[int]) -> list[str]:
    text = text.strip()
    bounds = [0, *sorted(cuts), len(text)]
    return [text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


def _title_apart(text: str) -> list[str]:
    """ "三、附则 本规定由…负责解释。" → the heading and its text, when a short title stands apart by a space."""
    match = TITLE_RE.match(text)
    if not match or PUNCT_RE.search(match.group(1)) or not PUNCT_RE.search(match.group(2)):
        return [text]
    marker = markers.heading(match.group(1)) or markers.item(match.group(1))
    if marker is None or not marker.rest:  # "第一条 为规范…": no title to set apart
        return [text]
    return [match.group(1), match.group(2)]


def looked_for(paras: list[Para]) -> str:
    """The refusal's hint: what was looked for, and what was found that did not prove a structure."""
    counts: dict[str, int] = {}
    for candidate in _candidates(paras):
        name = LEVELS[candidate.level][0]
        counts[name] = counts.get(name, 0) + 1
    found = ", ".join(f"{count}× {name}" for name, count in counts.items())
    seen = f"; found {found}, but their numbers do not run in order 1, 2, 3…" if found else "; found none"
    return (
        "looked for 第X章/第X节/第X条 and 一、（一）1.(1)① at the start of paragraphs or, run into a line, "
        "after a space or 。；： with numbers in order" + seen
    )
