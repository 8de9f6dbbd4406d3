"""Ledger stage: write one PDF page by page, straight to disk — memory independent of the page count.

The pages come from small PDFs (a batch of 签收单 at a time); each page's objects
are copied with new numbers and written at once, so what stays in memory is a
file offset per object and a number per page. The page tree, catalog and
cross-reference table are written at the end.
"""

from __future__ import annotations

import gc
import io
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from policybook.ledger.overlay import obj_bytes, serialise

CATALOG, PAGES = 1, 2


@contextmanager
def frozen() -> Iterator[None]:
    """Objects alive now (a roster of 100,000) are left out of the collections :meth:`StreamingPdf.add`
    runs after each batch, so those stay cheap."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class StreamingPdf:
    def __init__(self, out: BinaryIO, lang: str = "") -> None:
        self.out = out
        self.lang = lang
        self.offsets = array("Q", [0] * (PAGES + 1))  # by object number: 8 bytes an object
        self.kids = array("L")
        self.next = PAGES + 1
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def pages(self) -> int:
        return len(self.kids)

    def add(self, pdf: bytes) -> None:
        """Every page of ``pdf``, with what it uses (its fonts and forms copied once per call)."""
        gc.collect()  # the last batch's reader is a web of cycles: free it now, not when the old generation is swept
        reader = PdfReader(io.BytesIO(pdf))
        copied: dict[tuple[int, int], int] = {}

        def remap(ref: IndirectObject) -> int:
            key = (ref.idnum, ref.generation)
            if key not in copied:
                copied[key] = number = self._allocate()
                self._write(number, serialise(ref.get_object(), remap))
            return copied[key]

        for page in reader.pages:
            number = self._allocate()
            own = DictionaryObject({k: v for k, v in page.items() if k != "/Parent"})
            self._write(number, serialise(own, remap)[:-2] + f"/Parent {PAGES} 0 R>>".encode())
            self.kids.append(number)

    def close(self) -> None:
        """The page tree, catalog, cross-reference table and trailer."""
        kids = " ".join(f"{k} 0 R" for k in self.kids)  # a few bytes a page
        self._write(PAGES, f"<</Type/Pages/Count {len(self.kids)}/Kids[{kids}]>>".encode())
        lang = f"/Lang({self.lang})" if self.lang.isascii() and self.lang.replace("-", "").isalnum() else ""
        self._write(CATALOG, f"<</Type/Catalog/Pages {PAGES} 0 R{lang}>>".encode())
        at = self.out.tell()
        self.out.write(f"xref\n0 {self.next}\n0000000000 65535 f\r\n".encode())
        for start in range(1, self.next, 4096):
            chunk = self.offsets[start : min(start + 4096, self.next)]
            self.out.write(b"".join(b"%010d 00000 n\r\n" % offset for offset in chunk))
        self.out.write(f"trailer\n<</Size {self.next}/Root {CATALOG} 0 R>>\nstartxref\n{at}\n%%EOF\n".encode())

    def _allocate(self) -> int:
        self.next += 1
        self.offsets.append(0)
        return self.next - 1

    def _write(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(obj_bytes(number, body))
