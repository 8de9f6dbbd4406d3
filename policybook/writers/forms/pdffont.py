"""Write stage (forms): a :class:`CutFont` as PDF objects (Type0 / CIDFontType0, Identity-H).

Embedded as a bare CFF program (FontFile3 /CIDFontType0C) with a /W width array
and a /ToUnicode CMap, so filled values both display and extract as text.
"""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from policybook.writers.forms.cjkfont import CutFont


def add_font(writer: PdfWriter, font: CutFont) -> IndirectObject:
    """Add the font's objects to ``writer``; returns the Type0 font reference."""
    name = NameObject(f"/{subset_tag(font)}+{font.postscript_name}")
    program = _compressed(font, {"/Subtype": NameObject("/CIDFontType0C")})
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): name,
            NameObject("/Flags"): NumberObject(4),
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(font.ascent),
            NameObject("/Descent"): NumberObject(font.descent),
            NameObject("/CapHeight"): NumberObject(font.ascent),
            NameObject("/StemV"): NumberObject(80),
            NameObject("/FontFile3"): writer._add_object(program),
        }
    )
    cid_font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType0"),
            NameObject("/BaseFont"): name,
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/FontDescriptor"): writer._add_object(descriptor),
            NameObject("/DW"): NumberObject(1000),
            NameObject("/W"): width_array(font),
        }
    )
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): name,
                NameObject("/Encoding"): NameObject("/Identity-H"),
                NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
                NameObject("/ToUnicode"): writer._add_object(_stream(to_unicode(font), {})),
            }
        )
    )


def subset_tag(font: CutFont) -> str:
    """Six capital letters derived from the font program (the PDF subset prefix)."""
    digest = hashlib.sha256(font.cff).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def width_array(font: CutFont) -> ArrayObject:
    """``[c [w …] …]`` for runs of consecutive CIDs whose width is not the default 1000."""
    out = ArrayObject()
    run: list[int] = []
    start = prev = -2
    for cid in sorted(c for c, w in font.widths.items() if w != 1000):
        if cid != prev + 1 and run:
            out.extend([NumberObject(start), ArrayObject(FloatObject(w) for w in run)])
            run = []
        if not run:
            start = cid
        run.append(font.widths[cid])
        prev = cid
    if run:
        out.extend([NumberObject(start), ArrayObject(FloatObject(w) for w in run)])
    return out


@lru_cache(maxsize=8)
def to_unicode(font: CutFont) -> bytes:
    chars: dict[int, str] = {}
    for ch, cid in sorted(font.cids.items(), key=lambda item: ord(item[0])):
        chars.setdefault(cid, ch)
    lines = [f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for cid, ch in sorted(chars.items()) if cid]
    blocks = []
    for i in range(0, len(lines), 100):
        chunk = lines[i : i + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (CMAP_HEAD + "\n".join(blocks) + CMAP_TAIL).encode("ascii")


@lru_cache(maxsize=8)
def _deflated(font: CutFont) -> bytes:
    return zlib.compress(font.cff, 6)


def _compressed(font: CutFont, entries: dict[str, object]) -> EncodedStreamObject:
    """The font program, deflated once per process however many PDFs embed it."""
    stream = EncodedStreamObject()
    stream._data = _deflated(font)  # already encoded: set_data would encode again
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in entries.items():
        stream[NameObject(key)] = value  # type: ignore[assignment]
    return stream


def _stream(data: bytes, entries: dict[str, object]) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(key)] = value  # type: ignore[assignment]
    return stream.flate_encode()  # type: ignore[return-value]


CMAP_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
CMAP_TAIL = """
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


# The standard CJK CID fonts every PDF viewer knows (Acrobat's Asian font pack): referenced,
# never embedded — the viewer draws them with an installed CJK face, found by the collection
# (Adobe-GB1) and the Unicode CMap. Named AdobeSongStd-Light (the pack's Song face), not
# STSong-Light: pdftk-java takes a font whose name starts with STSong-Light for one of iText's
# own CJK fonts, whose tables it does not ship, and fails on every form it fills.
STANDARD_FONTS = {
    "GB1": ("AdobeSongStd-Light", "UniGB-UCS2-H", 4),
}


def add_standard_font(writer: PdfWriter, ordering: str = "GB1") -> IndirectObject:
    """A non-embedded standard CID font (Type0, Unicode CMap): any BMP character it can map.

    Its /ToUnicode is the identity on UCS-2 codes (what the UCS2 CMap reads): a program
    that fills a field and encodes text through /ToUnicode (pypdf; Poppler drawing a field
    under NeedAppearances) writes each character's code, not ``?``."""
    base, cmap, supplement = STANDARD_FONTS[ordering]
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): NameObject(f"/{base}"),
            NameObject("/Flags"): NumberObject(6),  # serif, symbolic (a CJK collection)
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in (-25, -254, 1000, 880)),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(880),
            NameObject("/Descent"): NumberObject(-120),
            NameObject("/CapHeight"): NumberObject(880),
            NameObject("/StemV"): NumberObject(93),
        }
    )
    cid_font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType0"),
            NameObject("/BaseFont"): NameObject(f"/{base}"),
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject(ordering),
                    NameObject("/Supplement"): NumberObject(supplement),
                }
            ),
            NameObject("/FontDescriptor"): writer._add_object(descriptor),
            NameObject("/DW"): NumberObject(1000),
            NameObject("/W"): ArrayObject([NumberObject(1), NumberObject(95), NumberObject(500)]),
        }
    )
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): NameObject(f"/{base}"),
                NameObject("/Encoding"): NameObject(f"/{cmap}"),
                NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
                NameObject("/ToUnicode"): writer._add_object(_stream(identity_to_unicode(), {})),
            }
        )
    )


@lru_cache(maxsize=1)
def identity_to_unicode() -> bytes:
    """Code = UCS-2 code point for the whole BMP but the surrogates."""
    lines = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if not 0xD8 <= hi <= 0xDF]
    blocks = []
    for i in range(0, len(lines), 100):
        chunk = lines[i : i + 100]
        blocks.append(f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange")
    return (CMAP_HEAD + "\n".join(blocks) + CMAP_TAIL).encode("ascii")
