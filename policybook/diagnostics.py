"""Diagnostics shared by every stage: source locations, messages, collection.

A user mistake is never an exception escaping to the user: stages add a
:class:`Diagnostic` to a :class:`Diagnostics` collection and go on, so one run
reports every problem; :class:`SourceError` stops a stage that cannot continue.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from policybook.model import Loc
from policybook.safetext import printable


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning" | "note" (shown, never fails a run: e.g. a waived law finding)
    loc: Loc | None
    message: str
    code: str
    hint: str = ""

    def to_json(self) -> dict[str, str | int]:
        where: dict[str, str | int] = {"path": self.loc.path, "line": self.loc.line} if self.loc else {}
        return {"severity": self.severity, "message": self.message, "code": self.code, "hint": self.hint, **where}

    @classmethod
    def from_json(cls, data: dict[str, str | int]) -> Diagnostic:
        loc = Loc(str(data["path"]), int(data.get("line", 0))) if "path" in data else None
        return cls(str(data["severity"]), loc, str(data["message"]), str(data["code"]), str(data.get("hint", "")))

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{self.severity}: {self.message}{hint} [{self.code}]"


@dataclass
class Diagnostics:
    """An ordered, de-duplicated collection of diagnostics for one run."""

    items: list[Diagnostic] = field(default_factory=list)
    seen: set[Diagnostic] = field(default_factory=set, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.seen = set(self.items)  # de-duplicating by set: ten thousand problems stay linear

    def error(self, loc: Loc | None, message: str, code: str, hint: str = "") -> None:
        self.add(Diagnostic("error", loc, message, code, hint))

    def warning(self, loc: Loc | None, message: str, code: str, hint: str = "") -> None:
        self.add(Diagnostic("warning", loc, message, code, hint))

    def add(self, diag: Diagnostic) -> None:
        if diag not in self.seen:
            self.seen.add(diag)
            self.items.append(diag)

    def extend(self, other: Diagnostics) -> None:
        for diag in other.items:
            self.add(diag)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise SourceError(self)

    def sorted(self) -> list[Diagnostic]:
        """By file and line, those without a place first (the order every report prints)."""
        return sorted(self.items, key=lambda d: (d.loc is not None, d.loc or Loc("")))

    def report(self, stream: TextIO | None = None) -> None:
        """Print every diagnostic, by file and line (the same source always gives the same
        report in the same order), then the count of errors and warnings if any."""
        stream = stream or sys.stderr
        for diag in self.sorted():
            print(printable(str(diag)), file=stream)  # names from files and databases: no escape sequences
        if self.items:
            print(f"policybook: {len(self.errors)} error(s), {len(self.warnings)} warning(s)", file=stream)


class SourceError(Exception):
    """Raised to stop a stage; carries every diagnostic gathered so far."""

    def __init__(self, diagnostics: Diagnostics | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = Diagnostics([diagnostics])
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics.items))

    def __reduce__(self) -> tuple[type[SourceError], tuple[Diagnostics]]:
        # writers run in worker processes: their user errors must survive pickling
        return (SourceError, (self.diagnostics,))


def fail(loc: Loc | None, message: str, code: str, hint: str = "") -> SourceError:
    """Build a one-diagnostic :class:`SourceError` (``raise fail(...)``)."""
    return SourceError(Diagnostic("error", loc, message, code, hint))


def loc_of(path: Path | str, line: int = 0) -> Loc:
    return Loc(str(path), line)
