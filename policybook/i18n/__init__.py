"""Diagnostics in Chinese: a catalog keyed by diagnostic codes (``zh-Hans.yaml``).

Each entry has ``match`` (a pattern over the English message; its named groups are
the variable parts), ``zh`` (the Chinese message, with those groups) and an optional
``hint``; ``phrases`` translates fixed English phrases inside the groups. A message
the pattern does not fit keeps its English text after the entry's ``title``. The
Traditional catalog is the Simplified one put through the build's converter
(:mod:`policybook.conversion`), so there is one catalog to keep.

The command line speaks Chinese when ``LANG`` (or ``LC_ALL``/``LC_MESSAGES``) names zh
(``zh_TW``/``zh_HK`` → Traditional); the studio asks for the user's script.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from policybook.diagnostics import Diagnostic, Diagnostics
from policybook.safetext import printable

SEVERITY = {"error": "错误", "warning": "警告"}
HINT = "提示"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    import yaml  # only when a diagnostic is put into Chinese: a no-change build loads no parser

    text = (resources.files("policybook.i18n") / "zh-Hans.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=4)
def _converter(script: str) -> Any:
    if script != "zh-Hant":
        return lambda text: text
    from policybook.conversion import phrase_converter

    return phrase_converter("zh-tw")


def message(diag: Diagnostic, script: str = "zh-Hans") -> tuple[str, str]:
    """The diagnostic's message and hint in Chinese (``script`` zh-Hans or zh-Hant)."""
    catalog = _catalog()
    entry = catalog.get("codes", {}).get(diag.code)
    if not entry:
        return diag.message, diag.hint
    found = re.fullmatch(entry.get("match", "(?s).*"), diag.message)
    phrases: dict[str, str] = catalog.get("phrases", {})
    if found:
        parts = {k: _phrased(v or "", phrases) for k, v in found.groupdict().items()}
        text = entry["zh"].format(**parts)
    else:
        text = f"{entry.get('title', entry['zh'])}（{diag.message}）"
    hint = entry.get("hint", "") or _phrased(diag.hint, phrases)
    convert = _converter(script)
    return convert(text), convert(hint)


def line(diag: Diagnostic, script: str = "zh-Hans") -> str:
    """``path:line: 错误：消息（提示：…） [code]`` — the CLI's line, in Chinese."""
    text, hint = message(diag, script)
    where = f"{diag.loc}: " if diag.loc else ""
    hinted = f"（{HINT}：{hint}）" if hint else ""
    return _converter(script)(f"{where}{SEVERITY.get(diag.severity, diag.severity)}：{text}{hinted} [{diag.code}]")


def _phrased(text: str, phrases: dict[str, str]) -> str:
    for english, chinese in phrases.items():
        text = text.replace(english, chinese)
    return text


def script_of_environment(environ: dict[str, str] | None = None) -> str | None:
    """zh-Hans / zh-Hant when the locale asks for Chinese, else None (English, as before)."""
    env = os.environ if environ is None else environ
    value = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    if not value.lower().startswith("zh"):
        return None
    return "zh-Hant" if re.match(r"(?i)zh[_-](tw|hk|mo|hant)", value) else "zh-Hans"


def report(diags: Diagnostics, stream: Any, script: str) -> None:
    """:meth:`Diagnostics.report`, in Chinese."""
    for diag in diags.sorted():
        print(printable(line(diag, script)), file=stream)  # no escape sequences from names
    if diags.items:
        summary = f"policybook：{len(diags.errors)} 个错误，{len(diags.warnings)} 个警告"
        print(_converter(script)(summary), file=stream)
