"""Read stage: pictures (logos) checked before any writer sees them.

Typst and python-docx fail deep inside (or use memory without bound) on a
truncated PNG, a corrupt JPEG, an SVG with entities or a 100,000-pixel-wide
image. Each is found here by reading the file's own structure — PNG chunks with
their checksums, JPEG segments up to the frame header, SVG as XML without
entities or references to other files — so the problem is reported at the
brand.yaml line that names the picture.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from policybook import limits

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
SOF_MARKERS = {*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)}
SVG_NUMBER = re.compile(r"^\s*([0-9.]+)")
HREF = re.compile(r"""(?:href|src)\s*=\s*["']\s*(?!#|data:)([^"']+)""", re.IGNORECASE)


def image_problem(path: Path) -> str:
    """Why ``path`` is not a usable PNG, JPEG or SVG picture ("" if it is)."""
    size = path.stat().st_size
    if size > limits.IMAGE_BYTES:
        return f"is too large ({size:,} bytes; limit {limits.IMAGE_BYTES:,})"
    data = path.read_bytes()
    if data.startswith(PNG_MAGIC):
        return _png(data)
    if data.startswith(JPEG_MAGIC):
        return _jpeg(data)
    if path.suffix.lower() == ".svg":
        return _svg(data)
    return "is not a PNG, JPEG or SVG image"


def _pixels(width: float, height: float, kind: str) -> str:
    if width <= 0 or height <= 0:
        return f"is a {kind} image without a size"
    if width * height > limits.IMAGE_PIXELS:
        return f"is a {kind} image of {width:,.0f} × {height:,.0f} pixels (limit {limits.IMAGE_PIXELS:,} pixels)"
    return ""


def _png(data: bytes) -> str:
    pos, width, height, seen_end = len(PNG_MAGIC), 0, 0, False
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if len(body) < length or pos + 12 + length > len(data):
            break
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            return f"is a damaged PNG image (bad checksum in its {kind.decode('latin-1')} chunk)"
        if kind == b"IHDR" and length >= 8:
            width, height = struct.unpack(">II", body[:8])
        seen_end = kind == b"IEND"
        pos += 12 + length
        if seen_end:
            break
    if not seen_end:
        return "is a truncated PNG image (it ends before its last chunk)"
    return _pixels(width, height, "PNG")


def _jpeg(data: bytes) -> str:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return "is a damaged JPEG image (a segment does not start where it should)"
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in SOF_MARKERS and pos + 9 <= len(data):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            if not data.rstrip(b"\0").endswith(b"\xff\xd9"):
                return "is a truncated JPEG image (no end marker)"
            return _pixels(width, height, "JPEG")
        pos += 2 + length
    return "is a damaged or truncated JPEG image (no frame header)"


def _svg(data: bytes) -> str:
    from xml.etree import ElementTree  # only when there is an SVG to check

    head = data[:65536].lower()
    if b"<!entity" in head:
        return "is an SVG image that declares entities (not allowed: they can read files or expand without end)"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"is not a well-formed SVG image ({exc})"
    if not root.tag.endswith("svg"):
        return "is not an SVG image (its root element is not <svg>)"
    outside = HREF.search(data.decode("utf-8", errors="replace"))
    if outside:
        return f"is an SVG image that refers to another file ({outside.group(1)[:60]}); embed pictures as data: URLs"
    box = (root.get("viewBox") or "").replace(",", " ").split()
    width = _svg_length(root.get("width")) or (_svg_length(box[2]) if len(box) == 4 else 0.0)
    height = _svg_length(root.get("height")) or (_svg_length(box[3]) if len(box) == 4 else 0.0)
    if not width and not height:
        return ""  # a size-less SVG: the writers give it one
    return _pixels(width or 1, height or 1, "SVG")


def _svg_length(value: str | None) -> float:
    match = SVG_NUMBER.match(value or "")
    try:
        return float(match.group(1)) if match else 0.0
    except ValueError:
        return 0.0
