"""A PDF build loads only what it uses: no python-docx, pypdf, fontTools or markdown-it
(chapters come from the parse cache) — each costs a tenth of a second or more to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent / "roots" / "basic"

CODE = """
import sys
from pathlib import Path
from policybook.cli import main
assert main(["build", sys.argv[1], "-s", "a", "-f", "pdf", "-o", sys.argv[2], "-j", "1", "--no-cache"]) == 0
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_a_pdf_build_imports_no_docx_pdf_reader_or_font_tools(tmp_path: Path) -> None:
    def loaded() -> set[str]:
        run = subprocess.run(
            [sys.executable, "-c", CODE, str(ROOT / "handbook"), str(tmp_path / "out")],
            capture_output=True,
            text=True,
            check=True,
            env={"POLICYBOOK_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
        )
        return set(run.stdout.split())

    first = loaded()  # parses the chapters (markdown-it needed) and fills the parse cache
    assert "markdown_it" in first and "typst" in first
    again = loaded()
    assert "typst" in again  # really built again
    assert not again & {"docx", "pypdf", "fontTools", "markdown_it", "mdit_py_plugins"}
