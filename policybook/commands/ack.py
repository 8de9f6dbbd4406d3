"""`policybook ack`: the 签收 ledger — assign a release, print sign-off sheets, record and report signatures.

Each action is one database transaction: interrupted, the ledger is as it was.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policybook.commands import EXIT_OK, source_args
from policybook.commands._ledger import as_of_arg, dist_arg, ledger_args, now, output_arg, today, url
from policybook.diagnostics import Diagnostics, SourceError, fail
from policybook.output import atomic_write
from policybook.safetext import printable

if TYPE_CHECKING:
    from policybook.ledger.acks import Signature
    from policybook.ledger.assignments import StandingRow
    from policybook.ledger.report import Words
    from policybook.ledger.schema import Release

FORMATS = ("table", "json", "csv", "xlsx")
Rows = list[dict[str, Any]]


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("ack", help="签收 ledger: assign, sign-off sheets, record, report, remind")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    _assign(actions.add_parser("assign", help="record the current release and assign it to who must acknowledge it"))
    _sheets(actions.add_parser("sheets", help="pre-filled 签收单, one page per employee who has not signed"))
    _record(actions.add_parser("record", help="record one acknowledgement"))
    _import(actions.add_parser("import", help="record acknowledgements from a CSV or XLSX file"))
    _report(actions.add_parser("report", help="who signed, who has not, who is overdue"))
    _remind(actions.add_parser("remind", help="write the list of who to remind (CSV); sends nothing"))
    _links(actions.add_parser("links", help="personal links for online 签收 (CSV for mail merge); sends nothing"))


def _assign(cmd: argparse.ArgumentParser) -> None:
    source_args(cmd)
    dist_arg(cmd)
    cmd.add_argument("--due-days", type=int, default=30, help="days to sign, from release or hire date (default 30)")
    ledger_args(cmd)
    as_of_arg(cmd, "the day the release is recorded and new hires are counted from")
    cmd.set_defaults(run=run_assign)


def run_assign(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import check
    from policybook.ledger.assignments import assign
    from policybook.ledger.db import opened
    from policybook.ledger.releases import built_pdfs, record_release

    checked = check(args.source, [], diags, args.strict, formats=[])
    built = built_pdfs(checked, args.dist, diags)
    if diags.failed(args.strict):
        raise SourceError(diags)
    with opened(url(args)) as ledger, ledger.transaction() as session:
        _procedure_done(session, checked, list(built), diags)
        release = record_release(session, checked, built, today(args), now())
        result = assign(session, release, list(built), args.due_days, now())
        print(f"policybook: release {release.version}: {_release_summary(release)}")
    reasons = result.reasons
    detail = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))
    print(
        f"policybook: {len(result.new)} assigned"
        + (f" ({detail})" if detail else "")
        + f", {result.kept} keep their acknowledgement, {result.current} already assigned"
    )
    return EXIT_OK


def _procedure_done(session: Any, checked: Any, subs: list[str], diags: Diagnostics) -> None:
    """``procedure: required``: refuse a release whose 民主程序 / 核備 is incomplete (policybook/procedure)."""
    from policybook.procedure.gate import require

    require(session, checked, subs, diags)


def _release_summary(release: Release) -> str:
    """``changed in content: sz (1 row); unchanged: sh`` — or the subsidiaries released for the first time."""
    groups = {
        "changed in content": [
            f"{f.subsidiary} ({f.change_rows} row{'s' * (f.change_rows != 1)})"
            for f in release.files
            if f.changed and f.change_rows
        ],
        "unchanged": [f.subsidiary for f in release.files if not f.changed],
        "first release": [f.subsidiary for f in release.files if f.changed and not f.change_rows],
    }
    return "; ".join(f"{label}: {', '.join(subs)}" for label, subs in groups.items() if subs)


def _sheets(cmd: argparse.ArgumentParser) -> None:
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", required=True, help="subsidiary id")
    cmd.add_argument("--department", default="", help="only this department")
    output_arg(cmd, "dist/sheets")
    ledger_args(cmd)
    cmd.set_defaults(run=run_sheets)


def run_sheets(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.sheets import write_sheets

    target, count = write_sheets(args.source, args.subsidiary, args.department, args.output, url(args), diags)
    if target is None:
        print(f"policybook: nobody in '{args.subsidiary}' has a sheet to sign", file=sys.stderr)
    else:
        print(target)
        print(f"policybook: {count} 签收单 pages", file=sys.stderr)
    return EXIT_OK


def _record(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--employee", required=True, help="employee id (工号)")
    cmd.add_argument("--version", required=True, help="the handbook version signed for")
    cmd.add_argument("--method", required=True, choices=("paper", "click", "esign", "proxy"))
    cmd.add_argument("--evidence", type=Path, help="a scan or receipt; hashed and kept in the evidence folder")
    _common_record(cmd)
    as_of_arg(cmd, "the day it was signed")
    cmd.set_defaults(run=run_record)


def _common_record(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--by", default="", help="who records it (default: your login name)")
    cmd.add_argument("--source", default="handbook", help="the handbook source; the ledger and evidence lie beside it")
    cmd.add_argument("--evidence-dir", type=Path, help="evidence folder (default evidence/ beside the source)")
    ledger_args(cmd)


def run_record(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.acks import Signature
    from policybook.ledger.evidence import named

    origin = f"policybook ack record --employee {args.employee}"
    evidence = named(args.evidence) if args.evidence else None
    sig = Signature(args.employee, args.version, args.method, today(args), _by(args), evidence, None, origin)
    return _write_signatures(args, [sig], diags)


def _import(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("file", type=Path, help="columns: 工号 [版本] 方式 签收日期 [经办人 凭证] (or English names)")
    cmd.add_argument("--version", default="", help="the version, for a file without a version column")
    cmd.add_argument(
        "--evidence-from",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="also read evidence files beneath this folder (default: only the file's own folder)",
    )
    _common_record(cmd)
    cmd.set_defaults(run=run_import)


def run_import(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.acks import read_signatures

    signatures = read_signatures(args.file, args.version, _by(args), diags, args.evidence_from)
    return _write_signatures(args, signatures, diags)


def _by(args: argparse.Namespace) -> str:
    if args.by:
        return str(args.by)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _write_signatures(args: argparse.Namespace, signatures: list[Signature], diags: Diagnostics) -> int:
    from policybook.ledger.acks import record
    from policybook.ledger.db import opened
    from policybook.ledger.evidence import EvidenceStore

    store = EvidenceStore(args.evidence_dir or Path(args.source).resolve().parent / "evidence")
    with opened(url(args)) as ledger, ledger.transaction() as session:
        result = record(session, signatures, store, now(), diags)
    print(
        f"policybook: {len(result.added)} recorded, {len(result.corrected)} corrected (superseding an earlier row), "
        f"{result.unchanged} already recorded"
    )
    return EXIT_OK


def _report(cmd: argparse.ArgumentParser) -> None:
    _filters(cmd)
    cmd.add_argument("--status", choices=("pending", "overdue", "signed"), help="only these")
    cmd.add_argument("--format", choices=FORMATS, default="table", help="table (default), json, csv or xlsx")
    cmd.add_argument("-o", "--output", type=Path, help="write to this file (xlsx needs one)")
    cmd.add_argument("--chart", type=Path, help="also draw a bar chart per department (PNG)")
    cmd.set_defaults(run=run_report)


def _filters(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("-s", "--subsidiary", default="", help="only this subsidiary")
    cmd.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="zh (default): Chinese for HR; en: English for machines"
    )
    cmd.add_argument("--source", default="handbook", help="the handbook source; the ledger lies beside it")
    ledger_args(cmd)
    as_of_arg(cmd, "count overdue as of this day")


def run_report(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger import report

    _folder_exists(args.output, args.chart)
    data = _standings(args, report.rows)
    if args.status:
        data = [r for r in data if r["status"] == args.status]
    if args.chart:
        title = f"签收情况 {today(args).isoformat()}" + (f" · {args.subsidiary}" if args.subsidiary else "")
        report.chart(data, args.chart, title)
    words = _words(args)
    if args.format == "xlsx":
        if not args.output:
            print("policybook ack report: error: --format xlsx needs -o FILE", file=sys.stderr)
            return 2
        atomic_write(args.output, report.as_xlsx(data, words=words))
        return EXIT_OK
    if args.format == "json":
        text = report.as_json(data)
    elif args.format == "csv":
        text = report.as_csv(data, words=words)
    else:
        text = report.as_table(data, words)
    _emit(text, args.output, args.format == "table")
    return EXIT_OK


def _words(args: argparse.Namespace) -> Words:
    """Chinese for HR (companies by name, in the subsidiary's script), or English with ``--lang en``."""
    from policybook.ledger import report
    from policybook.source.project import read_project

    if args.lang == "en":
        return report.ENGLISH
    try:
        project = read_project(args.source, Diagnostics())
    except SourceError:  # no readable source: the ledger alone still reports, with subsidiary ids
        return report.Words()
    subs = {k: s.info for k, s in project.subsidiaries.items()}
    return report.words_for(subs, project.meta.locale, args.subsidiary)


def _standings(args: argparse.Namespace, convert: Callable[[list[StandingRow]], Rows]) -> Rows:
    """Where everyone stands, converted to rows while the session is still open."""
    from policybook.ledger.assignments import standing_rows
    from policybook.ledger.db import opened

    with opened(url(args)) as ledger, ledger.transaction() as session:
        return convert(standing_rows(session, today(args), args.subsidiary))


def _emit(text: str, output: Path | None, for_terminal: bool = False) -> None:
    if output:
        atomic_write(output, text.encode("utf-8"))
        print(printable(str(output)))
    else:
        # names from the roster: no escape sequence reaches a terminal (a table is always for one)
        shown = for_terminal or sys.stdout.isatty()
        sys.stdout.write("\n".join(printable(line) for line in text.split("\n")) if shown else text)


def _folder_exists(*outputs: Path | None) -> None:
    """A report goes into an existing folder: a mistyped -o is an error, not a new folder tree."""
    for output in outputs:
        if output is not None and not output.parent.is_dir():
            raise fail(
                None, f"no folder '{output.parent}' for {output}", "cli.output", "create the folder, or check the path"
            )


def _remind(cmd: argparse.ArgumentParser) -> None:
    _filters(cmd)
    cmd.add_argument("-o", "--output", type=Path, help="CSV file, or .xlsx (default: CSV on standard output)")
    cmd.set_defaults(run=run_remind)


def run_remind(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger import report

    _folder_exists(args.output)
    people = _standings(args, lambda found: report.reminders(found, today(args)))
    words = _words(args)
    if args.output and args.output.suffix.lower() == ".xlsx":
        atomic_write(args.output, report.as_xlsx(people, report.REMIND_FIELDS, words))
        print(args.output)
    else:
        _emit(report.as_csv(people, report.REMIND_FIELDS, words), args.output)
    print(f"policybook: {len(people)} to remind (nothing was sent)", file=sys.stderr)
    return EXIT_OK


# ---------------------------------------------------------------- online 签收 links (policybook/procedure/links.py)


def _links(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("-s", "--subsidiary", default="", help="issue links for this subsidiary's unsigned employees")
    cmd.add_argument("--base-url", default="", help="the studio as employees reach it, e.g. https://hr.example.com/")
    cmd.add_argument("--days", type=int, default=30, help="days a link works (default 30)")
    cmd.add_argument("-o", "--output", type=Path, help="CSV file (default: standard output)")
    cmd.add_argument("--revoke", metavar="EMPLOYEE", default="", help="instead: withdraw this employee's links")
    cmd.add_argument("--by", default="", help="who issues them (default: your login name)")
    cmd.add_argument("--source", default="handbook", help="the handbook source; ledger and link key beside it")
    ledger_args(cmd)
    cmd.set_defaults(run=run_links)


def run_links(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.procedure.links import issue, load_key, revoke_employee

    if not args.revoke and not (
        args.subsidiary and args.base_url.startswith(("https://", "http://")) and args.days > 0
    ):
        print(
            "policybook ack links: error: give -s SUBSIDIARY, --base-url https://… and --days ≥ 1 (or --revoke ID)",
            file=sys.stderr,
        )
        return 2
    with opened(url(args)) as ledger, ledger.transaction() as session:
        if args.revoke:
            count = revoke_employee(session, args.revoke, now(), _by(args), "revoked by policybook ack links --revoke")
            print(f"policybook: {count} link(s) of {args.revoke} revoked", file=sys.stderr)
            return EXIT_OK
        key = load_key(Path(args.source).resolve().parent, create=True)
        issued = issue(session, args.subsidiary, args.base_url, args.days, key, now(), _by(args))
        rows = [
            [i.employee.id, i.employee.name, i.employee.department, i.employee.email, i.employee.phone, i.version,
             i.url, i.expires.isoformat(sep=" ")]
            for i in issued
        ]  # fmt: skip
    from policybook.ledger.export import as_csv

    _emit(as_csv(["工号", "姓名", "部门", "邮箱", "手机", "版本", "链接", "有效期至"], rows), args.output)
    print(f"policybook: {len(rows)} personal link(s) (nothing was sent)", file=sys.stderr)
    return EXIT_OK
