"""What each command loads: start-up is a fixed cost of every build, watch excepted.

Measured: every command once imported the ledger (SQLAlchemy and Alembic, 0.57 s)
and the forms' python-docx (0.36 s) before doing anything. Each case runs a fresh
interpreter and lists the third-party packages it ended up with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

HEAVY = {
    "sqlalchemy",
    "alembic",
    "openpyxl",
    "matplotlib",
    "segno",
    "docx",
    "pypdf",
    "typst",
    "fontTools",
    "flask",
    "werkzeug",
    "waitress",
    "argon2",
}
PARSERS = {"yaml", "jinja2", "markdown_it", "zhconv_rs"}

PROBE = """
import json, sys
from policybook.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def loaded(*args: str | Path) -> tuple[int, set[str], str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764547200"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], set(report["modules"]), done.stderr


def test_help_and_version_load_no_stage() -> None:
    code, modules, _ = loaded("--help")
    assert code == 0
    assert not modules & (HEAVY | PARSERS)


def test_a_build_with_nothing_changed_loads_no_parser_and_no_engine(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    source = REPO / "handbook"
    code, first, _ = loaded("build", source, "-s", "sh", "-f", "html", "-o", out)
    assert code == 0 and {"yaml", "jinja2"} <= first  # the probe sees a real build
    code, modules, err = loaded("build", source, "-s", "sh", "-f", "html", "-o", out)
    assert code == 0 and "nothing changed" in err
    assert not modules & (HEAVY | PARSERS)


def test_a_handbook_pdf_loads_neither_the_ledger_nor_word(tmp_path: Path) -> None:
    code, modules, _ = loaded("build", REPO / "handbook", "-s", "sh", "-f", "pdf", "-o", tmp_path / "dist", "-j", "1")
    assert code == 0 and "typst" in modules
    assert not modules & {"sqlalchemy", "alembic", "openpyxl", "matplotlib", "docx"}


def test_the_docx_writer_loads_no_pypdf() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, policybook.writers.docx; print('pypdf' in sys.modules)"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"
