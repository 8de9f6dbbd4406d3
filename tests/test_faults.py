"""Faults of the machine and of the process: the previous release survives every one.

Kills at every step of publishing (in-process, exhaustively) and at random
instants of a real build (a subprocess killed with SIGKILL), two builds at
once, a worker killed as the OOM killer would, Ctrl-C, a file-size limit, an
output path that is a file, damaged caches and stale staging folders.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policybook import output
from policybook.output import exclusive, recover
from tests.conftest import REPO, ROOTS

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
JSON_PDF = ["-f", "json,pdf"]


def policybook(*args: str | Path, cwd: Path, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "policybook", *map(str, args)],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,  # type: ignore[arg-type]
    )


def finished(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def release_files(out: Path) -> dict[str, bytes]:
    """Every published file (not the manifest, caches or staging)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and p.name != "manifest.json" and ".staging-" not in str(p)
    }


def consistent(out: Path) -> dict[str, str]:
    """The manifest's files exist with its checksums; returns path → sha256."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    for rel, digest in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, f"{rel} differs from the manifest"
    return listed


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A project, its release v1 in dist-v1 and the release after an edit in dist-v2."""
    root = tmp_path_factory.mktemp("faults") / "project"
    shutil.copytree(ROOTS / "basic", root)
    assert finished(policybook("build", "handbook", *JSON_PDF, "-o", "dist-v1", cwd=root))[0] == 0
    chapter = root / "handbook/chapters/01.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("为规范管理", "为规范和改进管理"), encoding="utf-8")
    (root / "handbook/subsidiaries/c.yaml").write_text("name: 丙公司\ncode: C\n", encoding="utf-8")
    assert finished(policybook("build", "handbook", *JSON_PDF, "-o", "dist-v2", cwd=root))[0] == 0
    return root, root / "dist-v1", root / "dist-v2"


def fresh_v1(root: Path, v1: Path, name: str = "dist") -> Path:
    out = root / name
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(v1, out)
    return out


