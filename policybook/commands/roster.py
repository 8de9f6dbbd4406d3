"""`policybook roster import`: the employee roster from the HR system's export (CSV or XLSX)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from policybook.commands import EXIT_OK
from policybook.commands._ledger import as_of_arg, ledger_args, now, today, url
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("roster", help="the employee roster of the 签收 ledger")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser(
        "import", help="add or update employees from a CSV (UTF-8, GBK, Big5, UTF-16) or XLSX export"
    )
    imp.add_argument(
        "file", type=Path, help="columns: 工号 姓名 公司 部门 入职日期 [邮箱 手机 状态] (or English names)"
    )
    imp.add_argument(
        "--source", default="handbook", help="the handbook source, for its subsidiaries (default handbook/)"
    )
    ledger_args(imp)
    as_of_arg(imp, "the day the export describes: changed entries are valid from it (default today)")
    imp.set_defaults(run=run_import)


def run_import(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.ledger.roster import read_roster, upsert
    from policybook.source.project import read_project

    project = read_project(args.source, diags)
    diags.raise_if_errors()
    # a subsidiary without its own locale writes in the handbook's (departments are kept in that script)
    subs = {k: replace(s.info, locale=s.info.locale or project.meta.locale) for k, s in project.subsidiaries.items()}
    rows = read_roster(args.file, subs, diags)
    with opened(url(args)) as ledger, ledger.transaction() as session:
        result = upsert(session, rows, now(), today(args))
    print(
        f"policybook: {args.file}: {len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged ({ledger.shown})",
        file=sys.stderr,
    )
    return EXIT_OK
