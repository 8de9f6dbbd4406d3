"""`policybook law`: the labour-law checks for a legal reviewer.

``law report [SOURCE] [-o FILE.md|FILE.xlsx]`` writes every finding per subsidiary
(waived ones with their reason); ``law rules [--in CN-SH] [--on DATE]`` lists the
rules in force. ``check`` runs the same checks and reports them as ``law.*``.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, EXIT_USAGE
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("law", help="labour-law checks: the reviewer's report, the rules in force")
    sub = cmd.add_subparsers(dest="law_command", required=True, metavar="ACTION")
    report = sub.add_parser("report", help="table of every finding per subsidiary (Markdown or XLSX)")
    report.add_argument("source", nargs="?", default="handbook", help="folder holding handbook.yaml")
    report.add_argument("-s", "--subsidiary", action="append", default=[], help="subsidiary id (repeatable)")
    report.add_argument("-o", "--output", type=Path, help="FILE.md or FILE.xlsx (default: Markdown on stdout)")
    report.set_defaults(run=run_report)
    rules = sub.add_parser("rules", help="the rules in force in a jurisdiction on a date")
    rules.add_argument("--in", dest="jurisdiction", default="CN", help="CN, CN-SH, CN-BJ, CN-GD-SZ, HK, TW …")
    rules.add_argument("--on", dest="day", default="", help="date (YYYY-MM-DD; default today)")
    rules.set_defaults(run=run_rules)


def run_report(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import check
    from policybook.law import findings
    from policybook.law.report import markdown, write

    checked = check(args.source, args.subsidiary, diags, strict=False, formats=[], law=False)
    found = findings(checked, diags)
    if args.output is None:
        print(markdown(checked, found))
    else:
        write(checked, found, args.output)
        print(args.output)
    waived = sum(1 for f in found if f.waiver)
    print(
        f"policybook: {len(found)} law finding(s), {waived} waived, in {len(checked.documents)} subsidiaries",
        file=sys.stderr,
    )
    return EXIT_OK


def run_rules(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.law.rules import canonical, known, rules_for

    code = canonical(args.jurisdiction)
    try:
        day = datetime.date.fromisoformat(args.day) if args.day else datetime.date.today()
    except ValueError:
        diags.error(None, f"not a date: '{args.day}'", "cli.date", "write YYYY-MM-DD")
        return EXIT_USAGE
    if not code:
        diags.error(None, f"no law table for '{args.jurisdiction}'", "cli.jurisdiction", f"known: {', '.join(known())}")
        return EXIT_USAGE
    for rule in rules_for(code, day):
        until = f"–{rule.end}" if rule.end else " 起"
        print(f"{rule.id}\t{rule.citation}\t{rule.start}{until}\t{rule.explain}")
    return EXIT_OK
