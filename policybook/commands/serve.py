"""`policybook serve`: look at a subsidiary's handbook site on this machine (127.0.0.1 only)."""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, source_args
from policybook.diagnostics import Diagnostics, fail


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("serve", help="serve a subsidiary's handbook site on 127.0.0.1 for a look")
    source_args(cmd)
    cmd.add_argument("-s", "--subsidiary", default="", help="subsidiary id (default: the first one)")
    cmd.add_argument("-o", "--output", type=Path, default=Path("dist"), help="output folder (default dist/)")
    cmd.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 = any free port)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.build import build

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


def make_server(folder: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``folder`` (a subsidiary's output: html/ beside forms/) on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise fail(
            None, f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", "cli.port", "choose another --port"
        ) from exc


def _first_subsidiary(source: str, diags: Diagnostics) -> str:
    from policybook.source.project import read_project

    project = read_project(source, diags)
    diags.raise_if_errors()
    return sorted(project.subsidiaries)[0]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; logs only errors (a page load is dozens of requests)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript; charset=utf-8"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        if args and str(args[1] if len(args) > 1 else "").startswith(("4", "5")):
            super().log_message(format, *args)
