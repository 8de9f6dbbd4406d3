"""Review stage: an article's accepted text → edits of its Markdown, and variable overrides.

The text as sent is aligned with the article's source as it prints
(``printed.py``), so each character sent is known to be literal source text, a
variable's value, or generated (numbers, reference texts, anything the source
does not hold). The reviewer's changes (sent → accepted, character by
character) then become: edits of the Markdown where they touch literal text; a
new value of a variable where they touch its value (a subsidiary override, not
literal text); and, where they touch only generated text, a note that they were
ignored. In a variant of another script, text goes back through the converter,
and what does not convert back to exactly the reviewed text is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from policybook.review.printed import GEN, LIST_MARK, Printed, Trace
from policybook.review.units import ARTICLE_START

ITEM_LABEL = re.compile(r"^\s*(（[一二三四五六七八九十百]+）|\(\d+\)|\d+[.、)]|[一二三四五六七八九十百]+、|•)\s*")
LINE_MARKUP = re.compile(r"\s*(\||\d+[.)]|[-*+]|>)?\s*")
TITLE_MAX = 20  # a typed 第X条 line this short (and not ending like a sentence) is a title

Convert = Callable[[str], str]
Back = tuple[Convert, Convert]  # (variant → source script, source → variant)


@dataclass
class Edit:
    start: int  # offsets in the file's text
    end: int
    text: str


@dataclass
class ValueChange:
    name: str  # the variable's expression
    old: str
    new: str
    at: int  # offset of its {{ }} in the file


@dataclass
class Proposal:
    edits: list[Edit] = field(default_factory=list)
    values: list[ValueChange] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # changes to generated text
    flags: list[str] = field(default_factory=list)  # what could not be mapped exactly
    variables: set[str] = field(default_factory=set)  # the variables the article prints
    consumed: set[Trace] = field(default_factory=set)  # values removed with the text around them


def propose(old: str, new: str, printed: Printed, forward: Convert | None, back: Back | None) -> Proposal:
    traces = _traces_of_sent(old, printed, forward)
    out = Proposal(variables={t.name for t in printed.traces if t.kind == "var"})
    ops = [op for op in opcodes(old, new) if op[0] != "equal"]
    for _tag, i1, i2, j1, j2 in ops:
        _one(out, old, traces, i1, i2, new[j1:j2], back, printed.source)
    _values(out, old, new, traces, back)
    return out


def opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Character opcodes old → new, paragraphs first: whole paragraphs added or removed stay whole
    (a typed paragraph is not matched against the number of the next), changed ones are compared
    character by character."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_at, new_at = _starts(old_lines), _starts(new_lines)
    out: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        a1, a2, b1, b2 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        if tag != "replace":
            out.append((tag, a1, a2, b1, b2))
            continue
        for op, c1, c2, d1, d2 in SequenceMatcher(None, old[a1:a2], new[b1:b2], autojunk=False).get_opcodes():
            out.append((op, a1 + c1, a1 + c2, b1 + d1, b1 + d2))
    return out


def _starts(lines: list[str]) -> list[int]:
    at = [0]
    for line in lines:
        at.append(at[-1] + len(line))
    return at


def _traces_of_sent(old: str, printed: Printed, forward: Convert | None) -> list[Trace]:
    """For each character sent, where it came from (GEN when the source does not hold it)."""
    shown = forward(printed.text) if forward else printed.text
    if len(shown) == len(printed.text):
        shown_traces = printed.traces
    else:  # a phrase converted to one of another length: its characters share their first one's trace
        shown_traces = [GEN] * len(shown)
        for _tag, i1, i2, j1, j2 in SequenceMatcher(None, printed.text, shown, autojunk=False).get_opcodes():
            for k in range(j1, j2):
                shown_traces[k] = printed.traces[min(i1 + (k - j1), i2 - 1)] if i2 > i1 else GEN
    traces = [GEN] * len(old)
    for block in SequenceMatcher(None, old, shown, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            traces[block.a + k] = shown_traces[block.b + k]
    return traces


def _one(
    out: Proposal, old: str, traces: list[Trace], i1: int, i2: int, text: str, back: Back | None, source: str
) -> None:
    """One change: sent[i1:i2] became ``text``."""
    touched = traces[i1:i2]
    literal = [t for t in touched if t.kind == "lit"]
    values = {t for t in touched if t.kind == "var"}
    if values and literal and all(_whole(traces, t, i1, i2) for t in values):
        out.consumed |= values  # text with whole values in it replaced: their {{ }} go with it
        literal += values
    elif values or _inside_value(traces, i1, i2):
        return  # handled with its variable (_values)
    source_text = _back(out, text, back)
    if literal:
        start, end = min(t.start for t in literal), max(t.end for t in literal)
        if not source_text.strip("\n") and source[end - 1 : end] == "\n":
            start = _line_start(source, start)  # a whole line (row, item) goes with its | or 1.
        out.edits.append(Edit(start, end, _markdown(out, source_text, _line_at(source, start))))
        if len(literal) < len(touched):
            out.ignored.append(f"「{_generated(old, traces, i1, i2)}」是生成的文字（编号、引用），只采用了其余部分")
        return
    if i1 < i2:
        out.ignored.append(f"生成的文字「{old[i1:i2]}」→「{text}」（编号、引用由源文件生成）")
        return
    if source_text.endswith("\n") and i1 > 0 and old[i1 - 1] == "\n" and traces[i1 - 1].kind == "lit":
        # paragraphs added after a paragraph's end go in just before it: "\nB" after A, not "B\n" before C
        source_text, at = "\n" + source_text[:-1], traces[i1 - 1].start
    else:
        found = _anchor(traces, i1)
        if found is None:
            out.flags.append(f"插入的「{text}」在源文件中找不到对应位置，未采用")
            return
        at = found
    out.edits.append(Edit(at, at, _markdown(out, source_text, _line_at(source, max(at - 1, 0)))))


def _whole(traces: list[Trace], value: Trace, i1: int, i2: int) -> bool:
    """Whether every character a value printed lies in sent[i1:i2]."""
    return all(i1 <= k < i2 for k, t in enumerate(traces) if t == value)


def _line_start(source: str, at: int) -> int:
    """The line's start when only markup (| of a row, a list marker, >, spaces) stands before ``at``."""
    begin = source.rfind("\n", 0, at) + 1
    return begin if LINE_MARKUP.fullmatch(source[begin:at]) else at


