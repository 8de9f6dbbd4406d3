"""`policybook evidence`: the package a lawyer hands the arbitration committee, for one employee and one article."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from policybook.commands import EXIT_OK
from policybook.commands._ledger import ledger_args, url
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
    cmd.add_argument(
        "--dist", type=Path, action="append", default=[], help="where the releases' PDFs are (repeat; default dist/)"
    )
    ledger_args(cmd)
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.ledger.evidence import EvidenceStore
    from policybook.procedure.evidence import gather
    from policybook.procedure.package import check_output, write_package

    check_output(Path(args.output))
    day = args.date or datetime.date.today()
    source = Path(args.source).resolve().parent
    store = EvidenceStore(Path(args.evidence_dir) if args.evidence_dir else source / "evidence")
    with opened(url(args)) as ledger, ledger.transaction() as session:
        facts = gather(session, args.employee, args.article, day)
        package = write_package(facts, args.dist or [Path("dist")], store, Path(args.output))
    print(package.pdf)
    for gap in package.gaps:
        print(f"policybook: gap: {gap}", file=sys.stderr)
    print(f"policybook: {len(package.files) + 1} files in {package.folder} (index.json, SHA256SUMS)", file=sys.stderr)
    return EXIT_OK
