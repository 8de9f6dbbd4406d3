"""Compare stage: matched articles → the rows of a change table (修订对照表).

Only changed, added and deleted articles get rows; articles whose only change
is their number are summarised in one line. Changed words are marked as
segments for the writers to highlight.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from policybook.changes.match import Pair, entries, match
from policybook.language import of as language_of
from policybook.model import ChangeRow, ChangeTable, Document, Segment

WORDS = {
    "zh": {
        "modified": "修改",
        "added": "新增条款",
        "deleted": "删除条款",
        "renumbered": "条款序号由{old}调整为{new}",
        "run": "原{a}至{b}依次调整为{c}至{d}",
        "one": "原{a}调整为{c}",
        "tail": "，内容未作修改。",
        "tail_some": "；其中内容有修改的条款见上表，其余条款内容未作修改。",
        "sep": "；",
        "intro": "{number} {title}（前言）",
        "added_intro": "新增",
        "deleted_intro": "删除",
    },
    "en": {
        "modified": "Amended",
        "added": "New article",
        "deleted": "Article deleted",
        "renumbered": "renumbered from {old} to {new}",
        "run": "{a}–{b} renumbered as {c}–{d}",
        "one": "{a} renumbered as {c}",
        "tail": "; text unchanged.",
        "tail_some": "; amended articles are listed above, the others are unchanged.",
        "sep": "; ",
        "intro": "{number} {title} (opening text)",
        "added_intro": "Added",
        "deleted_intro": "Deleted",
    },
}
TOKEN_RE = re.compile(r"\[[A-Za-z][A-Za-z0-9_-]*\]|\d+(?:[.:]\d+)*|[A-Za-z]+|\s+|.", re.DOTALL)
MIN_EQUAL = 2  # an unchanged run shorter than this between two changes is folded into them


def change_table(old: Document, new: Document) -> ChangeTable:
    words = WORDS["en" if new.meta.locale == "en" else "zh"]
    convert = language_of(new.meta, new.subsidiary).words
    rows: list[ChangeRow] = []
    renumbered: list[tuple[str, str]] = []
    moved: list[Pair] = []  # matched articles whose number changed, amended or not
    intro = convert(words["intro"])
    for pair in match(entries(old, intro), entries(new, intro)):
        row = _row(pair, len(rows) + 1, words, convert)
        if row is not None:
            rows.append(row)
        if pair.old and pair.new and pair.old.number != pair.new.number and not pair.new.intro:
            moved.append(pair)
            if row is None:
                renumbered.append((pair.old.number, pair.new.number))
    return ChangeTable(
        meta=new.meta,
        subsidiary=new.subsidiary,
        old_version=old.meta.version,
        old_effective=old.meta.effective,
        rows=rows,
        renumbered=renumbered,
        renumbered_summary=convert(_summary(moved, words)),
        brand=new.brand,
    )


def _row(pair: Pair, seq: int, words: dict[str, str], conv: Callable[[str], str]) -> ChangeRow | None:
    if pair.old and pair.new:
        if pair.old.content == pair.new.content:
            return None
        old_seg, new_seg = segments(pair.old.content, pair.new.content, pair.old.refs, pair.new.refs)
        note = words["modified"]
        if pair.old.number != pair.new.number and not pair.new.intro:
            note += words["sep"] + words["renumbered"].format(old=pair.old.number, new=pair.new.number)
        return ChangeRow(
            seq, "modified", pair.old.number, pair.new.number, old_seg, new_seg, conv(note), pair.new.label
        )
    if pair.new:
        return ChangeRow(
            seq,
            "added",
            "",
            pair.new.number,
            [],
            [Segment(pair.new.shown.replace("\t", " | "), True)],
            conv(words["added_intro" if pair.new.intro else "added"]),
            pair.new.label,
        )
    assert pair.old is not None
    return ChangeRow(
        seq,
        "deleted",
        pair.old.number,
        "",
        [Segment(pair.old.shown.replace("\t", " | "), True)],
        [],
        conv(words["deleted_intro" if pair.old.intro else "deleted"]),
        pair.old.label,
    )


def segments(
    old: str, new: str, old_refs: dict[str, str] | None = None, new_refs: dict[str, str] | None = None
) -> tuple[list[Segment], list[Segment]]:
    """Token diff (a CJK character, a number, a Latin word or a reference is a token) → segments.

    References are compared by what they point at (``[label]``) and printed as each
    version numbers them, so a reference that was only renumbered is not a change."""
    old_refs, new_refs = old_refs or {}, new_refs or {}
    old_tokens, new_tokens = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    old_out: list[Segment] = []
    new_out: list[Segment] = []
    for tag, i1, i2, j1, j2 in _fold(matcher.get_opcodes()):
        _add(old_out, "".join(old_refs.get(t, t) for t in old_tokens[i1:i2]), tag != "equal")
        _add(new_out, "".join(new_refs.get(t, t) for t in new_tokens[j1:j2]), tag != "equal")
    return old_out, new_out


def _fold(ops: Sequence[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
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
    text = text.replace("\t", " | ")  # table cells of an article, shown as one line per row
    if out and out[-1].changed == changed:
        out[-1].text += text
    else:
        out.append(Segment(text, changed))


def _summary(moved: list[Pair], words: dict[str, str]) -> str:
    """One sentence for all renumbering: runs of consecutive articles moved by the same offset."""
    runs: list[list[Pair]] = []
    for pair in sorted(moved, key=lambda p: p.old.ordinal):  # type: ignore[union-attr]
        last = runs[-1][-1] if runs else None
        if last and _offset(pair) == _offset(last) and pair.old.ordinal == last.old.ordinal + 1:  # type: ignore[union-attr]
            runs[-1].append(pair)
        else:
            runs.append([pair])
    if not runs:
        return ""
    parts = [
        words["run"].format(a=r[0].old.number, b=r[-1].old.number, c=r[0].new.number, d=r[-1].new.number)  # type: ignore[union-attr]
        if len(r) > 1
        else words["one"].format(a=r[0].old.number, c=r[0].new.number)  # type: ignore[union-attr]
        for r in runs
    ]
    amended = any(p.old.content != p.new.content for p in moved)  # type: ignore[union-attr]
    return words["sep"].join(parts) + (words["tail_some"] if amended else words["tail"])


def _offset(pair: Pair) -> int:
    return pair.new.ordinal - pair.old.ordinal  # type: ignore[union-attr]