def _inside_value(traces: list[Trace], i1: int, i2: int) -> bool:
    """An insertion inside one variable's value, or next to it with only generated text beside."""
    if i1 != i2:
        return False
    before = traces[i1 - 1] if i1 > 0 else GEN
    after = traces[i1] if i1 < len(traces) else GEN
    if before.kind == "var" and after.kind == "var" and before == after:
        return True
    return (before.kind == "var" and after.kind == "gen") or (after.kind == "var" and before.kind == "gen")


def _anchor(traces: list[Trace], i: int) -> int | None:
    """Where text inserted before sent character ``i`` goes in the file."""
    before = traces[i - 1] if i > 0 else GEN
    if before.kind in ("lit", "var"):
        return before.end
    after = traces[i] if i < len(traces) else GEN
    if after.kind in ("lit", "var"):
        return after.start
    return None


def _generated(old: str, traces: list[Trace], i1: int, i2: int) -> str:
    return "".join(c for c, t in zip(old[i1:i2], traces[i1:i2], strict=True) if t.kind == "gen")


def _markdown(out: Proposal, text: str, context: str) -> str:
    """Printed text as Markdown, by the source line it goes into (``context``): in a table a line
    of cells is a row; in a list a paragraph is the next item; elsewhere a paragraph break is a
    blank line, and a paragraph typed as 第X条 a new article (a short first line its title)."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    if context.lstrip().startswith("|") or (not context.strip() and any("\t" in line for line in lines)):
        return "\n".join(f"| {' | '.join(line.split(chr(9)))} |" if line else "" for line in lines)
    item = LIST_MARK.match(context)
    if item:
        return "\n".join(_item(line, item, n) if line else "" for n, line in enumerate(lines))
    return "\n\n".join(_new_article(out, line) for line in lines)


def _item(line: str, context: re.Match[str], n: int) -> str:
    """A typed paragraph as the list item after ``context`` (its number, if any, is the list's)."""
    marker = context.group(2)
    if marker[:-1].isdigit():
        marker = f"{int(marker[:-1]) + n}{marker[-1]}"
    return f"{context.group(1)}{marker} {ITEM_LABEL.sub('', line, count=1)}"


def _line_at(source: str, offset: int) -> str:
    start = source.rfind("\n", 0, offset) + 1
    end = source.find("\n", offset)
    return source[start : end if end >= 0 else len(source)]


def _new_article(out: Proposal, line: str) -> str:
    start = ARTICLE_START.match(line)
    if not start:
        return line
    rest = line[start.end() :].lstrip("\u3000 ")
    out.flags.append(f"新增条款「{line[:30]}」：写成新的 ### 条款，编号由源文件重新生成")
    if len(rest) <= TITLE_MAX and not rest.endswith(("。", "；", "：", "，")):
        return f"### {rest}"
    return f"###\n\n{rest}"


def _back(out: Proposal, text: str, back: Back | None) -> str:
    """Reviewed text in the source's script; flagged when it does not convert back to itself."""
    if back is None or not text:
        return text
    source, forward = back
    converted = source(text)
    if forward(converted) != text:
        out.flags.append(f"「{text}」不能精确转换回源文件的字形：源文件写为「{converted}」")
    return converted


def _values(out: Proposal, old: str, new: str, traces: list[Trace], back: Back | None) -> None:
    """A new value for each variable whose printed value the reviewer changed."""
    occurrences: dict[Trace, tuple[int, int]] = {}
    for i, trace in enumerate(traces):
        if trace.kind == "var":
            first, _ = occurrences.get(trace, (i, i))
            occurrences[trace] = (first, i + 1)
    ops = opcodes(old, new)
    for trace, (a, b) in occurrences.items():
        if trace in out.consumed:
            continue
        parts: list[str] = []
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                parts.append(new[j1 + max(a, i1) - i1 : j1 + min(b, i2) - i1] if i1 < b and i2 > a else "")
            elif (
                (i1 < b and i2 > a)
                or (i1 == i2 and a < i1 < b)
                or (i1 == i2 and _inside_value(traces, i1, i2) and i1 in (a, b))
            ):
                parts.append(new[j1:j2])
                if i1 < a or i2 > b:
                    out.flags.append(
                        f"一处修改跨越变量 {trace.name} 的值和周围的文字"
                        f"（「{old[i1:i2]}」→「{new[j1:j2]}」），整体作为该变量的新值"
                    )
        value, changed = old[a:b], "".join(parts)
        if value != changed:
            out.values.append(ValueChange(trace.name, value, _back(out, changed, back), trace.start))