# ---------------------------------------------------------------- publishing, killed at every step


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no cleanup (the finally blocks are skipped below)."""


class Countdown:
    """Wraps os.replace, os.link and the trees' exchange: the call after ``stop`` of them is a kill."""

    def __init__(self, stop: int) -> None:
        self.stop, self.calls = stop, 0

    def wrap(self, real):  # type: ignore[no-untyped-def]
        def op(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls > self.stop:
                raise Killed
            return real(*args, **kwargs)

        return op


def publish_killed_at(out: Path, stop: int, files: dict[str, bytes], manifest: bytes, monkeypatch) -> bool:  # type: ignore[no-untyped-def]
    """Publish ``files`` into ``out``, killed at the ``stop``-th rename or link; True if it got through."""
    countdown = Countdown(stop)
    with monkeypatch.context() as patch:
        patch.setattr(output.os, "replace", countdown.wrap(os.replace))
        patch.setattr(output.os, "link", countdown.wrap(os.link))
        patch.setattr(output, "exchange", countdown.wrap(output.exchange))
        patch.setattr(output.shutil, "rmtree", lambda *a, **k: None)  # a killed process cleans nothing
        try:
            with output.staged(out) as staging:
                for rel, data in files.items():
                    (staging.folder / rel).parent.mkdir(parents=True, exist_ok=True)
                    (staging.folder / rel).write_bytes(data)
                staging.manifest = manifest
        except Killed:
            return False
    return True


def test_killed_at_every_step_of_publishing_leaves_one_release(
    two_releases: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, v1, v2 = two_releases
    old, new = release_files(v1), release_files(v2)
    for stop in range(100):
        out = fresh_v1(root, v1)
        completed = publish_killed_at(out, stop, new, (v2 / "manifest.json").read_bytes(), monkeypatch)
        recover(out)  # what the next run does first, under the lock
        listed = consistent(out)
        now = release_files(out)
        expected = new if listed.keys() == set(new) else old
        assert listed.keys() == set(expected) and {k: now[k] for k in listed} == expected
        assert not list(out.glob(".staging-*")) and not (out / output.JOURNAL).exists()
        if completed:
            break
    assert completed and stop >= 2  # every step was tried (links, the exchange), up to a publish that went through


def test_a_reader_never_sees_a_mixed_release(
    two_releases: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whenever publishing touches the file system, ``dist/`` as a reader finds it holds one
    whole release — the old or the new — with its own manifest (never the old manifest over
    new files); the old tree stays in place until one exchange puts the new one there."""
    root, v1, v2 = two_releases
    old, new = release_files(v1), release_files(v2)
    out = fresh_v1(root, v1)
    seen: list[str] = []

    def read(real):  # type: ignore[no-untyped-def]
        def op(*args, **kwargs):  # type: ignore[no-untyped-def]
            now = release_files(out)
            listed = consistent(out)
            assert now in (old, new) and listed.keys() == now.keys(), "a reader sees a mixed release"
            seen.append("new" if now == new else "old")
            return real(*args, **kwargs)

        return op

    with monkeypatch.context() as patch:
        patch.setattr(output.os, "replace", read(os.replace))
        patch.setattr(output.os, "link", read(os.link))
        patch.setattr(output, "exchange", read(output.exchange))
        with output.staged(out) as staging:
            for rel, data in new.items():
                (staging.folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (staging.folder / rel).write_bytes(data)
            staging.manifest = (v2 / "manifest.json").read_bytes()
    assert seen and release_files(out) == new and consistent(out).keys() == new.keys()


def test_build_killed_at_random_instants_keeps_a_consistent_release(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, v2 = two_releases
    old, new = release_files(v1), release_files(v2)
    start = time.perf_counter()
    assert (
        finished(policybook("build", "handbook", *JSON_PDF, "-o", fresh_v1(root, v1), "--no-cache", cwd=root))[0] == 0
    )
    took = time.perf_counter() - start
    rng = random.Random(11)
    seen = set()
    for _ in range(6):
        out = fresh_v1(root, v1)
        proc = policybook("build", "handbook", *JSON_PDF, "-o", out, "--no-cache", cwd=root)
        time.sleep(rng.uniform(0.2, took))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        recover(out)
        listed = consistent(out)
        now = release_files(out)
        expected = new if set(listed) == set(new) else old
        assert set(listed) == set(expected) and {k: now[k] for k in listed} == expected
        seen.add("new" if expected is new else "old")
    assert "old" in seen  # at least one kill came before the commit point


def test_next_build_rolls_back_a_killed_publish(two_releases: tuple[Path, Path, Path]) -> None:
    """A journal left by a kill is acted on by the next build itself."""
    root, v1, _ = two_releases
    out = fresh_v1(root, v1)
    staging = out / ".staging-killed"
    (staging / output.PREVIOUS / "a").mkdir(parents=True)
    victim = next(p for p in (out / "a").iterdir() if p.suffix == ".pdf")
    os.link(victim, staging / output.PREVIOUS / "a" / victim.name)
    (staging / "new.pdf").write_bytes(b"%PDF- a file of the new release")
    os.replace(staging / "new.pdf", victim)  # as far as the killed publish got
    (staging / "manifest.json").write_bytes(b"{}")  # not yet committed
    plan = {"staging": staging.name, "replace": [f"a/{victim.name}"], "create": ["c/new.pdf"]}
    (out / output.JOURNAL).write_text(json.dumps(plan), encoding="utf-8")
    code, err = finished(policybook("build", "handbook", "-f", "json", "-o", out, cwd=root))
    assert code == 0, err
    assert victim.read_bytes() == (v1 / "a" / victim.name).read_bytes()
    assert not staging.exists() and not (out / output.JOURNAL).exists()
    consistent(out)


# ---------------------------------------------------------------- one build at a time


def test_second_build_into_a_held_folder_is_refused(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, _ = two_releases
    out = fresh_v1(root, v1)
    before = release_files(out)
    with exclusive(out):
        code, err = finished(policybook("build", "handbook", *JSON_PDF, "-o", out, "--no-cache", cwd=root))
    assert code == 1 and "another policybook run is writing to this output folder" in err, err
    assert release_files(out) == before


def test_two_builds_at_once_publish_one_consistent_release(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, v2 = two_releases
    out = fresh_v1(root, v1)
    procs = [policybook("build", "handbook", *JSON_PDF, "-o", out, "--no-cache", cwd=root) for _ in range(2)]
    results = [finished(p) for p in procs]
    assert sorted(code for code, _ in results) in ([0, 0], [0, 1]), results
    for code, err in results:
        assert code == 0 or "another policybook run is writing" in err
    assert consistent(out).keys() == set(release_files(v2))


# ---------------------------------------------------------------- workers and signals


def _children(pid: int, timeout: float = 120) -> list[int]:
    """The build's worker processes (forked from it; not the LibreOffice it starts early, which
    for a moment after its fork still shows this Python's command line: a child counts only
    when it is still no soffice a while later)."""
    deadline = time.monotonic() + timeout
    seen: set[int] = set()
    while time.monotonic() < deadline:
        path = Path(f"/proc/{pid}/task/{pid}/children")
        found = [int(c) for c in path.read_text().split()] if path.exists() else []
        found = [c for c in found if b"soffice" not in _cmdline(c)]
        if any(c in seen for c in found):
            return [c for c in found if c in seen]
        seen = set(found)
        time.sleep(0.05)
    return []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_killed_worker_fails_the_build_cleanly(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, _ = two_releases
    out = fresh_v1(root, v1)
    before = release_files(out)
    proc = policybook("build", "handbook", "-f", "pdf,docx", "-o", out, "-j", "2", "--no-cache", cwd=root)
    children = _children(proc.pid)
    assert children, "no worker appeared"
    os.kill(children[0], signal.SIGKILL)
    code, err = finished(proc, timeout=120)
    assert code == 1, err
    assert "was killed by SIGKILL" in err and "Traceback" not in err
    assert release_files(out) == before and not list(out.glob(".staging-*"))


def test_ctrl_c_is_quiet_and_leaves_the_release(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, _ = two_releases
    out = fresh_v1(root, v1)
    before = release_files(out)
    proc = policybook("build", "handbook", "-f", "pdf,docx", "-o", out, "-j", "2", "--no-cache", cwd=root)
    assert _children(proc.pid), "no worker appeared"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole process group
    code, err = finished(proc, timeout=120)
    assert code == 130, err
    assert err.strip().splitlines()[-1] == "policybook: interrupted" and "Traceback" not in err
    assert release_files(out) == before and not list(out.glob(".staging-*"))


# ---------------------------------------------------------------- the machine's faults


def _fsize(limit: int):  # type: ignore[no-untyped-def]
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_file_size_limit_is_a_user_error(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, _ = two_releases
    out = fresh_v1(root, v1)
    before = release_files(out)
    proc = policybook("build", "handbook", *JSON_PDF, "-o", out, "--no-cache", cwd=root, preexec_fn=_fsize(20_000))
    code, err = finished(proc)
    assert code == 1, err
    assert "a file would be larger than allowed" in err and "Traceback" not in err
    assert release_files(out) == before


def test_forms_under_a_file_size_limit_leave_nothing_behind(tmp_path: Path) -> None:
    root = tmp_path / "forms"
    shutil.copytree(ROOTS / "forms-leave", root)
    args = ("forms", "handbook", "-s", "sh", "--form", "leave-request", "-o", "out")
    code, err = finished(policybook(*args, cwd=root, preexec_fn=_fsize(20_000)))
    assert code == 1 and "larger than allowed" in err, err
    assert not [p for p in (root / "out").rglob("*") if p.is_file()]


@pytest.mark.parametrize("what", ["file", "parent-file"])
def test_output_path_that_is_a_file(two_releases: tuple[Path, Path, Path], tmp_path: Path, what: str) -> None:
    root, _, _ = two_releases
    (tmp_path / "dist").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "dist" if what == "file" else tmp_path / "dist" / "sub"
    code, err = finished(policybook("build", "handbook", "-f", "json", "-o", out, cwd=root))
    assert code == 1, err
    assert f"{tmp_path / 'dist'}" in err and "Traceback" not in err
    assert (tmp_path / "dist").read_text(encoding="utf-8") == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, _ = two_releases
    out = fresh_v1(root, v1, "dist-ro")
    out.chmod(0o555)
    try:
        code, err = finished(policybook("build", "handbook", "-f", "json", "-o", out, "--no-cache", cwd=root))
    finally:
        out.chmod(0o755)
    assert code == 1 and "not writable" in err, err


# ---------------------------------------------------------------- damaged caches, stale staging


@pytest.mark.parametrize(
    "damage", [b"", b"\x00\xff garbage", b'{"a/json": {"key": "', b"[1, 2]", b'{"release": 5, "a/json": {"files": 7}}']
)
def test_damaged_build_cache_is_discarded(two_releases: tuple[Path, Path, Path], damage: bytes) -> None:
    root, v1, v2 = two_releases
    out = fresh_v1(root, v1)
    (out / ".policybook-cache.json").write_bytes(damage)
    code, err = finished(policybook("build", "handbook", *JSON_PDF, "-o", out, cwd=root))
    assert code == 0, err
    assert "damaged build cache" in err or damage == b""
    assert consistent(out).keys() == set(release_files(v2))


def test_damaged_chapter_cache_is_rebuilt(two_releases: tuple[Path, Path, Path], tmp_path: Path) -> None:
    root, _, _ = two_releases
    env = {**ENV, "POLICYBOOK_CACHE": str(tmp_path / "cache")}
    args = [sys.executable, "-m", "policybook", "model", "handbook", "-s", "a", "--json"]
    first = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0
    pickles = list((tmp_path / "cache").rglob("*.pickle"))
    assert pickles
    for number, path in enumerate(pickles):
        path.write_bytes([b"", b"\x80\x05garbage", b"\x80\x04N."][number % 3])
    again = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_unwritable_cache_folder_falls_back(two_releases: tuple[Path, Path, Path], tmp_path: Path) -> None:
    root, _, _ = two_releases
    (tmp_path / "cache").write_text("a file in the way", encoding="utf-8")
    env = {**ENV, "POLICYBOOK_CACHE": str(tmp_path / "cache")}
    run = subprocess.run(
        [sys.executable, "-m", "policybook", "check", "handbook"], cwd=root, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "cannot be written; using a temporary one" in run.stderr


def test_stale_staging_is_removed(two_releases: tuple[Path, Path, Path]) -> None:
    root, v1, _ = two_releases
    out = fresh_v1(root, v1)
    (out / ".staging-dead/a").mkdir(parents=True)
    (out / ".staging-dead/a/half.pdf").write_bytes(b"%PDF- half")
    code, err = finished(policybook("build", "handbook", *JSON_PDF, "-o", out, cwd=root))
    assert code == 0, err
    assert not (out / ".staging-dead").exists()


def test_atomic_write_writes_into_a_device_or_pipe_and_never_replaces_it(tmp_path: Path) -> None:
    import stat
    import threading

    from policybook.output import atomic_write

    atomic_write(Path("/dev/null"), b"report")  # `ack report -o /dev/null` once renamed a file over the device
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, b"through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_without_renameat2_the_old_tree_is_renamed_aside(
    two_releases: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the exchange is missing, two renames publish (never a mix), the folder keeps its
    permissions, and a kill between the renames is undone by the next run."""
    root, v1, v2 = two_releases
    new = release_files(v2)
    out = fresh_v1(root, v1)
    out.chmod(0o755)
    monkeypatch.setattr(output, "_renameat2", lambda a, b: errno.ENOSYS)
    with output.staged(out) as staging:
        for rel, data in new.items():
            (staging.folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging.folder / rel).write_bytes(data)
        staging.manifest = (v2 / "manifest.json").read_bytes()
    assert release_files(out) == new and (out.stat().st_mode & 0o777) == 0o755
    assert not [p.name for p in root.iterdir() if p.name.startswith(".dist.")]
    os.replace(out, root / ".dist.previous")  # killed after the first rename
    output.prepare_output(out)
    assert release_files(out) == new
