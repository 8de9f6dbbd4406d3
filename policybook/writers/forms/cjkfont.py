"""Write stage (forms): a single-face CJK font cut for form-field appearances.

Viewers can only show a filled Chinese value if the AcroForm default resources
(/DR) carry a font with those glyphs. A whole Noto CJK collection (.ttc, 65,535
glyphs) breaks pypdf and viewers, so we take ONE face out of it and subset it
to a national character set (GB2312 for zh-Hans, Big5 for TW, Big5-HKSCS for HK) plus ASCII,
punctuation and any extra characters a filled value needs. The cut is a
CID-keyed CFF font (CIDs kept from the source face), written to a cache folder
(``$POLICYBOOK_CACHE``, else ``$XDG_CACHE_HOME/policybook``, else
``~/.cache/policybook``) so a build cuts it once, and kept in memory per process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont

from policybook.cache import user_cache_dir
from policybook.diagnostics import fail
from policybook.language import Language
from policybook.model import Brand
from policybook.writers.typst_fonts import fonts

CUT_VERSION = "2"  # bump when the cut recipe changes
EXTRA_RANGES = (
    (0x20, 0x7F),
    (0xA0, 0x100),
    (0x2010, 0x2070),
    (0x2160, 0x2180),
    (0x2460, 0x24A0),
    (0x25A0, 0x2600),
    (0x3000, 0x3040),
    (0xFF01, 0xFF5F),
)


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
    path: str  # the cached .cff

    def covers(self, text: str) -> bool:
        return all(ch in self.cids or ch in "\n\r\t" for ch in text)

    def missing(self, text: str) -> set[str]:
        return {ch for ch in text if ch not in self.cids and ch not in "\n\r\t"}

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.cids.get(ch, 0), 1000) for ch in text) * size / 1000

    def encode(self, text: str) -> bytes:
        """Two-byte CIDs (Identity-H); characters the cut lacks become CID 0 (.notdef)."""
        return b"".join(self.cids.get(ch, 0).to_bytes(2, "big") for ch in text)


def field_font(brand: Brand, lang: Language, extra: Iterable[str] = ()) -> CutFont:
    """The cut for a subsidiary's forms; ``extra`` adds characters beyond the charset."""
    path, index = find_face(brand, lang)
    return _cut(path, index, lang.charset, "".join(sorted(set(extra))))


def find_face(brand: Brand, lang: Language) -> tuple[str, int]:
    """The regular face of the brand's first sans (heading) CJK family installed, in the variant's cut."""
    kit = brand.fonts.get("heading", []) + brand.fonts.get("body", [])
    families = list(dict.fromkeys([lang.family(f) for f in kit] + kit))
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
    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        return "CFF " in font and hasattr(font["CFF "].cff.topDictIndex[0], "ROS")
    except Exception:  # noqa: BLE001 - an unreadable face is simply not a candidate
        return False


@lru_cache(maxsize=8)
def _cut(path: str, index: int, charset: str, extra: str) -> CutFont:
    """The cut from the cache (a bare CFF + a JSON of metrics), made on a miss."""
    stem = cache_dir() / _key(path, index, charset, extra)
    program, metrics = stem.with_suffix(".cff"), stem.with_suffix(".json")
    if not (program.is_file() and metrics.is_file()):
        font = _subset(path, index, charset_chars(charset) | set(extra))
        _write_atomic(program, font.getTableData("CFF "))
        _write_atomic(metrics, json.dumps(_metrics(font), ensure_ascii=False).encode("utf-8"))
    return _load(program, metrics)


def cache_dir() -> Path:
    return user_cache_dir("fonts")


def _key(path: str, index: int, charset: str, extra: str) -> str:
    stat = os.stat(path)
    raw = f"{CUT_VERSION}|{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{charset}|{extra}"
    return f"{Path(path).stem}-{index}-{charset}-{hashlib.sha256(raw.encode()).hexdigest()[:16]}"


def charset_chars(charset: str) -> set[str]:
    """Every character of a two-byte national charset, plus ASCII and common symbols."""
    chars = {chr(c) for lo, hi in EXTRA_RANGES for c in range(lo, hi)}
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                chars.update(bytes((lead, trail)).decode(charset))
            except UnicodeDecodeError:
                continue
    return chars


def _subset(path: str, index: int, chars: set[str]) -> TTFont:
    font = TTFont(path, fontNumber=index, lazy=True)
    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.notdef_outline = True
    opts.name_IDs = [1, 2, 3, 4, 6]
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)  # compiles the subset tables, so the CFF below is the cut
    return TTFont(io.BytesIO(out.getvalue()))


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".cut-", dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def _metrics(font: TTFont) -> dict[str, Any]:
    head, os2, hmtx = font["head"], font["OS/2"], font["hmtx"]
    scale = 1000 / head.unitsPerEm
    widths = {_cid(name): round(hmtx[name][0] * scale) for name in font.getGlyphOrder()}
    return {
        "postscript_name": str(font["name"].getDebugName(6) or "CJK").replace(" ", ""),
        "cids": {chr(code): _cid(name) for code, name in font.getBestCmap().items()},
        "widths": {str(cid): w for cid, w in widths.items() if w != 1000},
        "ascent": round(os2.sTypoAscender * scale),
        "descent": round(os2.sTypoDescender * scale),
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
    }


def _load(program: Path, metrics: Path) -> CutFont:
    data = json.loads(metrics.read_text(encoding="utf-8"))
    cids: dict[str, int] = data["cids"]
    widths = dict.fromkeys(cids.values(), 1000)
    widths.update({int(cid): w for cid, w in data["widths"].items()})
    return CutFont(
        postscript_name=data["postscript_name"],
        cff=program.read_bytes(),
        cids=cids,
        widths=widths,
        ascent=data["ascent"],
        descent=data["descent"],
        bbox=tuple(data["bbox"]),
        path=str(program),
    )


def _cid(glyph_name: str) -> int:
    return 0 if glyph_name == ".notdef" else int(glyph_name.removeprefix("cid"))
