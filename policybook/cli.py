"""Command line: arguments, exit codes and printing diagnostics — no build logic.

Exit codes: 0 ok · 1 source errors (warnings too, under --strict) · 2 bad
command line · 3 internal error (short message; traceback saved to a file).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from policybook import __version__
from policybook.build import build, check
from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Loc

EXIT_OK, EXIT_SOURCE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="policybook", description="One source of company rules → every handbook, form and release."
    )
    top.add_argument("--version", action="version", version=f"policybook {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    cmd = commands.add_parser("check", help="validate the source for every subsidiary")
    _source_args(cmd)
    cmd.set_defaults(run=run_check)

    cmd = commands.add_parser("model", help="print one subsidiary's resolved, numbered model")
    _source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", required=True, help="subsidiary id")
    cmd.add_argument("--json", action="store_true", help="print JSON (the only format so far)")
    cmd.set_defaults(run=run_model)

    cmd = commands.add_parser("build", help="build handbooks and forms into the output folder")
    _source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", action="append", default=[], help="subsidiary id (repeatable; default all)")
    cmd.add_argument(
        "-f", "--formats", type=_split, default=[], help="comma-separated: pdf,docx,forms,json (default pdf,docx,forms)"
    )
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.add_argument("-j", "--jobs", type=int, default=0, help="parallel workers (default: one per core)")
    cmd.add_argument("--no-cache", action="store_true", help="rebuild every output even if its inputs did not change")
    cmd.set_defaults(run=run_build)

    cmd = commands.add_parser("diff", help="change table (修订对照表) between two versions of the source")
    cmd.add_argument("old", help="old version: a source folder or a git revision (tag, commit)")
    cmd.add_argument("new", help="new version: a source folder or a git revision")
    cmd.add_argument("--source", default="handbook", help="the source folder inside the repository (default handbook/)")
    cmd.add_argument("-s", "--subsidiary", action="append", default=[], help="subsidiary id (repeatable; default all)")
    cmd.add_argument("-f", "--formats", type=_split, default=[], help="comma-separated: pdf,docx,json (default all)")
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.set_defaults(run=run_diff)

    cmd = commands.add_parser("forms", help="one subsidiary's forms: blank, filled from CSV, or numbered pads")
    _source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", required=True, help="subsidiary id")
    cmd.add_argument("--form", default="", help="form id (default: every form, blank)")
    what = cmd.add_mutually_exclusive_group()
    what.add_argument("--fill", type=Path, help="UTF-8 CSV, header = field names: one filled PDF per row")
    what.add_argument("--serial-start", type=int, help="first serial number of a numbered pad")
    cmd.add_argument("--flatten", action="store_true", help="print the values into the page (no fields left)")
    cmd.add_argument("--count", type=int, default=None, help="pages (copies) in the pad")
    cmd.add_argument("--serial-format", type=_serial_format, default="{n}", help="e.g. {:09d} or SZ-{n:05d}")
    cmd.add_argument("-o", "--output", type=Path, help="output folder (default dist/<subsidiary>/forms)")
    cmd.set_defaults(run=run_forms)
    return top


def _serial_format(value: str) -> str:
    try:
        value.format(1, n=1)
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        raise argparse.ArgumentTypeError(f"bad serial format {value!r}: {exc}") from None
    return value


def _source_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("source", nargs="?", default="handbook", help="folder holding handbook.yaml (default handbook/)")
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")


def run_check(args: argparse.Namespace, diags: Diagnostics) -> int:
    checked = check(args.source, (), diags, args.strict)
    docs = checked.documents.values()
    summary = ", ".join(f"{d.subsidiary.id}: {sum(len(c.articles()) for c in d.chapters)} articles" for d in docs)
    print(f"policybook: source is valid ({summary})", file=sys.stderr)
    return EXIT_OK


def run_model(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.writers.json import dumps

    checked = check(args.source, [args.subsidiary], diags)
    print(dumps(checked.documents[args.subsidiary]))
    return EXIT_OK


def run_build(args: argparse.Namespace, diags: Diagnostics) -> int:
    written = build(
        args.source,
        args.output,
        args.subsidiary,
        args.formats,
        diags,
        args.strict,
        jobs=args.jobs,
        use_cache=not args.no_cache,
    )
    for rel in written:
        print(args.output / rel)
    print(f"policybook: {len(written)} files in {args.output} (see manifest.json)", file=sys.stderr)
    return EXIT_OK


def run_diff(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.changes import write_changes

    written = write_changes(args.old, args.new, args.source, args.subsidiary, args.formats, args.output, diags)
    for rel in written:
        print(args.output / rel)
    print(f"policybook: wrote {len(written)} change-table files to {args.output}", file=sys.stderr)
    return EXIT_OK


def run_forms(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.writers.forms.fill import Request, run

    problem = _forms_usage(args)
    if problem:
        print(f"policybook forms: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    doc = check(args.source, [args.subsidiary], diags, args.strict).documents[args.subsidiary]
    request = Request(args.form, args.fill, args.flatten, args.serial_start, args.count or 1, args.serial_format)
    written = run(doc, request, args.output or Path("dist") / args.subsidiary / "forms")
    for path in written:
        print(path)
    print(f"policybook: wrote {len(written)} form files", file=sys.stderr)
    return EXIT_OK


def _forms_usage(args: argparse.Namespace) -> str:
    if (args.fill or args.serial_start is not None) and not args.form:
        return "--fill and --serial-start need --form ID"
    if args.count is not None and args.serial_start is None:
        return "--count needs --serial-start"
    if args.count is not None and args.count < 1:
        return "--count must be 1 or more"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a bad command line (2)
        return int(exc.code or 0)
    diags = Diagnostics()
    try:
        code = _run(args.run, args, diags)
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        code = EXIT_SOURCE
    except KeyboardInterrupt:
        print("policybook: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        _print(diags)
        return _internal_error(exc)
    _print(diags)
    if code == EXIT_OK and diags.failed(strict=getattr(args, "strict", False)):
        return EXIT_SOURCE
    return code


def _run(func: Callable[[argparse.Namespace, Diagnostics], int], args: argparse.Namespace, diags: Diagnostics) -> int:
    return func(args, diags)


def _print(diags: Diagnostics) -> None:
    # by file and line, so the same source always gives the same report in the same order
    for diag in sorted(diags.items, key=lambda d: (d.loc is not None, d.loc or Loc(""))):
        print(diag, file=sys.stderr)
    errors, warnings = len(diags.errors), len(diags.warnings)
    if errors or warnings:
        print(f"policybook: {errors} error(s), {warnings} warning(s)", file=sys.stderr)


def _internal_error(exc: BaseException) -> int:
    with tempfile.NamedTemporaryFile("w", prefix="policybook-crash-", suffix=".txt", delete=False) as log:
        traceback.print_exc(file=log)
    print(f"policybook: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    print(f"policybook: this is a bug in policybook; details saved to {log.name}", file=sys.stderr)
    return EXIT_INTERNAL
