"""Serve a built site as static files: a small WSGI application for ``policybook serve``.

The server itself is :mod:`policybook.webserver` (waitress, bounded); this is
only what it answers. A request names a file under one folder, and nothing
else is reachable:

- the path must be UTF-8 (no lone surrogates), without NUL, control
  characters or backslashes — else 400;
- every segment is a plain name: no ``..``, no ``.``, no hidden files, no
  empty segments — else 404;
- each folder and the file are opened relative to the one before with
  ``O_NOFOLLOW``, so a symbolic link inside the folder never leads out of
  it (not even if it appears while the request runs);
- only regular files are sent; a folder is its ``index.html`` or 404 —
  never a listing;
- only GET and HEAD; every answer carries a Content-Security-Policy that
  allows no inline script and nothing from another origin.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from policybook.confine import open_beneath
from policybook.writers.html.policy import CSP

StartResponse = Callable[..., Any]
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
CHUNK = 64 * 1024


class Refused(Exception):
    """A request answered with an error status."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class StaticSite:
    """WSGI: the files under ``root``; ``home`` is where ``/`` leads when the root has no index.html."""

    def __init__(self, root: Path, home: str = "") -> None:
        self.root = Path(os.path.realpath(root))
        self.home = home

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self._answer(environ, start_response)
        except Refused as exc:
            return _plain(start_response, exc.status)

    def _answer(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", [("Allow", "GET, HEAD")])
        raw = environ.get("PATH_INFO", "") or "/"
        parts = segments(raw)
        if not parts and self.home:
            return _plain(start_response, "302 Found", [("Location", self.home)])
        fd, folder = open_under(str(self.root), parts)
        if folder:
            os.close(fd)
            if not raw.endswith("/"):  # so the page's relative links resolve inside the folder
                return _plain(start_response, "301 Moved Permanently", [("Location", _quoted(raw) + "/")])
            fd, _ = open_under(str(self.root), [*parts, "index.html"])
            parts = [*parts, "index.html"]
        elif raw.endswith("/"):
            os.close(fd)
            raise Refused("404 Not Found")  # a file is not a folder
        return _send(fd, parts[-1] if parts else "", method == "HEAD", environ, start_response)


def segments(path_info: str) -> list[str]:
    """The names in a request path (WSGI: latin-1 code points standing for bytes); Refused when malformed."""
    try:
        path = path_info.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise Refused("400 Bad Request") from None
    if not path.startswith("/") or "\\" in path or any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise Refused("400 Bad Request")
    parts = path[1:].split("/")
    if parts and parts[-1] == "":
        parts.pop()  # a trailing slash: the folder itself
    for part in parts:
        if not part or part.startswith(".") or len(part.encode()) > 255:
            raise Refused("404 Not Found")  # .., ., hidden files, //, names no file system holds
    return parts


def open_under(root: str, parts: list[str]) -> tuple[int, bool]:
    """An open descriptor for root/parts, following no symbolic link; (fd, is a folder)."""
    try:
        return open_beneath(root, parts)
    except (OSError, ValueError):  # ELOOP (a symlink), ENOENT, EACCES, ENOTDIR, a FIFO …
        raise Refused("404 Not Found") from None


def _send(fd: int, name: str, head: bool, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise Refused("404 Not Found")
    headers = [
        ("Content-Type", content_type(name)),
        ("Content-Length", str(info.st_size)),
        ("Cache-Control", "no-cache"),
        *security_headers(),
    ]
    start_response("200 OK", headers)
    handle = os.fdopen(fd, "rb")
    if head:
        handle.close()
        return [b""]
    wrapper = environ.get("wsgi.file_wrapper")
    return wrapper(handle, CHUNK) if wrapper else _chunks(handle)


def _chunks(handle: Any) -> Iterator[bytes]:
    with handle:
        while block := handle.read(CHUNK):
            yield block


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    kind = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


def security_headers() -> list[tuple[str, str]]:
    return [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "SAMEORIGIN"),
    ]


def _plain(start_response: StartResponse, status: str, extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    body = (status + "\n").encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, [*headers, *security_headers(), *(extra or [])])
    return [body]


def _quoted(path_info: str) -> str:
    from urllib.parse import quote

    return quote(path_info.encode("latin-1"), safe="/")


def make_server(folder: Path, port: int = 0, host: str = "127.0.0.1", home: str = "") -> Any:
    """A bound waitress server for ``folder`` (``.run()``, ``.close()``, ``.effective_port``)."""
    from policybook import webserver

    return webserver.create(StaticSite(folder, home), host, port)
