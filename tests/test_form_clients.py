"""Forms in real clients: PDFium (Chrome), MuPDF and pdf.js (Firefox) each fill every form of a
mainland and a Hong Kong subsidiary — Chinese text with rare characters, ticks, choices, dates —
and save; every client (and Poppler, and policybook itself) reads each saved file back.

Nothing here is skipped: a client that is not installed fails the test and says how to install it.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from policybook.build import check
from policybook.writers.forms import pdf
from policybook.writers.forms.acroform import FieldSpec, Value, from_fields, read_values, to_fields
from tests import clients

HANDBOOK = Path(__file__).resolve().parent.parent / "handbook"
SUBSIDIARIES = ("sh", "hk")
RARE = {"sh": "李喆堃镕昇珺玥€", "hk": "陳喆邨峯綫镕们€"}  # HK: rare Traditional and simplified-only


def _row(specs: list[FieldSpec], sub: str) -> dict[str, Value]:
    """A value for every field: rare characters in text, the last choice, first and last boxes."""
    row: dict[str, Value] = {}
    for i, spec in enumerate(specs):
        if spec.kind == "checkbox":
            row[spec.name] = [spec.options[0], spec.options[-1]]
        elif spec.kind == "radio":
            row[spec.name] = spec.options[-1]
        elif spec.kind == "date":
            row[spec.name] = f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
        elif spec.kind == "number":
            row[spec.name] = str(i + 2)
        else:
            row[spec.name] = RARE[sub][: 3 + i % 6] + ("" if spec.kind == "text" else " 办妥ABC")
    return row


class Case:
    def __init__(self, sub: str, form_id: str, folder: Path) -> None:
        doc = check(HANDBOOK, [sub]).documents[sub]
        appendix = next(a for a in doc.appendices if a.form.id == form_id)
        self.form = pdf.prepare(doc, appendix)
        self.blank = folder / f"{sub}-{form_id}.pdf"
        self.blank.write_bytes(pdf.fillable(self.form))
        self.row = _row(self.form.specs, sub)
        self.saved = {name: folder / f"{sub}-{form_id}-{name}.pdf" for name in clients.CLIENTS}


def _cases(folder: Path) -> list[Case]:
    out = []
    for sub in SUBSIDIARIES:
        doc = check(HANDBOOK, [sub]).documents[sub]
        out += [Case(sub, a.form.id, folder) for a in doc.appendices]
    return out


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    """Every form of both subsidiaries, filled and saved by every client (once for all tests)."""
    folder = tmp_path_factory.mktemp("clients")
    made = _cases(folder)
    for case in made:
        fields = to_fields(case.row, case.form.specs)
        for name, (fill, _) in clients.CLIENTS.items():
            fill(case.blank, fields, case.saved[name])
    return made


@pytest.mark.parametrize("reader", [*clients.CLIENTS, "policybook"])
@pytest.mark.parametrize("writer", list(clients.CLIENTS))
def test_saved_form_reads_back_in_every_client(cases: list[Case], writer: str, reader: str) -> None:
    for case in cases:
        saved = case.saved[writer]
        if reader == "policybook":
            got = read_values(saved.read_bytes(), case.form.specs)
        else:
            got = from_fields(clients.CLIENTS[reader][1](saved), case.form.specs)
        wrong = {k: (got.get(k), v) for k, v in case.row.items() if got.get(k) != v}
        assert not wrong, f"{saved.name} read by {reader}: {wrong}"


@pytest.mark.parametrize("writer", list(clients.CLIENTS))
def test_every_typed_character_is_drawn(cases: list[Case], writer: str) -> None:
    """Poppler extracts the text of the field appearances the saving client wrote."""
    for case in cases:
        text = clients.poppler_text(case.saved[writer])
        typed = {ch for v in case.row.values() if isinstance(v, str) for ch in v if not ch.isspace()}
        missing = {ch for ch in typed if ch not in text}
        assert not missing, f"{case.saved[writer].name}: Poppler shows no {''.join(sorted(missing))}"


@pytest.mark.parametrize("writer", list(clients.CLIENTS))
def test_dates_never_cover_year_month_day(cases: list[Case], writer: str) -> None:
    """Where 年/月/日 is printed, a filled form renders exactly like the blank, in every renderer."""
    for case in cases[:: max(1, len(cases) // 3)]:
        boxes = _date_words(case.blank)
        assert boxes, f"{case.blank.name}: no 年/月/日 found"
        for renderer, render in RENDERERS.items():
            blank, filled = render(case.blank), render(case.saved[writer])
            for box in boxes:
                _, most = ImageChops.difference(blank.crop(box), filled.crop(box)).getextrema()
                assert most < 60, f"{case.saved[writer].name} in {renderer}: ink over {box}"


SCALE = 2.0


def _date_words(path: Path) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (at SCALE) of the printed 年, 月, 日 next to date blanks, shrunk by a pixel."""
    import pymupdf

    page = pymupdf.open(str(path))[0]
    parts = [w.rect for w in page.widgets() if w.field_name.endswith((".y", ".m", ".d"))]
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                for char in span["chars"]:
                    x0, y0, x1, y1 = char["bbox"]
                    near = any(abs((y0 + y1) / 2 - (r.y0 + r.y1) / 2) < r.height and abs(x0 - r.x1) < 4 for r in parts)
                    if char["c"] in "年月日" and near:
                        out.append((int(x0 * SCALE) + 1, int(y0 * SCALE) + 1, int(x1 * SCALE) - 1, int(y1 * SCALE) - 1))
    return out


