"""Write stage: the language tag of a variant (zh-CN, zh-TW, zh-HK, en-US), shared by the writers."""

from __future__ import annotations

from policybook.model import Document

REGIONS = {"zh-Hans": ("zh", "CN"), "zh-Hant": ("zh", "TW"), "en": ("en", "US")}


def lang_region(doc: Document) -> tuple[str, str]:
    lang, region = REGIONS.get(doc.meta.locale, ("zh", "CN"))
    if doc.meta.locale == "zh-Hant" and doc.subsidiary.region:
        region = doc.subsidiary.region
    return lang, region
