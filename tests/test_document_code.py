"""One handbook, one code and one way of writing dates, whatever the reader opens.

The code an employee signs for on the 签收单 (HY-HR-001-SZ) is the code printed on the
handbook's cover and footers, in the PDF, the DOCX and the site; the site prints dates
as the PDF does (2026年1月1日, not 2026-01-01); the 签收单 asks for the date once.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from policybook.build import check
from policybook.writers.forms import pdf

HANDBOOK = Path(__file__).resolve().parent.parent / "handbook"


def test_every_output_prints_the_subsidiarys_document_code_and_long_dates(cli, root_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    assert cli("build", root / "handbook", "-s", "a", "-f", "pdf,docx,html", "-o", tmp_path / "out").code == 0
    folder = tmp_path / "out" / "a"
    [handbook] = folder.glob("*.pdf")
    pages = subprocess.run(["pdftotext", str(handbook), "-"], capture_output=True, text=True, check=True).stdout
    cover = pages.split("\f")[0]
    assert "T-001-A" in cover, cover
    assert "T-001-A 版本 1.0" in pages  # the front matter's footer
    [docx] = folder.glob("*.docx")
    with zipfile.ZipFile(docx) as package:
        body = package.read("word/document.xml").decode()
        footers = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/footer"))
    assert "T-001-A" in body and footers.count("T-001-A") >= 2
    site = "".join(p.read_text(encoding="utf-8") for p in (folder / "html").rglob("*.html"))
    visible = re.sub(r"<[^>]+>", " ", site)
    assert "2026年1月1日" in visible and not re.search(r"\b20\d\d-\d\d-\d\d\b", visible)


def test_the_acknowledgement_asks_for_the_signing_date_once() -> None:
    doc = check(HANDBOOK, ["sz"]).documents["sz"]
    appendix = next(a for a in doc.appendices if a.form.id == "acknowledgement")
    specs = pdf.prepare(doc, appendix).specs
    employee_dates = [s.name for s in specs if s.kind == "date" and not s.name.startswith("hr_")]
    assert employee_dates == ["employee_sign_date"], employee_dates
