"""Property: random mutations of a valid source never crash policybook.

Whatever an editor does to the files, `check` ends with exit 0 or 1 and
diagnostics, never exit 3 (an internal error).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policybook.cli import main
from tests.conftest import ROOTS

FILES = sorted(p.relative_to(ROOTS / "variants") for p in (ROOTS / "variants").rglob("*.*") if p.is_file())
PIECES = [
    *"{}#[]()*_:-|>!\t\n\"'`\\%@$~=<&",
    "{{",
    "}}",
    "{%",
    "###",
    "1. ",
    "条",
    "𠮷",
    "\ufeff",
    "\r\n",
    "[](#",
    "{#x}",
]
NASTY = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@st.composite
def mutation(draw: st.DrawFn) -> tuple[Path, str, int, str]:
    path = draw(st.sampled_from(FILES))
    op = draw(st.sampled_from(["insert", "delete-line", "duplicate-line", "truncate", "replace-char"]))
    return path, op, draw(st.integers(min_value=0, max_value=10_000)), draw(NASTY)


def _apply(text: str, op: str, at: int, junk: str) -> str:
    lines = text.split("\n")
    line = at % max(len(lines), 1)
    if op == "delete-line":
        return "\n".join(lines[:line] + lines[line + 1 :])
    if op == "duplicate-line":
        return "\n".join(lines[: line + 1] + lines[line:])
    if op == "truncate":
        return text[: at % (len(text) + 1)]
    pos = at % (len(text) + 1)
    if op == "replace-char":
        return text[:pos] + junk + text[pos + 1 :]
    return text[:pos] + junk + text[pos:]


EXAMPLES = 2000 if os.environ.get("POLICYBOOK_FUZZ") else 120  # `make fuzz` runs the long one


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutation(), min_size=1, max_size=3))
def test_mutations_never_crash(tmp_path_factory, mutations: list[tuple[Path, str, int, str]]) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("fuzz") / "variants"
    shutil.copytree(ROOTS / "variants", root)
    for rel, op, at, junk in mutations:
        path = root / rel
        path.write_text(_apply(path.read_text(encoding="utf-8"), op, at, junk), encoding="utf-8")
    code = main(["check", str(root)])
    assert code in (0, 1)
