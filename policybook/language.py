"""A variant's language: script, region, language tag, font cut, quotation marks, fixed words.

The one table every writer reads (handbook PDF and DOCX, forms, change tables,
file names), so a Hong Kong handbook is zh-HK with HK faces and 修訂對照表
everywhere. Fixed words are written once, in Simplified Chinese, and converted
to the variant's script by the same phrase converter as the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policybook.conversion import Converter, target_of

DEFAULT_REGION = {"zh-Hans": "CN", "zh-Hant": "TW", "en": "US"}
CUTS = {"CN": "SC", "SG": "SC", "TW": "TC", "HK": "HK", "MO": "HK"}  # Noto CJK faces per region
CUT_SUFFIXES = ("SC", "TC", "HK", "JP", "KR")  # how Noto-style CJK family names end
CHARSETS = {"SC": "gb2312", "TC": "big5", "HK": "big5hkscs"}  # what a cut form-field font must cover


@dataclass(frozen=True)
class Language:
    locale: str  # zh-Hans | zh-Hant | en
    region: str  # CN | SG | TW | HK | MO | US

    @property
    def chinese(self) -> bool:
        return self.locale != "en"

    @property
    def tag(self) -> str:
        """BCP 47 tag for PDF /Lang, DOCX w:lang and Typst: zh-CN, zh-TW, zh-HK, en-US."""
        return f"{self.locale[:2]}-{self.region}"

    @property
    def cut(self) -> str:
        """The Noto CJK face for this region: SC, TC or HK ("" for English)."""
        if self.locale == "en":
            return ""
        return CUTS.get(self.region, "TC" if self.locale == "zh-Hant" else "SC")

    @property
    def charset(self) -> str:
        return CHARSETS.get(self.cut, "gb2312")

    @property
    def corner_quotes(self) -> bool:
        return self.locale == "zh-Hant"

    def family(self, family: str, installed: frozenset[str] | None = None) -> str:
        """A Noto-style CJK family (… SC / TC / HK …) in this variant's cut, when that face is installed.

        HK falls back to TC (the same characters, Taiwan's glyph shapes) rather than SC.
        ``installed=None`` trusts the name (a DOCX names the face for the reader's machine).
        """
        base, _, suffix = family.rpartition(" ")
        if not self.cut or suffix not in CUT_SUFFIXES or suffix == self.cut:
            return family
        for wanted in (self.cut, "TC") if self.cut == "HK" else (self.cut,):
            if installed is None or f"{base} {wanted}" in installed:
                return f"{base} {wanted}"
        return family

    def words(self, text: str) -> str:
        """A fixed word written in Simplified Chinese, in this variant's script and region."""
        return _fixed(self.locale, self.region)(text) if self.locale == "zh-Hant" else text

    def labels(self, table: Any) -> Any:
        """A table of fixed words (dicts, lists, tuples of Simplified text) in this variant's script."""
        if isinstance(table, str):
            return self.words(table)
        if isinstance(table, dict):
            return {key: self.labels(value) for key, value in table.items()}
        if isinstance(table, list | tuple):
            return type(table)(self.labels(value) for value in table)
        return table


def language(locale: str, region: str = "") -> Language:
    """The language of a variant; a region that does not fit the script falls back to its default."""
    default = DEFAULT_REGION.get(locale, "CN")
    fits = {"zh-Hans": ("CN", "SG"), "zh-Hant": ("TW", "HK", "MO")}.get(locale, ())
    return Language(locale if locale in DEFAULT_REGION else "zh-Hans", region if region in fits else default)


def of(meta: Any, subsidiary: Any) -> Language:
    """The language of a resolved document or change table (its ``meta`` and ``subsidiary``)."""
    return language(meta.locale, subsidiary.region)


def _fixed(locale: str, region: str) -> Converter:
    return _converters.setdefault((locale, region), Converter(False, target_of(locale, region), "corner"))


_converters: dict[tuple[str, str], Converter] = {}
