"""`policybook check`: validate the source for every subsidiary."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from policybook.commands import EXIT_OK, source_args
from policybook.diagnostics import Diagnostics

if TYPE_CHECKING:
    from policybook.source.project import Project


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("check", help="validate the source for every subsidiary")
    source_args(cmd)
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import check

    checked = check(args.source, (), diags, args.strict)
    _quiz(checked.project, diags)
    docs = checked.documents.values()
    summary = ", ".join(f"{d.subsidiary.id}: {sum(len(c.articles()) for c in d.chapters)} articles" for d in docs)
    print(f"policybook: source is valid ({summary})", file=sys.stderr)
    _procedure_note(checked.project)
    return EXIT_OK


def _quiz(project: Project, diags: Diagnostics) -> None:
    """``quiz:`` of the online 签收 (policybook/procedure/quiz.py)."""
    from policybook.procedure.quiz import read_quiz

    read_quiz(project.quiz, diags)
    diags.raise_if_errors()


def _procedure_note(project: Project) -> None:
    """A note, not a warning: it never fails ``--strict`` (see policybook/procedure/gate.py)."""
    from policybook.procedure.rules import note

    text = note(project)
    if text:
        print(text, file=sys.stderr)
