"""`policybook import`: existing regulations (Word, text, PDF) → a policybook source tree and a report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, EXIT_USAGE
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("import", help="turn Word, text or PDF regulations into a source tree")
    cmd.add_argument("files", nargs="+", type=Path, help=".docx, .txt, .md or text .pdf files, in reading order")
    cmd.add_argument("-o", "--output", type=Path, required=True, help="folder to write (handbook/, forms/, report)")
    cmd.add_argument("--company", default="", help="the company's name: its occurrences become {{ company }}")
    cmd.add_argument(
        "--split", action="store_true", help="import a document appended after the regulation's end into DIR/split-N"
    )
    cmd.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.importers.pipeline import run_import

    out: Path = args.output
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not args.force:
        print(
            f"policybook: error: {out} is not empty (hint: choose a new folder or pass --force) [import.exists]",
            file=sys.stderr,
        )
        return EXIT_USAGE
    result = run_import(list(args.files), out, args.company, args.split)
    for one in [result, *result.others]:
        for path in one.written:
            print(path)
        report, title = one.written[-1], one.regulation.title or one.written[-1].parent.name
        print(
            f"policybook: imported {len(one.regulation.articles())} articles ({title}); "
            f"{len(one.record.uncertain)} thing(s) to check in {report}",
            file=sys.stderr,
        )
        print(f"policybook: {one.accounting.line()}", file=sys.stderr)
    return EXIT_OK
