"""Write stage: the change table (修订对照表) as a landscape PDF, compiled by Typst.

Same engine and brand settings as the handbook PDF; the table rows and their
highlighted segments come from the ChangeTable as data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policybook.model import ChangeTable, Segment
from policybook.source.brand import default_brand
from policybook.writers.changes import changes_stem, document_view, full_title, headings, labels_for, register, versions
from policybook.writers.pdf.engine import PdfOptions, compile_template, pdf_info
from policybook.writers.pdf.settings import brand_settings, lang_region

TEMPLATE = Path(__file__).with_name("changes.typ")


def _segments(xs: list[Segment]) -> list[dict[str, Any]]:
    return [{"text": s.text, "changed": s.changed} for s in xs]


def table_data(table: ChangeTable, convert: Any = None) -> dict[str, Any]:
    doc = document_view(table)
    brand = table.brand or default_brand()
    lang, region = lang_region(doc)
    labels = labels_for(table)
    heading, subheading = headings(table)
    info = pdf_info(doc)
    return {
        "brand": brand_settings(doc, brand),
        "labels": {**labels, "versions": versions(table)},
        "lang": lang,
        "region": region,
        "title": full_title(table),
        "author": info["author"],
        "keywords": [*info["keywords"], f"v{table.old_version}"],
        "date": info["date"],
        "company": table.subsidiary.name,
        "code": table.meta.code,
        "heading": heading,
        "subheading": subheading,
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
