"""Write stage (html): the stylesheet — the brand kit's colours, system font stacks.

Colours come from the kit (validated ``#RRGGBB``; anything else falls back to
the built-in kit's). Fonts are never downloaded: the kit's families come first
(used when installed), then the platforms' own CJK faces in the variant's
script, then the generic family.
"""

from __future__ import annotations

import re

from policybook.language import of as language_of
from policybook.model import Brand, Document
from policybook.source.brand import default_brand
from policybook.writers.html.pages import environment

COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
FAMILY_RE = re.compile(r"^[\w .\-]+$")
SANS = {  # region → system sans-serif CJK faces (macOS/iOS, Windows, Android/Linux)
    "CN": ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"],
    "TW": ["PingFang TC", "Microsoft JhengHei", "Noto Sans CJK TC", "Source Han Sans TC"],
    "HK": ["PingFang HK", "Microsoft JhengHei", "Noto Sans CJK HK", "Noto Sans CJK TC", "Source Han Sans HK"],
}
SERIF = {
    "CN": ["Songti SC", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC"],
    "TW": ["Songti TC", "PMingLiU", "Noto Serif CJK TC", "Source Han Serif TC"],
    "HK": ["Songti TC", "MingLiU_HKSCS", "Noto Serif CJK HK", "Noto Serif CJK TC", "Source Han Serif HK"],
}
LATIN_SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial"]


def stylesheet(brand: Brand, doc: Document) -> str:
    region = language_of(doc.meta, doc.subsidiary).region
    region = {"MO": "HK", "SG": "CN"}.get(region, region) if region in (*SANS, "MO", "SG") else "CN"
    fallback = default_brand().colors
    colors = {k: v if COLOR_RE.match(v or "") else fallback.get(k, "#000000") for k, v in _colors(brand).items()}
    sans = [*LATIN_SANS, *SANS[region]]
    return (
        environment()
        .get_template("site.css")
        .render(
            brand=_family(brand.name) or "default",
            colors=colors,
            sans=_stack(sans, "sans-serif"),
            serif=_stack([*_regional(brand.fonts.get("body", []), region), *SERIF[region]], "serif"),
            heading=_stack(
                [*LATIN_SANS, *_regional(brand.fonts.get("heading", []), region), *SANS[region]], "sans-serif"
            ),
        )
    )


def _colors(brand: Brand) -> dict[str, str]:
    base = dict(default_brand().colors)
    base.update(brand.colors)
    return {k: base.get(k, "") for k in ("primary", "accent", "text", "muted", "rule", "shade")}


def _regional(families: list[str], region: str) -> list[str]:
    """A kit's ``… SC`` family in a Traditional variant's region face first (TC / HK)."""
    if region == "CN":
        return families
    suffix = " HK" if region == "HK" else " TC"
    out: list[str] = []
    for family in families:
        if family.endswith(" SC"):
            out.append(family[:-3] + suffix)
        out.append(family)
    return out


def _family(name: str) -> str:
    return name if FAMILY_RE.match(name) else ""


def _stack(families: list[str], generic: str) -> str:
    names = [f for f in dict.fromkeys(_family(f) for f in families) if f]
    quoted = [f if f.startswith("-") or f == "system-ui" else f'"{f}"' for f in names]
    return ", ".join([*quoted, generic])
