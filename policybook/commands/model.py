"""`policybook model`: print one subsidiary's resolved, numbered model."""

from __future__ import annotations

import argparse

from policybook.commands import EXIT_OK, source_args
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("model", help="print one subsidiary's resolved, numbered model")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", required=True, help="subsidiary id")
    cmd.add_argument("--json", action="store_true", help="print JSON (the only format so far)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import check
    from policybook.writers.json import dumps

    checked = check(args.source, [args.subsidiary], diags)
    print(dumps(checked.documents[args.subsidiary]))
    return EXIT_OK
