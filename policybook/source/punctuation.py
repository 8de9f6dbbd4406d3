"""Read stage: half-width punctuation beside Chinese characters (``规定,员工`` → ``规定，员工``).

Chinese text takes full-width marks: a comma, colon, semicolon, question or
exclamation mark with Chinese on one side and Chinese, a quotation mark, a digit,
a template (``{{ company }},员工``) or a link (``[第三条](#x),填写``) on the other,
or after Chinese at the end of a line, and brackets around or beside Chinese, are
reported by ``check`` (a warning with file:line) and rewritten by ``policybook fix
--punctuation`` — in chapters and in a form's printed texts (title, intro, notes).
Digits on both sides (1,000 · 09:00) and Latin text are left alone, as are code
spans, templates, attributes (``{#label}``) and link targets themselves.
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
OPENQ, CLOSEQ = "\u201c\u2018", "\u201d\u2019"  # “‘ ’” around Chinese
SLOT = "\ue000"  # stands for a template or a link target: what it prints may be Chinese
OPAQUE = "\ue001"  # stands for code or a URL: never a Chinese neighbour
MARKS = r"[,:;?!]"
# a mark with Chinese on one side and, on the other, Chinese, a quotation mark, a digit, a
# template or a link (``{{ company }},员工``, ``“规定”,员工``, ``80,员工``, ``[第三条](#x),填写``)
MARK = re.compile(
    rf"(?<=[{HAN}{CLOSE}{CLOSEQ}])\s*({MARKS})\s*(?=[{HAN}{OPENQ}{SLOT}\[0-9])"
    rf"|(?<=[{SLOT}{CLOSEQ}0-9\]])\s*({MARKS})\s*(?=[{HAN}])"
    rf"|(?<=[{HAN}{CLOSEQ}])\s*({MARKS})\s*$"  # at the end of a line (the paragraph goes on)
)
BRACKETS = re.compile(rf"(?<![\]\w])\(([^()\n]*[{HAN}][^()\n]*)\)|(?<=[{HAN}])\(([^()\n]*)\)")
SKIP = re.compile(r"`[^`\n]*`|\{\{.*?\}\}|\{%.*?%\}|\{#.*?\}|\]\([^)\n]*\)|https?://\S+|-\{.*?\}-")
SLOTS = ("{{", "](", "-{")  # skipped spans that print text a reader sees next to the mark
CANDIDATE = re.compile(r"[,:;?!(]")  # what MARK or BRACKETS would rewrite
FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


@dataclass(frozen=True)
class Fix:
    line: int
    before: str
    after: str


def fixed_line(line: str) -> str:
    """The line with half-width marks beside Chinese made full-width (skipped spans untouched:
    each stands in the text as one placeholder character while the rules run)."""
    if not CANDIDATE.search(line):  # most lines: nothing either rule could change
        return line
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(match.group())
        return SLOT if match.group().startswith(SLOTS) else OPAQUE

    fixed = _fix(SKIP.sub(hold, line))
    pieces = iter(spans)
    return re.sub(f"[{SLOT}{OPAQUE}]", lambda _: next(pieces), fixed)


def _fix(text: str) -> str:
    text = BRACKETS.sub(lambda m: f"（{m.group(1) if m.group(1) is not None else m.group(2)}）", text)
    return MARK.sub(lambda m: FULL[next(g for g in m.groups() if g)], text)


def fixes(text: str, form: bool = False) -> list[Fix]:
    """Every line of a Markdown text that :func:`fixed_line` changes (front matter included);
    ``form``: a form's YAML, where only its printed texts (title, intro, notes) are looked at."""
    result = []
    fenced = False
    texts = form_text_lines(text) if form else None
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or (texts is not None and number not in texts):
            continue
        after = fixed_line(line)
        if after != line:
            result.append(Fix(number, line, after))
    return result


FORM_TEXTS = ("title", "intro", "notes")


def form_text_lines(text: str) -> set[int]:
    """The lines of a form's YAML under its top-level ``title:``, ``intro:`` and ``notes:``."""
    lines: set[int] = set()
    inside = False
    for number, line in enumerate(text.split("\n"), 1):
        if line[:1].isalpha():  # a top-level key
            inside = line.split(":", 1)[0].strip() in FORM_TEXTS
        if inside:
            lines.add(number)
    return lines


def is_form(path: Path, text: str) -> bool:
    return path.suffix == ".yaml" and re.search(r"(?m)^rows:", text) is not None


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
    found = fixes(text, form=is_form(path, text))
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
    """A warning for each line of a chapter, or of a form's printed texts, with half-width
    punctuation beside Chinese."""
    for path in paths:
        if path.suffix not in (".md", ".yaml") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the reader
        if path.suffix == ".yaml" and not is_form(path, text):
            continue
        for item in fixes(text, form=path.suffix == ".yaml"):
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
