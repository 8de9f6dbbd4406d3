"""Options shared by the ledger commands (roster, ack, distribute): where the ledger is, which day it is."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path


def ledger_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--db",
        default="",
        help="ledger: a file or database URL (default $POLICYBOOK_DB, else policybook.db beside the source)",
    )
    cmd.add_argument(
        "--init",
        action="store_true",
        help="create the ledger's tables even in a database that already holds other tables",
    )


def dist_arg(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--dist", type=Path, default=Path("dist"), help="where the build wrote the handbooks (default dist/)"
    )


def output_arg(cmd: argparse.ArgumentParser, default: str) -> None:
    cmd.add_argument("-o", "--output", type=Path, default=Path(default), help=f"output folder (default {default})")


def as_of_arg(cmd: argparse.ArgumentParser, help_text: str = "the day it is (default today)") -> None:
    cmd.add_argument("--date", type=_date, default=None, help=help_text + "; YYYY-MM-DD")


def url(args: argparse.Namespace) -> str:
    from policybook.ledger.db import allow_init, default_url  # SQLAlchemy and Alembic load only for the ledger

    found = args.db or default_url(getattr(args, "source", "handbook"))
    if getattr(args, "init", False):
        allow_init(found)
    return str(found)


def today(args: argparse.Namespace) -> datetime.date:
    return args.date or datetime.date.today()


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (write YYYY-MM-DD)") from None
