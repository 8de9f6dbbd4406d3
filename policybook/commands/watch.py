"""`policybook watch`: rebuild a subsidiary's handbook on every edit of the source."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, source_args, split
from policybook.diagnostics import Diagnostics
from policybook.writers import names as writer_names
from policybook.writers import require_known


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("watch", help="rebuild on every edit of the source, brand kits or forms (Ctrl-C stops)")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", action="append", required=True, help="subsidiary id (repeatable)")
    cmd.add_argument("-f", "--formats", type=split, default=["pdf"], help="comma-separated formats (default pdf)")
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.add_argument("--interval", type=float, default=0.1, help="seconds between looks at the files (default 0.1)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.live import Watch

    require_known(args.formats, writer_names(), diags)
    watch = Watch(args.source, args.subsidiary, args.formats, args.output, args.strict)
    print(f"policybook: watching {args.source} → {args.output} (Ctrl-C stops)", file=sys.stderr, flush=True)
    for ending in (signal.SIGTERM, signal.SIGHUP):  # `kill`, a closed terminal: end as Ctrl-C does
        signal.signal(ending, _interrupt)
    try:
        watch.run(max(args.interval, 0.02))
    except KeyboardInterrupt:  # Ctrl-C is how a watch ends: quietly, and a second one cannot cut the clean-up
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(file=sys.stderr)
    finally:
        watch.close()
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
