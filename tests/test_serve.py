"""`policybook serve` under hostile clients (issue 25): a static-file app on the one server.

In process: malformed and escaping paths (400/404), symbolic links, hidden files,
folders (never listed), FIFOs (never block), methods, headers, and 100 clients at
once on loopback — every one answered. As a process: clients that hang up
mid-request and Ctrl-C right after leave no traceback and a clean exit; a bad
port or address is one line and exit 2.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from policybook.writers.html.server import make_server

REPO = Path(__file__).parent.parent
SECRET = "secret outside the served folder"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    top = tmp_path_factory.mktemp("serve")
    root = top / "site"
    (root / "html" / "assets").mkdir(parents=True)
    (root / "html" / "index.html").write_text("<!doctype html><p>首页</p>", encoding="utf-8")
    (root / "html" / "assets" / "site.js").write_text("/* js */", encoding="utf-8")
    (root / "html" / ".hidden").write_text("hidden", encoding="utf-8")
    (root / "forms").mkdir()
    (root / "forms" / "leave.pdf").write_bytes(b"%PDF-1.7\n")
    (top / "outside.txt").write_text(SECRET, encoding="utf-8")
    (top / "outdir").mkdir()
    (top / "outdir" / "x.txt").write_text(SECRET, encoding="utf-8")
    (root / "html" / "link.html").symlink_to(top / "outside.txt")
    (root / "html" / "dirlink").symlink_to(top / "outdir")
    (root / "html" / "inner-link.html").symlink_to(root / "html" / "index.html")  # a link, even inside: refused
    (root / "html" / "loop").symlink_to(root / "html" / "loop")
    os.mkfifo(root / "html" / "fifo.html")
    server = make_server(root, 0, home="/html/index.html")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port, root
    finally:
        server.task_dispatcher.shutdown()
        server.close()
        thread.join(10)


def raw_get(port: int, target: bytes, method: bytes = b"GET") -> tuple[int, bytes]:
    """Send the request line as bytes (no client-side normalisation); (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


OK = [b"/html/index.html", b"/html/", b"/html/assets/site.js", b"/forms/leave.pdf", b"/html/index.html?q=%24%26"]
NOT_FOUND = [
    b"/html/link.html",  # symlink to a file outside
    b"/html/dirlink/x.txt",  # through a symlinked folder
    b"/html/inner-link.html",
    b"/html/loop",
    b"/html/fifo.html",  # a FIFO: never opened for reading (it would block)
    b"/html/.hidden",
    b"/html/assets/",  # a folder without index.html: no listing
    b"/html/../../outside.txt",
    b"/html/%2e%2e/%2e%2e/outside.txt",
    b"/html/%252e%252e/outside.txt",
    b"/html/..%2f..%2foutside.txt",
    b"/html//index.html",
    b"/html/./index.html",
    b"/html/index.html/",
    b"/html/index.html/x",
    b"/nothing",
    b"/html/" + b"a" * 300,
    b"/html/%C3%A9",
]
BAD = [
    b"/html/%00",
    b"/html/index.html%00.js",
    b"/html/%ED%A0%80",  # a lone surrogate in UTF-8
    b"/html/%FF%FE",
    b"/html/%C0%AE%C0%AE/outside.txt",  # overlong '..'
    b"/html/a%5c..%5coutside.txt",
    b"/html/%0d%0aSet-Cookie:x=1",
    b"/html/%1b[31m",
]


@pytest.mark.parametrize("target", OK, ids=lambda t: t.decode())
def test_site_files_are_served(served: tuple[int, Path], target: bytes) -> None:
    status, _body = raw_get(served[0], target)
    assert status == 200


@pytest.mark.parametrize("target", NOT_FOUND, ids=lambda t: t.decode()[:40])
def test_nothing_else_is_reachable(served: tuple[int, Path], target: bytes) -> None:
    status, body = raw_get(served[0], target)
    assert status in (400, 404), status
    assert SECRET.encode() not in body and b"hidden" not in body


@pytest.mark.parametrize("target", BAD, ids=lambda t: t.decode()[:40])
def test_malformed_paths_are_400(served: tuple[int, Path], target: bytes) -> None:
    status, body = raw_get(served[0], target)
    assert status == 400
    assert b"Traceback" not in body


def test_root_leads_home_and_folders_get_their_slash(served: tuple[int, Path]) -> None:
    port = served[0]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/")
    answer = conn.getresponse()
    assert answer.status == 302 and answer.getheader("Location") == "/html/index.html"
    answer.read()
    conn.request("GET", "/html")
    answer = conn.getresponse()
    assert answer.status == 301 and answer.getheader("Location") == "/html/"
    conn.close()


def test_headers_and_methods(served: tuple[int, Path]) -> None:
    port = served[0]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/html/assets/site.js")
    answer = conn.getresponse()
    answer.read()
    assert answer.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert "script-src 'self'" in answer.getheader("Content-Security-Policy", "")
    assert "unsafe-inline" not in answer.getheader("Content-Security-Policy", "").split("style-src-attr")[0]
    assert answer.getheader("X-Content-Type-Options") == "nosniff"
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "TRACE"):
        conn.request(method, "/html/index.html", body=b"x")
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 405, method
    conn.request("HEAD", "/html/index.html")
    answer = conn.getresponse()
    assert answer.status == 200 and answer.read() == b""
    conn.close()


