"""Write stage: forms — for every appendix, a fillable PDF and a DOCX in ``<folder>/forms/``.

Each form is typeset once per subsidiary (typeset.py + layout.typ), fields are
put on top with pypdf (acroform.py): typed text in a standard CJK font, values we draw
in a cut of only the glyphs used (cjkfont.py);
the DOCX version uses content controls (docx.py). Filling from CSV and
serial-numbered pads live in fill.py and are driven by ``policybook forms``.
Field names are documented in acroform.py.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from policybook.model import Document
from policybook.naming import form_stem
from policybook.writers import Writer, register


def write(doc: Document, folder: Path) -> list[Path]:
    # loaded here, not with the package: the handbook PDF typesets its form appendices with
    # typeset.py and needs neither python-docx nor the AcroForm code
    from policybook.writers.forms import docx, pdf

    out = folder / "forms"
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for appendix in doc.appendices:
        stem = form_stem(doc, appendix)
        form = pdf.prepare(doc, appendix)
        written.append(_save(out / f"{stem}.pdf", pdf.fillable(form)))
        written.append(_save(out / f"{stem}.docx", docx.render(doc, appendix, form.sheet.compact)))
    return written


def _early_fonts() -> AbstractContextManager[None]:
    from policybook.writers.typst_fonts import early

    return early()


def _save(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# a form shows its own definition, the subsidiary and the handbook meta — not the chapters
register(
    Writer(
        "forms",
        "fillable PDF and DOCX versions of every form (appendix)",
        write,
        reads=("meta", "subsidiary", "appendices"),
        early=_early_fonts,
    )
)
