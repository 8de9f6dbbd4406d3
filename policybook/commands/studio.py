"""`policybook studio`: the browser workspace on this machine (127.0.0.1 unless --host), and its accounts."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading

from policybook.commands import EXIT_OK, EXIT_USAGE
from policybook.commands._ledger import ledger_args, output_arg, url
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("studio", help="the browser workspace: read, edit as a draft, review, release, 签收")
    cmd.add_argument("source", nargs="?", default="handbook", help="folder holding handbook.yaml (default handbook/)")
    cmd.add_argument("--port", type=int, default=8400, help="port (default 8400; 0 = any free port)")
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)")
    output_arg(cmd, "dist")
    ledger_args(cmd)
    cmd.add_argument("words", nargs="*", metavar="ACTION USER", help="with 'users': add NAME | list | disable NAME")
    cmd.add_argument("--name", default="", help="users add: the person's name (shown on pages and in git commits)")
    cmd.add_argument("--roles", default="viewer", help="users add: editor,approver,publisher,clerk,viewer,admin")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    """``policybook studio [SOURCE]`` serves; ``policybook studio users ACTION [NAME]`` manages accounts."""
    if args.source == "users":  # policybook studio users ACTION …
        args.source = os.environ.get("POLICYBOOK_SOURCE", "handbook")
        return run_users(args, diags)
    if args.words[:1] == ["users"]:  # policybook studio SOURCE users ACTION …
        args.words = args.words[1:]
        return run_users(args, diags)
    if args.words:
        print(
            f"policybook studio: unexpected {' '.join(args.words)!r} (accounts: studio users add|list|disable)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from policybook import webserver
    from policybook.source.paths import find_source
    from policybook.studio import StudioConfig, create_app
    from policybook.studio.auth import setup_link

    source = find_source(args.source)
    server_host, port = webserver.check_address(args.host, args.port)
    app = create_app(StudioConfig(source=source, db=url(args), output=args.output.resolve()))
    server = webserver.create(app, server_host, port)
    # the released source is checked once in the background now, not by the first person's first page
    threading.Thread(target=app.extensions["studio_workspace"].released, daemon=True).start()
    if not webserver.is_loopback(server_host):
        print(
            f"policybook: warning: the studio listens on {server_host}, reachable from the network; "
            "serve it behind an HTTPS reverse proxy (passwords and session cookies travel in clear otherwise)",
            file=sys.stderr,
        )
    print(f"policybook: studio at {webserver.url(server)} (Ctrl-C stops)", file=sys.stderr)
    link = setup_link(app)
    if link:
        print(f"policybook: no account yet — create the first administrator (one time): {webserver.url(server, link)}")
        sys.stdout.flush()
    webserver.run(server)
    return EXIT_OK


def run_users(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.ledger.db import opened
    from policybook.studio import users
    from policybook.studio.audit import record

    action, username = (args.words + ["", ""])[:2]
    if action not in ("add", "list", "disable"):
        print("policybook studio users: add NAME | list | disable NAME", file=sys.stderr)
        return EXIT_USAGE
    if action != "list" and not username:
        print(f"policybook studio users {action}: name the user", file=sys.stderr)
        return EXIT_USAGE
    password = ""
    if action == "add":
        password = _password()
        if not password:
            print(
                "policybook studio users add: no password given (type it, or pipe one line to stdin)", file=sys.stderr
            )
            return EXIT_USAGE
    with opened(url(args)) as ledger, ledger.transaction() as db:  # the default ledger lies beside the source
        if action == "list":
            for user in users.all_users(db):
                state = "active" if user.active else "disabled"
                print(f"{user.username}\t{user.name}\t{user.roles}\t{state}")
            return EXIT_OK
        actor = f"cli:{getpass.getuser()}"
        if action == "disable":
            users.disable(db, username)
            record("user-disable", username, "command line", actor=actor, db=db)
            return EXIT_OK
        user = users.add_user(db, username, args.name, password, args.roles)
        record("user-add", user.username, f"roles={user.roles}; command line", actor=actor, db=db)
    print(f"policybook: added {username}", file=sys.stderr)
    return EXIT_OK


def _password() -> str:
    """From POLICYBOOK_PASSWORD, else the first line of standard input when it is not a terminal (scripts),
    else asked twice on the terminal — never on the command line. "" when none was given."""
    given = os.environ.get("POLICYBOOK_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass("password: ")
        again = getpass.getpass("again: ")
    except EOFError:
        return ""
    if first != again:
        from policybook.diagnostics import fail

        raise fail(None, "the two passwords differ", "studio.password")
    return first
