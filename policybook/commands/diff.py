"""`policybook diff`: the change table (修订对照表) between two versions of the source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, print_written, split
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("diff", help="change table (修订对照表) between two versions of the source")
    cmd.add_argument("old", help="old version: a source folder or a git revision (tag, commit)")
    cmd.add_argument("new", help="new version: a source folder or a git revision")
    cmd.add_argument("--source", default="handbook", help="the source folder inside the repository (default handbook/)")
    cmd.add_argument("-s", "--subsidiary", action="append", default=[], help="subsidiary id (repeatable; default all)")
    cmd.add_argument("-f", "--formats", type=split, default=[], help="comma-separated: pdf,docx,json (default all)")
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.changes import write_changes

    written = write_changes(args.old, args.new, args.source, args.subsidiary, args.formats, args.output, diags)
    print_written(args.output, written)
    print(f"policybook: wrote {len(written)} change-table files to {args.output}", file=sys.stderr)
    return EXIT_OK
