"""Write stage (pdf): finishing touches Typst does not write, added with pypdf.

The viewer opens with the bookmarks panel and shows the document title instead
of the file name; the catalog's /MarkInfo loses ``/Suspects false`` (the default),
which every Poppler tool reported as a syntax error. The change is a classic incremental update (one new catalog
revision, an xref section, a trailer) appended to Typst's bytes, so Typst's
structure tags, PDF/A conformance and determinism stay intact. pypdf reads and
serialises the objects; the update itself is written here because pypdf's
incremental writer emits an xref stream that omits its own entry.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pypdf is imported only for a PDF not laid out as Typst writes it (a third of a second)
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
TRAILER = re.compile(rb"trailer\s*(<<(?:(?!>>).)*>>)\s*startxref\s+(\d+)\s+%%EOF\s*$", re.DOTALL)
ROOT = re.compile(rb"/Root (\d+) (\d+) R")
# /MarkInfo's /Suspects false is the default; Poppler (pdfinfo, pdftotext, Evince, Okular)
# prints "Syntax Error: Suspects object is wrong type (boolean)" for it on every run
SUSPECTS = re.compile(rb"/Suspects\s*false")


def finish(pdf: bytes) -> bytes:
    """Typst's bytes plus the viewer settings, as an incremental update."""
    return _finish_typst(pdf) or _finish_any(pdf)


def _finish_typst(pdf: bytes) -> bytes | None:
    """The update written straight from Typst's catalog text: reading a 1,000-page file
    with pypdf only to change two keys cost half a second. None if the PDF is not laid
    out as Typst writes it (then pypdf does it)."""
    trailer = TRAILER.search(pdf[-4096:])
    root = ROOT.search(trailer.group(1)) if trailer else None
    if trailer is None or root is None or b"/Prev" in trailer.group(1):
        return None
    num, gen = int(root.group(1)), int(root.group(2))
    start = pdf.rfind(b"\n%d %d obj\n" % (num, gen))
    end = pdf.find(b"\nendobj", start)
    catalog = pdf[start + 1 : end].split(b"\n", 1)[1] if start >= 0 and end > start else b""
    if (
        not catalog.startswith(b"<</Type/Catalog")
        or b"/PageMode" in catalog
        or catalog.count(b"/ViewerPreferences<<") != 1
    ):
        return None
    catalog = SUSPECTS.sub(b"", catalog.replace(b"<</Type/Catalog", b"<</Type/Catalog/PageMode/UseOutlines", 1))
    catalog = catalog.replace(b"/ViewerPreferences<<", b"/ViewerPreferences<</DisplayDocTitle true", 1)
    head = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    obj = b"%d %d obj\n" % (num, gen) + catalog + b"\nendobj\n"
    xref = b"xref\n%d 1\n%010d %05d n\r\n" % (num, len(head), gen)
    new_trailer = trailer.group(1)[:-2] + b"/Prev %d>>" % int(trailer.group(2))
    return head + obj + xref + b"trailer\n" + new_trailer + b"\nstartxref\n%d\n%%%%EOF\n" % (len(head) + len(obj))


def _finish_any(pdf: bytes) -> bytes:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(pdf))
    root_ref = reader.trailer.raw_get("/Root")
    assert isinstance(root_ref, IndirectObject)
    catalog = reader.trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    catalog = _with_viewer_settings(catalog)
    head = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    obj = f"{root_ref.idnum} {root_ref.generation} obj\n".encode() + _serialise(catalog) + b"\nendobj\n"
    xref_at = len(head) + len(obj)
    xref = f"xref\n{root_ref.idnum} 1\n{len(head):010d} {root_ref.generation:05d} n\r\n".encode()
    trailer = b"trailer\n" + _serialise(_trailer(reader, _prev_xref(pdf))) + b"\n"
    return head + obj + xref + trailer + f"startxref\n{xref_at}\n%%EOF\n".encode()


def _with_viewer_settings(catalog: DictionaryObject) -> DictionaryObject:
    from pypdf.generic import BooleanObject, DictionaryObject, NameObject

    catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
    prefs = catalog.get("/ViewerPreferences")
    prefs = prefs.get_object() if prefs is not None else DictionaryObject()
    prefs[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    catalog[NameObject("/ViewerPreferences")] = prefs
    marks = catalog.get("/MarkInfo")
    marks = marks.get_object() if marks is not None else None
    if isinstance(marks, DictionaryObject) and getattr(marks.get("/Suspects"), "value", None) is False:  # SUSPECTS
        del marks[NameObject("/Suspects")]
    return catalog


def _trailer(reader: PdfReader, prev: int) -> DictionaryObject:
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    trailer = DictionaryObject()
    for key in reader.trailer:
        if key not in ("/Prev", "/XRefStm"):
            trailer[NameObject(key)] = reader.trailer.raw_get(key)
    trailer[NameObject("/Prev")] = NumberObject(prev)
    return trailer


def _prev_xref(pdf: bytes) -> int:
    match = STARTXREF.search(pdf[-64:])
    if match is None:
        raise ValueError("compiled PDF has no startxref")
    return int(match.group(1))


def _serialise(obj: DictionaryObject) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()
