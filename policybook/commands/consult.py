"""`policybook consult`: the 民主程序 of a release candidate — open, opinions, meeting, close — and Taiwan's 核備.

Each action is one database transaction: interrupted, the ledger is as it was.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, source_args
from policybook.commands._ledger import as_of_arg, ledger_args, now, output_arg, today, url
from policybook.diagnostics import Diagnostics, SourceError

KINDS = ("congress", "assembly", "union", "representatives")


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("consult", help="民主程序: put a draft out for comment, opinions, meetings, close; 核備")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, declare, text in (
        ("open", _open, "record that the current draft is out for comment; write the 征求意见稿"),
        ("opinion", _opinion, "record one opinion and the answer given"),
        ("opinions", _opinions, "opinions from a file: consult opinions import FILE"),
        ("meeting", _meeting, "record a 职工代表大会 / 全体职工 discussion or a 工会 协商"),
        ("close", _close, "fix the outcome (after the period, with a meeting recorded)"),
        ("filing", _filing, "Taiwan: record the 核備 of the 工作規則"),
        ("status", _status, "what a version's procedure holds and what it lacks"),
    ):
        declare(actions.add_parser(name, help=text))


def _common(cmd: argparse.ArgumentParser, with_version: bool = True) -> None:
    if with_version:
        cmd.add_argument("--version", default="", help="the draft's version (default: the consultation still open)")
    cmd.add_argument("--by", default="", help="who records it (default: your login name)")
    cmd.add_argument("--source", dest="source", default="handbook", help="the handbook source (ledger beside it)")
    cmd.add_argument("--evidence-dir", type=Path, help="evidence folder (default evidence/ beside the source)")
    ledger_args(cmd)
    as_of_arg(cmd, "the day of the record")


def _open(cmd: argparse.ArgumentParser) -> None:
    source_args(cmd)
    cmd.add_argument("--until", required=True, type=_day, help="last day for comments, YYYY-MM-DD")
    cmd.add_argument("--channel", default="intranet", help="where the draft was put out (default intranet)")
    cmd.add_argument("--notice", default="", help="the notice text (default: a standard notice)")
    cmd.add_argument("--notice-file", type=Path, help="the notice text from a UTF-8 file")
    output_arg(cmd, "dist/consultation")
    cmd.add_argument("--by", default="", help="who records it (default: your login name)")
    cmd.add_argument("--evidence-dir", type=Path, help="evidence folder (default evidence/ beside the source)")
    ledger_args(cmd)
    as_of_arg(cmd, "the day the draft was put out")
    cmd.set_defaults(run=run_open)


def run_open(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import check
    from policybook.dates import long_date
    from policybook.ledger.db import opened
    from policybook.procedure.consult import open_consultation

    notice = _notice_file(args.notice_file) if args.notice_file else args.notice
    checked = check(args.source, [], diags, args.strict, formats=[])
    if diags.failed(args.strict):
        raise SourceError(diags)
    meta = checked.project.meta
    notice = notice or (
        f"公司拟修订《{meta.title}》（版本{meta.version}）。依照《中华人民共和国劳动合同法》第四条，现将修订草案及"
        f"修订对照表公布，征求全体职工意见。请于{long_date(args.until)}前通过意见反馈表或向工会、职工代表提出意见和建议。"
    )
    with opened(url(args)) as ledger, ledger.transaction() as session:
        row = open_consultation(
            session, checked, args.until, args.channel, notice, args.output, _store(args), _who(args)
        )
        print(f"policybook: version {row.version} out for comment until {row.until} ({row.subsidiaries})")
    for path in sorted(args.output.glob(f"*v{meta.version}*.pdf")):
        print(path)
    return EXIT_OK


def _notice_file(path: Path) -> str:
    from policybook.diagnostics import fail
    from policybook.model import Loc

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise fail(Loc(str(path)), f"cannot read the notice: {reason}", "consult.notice") from None


def _opinion(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--who", required=True, help="who gave it (name, 工号 or department)")
    cmd.add_argument("--article", default="", help="which article (第十二条, or its label)")
    cmd.add_argument("--text", required=True, help="the opinion")
    cmd.add_argument("--answer", default="", help="the answer given")
    _common(cmd)
    cmd.set_defaults(run=run_opinion)


def run_opinion(args: argparse.Namespace, diags: Diagnostics) -> int:
    item = {"author": args.who, "article": args.article, "opinion": args.text, "answer": args.answer}
    item |= {"received_on": today(args), "origin": "policybook consult opinion"}
    return _opinions_into(args, [item])


def _opinions(cmd: argparse.ArgumentParser) -> None:
    sub = cmd.add_subparsers(dest="what", required=True, metavar="import")
    imp = sub.add_parser("import", help="columns: 提出人 [条款] 意见 [答复 日期] (or English names)")
    imp.add_argument("file", type=Path, help="CSV (UTF-8 or GBK) or XLSX")
    _common(imp)
    imp.set_defaults(run=run_opinions_import)


def run_opinions_import(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.procedure.consult import read_opinions

    return _opinions_into(args, read_opinions(args.file, today(args), diags))


def _opinions_into(args: argparse.Namespace, items: list[dict[str, object]]) -> int:
    from policybook.ledger.db import opened
    from policybook.procedure.consult import add_opinions, find

    with opened(url(args)) as ledger, ledger.transaction() as session:
        consultation = find(session, args.version)
        count = add_opinions(session, consultation, items, _who(args))
        print(f"policybook: {count} opinion(s) recorded on version {consultation.version}")
    return EXIT_OK


def _meeting(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--kind", required=True, choices=KINDS, help="职工代表大会 | 全体职工大会 | 工会协商 | 职工代表协商"
    )
    cmd.add_argument("--held", required=True, type=_day, help="the day it was held, YYYY-MM-DD")
    cmd.add_argument("--attendees", required=True, type=int, help="how many attended")
    cmd.add_argument("--resolution", required=True, help="what it resolved")
    cmd.add_argument("--minutes", type=Path, help="the signed minutes (a scan); hashed and kept")
    _common(cmd)
    cmd.set_defaults(run=run_meeting)


def run_meeting(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.procedure.consult import MeetingInput, add_meeting, find

    given = MeetingInput(args.kind, args.held, args.attendees, args.resolution, args.minutes)
    with opened(url(args)) as ledger, ledger.transaction() as session:
        consultation = find(session, args.version)
        add_meeting(session, consultation, given, _store(args), _who(args))
        print(f"policybook: {args.kind} of {args.held} recorded on version {consultation.version}")
    return EXIT_OK


def _close(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--outcome", required=True, help="the outcome, e.g. 经职工代表大会讨论通过")
    _common(cmd)
    cmd.set_defaults(run=run_close)


def run_close(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.procedure.consult import close, find

    with opened(url(args)) as ledger, ledger.transaction() as session:
        consultation = find(session, args.version)
        row = close(session, consultation, args.outcome, _who(args))
        print(f"policybook: consultation on version {consultation.version} closed on {row.closed_on}")
    return EXIT_OK


def _filing(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("-s", "--subsidiary", required=True, help="the Taiwan subsidiary's id")
    cmd.add_argument("--filed", required=True, type=_day, help="the filing (核備) date, YYYY-MM-DD")
    cmd.add_argument("--authority", required=True, help="e.g. 臺北市政府勞動局")
    cmd.add_argument("--reference", required=True, help="the reference number (文號)")
    cmd.add_argument("--evidence", type=Path, help="the authority's letter (a scan); hashed and kept")
    _common(cmd)
    cmd.set_defaults(run=run_filing)


def run_filing(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.procedure.consult import FilingInput, add_filing

    if not args.version:
        print("policybook consult filing: error: --version is required", file=sys.stderr)
        return 2
    given = FilingInput(args.version, args.subsidiary, args.filed, args.authority, args.reference, args.evidence)
    with opened(url(args)) as ledger, ledger.transaction() as session:
        add_filing(session, given, _store(args), _who(args))
    print(f"policybook: 核備 of version {args.version} for {args.subsidiary} recorded ({args.reference})")
    return EXIT_OK


def _status(cmd: argparse.ArgumentParser) -> None:
    source_args(cmd)
    ledger_args(cmd)
    cmd.set_defaults(run=run_status)


def run_status(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.procedure.gate import missing
    from policybook.source.project import read_project

    project = read_project(args.source, diags)
    diags.raise_if_errors()
    regions = {s: sub.info.region for s, sub in project.subsidiaries.items()}
    with opened(url(args)) as ledger, ledger.transaction() as session:
        lacking = missing(session, project.meta.version, regions)
    for line in lacking:
        print(line)
    print(f"policybook: version {project.meta.version}: " + (f"{len(lacking)} missing" if lacking else "complete"))
    return EXIT_OK


def _store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from policybook.ledger.evidence import EvidenceStore

    return EvidenceStore(args.evidence_dir or Path(args.source).resolve().parent / "evidence")


def _who(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from policybook.commands.ack import _by
    from policybook.procedure.consult import Who

    return Who(_by(args), now(), today(args))


def _day(value: str):  # type: ignore[no-untyped-def]
    from policybook.commands._ledger import _date

    return _date(value)
