"""Write stage: change tables (修订对照表) — JSON here; PDF and DOCX beside it.

A registry like the document writers', for the other model type: each writer
takes a :class:`ChangeTable` and an output folder and returns the files written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from policybook.model import ChangeTable
from policybook.naming import safe

ChangeWriter = Callable[[ChangeTable, Path], list[Path]]
CHANGE_WRITERS: dict[str, ChangeWriter] = {}
MODULES = ("policybook.writers.changes.json", "policybook.writers.changes.pdf", "policybook.writers.changes.docx")


def register(name: str, writer: ChangeWriter) -> ChangeWriter:
    CHANGE_WRITERS[name] = writer
    return writer


def available() -> dict[str, ChangeWriter]:
    for module in MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return dict(CHANGE_WRITERS)


def changes_stem(table: ChangeTable) -> str:
    """e.g. ``HY-HR-001-SH-v3.1-to-v3.2-修订对照表``."""
    meta, sub = table.meta, table.subsidiary
    title = "Revision table" if meta.locale == "en" else ("修訂對照表" if meta.locale == "zh-Hant" else "修订对照表")
    return safe(f"{meta.code}-{sub.code}-v{table.old_version}-to-v{meta.version}-{title}")
