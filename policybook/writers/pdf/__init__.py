"""Write stage: the branded PDF handbook (Typst engine).

``engine`` compiles the numbered model (exported as JSON data by ``data``) with
``handbook.typ`` once per document; ``finish`` adds what Typst does not write
(viewer preferences) with pypdf as an incremental update, leaving Typst's bytes,
tags and PDF/A conformance untouched.
"""

from __future__ import annotations

from pathlib import Path

from policybook.model import Document
from policybook.naming import handbook_stem
from policybook.source.brand import default_brand
from policybook.timings import stage
from policybook.writers import Writer, register
from policybook.writers.pdf.engine import PdfOptions, compile_pdf
from policybook.writers.pdf.finish import finish
from policybook.writers.pdf.settings import brand_settings
from policybook.writers.typst_fonts import early as early_fonts


def render(doc: Document, options: PdfOptions | None = None) -> bytes:
    """The finished PDF of one subsidiary's handbook."""
    options = options or PdfOptions.from_env()
    brand = doc.brand or default_brand()
    pdf = compile_pdf(doc, brand, options)
    with stage("finish"):
        return finish(pdf)


def write_pdf(doc: Document, folder: Path, options: PdfOptions | None = None) -> list[Path]:
    path = folder / f"{handbook_stem(doc)}.pdf"
    path.write_bytes(render(doc, options))
    return [path]


def write(doc: Document, folder: Path) -> list[Path]:
    return write_pdf(doc, folder)


def check(doc: Document) -> None:
    """Fonts installed, paper size and lengths valid — before anything is written."""
    brand_settings(doc, doc.brand or default_brand())


register(
    Writer("pdf", "branded PDF handbook (Typst): cover, contents, bookmarks, tagged", write, check, early=early_fonts)
)
