"""`policybook serve`: look at a subsidiary's handbook site on this machine (127.0.0.1 only)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, source_args
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("serve", help="serve a subsidiary's handbook site on 127.0.0.1 for a look")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", default="", help="subsidiary id (default: the first one)")
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 = any free port)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import build
    from policybook.writers.html.server import make_server  # http.server loads only for this command

    sub = args.subsidiary or _first_subsidiary(args.source, diags)
    folder = args.output / sub
    if not (folder / "html" / "index.html").is_file():
        # the site, and the forms its appendices link to
        build(args.source, args.output, [sub], ["html", "forms"], diags, args.strict)
    server = make_server(folder, args.port)
    url = f"http://127.0.0.1:{server.server_port}/html/index.html"
    print(f"policybook: serving {folder / 'html'} at {url} (Ctrl-C stops)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def _first_subsidiary(source: str, diags: Diagnostics) -> str:
    from policybook.source.project import read_project

    project = read_project(source, diags)
    diags.raise_if_errors()
    return sorted(project.subsidiaries)[0]
