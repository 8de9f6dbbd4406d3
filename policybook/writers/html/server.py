"""Serve a subsidiary's site on 127.0.0.1 for a look (``policybook serve``)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

from policybook.diagnostics import fail


def make_server(folder: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``folder`` (a subsidiary's output: html/ beside forms/) on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise fail(
            None, f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", "cli.port", "choose another --port"
        ) from exc


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; logs only errors (a page load is dozens of requests)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript; charset=utf-8"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        if args and str(args[1] if len(args) > 1 else "").startswith(("4", "5")):
            super().log_message(format, *args)