def test_a_hundred_clients_at_once_are_all_answered(served: tuple[int, Path]) -> None:
    port = served[0]
    start = threading.Barrier(100, timeout=60)

    def client(_n: int) -> int:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        with sock:
            start.wait()  # all 100 connected before any sends
            sock.sendall(b"GET /html/index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return int(data.split(b" ", 2)[1])

    with ThreadPoolExecutor(100) as pool:
        statuses = list(pool.map(client, range(100)))
    assert statuses == [200] * 100


# ------------------------------------------------------------------ the command, as a process


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "roots" / "basic", project)
    return project


def _serve(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "policybook", "serve", "handbook", *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "args,says",
    [
        (["--port", "70000"], "port 70000 is outside"),
        (["--port", "-1"], "port -1 is outside"),
        (["--port", "99999999999999999999"], "outside"),
        (["--port", "abc"], "invalid int value"),
        (["--host", "999.1.1.1"], "not an IP address"),
        (["--host", "exa$mple\x1b[2J"], "not an IP address"),
    ],
)
def test_bad_port_or_address_is_one_line_exit_2(tmp_path: Path, args: list[str], says: str) -> None:
    done = _serve(_project(tmp_path), *args)
    assert done.returncode == 2
    assert says in done.stderr and "Traceback" not in done.stderr
    assert "\x1b" not in done.stderr
    assert not (tmp_path / "project" / "dist").exists()  # refused before any build


def test_port_in_use_is_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = _serve(_project(tmp_path), "--port", str(taken.getsockname()[1]))
    assert done.returncode == 2 and "Address already in use" in done.stderr and "Traceback" not in done.stderr


def _serving(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """``policybook serve`` in a process of its own, once it says it is serving: the process and its port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "policybook", "serve", "handbook", "--port", "0"],
        cwd=_project(tmp_path),
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = ""
    while "serving" not in line:
        line = proc.stderr.readline()
        assert line or proc.poll() is None, "serve ended before serving"
    return proc, int(re.search(r":(\d+)/html/", line).group(1))  # type: ignore[union-attr]


def test_clients_that_hang_up_then_ctrl_c(tmp_path: Path) -> None:
    proc, port = _serving(tmp_path)
    try:
        for n in range(60):  # hang up at every stage of a request
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if n % 3 == 1:
                sock.sendall(b"GET /html/index.html HTTP/1.1\r\nHo")
            elif n % 3 == 2:
                sock.sendall(b"GET /forms/ HTTP/1.1\r\nHost: t\r\n\r\n")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
            sock.close()
        status, _ = raw_get(port, b"/html/index.html")
        assert status == 200
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, 130), rest
    assert "Traceback" not in rest and "Fatal" not in rest and "Error" not in rest, rest


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    proc, _ = _serving(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in rest


RAW = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: t\r\n\r\n",
    b"GET http://evil.example/html/index.html HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET //etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /html/index.html HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    b"GET /html/" + b"a/" * 5000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /html/index.html?" + b"q=1&" * 10_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /html/index.html HTTP/1.1\r\nHost: t\r\nRange: bytes=0-0,1-1,2-2\r\n\r\n",
    b"GET /html/index.html HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /html/index.html HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
    b"GET /html/index.html HTTP/1.1\r\nHost: t\r\n\r\nGET /html/../../outside.txt HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /html/\xff\xfe HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /html/\xed\xa0\x80 HTTP/1.1\r\nHost: t\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello
]


@pytest.mark.parametrize("request_bytes", RAW, ids=[f"raw{n}" for n in range(len(RAW))])
def test_malformed_requests_leave_the_server_serving(served: tuple[int, Path], request_bytes: bytes) -> None:
    port = served[0]
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request_bytes)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    assert SECRET.encode() not in data and b"Traceback" not in data
    if data:
        assert data.startswith(b"HTTP/1."), data[:80]
    status, _ = raw_get(port, b"/html/index.html")
    assert status == 200  # still serving
