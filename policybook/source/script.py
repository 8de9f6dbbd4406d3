"""Read stage: the script settings of handbook.yaml and of a subsidiary.

``region`` (the source's own region when it is Traditional: TW by default),
``quotes`` (auto | corner | curly), ``names`` (words never converted) and
``conversions`` (the group's own words in each script), checked with file:line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policybook.diagnostics import Diagnostics
from policybook.model import Loc
from policybook.source.schema import Key, check_mapping, entries, text, texts
from policybook.source.yamlfile import LocDict, scalar_text

QUOTES = ("auto", "corner", "curly")
FORMS = ("zh-Hans", "zh-Hant", "zh-CN", "zh-TW", "zh-HK", "zh-MO")
CONVERSION = {form: Key("text") for form in FORMS}
HANDBOOK_KEYS = {
    "region": Key("text", choices=("CN", "TW", "HK", "MO", "SG")),
    "quotes": Key("text", choices=QUOTES),
    "names": Key("texts"),
    "conversions": Key("list"),
}
SUBSIDIARY_KEYS = {
    "group": Key("text"),
    "quotes": Key("text", choices=QUOTES),
    "names": Key("texts"),
}


@dataclass(frozen=True)
class Conversion:
    """One of the group's words, as written in each script or region."""

    forms: dict[str, str]  # "zh-Hans" / "zh-Hant" / "zh-TW" … → the word
    loc: Loc

    def form(self, locale: str, region: str) -> str:
        """The word for a variant: its region's form, else its script's."""
        if locale == "zh-Hans":
            return self.forms.get(f"zh-{region}") or self.forms.get("zh-Hans") or self.forms.get("zh-CN", "")
        return self.forms.get(f"zh-{region}") or self.forms.get("zh-Hant", "")


@dataclass
class ScriptSettings:
    region: str = ""
    quotes: str = "auto"
    names: list[str] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)
    group: str = ""  # a subsidiary's own spelling of the group's name


def handbook_script(data: LocDict, diags: Diagnostics) -> ScriptSettings:
    return ScriptSettings(
        region=text(data, "region"),
        quotes=text(data, "quotes", "auto"),
        names=texts(data, "names"),
        conversions=_conversions(data, diags),
    )


def subsidiary_script(data: LocDict) -> ScriptSettings:
    return ScriptSettings(quotes=text(data, "quotes", "auto"), names=texts(data, "names"), group=text(data, "group"))


def _conversions(data: LocDict, diags: Diagnostics) -> list[Conversion]:
    result: list[Conversion] = []
    for entry, loc in entries(data, "conversions"):
        if check_mapping(entry, CONVERSION, loc, "conversion", diags) is None:
            continue
        forms = {key: scalar_text(value) for key, value in entry.items() if key in CONVERSION and _word(value)}
        if len(forms) < 2:
            diags.error(
                loc,
                "a conversion needs the word in at least two scripts",
                "conversion.incomplete",
                "e.g. {zh-Hans: 华远通, zh-Hant: 華遠通}",
            )
            continue
        result.append(Conversion(forms, loc))
    return result


def _word(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
