"""Write stage (pdf): a compile root and a Typst compiler kept between builds (for ``watch``).

A fresh compile pays for parsing the template, loading fonts and laying out every
page. ``typst.Compiler`` keeps its caches from one ``compile()`` to the next, so a
process that rebuilds the same handbook after each edit keeps one compiler per
document and rewrites only ``data.json`` in its private root: a warm rebuild of the
sample handbook costs about a third of a cold one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import typst

from policybook.model import Document
from policybook.naming import handbook_stem
from policybook.source.brand import default_brand
from policybook.writers.pdf.engine import TEMPLATE, PdfOptions, check_standard, payload, prepare_root, run_compiler
from policybook.writers.pdf.finish import finish
from policybook.writers.pdf.forms import form_sheets, sheet_files
from policybook.writers.pdf.settings import font_dirs
from policybook.writers.typst_fonts import compiler


class WarmPdf:
    """The PDF writer for one document, compiled again and again in the same root."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="policybook-watch-")
        self.root = Path(self._tmp.name)
        self._compiler: typst.Compiler | None = None
        self._dirs: tuple[str, ...] = ()

    def render(self, doc: Document, options: PdfOptions | None = None) -> bytes:
        options = options or PdfOptions.from_env()
        check_standard(options)
        brand = doc.brand or default_brand()
        sheets = form_sheets(doc, brand, svg=bool(options.standard))
        files = sheet_files(sheets)
        main = prepare_root(TEMPLATE, lambda logo: payload(doc, brand, logo, sheets), brand, self.root, files)
        dirs = tuple(font_dirs(brand))
        if self._compiler is None or dirs != self._dirs:  # another brand kit's fonts: a new compiler
            self._compiler, self._dirs = compiler(str(main), str(self.root), dirs), dirs
        return finish(run_compiler(self._compiler, brand, options))

    def write(self, doc: Document, folder: Path) -> list[Path]:
        """Same file as the ``pdf`` writer's ``write``."""
        path = folder / f"{handbook_stem(doc)}.pdf"
        path.write_bytes(self.render(doc))
        return [path]

    def close(self) -> None:
        self._tmp.cleanup()
