"""Ledger stage: stamp a small overlay (a footer line) onto every page of an already-built PDF,
as an incremental update — the original bytes unchanged, followed by a few new objects.

A personalised copy of a 100-page handbook is then the release file, plus the
changed page dictionaries (the same for every copy), the stamps' fonts (the same
for a batch of copies), one Form XObject with this employee's line, and a
cross-reference section: no page is parsed, rebuilt or re-compressed per copy,
so a copy costs about as much as writing its bytes. The release file stays a
byte-for-byte prefix of every copy, which is how a copy is traced to it.

Only PDFs whose last cross-reference section is a classic table (as Typst and
this project's release step write) are stamped this way; :func:`supported` says.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from pypdf import PageObject, PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from policybook.ledger.stamp import Place

PLAIN_NAME = re.compile(r"/[A-Za-z0-9_.+\-]*")
STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
STAMP = "/PBStamp"


def supported(original: bytes) -> bool:
    """Whether the file ends with a classic cross-reference table (an incremental update can follow)."""
    found = STARTXREF.search(original[-1024:])
    return found is not None and original[int(found.group(1)) :].startswith(b"xref")


@dataclass
class _Objects:
    """New objects of an update: numbers from ``first`` on; foreign objects (of a stamp PDF) copied once."""

    first: int
    body: list[tuple[int, bytes]] = field(default_factory=list)
    copied: dict[tuple[int, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.next = self.first

    def allocate(self) -> int:
        self.next += 1
        return self.next - 1

    def add(self, number: int, data: bytes) -> None:
        self.body.append((number, data))

    def foreign(self, ref: IndirectObject) -> int:
        key = (ref.idnum, ref.generation)
        if key not in self.copied:
            self.copied[key] = number = self.allocate()
            self.add(number, obj_bytes(number, serialise(ref.get_object(), self.foreign)))
        return self.copied[key]


def serialise(obj: PdfObject | None, remap: Callable[[IndirectObject], int] | None = None) -> bytes:
    """A PDF object's bytes; indirect references through ``remap`` (None: kept as they are)."""
    if isinstance(obj, NameObject) and PLAIN_NAME.fullmatch(obj):
        return obj.encode("ascii")  # most names: no escaping to do (pypdf's own writer is slow at it)
    if isinstance(obj, NumberObject):
        return b"%d" % obj
    if isinstance(obj, IndirectObject):
        return f"{remap(obj) if remap else obj.idnum} {0 if remap else obj.generation} R".encode()
    if isinstance(obj, StreamObject):
        data = obj._data  # as stored: still filtered, so /Filter stays right
        head = DictionaryObject({k: v for k, v in obj.items() if k != "/Length"})
        return serialise(head, remap)[:-2] + f"/Length {len(data)}>>".encode() + b"\nstream\n" + data + b"\nendstream"
    if isinstance(obj, DictionaryObject):
        parts = b"".join(serialise(NameObject(k)) + b" " + serialise(v, remap) + b" " for k, v in obj.items())
        return b"<<" + parts + b">>"
    if isinstance(obj, ArrayObject):
        return b"[" + b" ".join(serialise(v, remap) for v in obj) + b"]"
    if obj is None:
        return b"null"
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def obj_bytes(number: int, body: bytes) -> bytes:
    return f"{number} 0 obj\n".encode() + body + b"\nendobj\n"


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<<{extra}/Length {len(data)}>>\nstream\n".encode() + data + b"\nendstream"


