"""`policybook build`: build handbooks and forms into the output folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, print_written, source_args, split
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("build", help="build handbooks and forms into the output folder")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", action="append", default=[], help="subsidiary id (repeatable; default all)")
    cmd.add_argument(
        "-f",
        "--formats",
        type=split,
        default=[],
        help="comma-separated: pdf,docx,forms,html,json (default pdf,docx,forms,html)",
    )
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.add_argument("-j", "--jobs", type=int, default=0, help="parallel workers (default: one per core)")
    cmd.add_argument("--no-cache", action="store_true", help="rebuild every output even if its inputs did not change")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import build

    written = build(
        args.source,
        args.output,
        args.subsidiary,
        args.formats,
        diags,
        args.strict,
        jobs=args.jobs,
        use_cache=not args.no_cache,
    )
    print_written(args.output, written)
    print(f"policybook: {len(written)} files in {args.output} (see manifest.json)", file=sys.stderr)
    return EXIT_OK
