"""Resolve stage: the language of one variant and the converter from the source's script to it.

The source declares its script (``locale:``, and ``region:`` for a Traditional
source, TW by default); a variant that shares script and region is not
converted (but a Traditional one is normalised by its region's tables, so leftover
Simplified characters read alike in TW and HK), any other is, both ways. Quotation marks follow the region (「」 for
TW/HK) unless handbook.yaml or the subsidiary sets ``quotes:``.
"""

from __future__ import annotations

from policybook.conversion import Converter, target_of
from policybook.language import Language, language
from policybook.source.project import Project, SubsidiarySource

HK_FORMS = ("HK", "MO")  # Hong Kong and Macau share their character forms


def variant_language(project: Project, sub: SubsidiarySource) -> Language:
    locale = sub.info.locale or project.meta.locale
    region = sub.info.region or (source_region(project) if locale == project.meta.locale else "")
    return language(locale, region)


def source_region(project: Project) -> str:
    return language(project.meta.locale, project.script.region).region


def converter(project: Project, sub: SubsidiarySource, lang: Language) -> Converter:
    source, region = project.meta.locale, source_region(project)
    same = source == lang.locale and (
        lang.locale != "zh-Hant" or region == lang.region or {region, lang.region} <= set(HK_FORMS)
    )
    if "en" in (source, lang.locale):
        return Converter(True, "", "none", names=())
    rules = []
    for entry in project.script.conversions:
        before, after = entry.form(source, region), entry.form(lang.locale, lang.region)
        if before and after and before != after:
            rules.append((before, after))
    quotes = sub.script.quotes if sub.script.quotes != "auto" else project.script.quotes
    if quotes == "auto":
        quotes = "corner" if lang.corner_quotes else "curly"
    names = [*project.script.names, *sub.script.names]
    # A Traditional source is converted into its own region too: Simplified characters left in
    # it (于 后 …) then read the same in TW as in HK (HK's conversion fixed them, TW printed
    # them as written); they are still reported, from the source text.
    traditional = same and lang.locale == "zh-Hant"
    target = target_of(lang.locale, lang.region)
    return Converter(same and not traditional, target, quotes, rules, names, scan_source=traditional)
