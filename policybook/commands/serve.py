"""`policybook serve`: look at a subsidiary's handbook site on this machine (127.0.0.1 by default).

The site is served as static files by :mod:`policybook.writers.html.server` on the one
production server (:mod:`policybook.webserver`): bounded requests, a thread pool,
no listing, nothing outside the subsidiary's output folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, source_args
from policybook.diagnostics import Diagnostics
from policybook.safetext import printable


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("serve", help="serve a subsidiary's handbook site on 127.0.0.1 for a look")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", default="", help="subsidiary id (default: the first one)")
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free port)")
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook import webserver
    from policybook.build import build
    from policybook.writers.html.server import make_server

    webserver.check_address(args.host, args.port)  # a wrong --port fails before any build
    sub = args.subsidiary or _first_subsidiary(args.source, diags)
    folder = args.output / sub
    if not (folder / "html" / "index.html").is_file():
        # the site, and the forms its appendices link to
        build(args.source, args.output, [sub], ["html", "forms"], diags, args.strict)
    server = make_server(folder, args.port, args.host, home="/html/index.html")
    where = "" if webserver.is_loopback(args.host) else " — reachable from other machines"
    shown = webserver.url(server, "/html/index.html")
    message = f"policybook: serving {printable(str(folder / 'html'))} at {shown}{where} (Ctrl-C stops)"
    webserver.run(server, lambda: print(message, file=sys.stderr, flush=True))
    return EXIT_OK


def _first_subsidiary(source: str, diags: Diagnostics) -> str:
    from policybook.source.project import read_project

    project = read_project(source, diags)
    diags.raise_if_errors()
    return sorted(project.subsidiaries)[0]
