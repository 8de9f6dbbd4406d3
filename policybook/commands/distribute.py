"""`policybook distribute`: personalised handbook copies (name and id in every page's footer)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from policybook.commands import EXIT_OK, source_args
from policybook.commands._ledger import dist_arg, ledger_args, output_arg, url
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("distribute", help="personalised handbook copies for employees who need one")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", required=True, help="subsidiary id")
    cmd.add_argument("--department", default="", help="only this department")
    cmd.add_argument("--all", action="store_true", help="every active employee, not only those who have not signed")
    dist_arg(cmd)
    output_arg(cmd, "dist/copies")
    ledger_args(cmd)
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.copies import Wanted, write_copies

    wanted = Wanted(args.subsidiary, args.department, args.all)
    written = write_copies(args.source, wanted, args.dist, args.output, url(args), diags, _progress())
    for path in written:
        print(path)
    print(f"policybook: {len(written)} personalised copies in {args.output}", file=sys.stderr)
    return EXIT_OK


def _progress() -> Callable[[int, int], None]:
    """A progress line on standard error: rewritten in place on a terminal, one line a batch otherwise."""
    start = time.monotonic()
    live = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        nonlocal start
        if done == 0:
            start = time.monotonic()
            return
        rate = done / max(time.monotonic() - start, 1e-6)
        line = f"policybook: {done}/{total} copies ({rate:.3g}/s)"
        print(("\r" + line) if live else line, end="\n" if not live or done == total else "", file=sys.stderr)
        sys.stderr.flush()

    return show
