"""`policybook watch`: a real process rebuilds the PDF after each edit, keeps the last good
one after a broken edit, and stops quietly on Ctrl-C. Waits are bounded; nothing is
asserted about how long a rebuild takes."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from policybook.diagnostics import Diagnostics
from policybook.live import changed, scan, watched_folders
from policybook.source.project import read_project

WAIT_S = 90  # generous: CI machines are shared; a healthy rebuild takes well under a second


class Watcher:
    """A ``policybook watch`` subprocess whose stderr lines are collected as they come."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "policybook", "watch", *args],
            cwd=cwd,
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_line(self, wanted: Callable[[str], bool]) -> str:
        """The next stderr line for which ``wanted`` is true (fails after WAIT_S)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, f"watch exited early: {self.seen}"
                continue
            self.seen.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"no such line within {WAIT_S} s; saw: {self.seen}")


@pytest.fixture
def watched(root_copy: Callable[[str], Path]) -> Iterator[tuple[Watcher, Path]]:
    project = root_copy("basic")
    watcher = Watcher(["handbook", "-s", "a", "-o", "dist", "--interval", "0.05"], project)
    try:
        yield watcher, project
    finally:
        stop(watcher.proc)


def stop(proc: subprocess.Popen[str]) -> None:
    """Ctrl-C (so the watch removes its compile root), then kill if it does not end."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def save(path: Path, text: str) -> None:
    """Save as most editors do: written aside, then renamed over the file (a watcher polling
    between a truncate and a write would see an empty chapter, and report it)."""
    aside = path.with_name(f".{path.name}.swp")
    aside.write_text(text, encoding="utf-8")
    os.replace(aside, path)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def rebuilt(line: str) -> bool:
    return "a/pdf rebuilt" in line


def test_edit_rebuilds_pdf_and_a_broken_edit_keeps_the_last_good_one(watched: tuple[Watcher, Path]) -> None:
    watcher, project = watched
    assert rebuilt(watcher.wait_line(lambda line: "first build" in line))
    [pdf] = (project / "dist" / "a").glob("*.pdf")
    assert "最后一条。" in pdf_text(pdf)
    chapter = project / "handbook" / "chapters" / "02.md"
    original = chapter.read_text(encoding="utf-8")

    save(chapter, original.replace("最后一条。", "最后一条，已修改。"))
    line = watcher.wait_line(lambda line: "changed" in line)
    assert "chapters/02.md changed" in line and rebuilt(line)
    assert "最后一条，已修改。" in pdf_text(pdf)
    good = pdf.read_bytes()

    save(chapter, original.replace("最后一条。", "罚款{{ finee }}元。"))
    error = watcher.wait_line(lambda line: "error:" in line)
    assert error.startswith(str(Path("handbook/chapters/02.md"))) or "chapters/02.md:" in error
    assert "undefined variable 'finee'" in error and "[variable.undefined]" in error
    assert "keeps the last good output" in watcher.wait_line(lambda line: "changed" in line)
    assert pdf.read_bytes() == good
    assert list((project / "dist").glob(".staging-*")) == []

    save(chapter, original.replace("最后一条。", "罚款{{ fine }}元。"))
    assert rebuilt(watcher.wait_line(lambda line: "changed" in line))
    assert "罚款80元。" in pdf_text(pdf).replace(" ", "")  # subsidiary a raises the fine to 80

    watcher.proc.send_signal(signal.SIGINT)
    assert watcher.proc.wait(timeout=WAIT_S) in (0, 130)
    assert not any("Traceback" in line for line in watcher.seen)


def test_an_edit_outside_the_variant_leaves_the_pdf_unchanged(watched: tuple[Watcher, Path]) -> None:
    watcher, project = watched
    watcher.wait_line(lambda line: "first build" in line)
    subsidiary_b = project / "handbook" / "subsidiaries" / "b.yaml"
    save(subsidiary_b, subsidiary_b.read_text(encoding="utf-8") + "\n# a comment\n")
    line = watcher.wait_line(lambda line: "changed" in line)
    assert "b.yaml changed" in line and "a/pdf unchanged" in line


def test_scan_sees_added_changed_and_removed_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("one", encoding="utf-8")
    (tmp_path / ".a.md.swp").write_text("editor", encoding="utf-8")
    before = scan([tmp_path])
    assert list(before) == [tmp_path / "a.md"]
    (tmp_path / "a.md").write_text("one more", encoding="utf-8")
    (tmp_path / "b.md").write_text("two", encoding="utf-8")
    after = scan([tmp_path])
    assert changed(before, after) == [tmp_path / "a.md", tmp_path / "b.md"]
    (tmp_path / "b.md").unlink()
    assert changed(after, scan([tmp_path])) == [tmp_path / "b.md"]


def test_watched_folders_cover_source_forms_and_brand_kits(root_copy: Callable[[str], Path]) -> None:
    project = read_project(root_copy("basic") / "handbook", Diagnostics())
    folders = watched_folders(project.source, project)
    assert project.source in folders
    assert project.root / "forms" in folders
    assert all(not (a != b and a.is_relative_to(b)) for a in folders for b in folders)


def test_watch_writes_the_docx_draft_without_libreoffice(
    root_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from policybook.live import Watch
    from policybook.writers.docx import libreoffice

    def no_libreoffice(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("watch must not start LibreOffice")

    monkeypatch.setattr(libreoffice, "_start", no_libreoffice)  # every LibreOffice starts here
    project = root_copy("basic")
    watch = Watch(project / "handbook", ["a"], ["docx"], project / "dist", stream=io.StringIO())
    assert watch.rebuild("first build")
    [docx] = (project / "dist" / "a").glob("*.docx")
    assert "申请" in zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    watch.stream = again = io.StringIO()
    assert watch.rebuild("again")
    assert "again: a/docx unchanged" in again.getvalue()


def test_an_edit_saved_during_a_rebuild_is_not_missed(root_copy: Callable[[str], Path]) -> None:
    from policybook.live import Watch

    project = root_copy("basic")
    watch = Watch(project / "handbook", ["a"], ["json"], project / "dist", stream=io.StringIO())
    chapter = project / "handbook" / "chapters" / "01.md"
    before = scan(watch.folders)
    build = watch.rebuild

    def edit_while_building(why: str) -> bool:
        done = build(why)
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\n追加一段。\n", encoding="utf-8")
        return done

    watch.rebuild = edit_while_building  # type: ignore[method-assign]
    seen = watch.rebuilt("first build", before)
    assert changed(seen, scan(watch.folders)) == [chapter]


def test_kill_ends_a_watch_as_ctrl_c_does(root_copy: Callable[[str], Path], tmp_path: Path) -> None:
    """``kill`` (SIGTERM), as a supervisor or a closed terminal ends it: exit 0, no traceback,
    the compile root removed."""
    project = root_copy("basic")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    watcher = Watcher(["handbook", "-s", "a", "-o", "dist", "--interval", "0.05"], project, env)
    try:
        watcher.wait_line(lambda line: "first build" in line)
        assert list(scratch.glob("policybook-watch-*")), "the warm compile root is where TMPDIR says"
        watcher.proc.send_signal(signal.SIGTERM)
        assert watcher.proc.wait(timeout=WAIT_S) == 0
    finally:
        stop(watcher.proc)
    assert list(scratch.glob("policybook-watch-*")) == []
    assert not any("Traceback" in line or "internal error" in line for line in watcher.seen)
