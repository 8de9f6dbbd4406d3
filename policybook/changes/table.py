"""Compare stage: matched articles → the rows of a change table (修订对照表).

Only changed, added and deleted articles get rows; articles whose only change
is their number are summarised in one line. Changed words are marked as
segments for the writers to highlight.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from policybook.changes.match import Entry, Pair, entries, match
from policybook.model import ChangeRow, ChangeTable, Document, Segment
from policybook.transforms.text import converter

WORDS = {
    "zh": {
        "modified": "修改",
        "added": "新增条款",
        "deleted": "删除条款",
        "renumbered": "条款序号由{old}调整为{new}",
        "run": "原{a}至{b}依次调整为{c}至{d}",
        "one": "原{a}调整为{c}",
        "tail": "，内容未作修改。",
        "sep": "；",
    },
    "en": {
        "modified": "Amended",
        "added": "New article",
        "deleted": "Article deleted",
        "renumbered": "renumbered from {old} to {new}",
        "run": "{a}–{b} renumbered as {c}–{d}",
        "one": "{a} renumbered as {c}",
        "tail": "; text unchanged.",
        "sep": "; ",
    },
}
TOKEN_RE = re.compile(r"\d+(?:[.:]\d+)*|[A-Za-z]+|\s+|.", re.DOTALL)
MIN_EQUAL = 2  # an unchanged run shorter than this between two changes is folded into them


def change_table(old: Document, new: Document) -> ChangeTable:
    words = WORDS["en" if new.meta.locale == "en" else "zh"]
    convert = converter(new.meta.locale, new.subsidiary.region)
    rows: list[ChangeRow] = []
    renumbered: list[tuple[str, str]] = []
    for pair in match(entries(old), entries(new)):
        row = _row(pair, len(rows) + 1, words, convert)
        if row is not None:
            rows.append(row)
        elif pair.old and pair.new and pair.old.number != pair.new.number:
            renumbered.append((pair.old.number, pair.new.number))
    return ChangeTable(
        meta=new.meta,
        subsidiary=new.subsidiary,
        old_version=old.meta.version,
        old_effective=old.meta.effective,
        rows=rows,
        renumbered=renumbered,
        renumbered_summary=convert(_summary(renumbered, old, new, words)),
        brand=new.brand,
    )


def _row(pair: Pair, seq: int, words: dict[str, str], convert: object) -> ChangeRow | None:
    conv = convert  # a str → str function
    if pair.old and pair.new:
        if pair.old.content == pair.new.content:
            return None
        old_seg, new_seg = segments(_shown(pair.old), _shown(pair.new))
        note = words["modified"]
        if pair.old.number != pair.new.number:
            note += words["sep"] + words["renumbered"].format(old=pair.old.number, new=pair.new.number)
        return ChangeRow(
            seq, "modified", pair.old.number, pair.new.number, old_seg, new_seg, conv(note), pair.new.label
        )  # type: ignore[operator]
    if pair.new:
        return ChangeRow(
            seq,
            "added",
            "",
            pair.new.number,
            [],
            [Segment(_shown(pair.new), True)],
            conv(words["added"]),
            pair.new.label,
        )  # type: ignore[operator]
    assert pair.old is not None
    return ChangeRow(
        seq,
        "deleted",
        pair.old.number,
        "",
        [Segment(_shown(pair.old), True)],
        [],
        conv(words["deleted"]),
        pair.old.label,
    )  # type: ignore[operator]


def _shown(entry: Entry) -> str:
    return f"{entry.title}\n{entry.body}" if entry.title else entry.body


def segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Token diff (a CJK character, a number or a Latin word is a token) → segments."""
    old_tokens, new_tokens = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    old_out: list[Segment] = []
    new_out: list[Segment] = []
    for tag, i1, i2, j1, j2 in _fold(matcher.get_opcodes()):
        _add(old_out, "".join(old_tokens[i1:i2]), tag != "equal")
        _add(new_out, "".join(new_tokens[j1:j2]), tag != "equal")
    return old_out, new_out


def _fold(ops: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """Merge tiny unchanged runs into the changes around them, so highlights read as words."""
    out: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if out and op[0] != "equal" and out[-1][0] != "equal":
            prev = out.pop()
            op = ("replace", prev[1], op[2], prev[3], op[4])
        elif (
            len(out) >= 2
            and op[0] != "equal"
            and out[-1][0] == "equal"
            and out[-2][0] != "equal"
            and out[-1][2] - out[-1][1] < MIN_EQUAL
        ):
            out.pop()
            prev = out.pop()
            op = ("replace", prev[1], op[2], prev[3], op[4])
        out.append(op)
    return out


def _add(out: list[Segment], text: str, changed: bool) -> None:
    if not text:
        return
    if out and out[-1].changed == changed:
        out[-1].text += text
    else:
        out.append(Segment(text, changed))


def _summary(renumbered: list[tuple[str, str]], old: Document, new: Document, words: dict[str, str]) -> str:
    if not renumbered:
        return ""
    old_pos = {a.number: a.ordinal for c in old.chapters for a in c.articles()}
    new_pos = {a.number: a.ordinal for c in new.chapters for a in c.articles()}
    runs: list[list[tuple[str, str]]] = []
    for pair in renumbered:
        last = runs[-1][-1] if runs else None
        if last and old_pos[pair[0]] == old_pos[last[0]] + 1 and new_pos[pair[1]] == new_pos[last[1]] + 1:
            runs[-1].append(pair)
        else:
            runs.append([pair])
    parts = [
        words["run"].format(a=r[0][0], b=r[-1][0], c=r[0][1], d=r[-1][1])
        if len(r) > 1
        else words["one"].format(a=r[0][0], c=r[0][1])
        for r in runs
    ]
    return words["sep"].join(parts) + words["tail"]
