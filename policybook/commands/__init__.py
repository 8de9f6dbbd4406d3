"""The subcommands of the command line, one module each.

Each module has ``add(commands)``, which declares its sub-parser and sets
``run`` to a function ``(args, diags) -> exit code``. ``cli.py`` walks
``COMMANDS`` in this order (the order ``policybook --help`` lists them).
A new command is a new module here and one name in this list.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

EXIT_OK, EXIT_SOURCE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

COMMANDS = [
    "init",
    "check",
    "fix",
    "model",
    "build",
    "diff",
    "forms",
    "watch",
    "import_",
    "roster",
    "ack",
    "distribute",
    "law",
    "consult",
    "publicise",
    "evidence",
    "serve",
    "studio",
    "review",
]


def add_all(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name in COMMANDS:
        import_module(f"policybook.commands.{name}").add(commands)


def split(value: str) -> list[str]:
    """A comma-separated option value as a list."""
    return [v.strip() for v in value.split(",") if v.strip()]


def source_args(cmd: argparse.ArgumentParser) -> None:
    """The source folder argument and --strict, shared by the commands that read a source."""
    cmd.add_argument("source", nargs="?", default="handbook", help="folder holding handbook.yaml (default handbook/)")
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")


def print_written(output: Path, written: Sequence[str | Path]) -> None:
    for rel in written:
        print(output / rel)
