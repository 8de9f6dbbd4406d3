"""Write stage: the change table (修订对照表) as a landscape PDF, compiled by Typst.

Same engine and brand settings as the handbook PDF; the table rows and their
highlighted segments come from the ChangeTable as data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policybook.dates import long_date
from policybook.model import ChangeTable, Document, Segment
from policybook.source.brand import default_brand
from policybook.writers.changes import changes_stem, register
from policybook.writers.pdf.engine import PdfOptions, compile_template, pdf_info
from policybook.writers.pdf.settings import brand_settings, lang_region

TEMPLATE = Path(__file__).with_name("changes.typ")
LABELS = {
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


def _document(table: ChangeTable) -> Document:
    """The handbook-shaped view the shared PDF settings read (metadata, language, fonts)."""
    return Document(
        meta=table.meta, subsidiary=table.subsidiary, chapters=[], appendices=[], revisions=[], brand=table.brand
    )


def _segments(xs: list[Segment]) -> list[dict[str, Any]]:
    return [{"text": s.text, "changed": s.changed} for s in xs]


def table_data(table: ChangeTable, convert: Any = None) -> dict[str, Any]:
    doc = _document(table)
    brand = table.brand or default_brand()
    lang, region = lang_region(doc)
    labels = dict(LABELS["en" if lang == "en" else "zh"])
    meta = table.meta
    locale = meta.locale
    words = {
        "title": meta.title,
        "company": table.subsidiary.name,
        "old": table.old_version,
        "new": meta.version,
        "old_date": long_date(table.old_effective, locale),
        "new_date": long_date(meta.effective, locale),
    }
    info = pdf_info(doc)
    return {
        "brand": brand_settings(doc, brand),
        "labels": {**labels, "versions": f"{meta.code} v{table.old_version} → v{meta.version}"},
        "lang": lang,
        "region": region,
        "title": f"{table.subsidiary.name}{meta.title}{labels['title']}"
        if lang != "en"
        else f"{meta.title} {labels['title']}",
        "author": info["author"],
        "keywords": [*info["keywords"], f"v{table.old_version}"],
        "date": info["date"],
        "company": table.subsidiary.name,
        "code": meta.code,
        "heading": labels["heading"].format(**words),
        "subheading": labels["sub"].format(**words),
        "rows": [
            {
                "seq": r.seq,
                "old_number": r.old_number,
                "new_number": r.new_number,
                "old": _segments(r.old),
                "new": _segments(r.new),
                "note": r.note,
            }
            for r in table.rows
        ],
        "renumbered": table.renumbered_summary,
    }


def write(table: ChangeTable, out: Path) -> list[Path]:
    brand = table.brand or default_brand()
    pdf = compile_template(TEMPLATE, lambda _logo: table_data(table), brand, PdfOptions.from_env())
    path = out / f"{changes_stem(table)}.pdf"
    path.write_bytes(pdf)
    return [path]


register("pdf", write)
