"""`policybook publicise record`: 公示 — a release made known on a channel, with photos, pages, sign-in sheets."""

from __future__ import annotations

import argparse
from pathlib import Path

from policybook.commands import EXIT_OK, split
from policybook.commands._ledger import ledger_args, now, url
from policybook.commands.consult import _day, _store
from policybook.diagnostics import Diagnostics

CHANNELS = ("board", "intranet", "email", "training", "meeting")


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("publicise", help="公示: record how a release was made known (board, intranet …)")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    rec = actions.add_parser("record", help="record one 公示 with its evidence files (append-only)")
    rec.add_argument("--release", required=True, help="the released version")
    rec.add_argument("--channel", required=True, choices=CHANNELS)
    rec.add_argument("--date", required=True, type=_day, help="the day it was made known, YYYY-MM-DD")
    rec.add_argument("-s", "--subsidiary", default="", help="only these subsidiaries (comma-separated; default all)")
    rec.add_argument("--note", default="", help="where: the intranet address, the board's place, the session")
    rec.add_argument("--evidence", type=Path, nargs="*", default=[], help="photos, a saved page, a sign-in sheet …")
    rec.add_argument("--by", default="", help="who records it (default: your login name)")
    rec.add_argument("--source", default="handbook", help="the handbook source (ledger and evidence beside it)")
    rec.add_argument("--evidence-dir", type=Path, help="evidence folder (default evidence/ beside the source)")
    ledger_args(rec)
    rec.set_defaults(run=run_record)


def run_record(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.commands.ack import _by
    from policybook.ledger.db import opened
    from policybook.procedure.consult import Who
    from policybook.procedure.publicise import Notice, record

    notice = Notice(args.release, args.channel, args.date, split(args.subsidiary), args.note, args.evidence)
    with opened(url(args)) as ledger, ledger.transaction() as session:
        row = record(session, notice, _store(args), Who(_by(args), now(), args.date))
        print(
            f"policybook: 公示 of version {row.version} by {row.channel} on {row.published_on} recorded "
            f"({row.subsidiaries}; {len(args.evidence)} evidence file(s))"
        )
    return EXIT_OK
