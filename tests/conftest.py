"""Shared test helpers: source trees under tests/roots/, the CLI run in-process."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policybook.cli import main

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``policybook ARGS…`` in-process; returns exit code, stdout, stderr."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def root_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a tests/roots/<name> tree (or the sample project) into tmp_path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        if name == "sample":
            target.mkdir()
            for part in ("handbook", "forms", "templates"):
                if (REPO / part).exists():
                    shutil.copytree(REPO / part, target / part)
        else:
            shutil.copytree(ROOTS / name, target)
        return target

    return copy


def articles(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Every article node of a model JSON, in order."""
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("kind") == "article":
            found.append(node)
        for child in node.get("children", []):
            walk(child)

    walk(model)
    return found