class Overlay:
    """One original PDF, ready to be stamped many times (see :meth:`batch`)."""

    def __init__(self, original: bytes) -> None:
        self.original = original
        self.reader = PdfReader(io.BytesIO(original))
        found = STARTXREF.search(original[-1024:])
        assert found, "check supported() first"
        self.prev = int(found.group(1))
        self.size = int(self.reader.trailer["/Size"])  # type: ignore[call-overload]

    def batch(self, stamps: list[PageObject], place: Callable[[PageObject], Place]) -> Batch:
        """Shared objects for ``stamps`` (pages of one stamp PDF: fonts once), drawn where ``place`` says."""
        objects = _Objects(self.size)
        xobject = objects.allocate()  # the one per-copy object: the same number in every copy
        begin = objects.allocate()
        objects.add(begin, obj_bytes(begin, _stream(b"q\n")))
        draws: dict[Place, int] = {}
        for page in self.reader.pages:
            spot = place(page)
            if spot not in draws:
                draws[spot] = objects.allocate()
                draw = (
                    f"\nQ\n/Artifact <</Type /Pagination>> BDC q 1 0 0 1 {spot.x:.2f} {spot.y:.2f} cm "
                    f"{STAMP} Do Q EMC\n"
                )
                objects.add(draws[spot], obj_bytes(draws[spot], _stream(draw.encode("ascii"))))
            assert page.indirect_reference is not None
            number = page.indirect_reference.idnum
            objects.add(number, obj_bytes(number, self._page(page, begin, draws[spot], xobject)))
        forms = [_form(stamp, objects.foreign) for stamp in stamps]
        return Batch(self, xobject, objects.body, forms)

    def _page(self, page: PageObject, begin: int, draw: int, xobject: int) -> bytes:
        original = _contents(page.get("/Contents"))
        resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
        xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
        xobjects[NameObject(STAMP)] = IndirectObject(xobject, 0, None)  # type: ignore[arg-type]
        resources[NameObject("/XObject")] = xobjects
        new = DictionaryObject({k: v for k, v in page.items() if k not in ("/Contents", "/Resources")})
        new[NameObject("/Resources")] = resources
        refs = [IndirectObject(begin, 0, None), *original, IndirectObject(draw, 0, None)]  # type: ignore[arg-type]
        new[NameObject("/Contents")] = ArrayObject(refs)
        return serialise(new)


def _contents(contents: PdfObject | None) -> list[PdfObject]:
    """A page's content streams as a list of references (one stream, an array, or an array by reference)."""
    if contents is None:
        return []
    resolved = contents.get_object() if isinstance(contents, IndirectObject) else contents
    return list(resolved) if isinstance(resolved, ArrayObject) else [contents]


def _form(stamp: PageObject, remap: Callable[[IndirectObject], int]) -> bytes:
    """A stamp page as the body of a Form XObject (its fonts through ``remap``)."""
    contents = stamp.get_contents()
    data = contents.get_data() if contents is not None else b""
    resources = serialise(stamp["/Resources"].get_object(), remap)
    box = " ".join(f"{float(v):.3f}" for v in stamp.mediabox)
    return _stream(data, f"/Type/XObject/Subtype/Form/BBox[{box}]/Resources {resources.decode('latin-1')}")


@dataclass
class Batch:
    overlay: Overlay
    xobject: int
    shared: list[tuple[int, bytes]]
    forms: list[bytes]

    def __post_init__(self) -> None:
        self.base = len(self.overlay.original) + 1  # a newline after the original's %%EOF
        self.offsets: dict[int, int] = {}
        at = self.base
        for number, data in self.shared:
            self.offsets[number] = at
            at += len(data)
        self.shared_bytes = b"".join(data for _n, data in self.shared)
        self.form_at = at

    def write(self, index: int, out: BinaryIO) -> None:
        """Copy ``index`` of the batch: the original, the shared objects, its own stamp, the xref."""
        form = obj_bytes(self.xobject, self.forms[index])
        offsets = self.offsets | {self.xobject: self.form_at}
        out.write(self.overlay.original)
        out.write(b"\n")
        out.write(self.shared_bytes)
        out.write(form)
        out.write(self._xref(offsets, self.form_at + len(form)))

    def _xref(self, offsets: dict[int, int], at: int) -> bytes:
        numbers = sorted(offsets)
        lines = [b"xref\n"]
        run: list[int] = []
        for number in [*numbers, -1]:
            if run and number != run[-1] + 1:
                lines.append(f"{run[0]} {len(run)}\n".encode())
                lines.extend(f"{offsets[n]:010d} 00000 n\r\n".encode() for n in run)
                run = []
            run.append(number)
        trailer = self.overlay.reader.trailer
        keep = "".join(
            f"{k} {serialise(trailer.raw_get(k)).decode('latin-1')}" for k in ("/Root", "/Info", "/ID") if k in trailer
        )
        size = max(numbers[-1] + 1, self.overlay.size)
        lines.append(f"trailer\n<</Size {size}{keep}/Prev {self.overlay.prev}>>\nstartxref\n{at}\n%%EOF\n".encode())
        return b"".join(lines)
