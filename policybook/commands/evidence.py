"""`policybook evidence`: the package a lawyer hands the arbitration committee, for one employee and one article."""

from __future__ import annotations

import argparse

from policybook.commands import EXIT_OK
from policybook.commands._ledger import dist_arg, ledger_args, url
from policybook.commands.consult import _day
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("evidence", help="evidence package: one employee, one article, one day (folder + PDF)")
    cmd.add_argument("--employee", required=True, help="employee id (工号)")
    cmd.add_argument("--article", required=True, help="the article's label (e.g. art-late)")
    cmd.add_argument("--date", type=_day, default=None, help="the day in question (default today), YYYY-MM-DD")
    cmd.add_argument("-o", "--output", required=True, help="the package folder to write")
    cmd.add_argument("--source", default="handbook", help="the handbook source (ledger and evidence beside it)")
    cmd.add_argument("--evidence-dir", default="", help="evidence folder (default evidence/ beside the source)")
    dist_arg(cmd)
    ledger_args(cmd)
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    raise NotImplementedError  # replaced below in this series
