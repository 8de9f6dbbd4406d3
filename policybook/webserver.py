"""Serving a WSGI application (``serve``, ``studio``) on a production server: waitress.

Why waitress: pure Python (no compiler, no fork model, nothing to install
beside the wheel), maintained by the Pylons project, and it bounds what a
hostile client can make it hold — request header and body sizes, idle
channels, a connection limit — while a fixed pool of threads answers. Its
event loop accepts connections itself, so 100 clients at once queue instead
of being refused (the listen backlog is raised too), and a client that hangs
up is a closed channel, not a traceback.

:func:`serve` validates host and port (a bad one is a ``cli.*`` error, exit 2)
and runs until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policybook.diagnostics import fail

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Limits:
    """What one client may make the server hold."""

    threads: int = 8
    connection_limit: int = 200
    backlog: int = 256
    channel_timeout: int = 30  # seconds an idle or slow connection is kept
    max_request_header_size: int = 64 * 1024
    max_request_body_size: int = 32 * 1024 * 1024  # uploads (rosters, scans) included


def check_address(host: str, port: int) -> tuple[str, int]:
    """``host`` an IP address (or ``localhost``), ``port`` within 0–65535; else a command-line error."""
    if not 0 <= port <= 65535:
        raise fail(None, f"port {port} is outside 0–65535", "cli.port", "choose a --port between 1024 and 65535")
    if host == "localhost":
        return LOOPBACK, port
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise fail(
            None, f"'{host}' is not an IP address", "cli.host", "give --host as 127.0.0.1, ::1 or 0.0.0.0"
        ) from None
    return host, port


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def create(app: Callable[..., Any], host: str = LOOPBACK, port: int = 0, limits: Limits = Limits()) -> Any:
    """A bound, not yet running waitress server (``.effective_port``, ``.run()``, ``.close()``)."""
    from waitress.server import create_server

    host, port = check_address(host, port)
    _quiet_waitress()
    try:
        return create_server(
            app,
            host=host,
            port=port,
            threads=limits.threads,
            connection_limit=limits.connection_limit,
            backlog=limits.backlog,
            channel_timeout=limits.channel_timeout,
            max_request_header_size=limits.max_request_header_size,
            max_request_body_size=limits.max_request_body_size,
            expose_tracebacks=False,
            ident="policybook",
            clear_untrusted_proxy_headers=True,
        )
    except OSError as exc:
        raise fail(
            None, f"cannot listen on {host}:{port}: {exc.strerror or exc}", "cli.port", "choose another --port"
        ) from None


def url(server: Any, path: str = "/") -> str:
    host = server.effective_host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{server.effective_port}{path}"


def run(server: Any, ready: Callable[[], None] | None = None) -> None:
    """Serve until Ctrl-C or SIGTERM; the sockets are closed either way. ``ready`` runs once
    SIGTERM is handled (print "serving at …" there: a SIGTERM right after it stops cleanly)."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if ready is not None:
            ready()
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _quiet_waitress() -> None:
    """waitress logs every client that hangs up and queue depth warnings; keep real errors only."""
    log = logging.getLogger("waitress")
    log.setLevel(logging.ERROR)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("policybook: server: %(message)s"))
        log.addHandler(handler)
        log.propagate = False