def _pdfium(path: Path) -> Image.Image:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    doc.init_forms()
    return doc[0].render(scale=SCALE, may_draw_forms=True).to_pil().convert("L")


def _mupdf(path: Path) -> Image.Image:
    import pymupdf

    pix = pymupdf.open(str(path))[0].get_pixmap(dpi=int(72 * SCALE))
    return Image.open(io.BytesIO(pix.tobytes("png"))).convert("L")


def _poppler(path: Path) -> Image.Image:
    command = ["pdftoppm", "-r", str(int(72 * SCALE)), "-png", "-f", "1", "-l", "1", str(path)]
    png = subprocess.run(command, capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("L")


RENDERERS = {"pdfium": _pdfium, "mupdf": _mupdf, "poppler": _poppler}


# ---------------------------------------------------------------- programmatic fillers

FILLERS = list(clients.FILLERS)


@pytest.fixture(scope="module")
def programs(cases: list[Case], tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every form filled by every program (pypdf three ways, pdftk), keyed by (filler, blank name)."""
    folder = tmp_path_factory.mktemp("fillers")
    out = {}
    for case in _some(cases):
        fields = to_fields(case.row, case.form.specs)
        for name, fill in clients.FILLERS.items():
            saved = folder / f"{case.blank.stem}-{name}.pdf"
            fill(case.blank, fields, saved)
            out[name, case.blank.name] = saved
    return out


@pytest.mark.parametrize("reader", [*clients.CLIENTS, "policybook"])
@pytest.mark.parametrize("filler", [f for f in FILLERS if f != "pypdf-flatten"])
def test_program_filled_form_reads_back(
    cases: list[Case], programs: dict[tuple[str, str], Path], filler: str, reader: str
) -> None:
    for case in _some(cases):
        saved = programs[filler, case.blank.name]
        if reader == "policybook":
            got = read_values(saved.read_bytes(), case.form.specs)
        else:
            got = from_fields(clients.CLIENTS[reader][1](saved), case.form.specs)
        wrong = {k: (got.get(k), v) for k, v in case.row.items() if got.get(k) != v}
        assert not wrong, f"{saved.name} read by {reader}: {wrong}"


@pytest.mark.parametrize("renderer", ["poppler", "mupdf"])
@pytest.mark.parametrize("filler", FILLERS)
def test_program_filled_text_is_drawn(
    cases: list[Case], programs: dict[tuple[str, str], Path], filler: str, renderer: str
) -> None:
    """What each renderer draws for the fields (Poppler's text, MuPDF's after baking the
    appearances into the page) holds every character filled — not ``?``. (PDFium draws the
    same appearances; its flattening API keeps no text to compare. pdftk with need_appearances and
    pdf-lib leave the drawing to the viewer: MuPDF draws it on screen, but bakes only what is stored.)"""
    if renderer == "mupdf" and filler in ("pdftk", "pdf-lib"):
        return
    for case in _some(cases):
        saved = programs[filler, case.blank.name]
        text = DRAWN[renderer](saved)
        typed = {ch for v in case.row.values() if isinstance(v, str) for ch in v if not ch.isspace()}
        missing = "".join(sorted(ch for ch in typed if ch not in text))
        assert not missing, f"{saved.name} drawn by {renderer}: no {missing}"
        assert "?" not in text.replace("?", "", case.blank.read_bytes().count(b"?")), saved.name


def _mupdf_drawn(path: Path) -> str:
    import pymupdf

    doc = pymupdf.open(str(path))
    doc.bake(annots=True, widgets=True)
    return "".join(page.get_text() for page in doc)


DRAWN = {"poppler": clients.poppler_text, "mupdf": _mupdf_drawn}


def test_pdftk_without_need_appearances_keeps_every_value(cases: list[Case], tmp_path: Path) -> None:
    """pdftk's plain fill_form (no need_appearances) succeeds and stores every value (pdftk-java 3.3
    draws no CJK appearance of its own: its manual says to pass need_appearances for non-ASCII text)."""
    for case in _some(cases):
        saved = tmp_path / f"{case.blank.stem}-pdftk-plain.pdf"
        clients.pdftk_fill(case.blank, to_fields(case.row, case.form.specs), saved, need_appearances=False)
        got = read_values(saved.read_bytes(), case.form.specs)
        assert {k: got.get(k) for k in case.row} == case.row, saved.name


def _some(cases: list[Case]) -> list[Case]:
    """A mainland and a Hong Kong form (fillers are slow to start: pdftk is Java, pdf-lib node)."""
    return [cases[0], cases[-1]]
