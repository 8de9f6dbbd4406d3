"""Write stage (DOCX): the pages LibreOffice found, kept for the next build with the same body.

Laying a handbook out in LibreOffice costs ~0.35 CPU-s a document plus ~0.5 to
start it; the answer depends only on what LibreOffice lays out — every part of
the draft package except its document properties — and on LibreOffice and the
fonts. So the answer is kept in the user cache (``$POLICYBOOK_CACHE/docx-pages``)
under a hash of exactly those, and a build whose drafts hash the same (any
other subsidiary, an output folder built with ``--no-cache``, a new
``SOURCE_DATE_EPOCH``) takes the pages from there without starting LibreOffice.
An entry that cannot be read is a miss; one that cannot be written only costs
time next build.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from types import TracebackType

from policybook.cache import font_fingerprint, store, stored
from policybook.writers.docx import libreoffice
from policybook.writers.docx.pagination import Layout, Pages, claimed

FORMAT = "3"  # bump when what an entry means changes (3: read from LibreOffice's view, not its PDF)
KIND = "docx-pages"  # its folder in the user cache
UNLAID = ("docProps/",)  # package members LibreOffice does not lay out


class Pagination:
    """The pages of each draft added, from the user cache or laid out by LibreOffice — started
    by the first draft it has not laid out before, and laying that out while the next is built."""

    def __init__(self) -> None:
        self.binary = libreoffice.soffice()
        self.layout = claimed() or Layout()
        self.drafts: list[tuple[str, Pages | None, int | None]] = []  # key, kept pages, index in the layout

    def __enter__(self) -> Pagination:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.layout.close()

    def add(self, data: bytes) -> None:
        if self.binary is None:
            self.drafts.append(("", None, None))
            return
        entry = key(data, self.binary)
        kept = load(entry)
        self.drafts.append((entry, kept, self.layout.add(data) if kept is None else None))

    def pages(self) -> list[Pages | None]:
        """Every added draft's pages, in order (``None`` where there are none)."""
        learnt = self.layout.pages() if any(index is not None for _, _, index in self.drafts) else []
        found: list[Pages | None] = []
        for entry, kept, index in self.drafts:
            if index is not None:
                kept = learnt[index]
                if kept is not None:
                    save(entry, kept)
            found.append(kept)
        return found


def page_numbers_many(datas: list[bytes]) -> list[Pages | None]:
    """The pages of each DOCX of ``datas``, asking LibreOffice only about drafts it has not laid out before."""
    with Pagination() as pagination:
        for data in datas:
            pagination.add(data)
        return pagination.pages()


def key(data: bytes, soffice: str) -> str:
    """What the pages of the DOCX ``data`` depend on: its laid-out parts, LibreOffice, the fonts."""
    digest = hashlib.sha256(f"{FORMAT}\0{libreoffice.libreoffice_identity(soffice)}\0{font_fingerprint()}\0".encode())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in sorted(package.namelist()):
            if not name.startswith(UNLAID):
                digest.update(name.encode() + b"\0" + package.read(name) + b"\0")
    return digest.hexdigest()


def load(entry: str) -> Pages | None:
    """The pages kept under ``entry``, or None (never kept, damaged, or not pages)."""
    blob = stored(KIND, entry)
    try:
        data = json.loads(blob) if blob is not None else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    bookmarks, total = data.get("bookmarks"), data.get("total")
    if not isinstance(total, int) or not isinstance(bookmarks, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, int) for k, v in bookmarks.items()):
        return None
    return Pages(bookmarks, total)


def save(entry: str, pages: Pages) -> None:
    data = json.dumps({"bookmarks": pages.bookmarks, "total": pages.total}, sort_keys=True, ensure_ascii=False)
    store(KIND, entry, data.encode())
