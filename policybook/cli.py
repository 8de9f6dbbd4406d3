"""Command line: arguments, exit codes and printing diagnostics — no build logic.

Exit codes: 0 ok · 1 source errors (warnings too, under --strict) · 2 bad
command line · 3 internal error (short message; traceback saved to a file) ·
141 the reader of standard output went away (``| head``), as for any Unix tool.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence

from policybook import __version__
from policybook.commands import EXIT_INTERNAL, EXIT_OK, EXIT_SOURCE, EXIT_USAGE, add_all
from policybook.diagnostics import Diagnostics, SourceError
from policybook.output import environment_error

EXIT_PIPE = 128 + 13  # killed by SIGPIPE, the shell's way of saying it


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="policybook", description="One source of company rules → every handbook, form and release."
    )
    top.add_argument("--version", action="version", version=f"policybook {__version__}")
    add_all(top.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    return top


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
    except BrokenPipeError:
        return _reader_gone()
    except OSError as exc:
        problem = environment_error(exc)
        if problem is None:
            _print(diags)
            return _internal_error(exc)
        diags.extend(problem.diagnostics)
        code = EXIT_SOURCE
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        _print(diags)
        return _internal_error(exc)
    _print(diags)
    if code == EXIT_OK and diags.failed(strict=getattr(args, "strict", False)):
        return EXIT_SOURCE
    if code == EXIT_SOURCE and diags.errors and all(d.code.startswith("cli.") for d in diags.errors):
        return EXIT_USAGE  # an unknown subsidiary or format: the command line is wrong, not the source
    return code


def _reader_gone() -> int:
    """``policybook model … | head``: the reader closed the pipe; stop quietly, as cat does."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
    except (OSError, ValueError):
        pass
    return EXIT_PIPE


def _run(func: Callable[[argparse.Namespace, Diagnostics], int], args: argparse.Namespace, diags: Diagnostics) -> int:
    return func(args, diags)


def _print(diags: Diagnostics) -> None:
    from policybook.i18n import report, script_of_environment

    script = script_of_environment()  # LANG=zh_CN.UTF-8: the same lines, in Chinese
    if script and diags.items:
        report(diags, sys.stderr, script)
    else:
        diags.report(sys.stderr)


def _internal_error(exc: BaseException) -> int:
    with tempfile.NamedTemporaryFile("w", prefix="policybook-crash-", suffix=".txt", delete=False) as log:
        traceback.print_exc(file=log)
    print(f"policybook: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    print(f"policybook: this is a bug in policybook; details saved to {log.name}", file=sys.stderr)
    return EXIT_INTERNAL
