"""Ledger stage: draw small stamps (a QR code and checksum box, a footer line) over existing PDF pages.

The stamps are typeset by Typst (``stamp.typ``: one page per stamp, exactly the
stamp's size, fonts embedded) and drawn onto the target pages as Form XObjects
marked as pagination artifacts, so a tagged handbook stays tagged and its own
content is never rewritten.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

from policybook.language import of as language_of
from policybook.model import Document
from policybook.writers.forms.acroform import append_content
from policybook.writers.pdf.settings import lang_region
from policybook.writers.typst_fonts import compiler

TEMPLATE = Path(__file__).with_name("stamp.typ")
MONO = ["DejaVu Sans Mono", "Noto Sans Mono CJK SC"]
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Place:
    """Where a stamp goes on a page: its lower-left corner, in points from the page's lower-left."""

    x: float
    y: float


def qr_svg(text: str) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", border=2, xmldecl=False)
    return buffer.getvalue().decode("ascii")


def typeset(doc: Document, stamps: list[dict[str, Any]], title: str) -> list[PageObject]:
    """Typeset every stamp (dicts with ``kind``, ``w``/``h`` in mm and their final text); one page each."""
    brand = doc.brand
    assert brand is not None, "resolved documents carry a brand kit"
    lang, region = lang_region(doc)
    data = {
        "title": title,
        "fonts": brand.fonts.get("heading", []) + brand.fonts.get("body", []),
        "mono": MONO + brand.fonts.get("heading", []),
        "colors": {k: brand.colors.get(k, "#000000") for k in ("text", "muted", "rule", "primary")},
        "lang": lang,
        "region": region,
        "colon": ": " if doc.meta.locale == "en" else "：",
        "stamps": stamps,
    }
    with tempfile.TemporaryDirectory(prefix="policybook-stamp-") as tmp:
        shutil.copyfile(TEMPLATE, Path(tmp) / TEMPLATE.name)
        typst = compiler(str(Path(tmp) / TEMPLATE.name), tmp, sys_inputs={"data": json.dumps(data)})
        pdf = typst.compile(format="pdf", timestamp=int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0))
    assert isinstance(pdf, bytes)
    return list(PdfReader(io.BytesIO(pdf)).pages)


def words(doc: Document) -> Callable[[str], str]:
    """Fixed labels in the variant's script (zh-Hant TW/HK); names and codes are never converted."""
    return language_of(doc.meta, doc.subsidiary).words


def stamp_pages(writer: PdfWriter, stamp: PageObject, place: Callable[[PageObject], Place]) -> None:
    """Draw ``stamp`` on every page of ``writer``, where ``place`` says for that page."""
    ref = _xobject(writer, stamp)
    for index, page in enumerate(writer.pages):
        spot = place(page)
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        xobjects[NameObject("/PBStamp")] = ref
        draw = f"/Artifact <</Type /Pagination>> BDC q 1 0 0 1 {spot.x:.2f} {spot.y:.2f} cm /PBStamp Do Q EMC"
        append_content(writer, index, draw.encode("ascii"))


def _xobject(writer: PdfWriter, stamp: PageObject) -> IndirectObject:
    contents = stamp.get_contents()
    stream = DecodedStreamObject()
    stream.set_data(contents.get_data() if contents is not None else b"")
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): stamp.mediabox,
            NameObject("/Resources"): _dict(stamp["/Resources"]).clone(writer),
        }
    )
    return writer._add_object(stream.flate_encode())


def _dict(obj: object) -> DictionaryObject:
    found = obj.get_object() if isinstance(obj, IndirectObject) else obj
    assert isinstance(found, DictionaryObject)
    return found


def mm(value: float) -> float:
    return value * PT_PER_MM
