"""Write stage (forms): CJK glyph cuts for the values policybook itself draws into a form.

A viewer draws what a user types with the /DA font: a standard CJK CID font
reference (pdffont.STANDARD_FONT — nothing embedded, any character of GB 18030's
BMP, drawn with the viewer's own CJK face). What policybook draws (CSV values,
flattened copies) uses an embedded cut of the brand's CJK face holding only the
characters used, so a filled form stays small and looks the same everywhere.

A cut is a CID-keyed CFF font (CIDs kept from the source face). A batch cuts the
union of its characters from the face once (:func:`value_font`) and every copy
narrows that small cut to its own characters (:meth:`CutFont.narrow`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from policybook.diagnostics import fail
from policybook.model import Brand
from policybook.writers.typst_fonts import fonts

if TYPE_CHECKING:  # fontTools is loaded only when a value is drawn: a blank form never cuts a font
    from fontTools.ttLib import TTFont

ALWAYS = "0123456789年月日-/.:：，。、 "  # digits and date parts: every copy may need them
CONTROL = "\n\r\t"


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per cut
class CutFont:
    """A subset face: its CFF program and how to encode text with it (Identity-H)."""

    postscript_name: str
    cff: bytes
    cids: dict[str, int]  # character → CID
    widths: dict[int, int]  # CID → advance width (1000 units per em)
    ascent: int
    descent: int
    bbox: tuple[int, ...]
    otf: bytes  # the whole subset font, to narrow it further

    def covers(self, text: str) -> bool:
        return not self.missing(text)

    def missing(self, text: str) -> set[str]:
        return {ch for ch in text if ch not in self.cids and ch not in CONTROL}

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.cids.get(ch, 0), 1000) for ch in text) * size / 1000

    def encode(self, text: str) -> bytes:
        """Two-byte CIDs (Identity-H); characters the cut lacks become CID 0 (.notdef)."""
        return b"".join(self.cids.get(ch, 0).to_bytes(2, "big") for ch in text)

    def narrow(self, chars: Iterable[str]) -> CutFont:
        """The same cut with only ``chars`` (a copy's own characters): fast, the cut is small."""
        wanted = (set(chars) - set(CONTROL)) & self.cids.keys()
        if wanted == self.cids.keys():
            return self
        from fontTools.ttLib import TTFont

        # the cut has no hints left: keeping "hinting" spares re-reading every charstring
        return _from_font(*_subset(TTFont(io.BytesIO(self.otf), recalcBBoxes=False, lazy=True), wanted, hinted=True))


def value_font(brand: Brand, families: list[str], chars: Iterable[str]) -> CutFont:
    """A cut of the first CJK face of ``families`` with ``chars`` (and digits, date parts): for drawn values."""
    path, index = find_face(brand, families)
    return _cut(path, index, "".join(sorted((set(chars) | set(ALWAYS)) - set(CONTROL))))


def find_face(brand: Brand, families: list[str]) -> tuple[str, int]:
    """The regular face of the first CJK family of ``families`` installed (CID-keyed OpenType)."""
    faces = {(f.family, f.weight, f.style): f for f in fonts().fonts() if f.path}
    for family in families:
        face = faces.get((family, 400, "normal"))
        if face and face.path and _is_cid_cff(face.path, face.index):
            return face.path, face.index
    raise fail(
        brand.loc,
        f"no CJK font for form fields among {', '.join(families) or 'the brand fonts'}",
        "forms.font",
        "install fonts-noto-cjk or name an installed CJK OpenType family under fonts: heading",
    )


@lru_cache(maxsize=32)
def _is_cid_cff(path: str, index: int) -> bool:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        return "CFF " in font and hasattr(font["CFF "].cff.topDictIndex[0], "ROS")
    except Exception:  # noqa: BLE001 - an unreadable face is simply not a candidate
        return False


@lru_cache(maxsize=16)
def _cut(path: str, index: int, chars: str) -> CutFont:
    from fontTools.ttLib import TTFont

    return _from_font(*_subset(TTFont(path, fontNumber=index, lazy=True, recalcBBoxes=False), set(chars)))


def _subset(font: TTFont, chars: set[str], hinted: bool = False) -> tuple[TTFont, bytes]:
    """The subset font (parsed) and its bytes; bounding boxes are kept from the source face."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = hinted
    opts.notdef_outline = True
    opts.name_IDs = [1, 2, 3, 4, 6]
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)  # compiles the subset tables, so the CFF below is the cut
    return TTFont(io.BytesIO(out.getvalue()), recalcBBoxes=False), out.getvalue()


def _from_font(font: TTFont, otf: bytes) -> CutFont:
    data = _metrics(font)
    cids: dict[str, int] = data["cids"]
    widths = dict.fromkeys(cids.values(), 1000)
    widths.update(data["widths"])
    return CutFont(
        postscript_name=data["postscript_name"],
        cff=font.getTableData("CFF "),
        cids=cids,
        widths=widths,
        ascent=data["ascent"],
        descent=data["descent"],
        bbox=tuple(data["bbox"]),
        otf=otf,
    )


def _metrics(font: TTFont) -> dict[str, Any]:
    head, os2, hmtx = font["head"], font["OS/2"], font["hmtx"]
    scale = 1000 / head.unitsPerEm
    widths = {_cid(name): round(hmtx[name][0] * scale) for name in font.getGlyphOrder()}
    return {
        "postscript_name": str(font["name"].getDebugName(6) or "CJK").replace(" ", ""),
        "cids": {chr(code): _cid(name) for code, name in font.getBestCmap().items()},
        "widths": {cid: w for cid, w in widths.items() if w != 1000},
        "ascent": round(os2.sTypoAscender * scale),
        "descent": round(os2.sTypoDescender * scale),
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
    }


def _cid(glyph_name: str) -> int:
    return 0 if glyph_name == ".notdef" else int(glyph_name.removeprefix("cid"))
