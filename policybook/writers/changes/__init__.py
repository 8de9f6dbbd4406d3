"""Write stage: change tables (修订对照表) — JSON here; PDF and DOCX beside it.

A registry like the document writers', for the other model type: each writer
takes a :class:`ChangeTable` and an output folder and returns the files written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policybook.dates import long_date
from policybook.language import of as language_of
from policybook.model import ChangeTable, Document
from policybook.naming import safe

LABELS: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "修订对照表",
        "columns": ["序号", "原条款", "修订后条款", "说明"],
        "page": "第 {x} 页 共 {y} 页",
        "renumbered": "序号调整：",
        "empty": "两个版本之间没有条款内容的变化。",
        "legend": "说明：原条款中删除的文字以删除线标出，修订后条款中新增或修改的文字以下划线标出。",
        "heading": "{title}修订对照表",
        "sub": "{company}　{old} 版（{old_date}）→ {new} 版（自{new_date}起施行）",
    },
    "en": {
        "title": "Revision table",
        "columns": ["No.", "Previous text", "Revised text", "Notes"],
        "page": "Page {x} of {y}",
        "renumbered": "Renumbering: ",
        "empty": "No article changed between the two versions.",
        "legend": "Deleted words are struck through; new or changed words are underlined.",
        "heading": "{title}: revision table",
        "sub": "{company} · version {old} ({old_date}) → {new} (effective {new_date})",
    },
}
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
    title = labels_for(table)["title"]
    return safe(f"{meta.code}-{sub.code}-v{table.old_version}-to-v{meta.version}-{title}")


def labels_for(table: ChangeTable) -> dict[str, Any]:
    """The fixed words of a change table in its language, script and region."""
    if table.meta.locale == "en":
        return dict(LABELS["en"])
    return dict(language_of(table.meta, table.subsidiary).labels(LABELS["zh"]))


def headings(table: ChangeTable) -> tuple[str, str]:
    """The heading and the line below it (company, old and new version with their dates)."""
    meta, labels = table.meta, labels_for(table)
    words = {
        "title": meta.title,
        "company": table.subsidiary.name,
        "old": table.old_version,
        "new": meta.version,
        "old_date": long_date(table.old_effective, meta.locale),
        "new_date": long_date(meta.effective, meta.locale),
    }
    return labels["heading"].format(**words), labels["sub"].format(**words)


def full_title(table: ChangeTable) -> str:
    """The document title for file metadata, e.g. ``乙公司员工手册修订对照表``."""
    meta, title = table.meta, labels_for(table)["title"]
    return f"{meta.title} {title}" if meta.locale == "en" else f"{table.subsidiary.name}{meta.title}{title}"


def versions(table: ChangeTable) -> str:
    """e.g. ``D-001 v1.0 → v1.1`` (the footer line)."""
    return f"{table.meta.code} v{table.old_version} → v{table.meta.version}"


def document_view(table: ChangeTable) -> Document:
    """The handbook-shaped view shared writer settings read (metadata, language, fonts, brand)."""
    return Document(
        meta=table.meta, subsidiary=table.subsidiary, chapters=[], appendices=[], revisions=[], brand=table.brand
    )
