"""Write stage (pdf): finishing touches Typst does not write, added with pypdf.

The viewer opens with the bookmarks panel and shows the document title instead
of the file name. The change is a classic incremental update (one new catalog
revision, an xref section, a trailer) appended to Typst's bytes, so Typst's
structure tags, PDF/A conformance and determinism stay intact. pypdf reads and
serialises the objects; the update itself is written here because pypdf's
incremental writer emits an xref stream that omits its own entry.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import BooleanObject, DictionaryObject, IndirectObject, NameObject, NumberObject

STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def finish(pdf: bytes) -> bytes:
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
    catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
    prefs = catalog.get("/ViewerPreferences")
    prefs = prefs.get_object() if prefs is not None else DictionaryObject()
    prefs[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    catalog[NameObject("/ViewerPreferences")] = prefs
    return catalog


def _trailer(reader: PdfReader, prev: int) -> DictionaryObject:
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
