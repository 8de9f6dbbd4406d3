"""Write stage, shared by the writers: page sizes and brand-kit lengths in twips and points.

Plain arithmetic with no writer's library behind it, so the PDF writer can size
table columns the way the DOCX writer does without loading python-docx.
"""

from __future__ import annotations

import re

TWIPS_PER = {"pt": 20.0, "mm": 1440 / 25.4, "cm": 14400 / 25.4, "in": 1440.0}
PAGE_SIZES_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "B5": (176, 250), "LETTER": (215.9, 279.4)}


def length_pt(value: str, default: float, em: float = 10.5) -> float:
    """A kit length (``10.5pt``, ``25mm``, ``0.9em`` …) in points."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in|em)\s*", value or "")
    if not found:
        return default
    number, unit = float(found[1]), found[2]
    return number * em if unit == "em" else number * TWIPS_PER[unit] / 20


def twips(value: str, default_mm: float) -> int:
    return round(20 * length_pt(value, default_mm * TWIPS_PER["mm"] / 20))


def page_twips(size: str) -> tuple[int, int]:
    """``A4``, ``A5``, ``Letter``, ``A4-landscape`` or ``210mm x 297mm`` in twips."""
    name = size.strip().upper()
    landscape = name.endswith("-LANDSCAPE")
    width, height = PAGE_SIZES_MM.get(name.removesuffix("-LANDSCAPE"), (0, 0))
    found = re.fullmatch(r"\s*(\S+)\s*[x×]\s*(\S+)\s*", size)
    if not width and found:
        return twips(found[1], 210), twips(found[2], 297)
    width, height = (width or 210) * TWIPS_PER["mm"], (height or 297) * TWIPS_PER["mm"]
    return (round(height), round(width)) if landscape else (round(width), round(height))
