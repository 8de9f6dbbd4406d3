"""Write stage (DOCX): learn on which page each heading falls, by asking LibreOffice.

Word computes TOC page numbers only when a user updates the field; a DOCX that
should open with a complete table of contents needs them cached. When
LibreOffice is installed the finished DOCX is converted once to PDF with every
bookmark exported as a named destination; each destination's page is the page
of that heading. Set ``POLICYBOOK_DOCX_PAGES=off`` to skip the pass (the TOC
then lists its entries without page numbers). ``page_cache`` keeps the answers,
so the same draft is laid out once; ``libreoffice`` runs LibreOffice.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from policybook.writers.docx import libreoffice

EXPORT_OPTIONS: dict[str, object] = {"ExportBookmarksToPDFDestination": {"type": "boolean", "value": "true"}}


@dataclass(frozen=True)
class Pages:
    bookmarks: dict[str, int]  # bookmark name → 1-based page
    total: int

    def from_page(self, first: int) -> Pages:
        """The numbers a reader sees when page ``first`` is numbered 1 (front matter not counted)."""
        shift = first - 1
        return Pages({name: page - shift for name, page in self.bookmarks.items()}, self.total - shift)


def page_numbers_many(datas: list[bytes]) -> list[Pages | None]:
    """Pages of every bookmark in each DOCX of ``datas``, all converted in one LibreOffice run;
    ``None`` for each without LibreOffice or on failure."""
    if libreoffice.soffice() is None or not datas:
        return [None] * len(datas)
    with tempfile.TemporaryDirectory(prefix="pb-docx-pages-") as tmp:
        sources = [Path(tmp) / f"handbook-{i}.docx" for i in range(len(datas))]
        for source, data in zip(sources, datas, strict=True):
            source.write_bytes(data)
        try:
            pdfs = libreoffice.convert_many(sources, Path(tmp) / "out", EXPORT_OPTIONS)
        except (OSError, subprocess.SubprocessError, RuntimeError):
            return [None] * len(datas)
        return [_read(pdf.read_bytes()) for pdf in pdfs]


def _read(pdf: bytes) -> Pages:
    from pypdf import PdfReader  # only when LibreOffice has run: a build that reads no PDF does not load it

    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        try:
            number = reader.get_destination_page_number(dest)
            if number is not None:
                pages[str(name).lstrip("/")] = number + 1
        except (KeyError, ValueError, AttributeError):
            continue
    return Pages(pages, len(reader.pages))


def lookup(pages: Pages, bookmark: str) -> int | None:
    """The page of ``bookmark``; LibreOffice 7.x names its destination with the URL escape minus the ``%``."""
    escaped = "".join(ch if ch.isascii() and ch.isalnum() else f"{ord(ch):02X}" for ch in bookmark)
    return pages.bookmarks.get(bookmark, pages.bookmarks.get(escaped))
