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

from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from policybook.review.printed import GEN, Printed, Trace
from policybook.review.units import ARTICLE_START

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


def propose(old: str, new: str, printed: Printed, forward: Convert | None, back: Back | None) -> Proposal:
    traces = _traces_of_sent(old, printed, forward)
    out = Proposal(variables={t.name for t in printed.traces if t.kind == "var"})
    ops = [op for op in SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    for _tag, i1, i2, j1, j2 in ops:
        _one(out, old, traces, i1, i2, new[j1:j2], back)
    _values(out, old, new, traces, back)
    return out


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


def _one(out: Proposal, old: str, traces: list[Trace], i1: int, i2: int, text: str, back: Back | None) -> None:
    """One change: sent[i1:i2] became ``text``."""
    touched = traces[i1:i2]
    if any(t.kind == "var" for t in touched) or _inside_value(traces, i1, i2):
        return  # handled with its variable (_values)
    literal = [t for t in touched if t.kind == "lit"]
    source_text = _back(out, text, back)
    if literal:
        start, end = min(t.start for t in literal), max(t.end for t in literal)
        out.edits.append(Edit(start, end, _markdown(out, source_text)))
        if len(literal) < len(touched):
            out.ignored.append(f"「{_generated(old, traces, i1, i2)}」是生成的文字（编号、引用），只采用了其余部分")
        return
    if i1 < i2:
        out.ignored.append(f"生成的文字「{old[i1:i2]}」→「{text}」（编号、引用由源文件生成）")
        return
    at = _anchor(traces, i1)
    if at is None:
        out.flags.append(f"插入的「{text}」在源文件中找不到对应位置，未采用")
        return
    out.edits.append(Edit(at, at, _markdown(out, source_text)))


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


def _markdown(out: Proposal, text: str) -> str:
    """Printed text as Markdown: a paragraph break is a blank line, a line of cells a table row,
    and a paragraph typed as 第X条 a new article (a short first line its title)."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    if any("\t" in line for line in lines):
        return "\n".join(f"| {' | '.join(line.split(chr(9)))} |" if line else "" for line in lines)
    return "\n\n".join(_new_article(out, line) for line in lines)


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
    ops = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for trace, (a, b) in occurrences.items():
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
