"""A form is typeset once: the layout is kept in the user cache (POLICYBOOK_CACHE/forms),
shared by the forms, PDF and DOCX writers, reused only for identical inputs, and a
damaged entry is set again. The handbook PDF places its 附件 pages without pypdf."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from policybook.build import check
from policybook.model import Document
from policybook.writers.forms import compiled
from policybook.writers.forms import typeset as ts

ROOT = Path(__file__).parent / "roots" / "forms-leave"
REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def doc() -> Document:
    return check(ROOT, ["sh"]).documents["sh"]


@pytest.fixture
def compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """A private user cache, no per-process results, and every Typst compile recorded."""
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    seen: list[dict[str, Any]] = []
    real = ts._typst

    def counted(data: dict[str, Any], svg: bool, stamp: int) -> compiled.Compiled:
        seen.append(data)
        return real(data, svg, stamp)

    monkeypatch.setattr(ts, "_typst", counted)
    ts._compiled.cache_clear()
    yield seen
    ts._compiled.cache_clear()


def _entries(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "cache" / "forms").rglob("*") if p.is_file() and p.suffix != ".lock")


def test_second_process_reuses_the_layout(doc: Document, compiles: list[dict[str, Any]], tmp_path: Path) -> None:
    first = ts.typeset(doc, doc.appendices[0], dated=False)
    assert len(compiles) == 1 and len(_entries(tmp_path)) == 1
    ts._compiled.cache_clear()  # as in another worker process
    again = ts.typeset(doc, doc.appendices[0], dated=False)
    assert len(compiles) == 1, "taken from the cache, not compiled again"
    assert again.pdf == first.pdf and again.boxes == first.boxes and again.pages == first.pages == 1


def test_other_inputs_are_compiled(doc: Document, compiles: list[dict[str, Any]], tmp_path: Path) -> None:
    ts.typeset(doc, doc.appendices[0], dated=False)
    ts.typeset(doc, doc.appendices[1], dated=False)  # another form
    ts._compiled.cache_clear()
    ts.typeset(doc, doc.appendices[0], svg=True, dated=False)  # the same form as SVG pages
    assert len(compiles) == 3 and len(_entries(tmp_path)) == 3


def test_a_writer_waits_for_the_one_compiling(doc: Document, compiles: list[dict[str, Any]], tmp_path: Path) -> None:
    """Two writers want the same form at once: the second waits for the first's entry."""
    data = ts.form_data(doc, doc.appendices[0], [])
    entry = compiled.key(data, False, ts.TEMPLATE)
    results: list[ts.Typeset] = []
    with compiled.claimed(entry):  # another process is compiling it
        waiting = threading.Thread(target=lambda: results.append(ts.typeset(doc, doc.appendices[0], dated=False)))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not results, "it waits instead of compiling too"
        compiled.save(entry, ts._typst(data, False, 0))
    waiting.join(60)
    assert len(results) == 1 and len(compiles) == 1, "it read the entry the other one made"


def test_key_follows_every_input(doc: Document, tmp_path: Path) -> None:
    data = ts.form_data(doc, doc.appendices[0], [])
    base = compiled.key(data, False, ts.TEMPLATE)
    assert compiled.key(data, False, ts.TEMPLATE) == base
    assert compiled.key({**data, "intro": data["intro"] + "。"}, False, ts.TEMPLATE) != base
    assert compiled.key(ts.form_data(doc, doc.appendices[0], [], compact=True), False, ts.TEMPLATE) != base
    assert compiled.key(data, True, ts.TEMPLATE) != base
    template = tmp_path / "layout.typ"
    template.write_bytes(ts.TEMPLATE.read_bytes() + b"\n")
    assert compiled.key(data, False, template) != base
    logo = tmp_path / "logo.svg"
    logo.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    with_logo = {**data, "header": {**data["header"], "logo": str(logo)}}
    before = compiled.key(with_logo, False, ts.TEMPLATE)
    logo.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='2'/>", encoding="utf-8")
    assert compiled.key(with_logo, False, ts.TEMPLATE) != before, "the logo's bytes, not its name"


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entry_is_set_again(doc: Document, compiles: list[dict[str, Any]], tmp_path: Path, damage: str) -> None:
    first = ts.typeset(doc, doc.appendices[0], dated=False)
    [entry] = _entries(tmp_path)
    blob = entry.read_bytes()
    broken = {
        "truncate": blob[: len(blob) // 2],
        "flip": blob[:-100] + bytes([blob[-100] ^ 1]) + blob[-99:],
        "garbage": os.urandom(200),
        "empty": b"",
    }[damage]
    entry.write_bytes(broken)
    ts._compiled.cache_clear()
    again = ts.typeset(doc, doc.appendices[0], dated=False)
    assert len(compiles) == 2, "the damaged entry was not used"
    assert again.pdf == first.pdf and again.boxes == first.boxes
    assert entry.read_bytes() == blob, "and it is written again"


def test_a_dated_form_reads_like_typst_dated_it(doc: Document, compiles: list[dict[str, Any]], tmp_path: Path) -> None:
    data = ts.form_data(doc, doc.appendices[0], [])
    stamp = 1764547200
    typst_dated = ts._typst(data, False, stamp).pdf
    ours = ts.stamped(ts._typst(data, False, 0).pdf, stamp)
    assert len(ours) == len(typst_dated)
    info = PdfReader(io.BytesIO(ours)).metadata
    assert info is not None and info.creation_date is not None and info.creation_date.year == 2025
    assert b"2025-12-01T00:00:00+00:00" in ours and b"1970" not in ours
    differ = sum(a != b for a, b in zip(ours, typst_dated, strict=True))
    assert 0 < differ <= 48, "only the instance id (in the XMP and the trailer) differs"
    (tmp_path / "dated.pdf").write_bytes(ours)
    assert subprocess.run(["qpdf", "--check", str(tmp_path / "dated.pdf")], capture_output=True).returncode == 0


def test_sheet_size_and_pages_match_the_pdf(doc: Document, compiles: list[dict[str, Any]]) -> None:
    for appendix in doc.appendices:
        sheet = ts.typeset(doc, appendix, dated=False)
        reader = PdfReader(io.BytesIO(sheet.pdf))
        box = reader.pages[0].mediabox
        assert sheet.pages == len(reader.pages)
        assert sheet.size == (float(box.width), float(box.height))


def test_handbook_pdf_never_loads_pypdf(tmp_path: Path) -> None:
    """A PDF of a handbook with form appendices, built in one process: pypdf is never imported."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from policybook.build import build\n"
        f"build({str(ROOT / 'handbook')!r}, Path({str(tmp_path / 'out')!r}), ['sh'], ['pdf'], jobs=1)\n"
        "assert list(Path(sys.argv[1]).rglob('*.pdf')), 'a PDF was written'\n"
        "print('pypdf' in sys.modules)\n"
    )
    env = {**os.environ, "POLICYBOOK_CACHE": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1764547200"}
    for _ in range(2):  # the layouts compiled, then taken from the cache
        result = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "out")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == "False", result.stdout + result.stderr
        (tmp_path / "out" / ".policybook-cache.json").unlink()
