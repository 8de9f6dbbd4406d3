"""Write stage (DOCX): the pages LibreOffice found, kept for the next build with the same body.

Laying a handbook out in LibreOffice costs ~0.7 CPU-s a document plus ~1 s to
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

from policybook.cache import font_fingerprint, store, stored
from policybook.writers.docx import libreoffice, pagination
from policybook.writers.docx.pagination import Pages

FORMAT = "2"  # bump when what an entry means changes
KIND = "docx-pages"  # its folder in the user cache
UNLAID = ("docProps/",)  # package members LibreOffice does not lay out


def page_numbers_many(datas: list[bytes]) -> list[Pages | None]:
    """:func:`pagination.page_numbers_many`, asking LibreOffice only about drafts it has not laid out before."""
    binary = libreoffice.soffice()
    if binary is None:
        return [None] * len(datas)
    keys = [key(data, binary) for data in datas]
    found = [load(entry) for entry in keys]
    missing = [i for i, pages in enumerate(found) if pages is None]
    learnt = pagination.page_numbers_many([datas[i] for i in missing]) if missing else []
    for i, pages in zip(missing, learnt, strict=True):
        found[i] = pages
        if pages is not None:
            save(keys[i], pages)
    return found


def wanted(data: bytes) -> bool:
    """Whether LibreOffice will have to lay out the DOCX ``data`` (it is there and the pages are not kept)."""
    binary = libreoffice.soffice()
    return binary is not None and load(key(data, binary)) is None


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
