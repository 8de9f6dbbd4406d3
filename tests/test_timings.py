"""``POLICYBOOK_TIMINGS=1``: each stage's CPU seconds, one line per process and task."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policybook import timings


def test_timings_name_every_stage_of_a_build(cli, root_copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timings, "ON", True)
    project = root_copy("basic")
    run = cli("build", project / "handbook", "-s", "a", "-f", "pdf", "-o", tmp_path / "dist", "-j", "1")
    assert run.code == 0
    lines = [line for line in run.err.splitlines() if line.startswith("policybook: timings")]
    check = next(line for line in lines if "timings check:" in line)
    write = next(line for line in lines if "timings a/pdf:" in line)
    assert [name.strip() for name, _ in re.findall(r"([a-z -]+) (\d+\.\d\d) s", check.split(": ", 1)[1])][:2] == [
        "start-up",
        "read",
    ]
    assert " typst " in write and " template data " in write


def test_no_timings_unless_asked(cli, root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = root_copy("basic")
    run = cli("build", project / "handbook", "-s", "a", "-f", "html", "-o", tmp_path / "dist")
    assert run.code == 0 and "policybook: timings" not in run.err
