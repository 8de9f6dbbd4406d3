"""Read stage: half-width punctuation between Chinese characters (``规定,员工`` → ``规定，员工``).

Chinese text takes full-width marks: a comma, colon, semicolon, question or
exclamation mark with Chinese on both sides, and brackets around or beside
Chinese, are reported by ``check`` (a warning with file:line) and rewritten by
``policybook fix --punctuation``. Code spans, templates (``{{ }}``, ``{% %}``),
attributes (``{#label}``) and link targets (``](#x)``) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policybook.diagnostics import Diagnostics, fail
from policybook.model import Loc
from policybook.output import atomic_write

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
CLOSE = r"\u3000-\u303f\uff01-\uff60"  # CJK and full-width punctuation count as Chinese neighbours
MARK = re.compile(rf"(?<=[{HAN}{CLOSE}])\s*([,:;?!])\s*(?=[{HAN}])")
BRACKETS = re.compile(rf"(?<![\]\w])\(([^()\n]*[{HAN}][^()\n]*)\)|(?<=[{HAN}])\(([^()\n]*)\)")
SKIP = re.compile(r"`[^`\n]*`|\{\{.*?\}\}|\{%.*?%\}|\{#.*?\}|\]\([^)\n]*\)|https?://\S+|-\{.*?\}-")
CANDIDATE = re.compile(r"[,:;?!(]")  # what MARK or BRACKETS would rewrite
FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


@dataclass(frozen=True)
class Fix:
    line: int
    before: str
    after: str


def fixed_line(line: str) -> str:
    """The line with half-width marks between Chinese made full-width (skipped spans untouched)."""
    if not CANDIDATE.search(line):  # most lines: nothing either rule could change
        return line
    out, last = [], 0
    for match in SKIP.finditer(line):
        out.append(_fix(line[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(_fix(line[last:]))
    return "".join(out)


def _fix(text: str) -> str:
    text = BRACKETS.sub(lambda m: f"（{m.group(1) if m.group(1) is not None else m.group(2)}）", text)
    return MARK.sub(lambda m: FULL[m.group(1)], text)


def fixes(text: str) -> list[Fix]:
    """Every line of a Markdown text that :func:`fixed_line` changes (front matter included)."""
    result = []
    fenced = False
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        after = fixed_line(line)
        if after != line:
            result.append(Fix(number, line, after))
    return result


def fix_file(path: Path, write: bool = True) -> list[Fix]:
    """Rewrite ``path`` with full-width punctuation; the changes made (``write=False``: only found).

    The file is replaced atomically (an interrupted fix leaves it as it was); a file
    that cannot be read as UTF-8 or cannot be written is a located user error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise fail(Loc(str(path)), "not UTF-8 text", "source.encoding", "save the file as UTF-8") from None
    except OSError as exc:
        raise fail(Loc(str(path)), f"cannot read: {exc.strerror}", "source.unreadable") from None
    found = fixes(text)
    if found and write:
        lines = text.split("\n")
        for item in found:
            lines[item.line - 1] = item.after
        try:
            atomic_write(path, "\n".join(lines).encode("utf-8"))
        except OSError as exc:
            raise fail(Loc(str(path)), f"cannot write: {exc.strerror}", "output.os-error") from None
    return found


def check_punctuation(paths: list[Path], diags: Diagnostics) -> None:
    """A warning for each line of a chapter with half-width punctuation between Chinese."""
    for path in paths:
        if path.suffix != ".md" or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the reader
        for item in fixes(text):
            marks = _changed_marks(item.before, item.after)
            diags.warning(
                Loc(str(path), item.line),
                f"half-width punctuation between Chinese characters ({marks})",
                "punctuation.half-width",
                "policybook fix --punctuation rewrites it",
            )


def _changed_marks(before: str, after: str) -> str:
    import difflib

    pairs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag != "equal":
            pairs.append(f"'{before[max(0, i1 - 2) : i2 + 2]}' → '{after[max(0, j1 - 2) : j2 + 2]}'")
    return ", ".join(pairs[:3]) + (" …" if len(pairs) > 3 else "")
