"""A first read of a large source parses its chapters in forked workers (source/parse_ahead.py).

Each run is a fresh process (this one has compiled with Typst, after which it may not
fork), with its own parse cache; the sample is small, so the size at which the workers
are worth starting is lowered to 0 there, or raised out of reach for the plain read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policybook import workers
from policybook.source import parse_ahead
from tests.conftest import REPO

RUN = """
import json, os, signal, sys
from policybook.source import parse_ahead, project
from policybook.cli import main
parse_ahead.WORTH_BYTES = int(sys.argv[1])
taken = []
def counted(paths):
    taken.append(parse_ahead.parse_ahead(paths))
    return taken[-1]
project.parse_ahead = counted
if sys.argv[2] == "kill-first":
    share = parse_ahead._parse_share
    def dies_first(index):
        if index == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return share(index)
    parse_ahead._parse_share = dies_first
code = main(["model", sys.argv[3], "-s", "sh", "--json"])
sys.stderr.write("taken " + json.dumps(taken) + "\\n")
sys.exit(code)
"""

NEVER = 10**12


def read(source: Path, cache: Path, worth: int, how: str = "") -> tuple[int, str, list[str], list[int]]:
    """Exit code, model JSON, diagnostics and what the workers parsed, of one fresh process."""
    env = {**os.environ, "POLICYBOOK_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(worth), how or "-", str(source)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stderr.splitlines()
    taken = json.loads(lines[-1].removeprefix("taken "))
    return done.returncode, done.stdout, lines[:-1], taken


def chapter_count(source: Path) -> int:
    return len(list((source / "chapters").glob("*.md")))


@pytest.mark.skipif(workers.cpu_count() < 2, reason="one core: nothing is parsed ahead")
def test_chapters_parsed_by_workers_give_the_model_a_plain_read_gives(root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = root_copy("sample") / "handbook"
    plain = read(source, tmp_path / "plain-cache", NEVER)
    ahead = read(source, tmp_path / "ahead-cache", 0)
    assert plain[3] == [0] and ahead[3] == [chapter_count(source)]
    assert plain[0] == ahead[0] == 0
    assert ahead[1] == plain[1]
    assert ahead[2] == plain[2]
    assert any((tmp_path / "ahead-cache" / "chapters").rglob("*.pickle"))  # the workers filled the parse cache
    again = read(source, tmp_path / "ahead-cache", 0)
    assert again[3] == [0] and again[1] == plain[1]  # all cached now: no worker started


@pytest.mark.skipif(workers.cpu_count() < 2, reason="one core: nothing is parsed ahead")
def test_problems_are_reported_once_and_in_order_as_by_a_plain_read(root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = root_copy("sample") / "handbook"
    chapters = sorted((source / "chapters").glob("*.md"))
    for broken in (chapters[1], chapters[-2]):
        text = broken.read_text(encoding="utf-8")
        broken.write_text(text + "\n#### 四级标题\n\n![图](x.png)\n\n{#bad label}\n段落。\n", encoding="utf-8")
    plain = read(source, tmp_path / "plain-cache", NEVER)
    ahead = read(source, tmp_path / "ahead-cache", 0)
    assert plain[0] == ahead[0] == 1
    assert ahead[2] == plain[2]
    assert sum("x.png" in line or "images" in line for line in plain[2]) >= 2
    assert ahead[3] == [chapter_count(source) - 2]  # the two with problems came back to the ordered read


@pytest.mark.skipif(workers.cpu_count() < 2, reason="one core: nothing is parsed ahead")
def test_a_killed_worker_leaves_its_chapters_to_the_ordered_read(root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = root_copy("sample") / "handbook"
    plain = read(source, tmp_path / "plain-cache", NEVER)
    killed = read(source, tmp_path / "killed-cache", 0, "kill-first")
    assert killed[0] == 0
    assert killed[1] == plain[1] and killed[2] == plain[2]
    assert killed[3][0] < chapter_count(source)


def test_no_workers_once_this_process_compiled_with_typst_or_on_one_core(
    root_copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from policybook.writers import typst_fonts

    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(parse_ahead, "WORTH_BYTES", 0)
    chapters = sorted((root_copy("sample") / "handbook" / "chapters").glob("*.md"))
    forked: list[int] = []
    monkeypatch.setattr(workers, "run_forked", lambda count, *_: forked.append(count))
    monkeypatch.setattr(typst_fonts, "compiled", True)
    monkeypatch.setattr(workers, "cpu_count", lambda: 8)
    assert parse_ahead.parse_ahead(chapters) == 0
    monkeypatch.setattr(typst_fonts, "compiled", False)
    monkeypatch.setattr(workers, "cpu_count", lambda: 1)
    assert parse_ahead.parse_ahead(chapters) == 0
    assert not forked
    monkeypatch.setattr(workers, "cpu_count", lambda: 2)
    assert parse_ahead.parse_ahead(chapters) == 0  # the stand-in forked nothing and returned nothing
    assert forked == [2]
