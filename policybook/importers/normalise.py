"""Import stage: join wrapped lines into paragraphs, fix punctuation and spaces, detect the script.

Every change is counted in the report's ``Record.fixes`` by kind.
"""

from __future__ import annotations

import re
from functools import lru_cache

from policybook.importers import markers
from policybook.importers.paragraphs import Para
from policybook.importers.report import Record
from policybook.source.punctuation import fixed_line
from policybook.widths import display_width

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = HAN + r"\u3000-\u303f\uff00-\uffef"
TERMINAL = tuple("。！？；：…」』”）】!?;:")
HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
HALF_RE = re.compile(rf"(?<=[{HAN}])\s*([,;:?!])\s*(?=[{CJK}])")
PERIOD_RE = re.compile(rf"(?<=[{HAN}）」”])\.(?=[{HAN}]|\s*$)")
END_MARK_RE = re.compile(rf"(?<=[{HAN}）」”])([,;:?!])(?=\s*$)")
PARENS_RE = re.compile(rf"\(([^()]*[{HAN}][^()]*)\)")
STRAY_RE = re.compile(rf"(?<=[{CJK}])[ \t\u3000\u00a0]+(?=[{CJK}])")
SPACES_RE = re.compile(r"[ \t\u00a0]{2,}")


def clean(text: str, record: Record) -> str:
    """Half-width punctuation between Chinese characters → full-width; stray spaces out."""
    text, n = PARENS_RE.subn(r"（\1）", text)
    record.fixed("half-width parentheses around Chinese text → （）", n)
    text, n = HALF_RE.subn(lambda m: HALF_TO_FULL[m.group(1)], text)
    record.fixed("half-width punctuation between Chinese characters → full-width", n)
    text, n = PERIOD_RE.subn("。", text)
    record.fixed("half-width full stop after Chinese text → 。", n)
    text, n = END_MARK_RE.subn(lambda m: HALF_TO_FULL[m.group(1)], text)
    record.fixed("half-width mark ending Chinese text → full-width", n)
    text, n = STRAY_RE.subn("", text)
    record.fixed("stray spaces between Chinese characters removed", n)
    text, n = SPACES_RE.subn(" ", text)
    record.fixed("runs of spaces collapsed", n)
    fixed = fixed_line(text)  # the rules `check` applies, so the importer's output passes it
    record.fixed("half-width punctuation next to Chinese → full-width (check's rules)", fixed != text)
    return fixed.strip()


def join_lines(lines: list[Para], record: Record) -> list[Para]:
    """Lines of a text or PDF source → paragraphs: a wrapped line is joined to the next.

    A line continues the one before when that one filled the line (it is as
    wide as the widest lines) and did not end a sentence, and this one is not
    blank, indented, or a heading/item marker. In a source that indents its
    paragraphs, a full line ending in 。 continues too unless the next is indented.
    Blank lines between the pieces of a hard-wrapped sentence do not stop it:
    a full line that ends mid-sentence is continued by the next text line.
    """
    full = _full_width(lines)
    indents = _uses_indents(lines)
    out: list[Para] = []
    previous: Para | None = None
    last_line = ""
    gap = False
    for line in lines:
        if line.table is not None or not line.text.strip():
            if line.table is not None:
                out.append(line)
                previous = None
            gap = True
            continue
        if (
            previous is not None
            and _continues(last_line, line.text, full, indents and not gap)
            and (not gap or _mid_sentence(last_line, full))
        ):
            previous.text = previous.text.rstrip() + _glue(previous.text, line.text.strip())
            record.fixed("line breaks inside paragraphs joined" + (" (blank lines between the pieces)" if gap else ""))
        else:
            previous = Para(line.text.strip(), line.where, line.numbered)
            out.append(previous)
        last_line = line.text.strip()
        gap = False
    return out


def join_broken(paras: list[Para], record: Record) -> list[Para]:
    """Paragraphs of a pasted Word file: a sentence broken into two paragraphs is joined again.

    Only when the first reads as an unfinished sentence (it has a comma or
    enumeration mark, ends without 。；：！？) and the second opens no heading or item.
    """
    out: list[Para] = []
    for para in paras:
        before = out[-1] if out and out[-1].table is None else None
        text = para.text.strip()
        typed = before is not None and not before.numbered and not para.numbered  # Word's own lists are whole
        if (
            before is not None
            and typed
            and para.table is None
            and text
            and _unfinished(before.text)
            and not _opens(text)
        ):
            before.text = before.text.rstrip() + _glue(before.text, text)
            record.fixed("sentences broken over two paragraphs joined")
            continue
        if para.table is not None or text:
            out.append(para)
    return out


def _unfinished(text: str) -> bool:
    text = text.strip()
    return bool(text) and not text.endswith(TERMINAL) and bool(re.search(r"[，、,]", text))


def _opens(text: str) -> bool:
    return markers.starts_block(text) or bool(markers.heading(text))


def _continues(last_line: str, line: str, full: int, indents: bool) -> bool:
    if _indented(line) or markers.starts_block(line):
        return False
    if not last_line.endswith(TERMINAL):
        return display_width(last_line) >= full * 0.6  # a heading or title line is short
    return indents and display_width(last_line) >= full


def _mid_sentence(line: str, full: int) -> bool:
    """Across a blank line only a piece that is plainly mid-sentence goes on: it holds a clause mark, or it
    fills the line (a title standing alone above the text does neither)."""
    return bool(re.search(r"[，、；：,;]", line)) or display_width(line) >= full * 0.9


def _glue(before: str, after: str) -> str:
    """No space between Chinese text across a line break; one space between Latin words."""
    left, right = before.rstrip()[-1:], after[:1]
    latin = left.isascii() and left.isalnum() and right.isascii() and right.isalnum()
    return " " + after if latin else after


def _indented(line: str) -> bool:
    lead = len(line) - len(line.lstrip(" \u3000\t"))
    return lead > 0 and (line[:lead].count("\u3000") >= 1 or lead >= 2)


def _uses_indents(lines: list[Para]) -> bool:
    texts = [p.text for p in lines if p.table is None and p.text.strip()]
    return sum(1 for t in texts if _indented(t)) >= max(3, len(texts) // 10)


def _full_width(lines: list[Para]) -> int:
    """The width of a full line: near the widest lines of the source (a wrapped line fills it)."""
    widths = sorted(display_width(p.text.strip()) for p in lines if p.table is None and p.text.strip())
    if not widths:
        return 0
    top = widths[int(len(widths) * 0.9)] if len(widths) >= 10 else widths[-1]
    return max(1, int(top * 0.85))


@lru_cache(maxsize=1)
def _converters() -> tuple[object, object]:
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def detect_script(text: str) -> tuple[str, int, int]:
    """zh-Hans or zh-Hant by counting characters only one script writes; (locale, simplified, traditional)."""
    to_simplified, to_traditional = _converters()
    han = "".join(re.findall(rf"[{HAN}]", text))
    simplified_form = to_simplified.convert(han)  # type: ignore[attr-defined]
    traditional_form = to_traditional.convert(han)  # type: ignore[attr-defined]
    trad = _differing(han, simplified_form)
    simp = _differing(han, traditional_form)
    return ("zh-Hant" if trad > simp else "zh-Hans"), simp, trad


def _differing(text: str, converted: str) -> int:
    """Characters a converter changed (phrase conversions that change the length are not counted)."""
    return sum(1 for a, b in zip(text, converted, strict=True) if a != b) if len(text) == len(converted) else 0
