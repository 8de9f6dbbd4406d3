"""`policybook review import`: a reviewed DOCX (tracked changes, comments) back to the source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policybook.commands import EXIT_OK
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("review", help="bring a lawyer's Word review (tracked changes, comments) back")
    actions = cmd.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import", help="read a reviewed DOCX: review-report.md and a git-apply-able patch to the source"
    )
    imp.add_argument("docx", type=Path, help="the reviewed .docx (tracked changes and comments)")
    imp.add_argument("source", nargs="?", default="handbook", help="folder holding handbook.yaml (default handbook/)")
    imp.add_argument("-o", "--output", type=Path, default=Path("review"), help="output folder (default review/)")
    imp.add_argument("-s", "--subsidiary", default="", help="subsidiary id, when the DOCX does not record it")
    imp.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.review import report
    from policybook.review.importer import import_review

    review = import_review(args.docx, args.source, diags, args.subsidiary)
    written = report.write(review, args.output)
    for path in written:
        print(path)
    for note in review.notes:
        print(f"{written[0]}: warning: {note} [review.note]", file=sys.stderr)
    conflicts = sum(1 for a in review.articles if a.current is not None)
    unsure = sum(1 for a in review.articles if a.proposal and (a.proposal.flags or a.matches is False))
    print(
        f"policybook: {len(review.articles)} articles reviewed, {conflicts} in conflict, "
        f"{unsure} to check by hand; see {written[0]}",
        file=sys.stderr,
    )
    return EXIT_OK
