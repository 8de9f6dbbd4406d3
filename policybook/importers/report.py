"""Import stage: what the importer inferred and what a person must check — and the report file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
    out += [f"- {r.where}: {r.reason}: {_quote(r.text)}" for r in record.removed] or ["nothing"]
    out += [""]
    out += _section("Inferences", record.inferred, "none")
    return "\n".join(out).rstrip() + "\n"


def _section(title: str, notes: list[Note], empty: str) -> list[str]:
    lines = [f"## {title}", ""]
    lines += [f"- {n.where}: {n.message}" for n in notes] or [empty]
    return lines + [""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return "“" + (text[:50] + "…" if len(text) > 50 else text) + "”"
