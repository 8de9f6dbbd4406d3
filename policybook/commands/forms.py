"""`policybook forms`: one subsidiary's forms — blank, filled from CSV, or numbered pads."""

from __future__ import annotations

import argparse
import re
import string
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, EXIT_USAGE, source_args
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("forms", help="one subsidiary's forms: blank, filled from CSV, or numbered pads")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", required=True, help="subsidiary id")
    cmd.add_argument("--form", default="", help="form id (default: every form, blank)")
    cmd.add_argument(
        "--fill", type=Path, help="UTF-8 CSV, header = field names or printed labels: one filled PDF per row"
    )
    cmd.add_argument("--serial-start", type=int, help="first serial number of a numbered pad (or of the CSV rows)")
    cmd.add_argument("--flatten", action="store_true", help="print the values into the page (no fields left)")
    cmd.add_argument("--merge", action="store_true", help="with --fill: all rows in one PDF, ready to print")
    cmd.add_argument("--count", type=int, default=None, help="pages (copies) in the pad")
    cmd.add_argument("--serial-format", type=_serial_format, default="{n}", help="e.g. {:09d} or SZ-{n:05d}")
    cmd.add_argument("-o", "--output", type=Path, help="output folder (default dist/<subsidiary>/forms)")
    cmd.set_defaults(run=run)


def _serial_format(value: str) -> str:
    if re.search(r"\{[^{}]*\d{3,}[^{}]*\}", value):  # {n:>1000000000} would fill the memory
        raise argparse.ArgumentTypeError(f"bad serial format {value!r}: a width of 100 or more")
    for _, field, _, _ in string.Formatter().parse(value):
        if field not in (None, "", "0", "n"):  # {n.__class__} and the like: only the number itself
            raise argparse.ArgumentTypeError(f"bad serial format {value!r}: use {{n}} or {{n:05d}}")
    try:
        value.format(1, n=1)
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        raise argparse.ArgumentTypeError(f"bad serial format {value!r}: {exc}") from None
    return value


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import check
    from policybook.writers.forms.fill import Request, check_serials
    from policybook.writers.forms.fill import run as fill

    request = Request(
        args.form, args.fill, args.flatten, args.serial_start, args.count or 1, args.serial_format, args.merge
    )
    problem = _usage(args) or (check_serials(request) if args.serial_start is not None else "")
    if problem:
        print(f"policybook forms: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    doc = check(args.source, [args.subsidiary], diags, args.strict).documents[args.subsidiary]
    written = fill(doc, request, args.output or Path("dist") / args.subsidiary / "forms", diags)
    for path in written:
        print(path)
    print(f"policybook: wrote {len(written)} form files", file=sys.stderr)
    return EXIT_OK


def _usage(args: argparse.Namespace) -> str:
    if (args.fill or args.serial_start is not None) and not args.form:
        return "--fill and --serial-start need --form ID"
    if args.count is not None and args.serial_start is None:
        return "--count needs --serial-start"
    if args.count is not None and args.fill:
        return "--count is for pads; with --fill every CSV row is one copy"
    if args.merge and not args.fill:
        return "--merge needs --fill (a numbered pad is one PDF already)"
    if args.count is not None and args.count < 1:
        return "--count must be 1 or more"
    return ""
