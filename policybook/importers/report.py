"""Import stage: what the importer inferred and what a person must check — and the report file."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

POSITION_RE = re.compile(r"(\d+)$")


@dataclass
class Note:
    where: str  # origin in the source ("report.docx paragraph 12")
    message: str


@dataclass
class Removal:
    where: str
    reason: str  # a short kind ("目录", "page furniture", "web-page debris" …)
    text: str


@dataclass
class Record:
    """Everything one import decided, counted or doubted, in the order it happened."""

    inferred: list[Note] = field(default_factory=list)
    uncertain: list[Note] = field(default_factory=list)
    fixes: Counter[str] = field(default_factory=Counter)
    variables: list[tuple[str, str, str]] = field(default_factory=list)  # name, placeholder, where
    removed: list[Removal] = field(default_factory=list)  # input text left out on purpose, with the reason
    counts: Counter[str] = field(default_factory=Counter)  # structure found one way or another ("run-in")

    def infer(self, where: str, message: str) -> None:
        self.inferred.append(Note(where, message))

    def doubt(self, where: str, message: str) -> None:
        self.uncertain.append(Note(where, message))

    def remove(self, where: str, reason: str, text: str) -> None:
        """Text of the input that is not imported: every character must be kept or listed here."""
        if text.strip():
            self.removed.append(Removal(where, reason, text))

    def fixed(self, kind: str, count: int = 1) -> None:
        if count:
            self.fixes[kind] += count


def render(record: Record, sources: list[str], summary: list[str]) -> str:
    """The Markdown report a reviewer reads first: doubts, then blanks, then every inference."""
    out = ["# 导入报告 / Import report", "", "Sources: " + ", ".join(f"`{s}`" for s in sources), ""]
    out += [f"- {line}" for line in summary] + [""]
    out += _section("To check (uncertain)", record.uncertain, "nothing uncertain was found")
    out += ["## Blanks turned into variables", ""]
    if record.variables:
        out += ["| variable | placeholder | where |", "|---|---|---|"]
        out += [f"| `{name}` | {_cell(text)} | {where} |" for name, text, where in record.variables]
        out += ["", "Each has a TODO default in `handbook/handbook.yaml` (`variables: todo:`); set the real value.", ""]
    else:
        out += ["none", ""]
    out += ["## Normalisation", ""]
    out += [f"- {kind}: {count}" for kind, count in sorted(record.fixes.items())] or ["- nothing changed"]
    out += [""]
    out += ["## Removed (not imported)", ""]
    out += [_removed_line(run) for run in removed_runs(record.removed)] or ["nothing"]
    out += ["", "The removed text, in full: `import-removed.txt`." if record.removed else "", ""]
    out += _section("Inferences", record.inferred, "none")
    return "\n".join(out).rstrip() + "\n"


def removed_runs(removed: list[Removal]) -> list[list[Removal]]:
    """Removals in source order, consecutive lines with the same reason as one run."""
    runs: list[list[Removal]] = []
    for removal in sorted(removed, key=_position):
        last = runs[-1][-1] if runs else None
        if last and last.reason == removal.reason and _follows(last, removal):
            runs[-1].append(removal)
        else:
            runs.append([removal])
    return runs


def removed_text(removed: list[Removal]) -> str:
    """Every removed text in full, by run — nothing the importer left out is lost."""
    out = ["# Text left out by policybook import (see import-report.md)", ""]
    for run in removed_runs(removed):
        out += [f"## {_where(run)}: {run[0].reason}", ""] + [r.text.rstrip() for r in run] + [""]
    return "\n".join(out)


def _position(removal: Removal) -> tuple[str, int]:
    match = POSITION_RE.search(removal.where)
    return (removal.where[: match.start()], int(match.group(1))) if match else (removal.where, 0)


def _follows(before: Removal, after: Removal) -> bool:
    (source_a, a), (source_b, b) = _position(before), _position(after)
    return source_a == source_b and 0 <= b - a <= 2


def _where(run: list[Removal]) -> str:
    if len(run) == 1 or _position(run[0]) == _position(run[-1]):
        return run[0].where
    source, first = _position(run[0])
    unit = source.strip().rsplit(" ", 1)[-1] if source.strip() else ""
    prefix = source.strip()[: -len(unit)] if unit else source
    return f"{prefix}{unit}s {first}–{_position(run[-1])[1]}" if unit else f"{run[0].where}–{run[-1].where}"


def _removed_line(run: list[Removal]) -> str:
    count = f" ({len(run)} paragraphs)" if len(run) > 1 else ""
    return f"- {_where(run)}: {run[0].reason}{count}: {_quote(' '.join(r.text for r in run))}"


def _section(title: str, notes: list[Note], empty: str) -> list[str]:
    lines = [f"## {title}", ""]
    lines += [f"- {n.where}: {n.message}" for n in notes] or [empty]
    return lines + [""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return "“" + (text[:50] + "…" if len(text) > 50 else text) + "”"
