"""Write stage (pdf): brand kit → settings the Typst template can use as-is.

Lengths become points or ems, paper names become Typst's, font lists keep only
families that exist (first found wins, the rest are per-glyph fallbacks) and
follow the variant's region (SC / TC / HK cuts, language.Language.family). A kit whose fonts are all
missing is a user error naming the kit, never a silent fallback to tofu.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from policybook.diagnostics import fail
from policybook.language import Language
from policybook.language import of as language_of
from policybook.model import Brand, Document, Loc
from policybook.writers.typst_fonts import families

LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|pt|in|em)\s*$")
TO_PT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
PAPERS = {"a4": "a4", "a5": "a5", "a3": "a3", "b5": "iso-b5", "letter": "us-letter", "us-letter": "us-letter"}


def length(value: str, loc: Loc, what: str) -> dict[str, float]:
    """``"25mm"`` → ``{"pt": 70.87}``; ``"2em"`` → ``{"em": 2}``."""
    match = LENGTH.match(value)
    if not match:
        raise fail(loc, f"{what} must be a length such as 25mm, 10.5pt or 2em, found '{value}'", "brand.value")
    number, unit = float(match.group(1)), match.group(2)
    return {"em": number} if unit == "em" else {"pt": round(number * TO_PT[unit], 3)}


def lang_region(doc: Document) -> tuple[str, str]:
    """Typst's ``lang`` and ``region`` (zh + CN / TW / HK, en + US)."""
    lang = language_of(doc.meta, doc.subsidiary)
    return lang.locale[:2], lang.region


def font_dirs(brand: Brand) -> list[str]:
    """A kit may carry its own fonts in ``<kit>/fonts/``."""
    folder = Path(brand.folder) / "fonts"
    return [str(folder)] if folder.is_dir() else []


def installed_families(dirs: tuple[str, ...]) -> frozenset[str]:
    return families(dirs)


def font_list(brand: Brand, role: str, lang: Language, installed: frozenset[str]) -> list[str]:
    """The kit's families for ``role`` that exist, in the variant's cut (SC, TC or HK)."""
    wanted = [lang.family(f, installed) for f in brand.fonts.get(role, [])]
    found = list(dict.fromkeys(f for f in wanted if f in installed))
    if not found:
        families = ", ".join(brand.fonts.get(role, [])) or "none"
        raise fail(
            brand.loc_of(f"fonts.{role}"),
            f"no {role} font of brand kit '{brand.name}' is installed ({families})",
            "brand.font",
            "install one of them, put font files in the kit's fonts/ folder, or list an installed family",
        )
    return found


def variant_fonts(doc: Document, brand: Brand) -> dict[str, list[str]]:
    """The kit's body, heading and mono families that exist, in the variant's cut (SC / TC / HK)."""
    lang = language_of(doc.meta, doc.subsidiary)
    installed = installed_families(tuple(font_dirs(brand)))
    return {role: font_list(brand, role, lang, installed) for role in ("body", "heading", "mono")}


def brand_settings(doc: Document, brand: Brand) -> dict[str, Any]:
    """Colours, fonts, page and text settings for the template."""
    return {
        "colors": dict(brand.colors),
        "fonts": variant_fonts(doc, brand),
        "paper": _paper(brand),
        "margin": {
            key: length(value, brand.loc_of(f"page.{key}"), f"page.{key}")
            for key, value in brand.page.items()
            if key != "size"
        },
        "text": {key: length(value, brand.loc_of(f"text.{key}"), f"text.{key}") for key, value in brand.text.items()},
        "style": brand.style,
        "cover": brand.cover,
        "chapter_break": brand.chapter_break,
    }


def _paper(brand: Brand) -> str:
    size = brand.page.get("size", "A4")
    paper = PAPERS.get(size.lower())
    if paper is None:
        known = ", ".join(PAPERS)
        raise fail(
            brand.loc_of("page.size"), f"page.size '{size}' is not a known paper size", "brand.value", f"known: {known}"
        )
    return paper
