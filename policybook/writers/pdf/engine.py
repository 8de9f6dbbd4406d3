"""Write stage (pdf): one Typst compile per document in a private compile root.

The compile root is a fresh temporary folder holding only the template, the
data (``data.json``) and a copy of the logo, so the template can read nothing
else on the machine. Dates follow ``SOURCE_DATE_EPOCH`` (or are left out), so
the same source gives the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import typst

from policybook.dates import source_date
from policybook.diagnostics import fail
from policybook.garbage import paused
from policybook.language import of as language_of
from policybook.model import Brand, Document
from policybook.timings import stage
from policybook.writers.pdf.data import document_data
from policybook.writers.pdf.forms import Sheet, form_sheets, sheet_files, sheet_info
from policybook.writers.pdf.labels import labels_for
from policybook.writers.pdf.settings import brand_settings, font_dirs, lang_region
from policybook.writers.typst_fonts import compiler

TEMPLATE = Path(__file__).with_name("handbook.typ")
STANDARDS = ("a-2b", "a-2u", "a-3b", "ua-1")


@dataclass(frozen=True)
class PdfOptions:
    """Writer options; ``POLICYBOOK_PDF_STANDARD=a-2b`` sets ``standard`` from the environment."""

    standard: str = ""  # "" | a-2b | a-2u | a-3b | ua-1
    tagged: bool = True

    @classmethod
    def from_env(cls) -> PdfOptions:
        return cls(standard=os.environ.get("POLICYBOOK_PDF_STANDARD", "").strip().lower())


def payload(doc: Document, brand: Brand, logo: str, sheets: dict[str, Sheet] | None = None) -> dict[str, Any]:
    """Everything the template reads: model, brand settings, labels, PDF metadata, form sheets."""
    lang, region = lang_region(doc)
    return {
        "forms": sheet_info(sheets or {}),
        "doc": document_data(doc),
        "brand": brand_settings(doc, brand),
        "labels": labels_for(language_of(doc.meta, doc.subsidiary)),
        "lang": lang,
        "region": region,
        "logo": logo,
        "pdf": pdf_info(doc),
    }


def pdf_info(doc: Document) -> dict[str, Any]:
    meta, sub = doc.meta, doc.subsidiary
    title = f"{meta.title} — {sub.name}" if meta.locale == "en" else f"{sub.name}{meta.title}"
    date = source_date()
    return {
        "title": title,
        "author": list(dict.fromkeys(a for a in (meta.group, sub.name) if a)),
        "subject": f"{meta.title} {meta.code} v{meta.version}",
        "keywords": [meta.code, f"v{meta.version}", meta.effective, sub.code, sub.name, meta.locale],
        "date": _date_args(date) if date else None,
    }


def _date_args(date: datetime) -> dict[str, int]:
    return {
        "year": date.year,
        "month": date.month,
        "day": date.day,
        "hour": date.hour,
        "minute": date.minute,
        "second": date.second,
    }


def compile_pdf(doc: Document, brand: Brand, options: PdfOptions) -> bytes:
    """The PDF bytes of ``doc`` as laid out by the template (forms as appendices)."""
    with stage("form sheets"):
        sheets = form_sheets(doc, brand, svg=bool(options.standard))
    files = sheet_files(sheets)
    return compile_template(TEMPLATE, lambda logo: payload(doc, brand, logo, sheets), brand, options, files)


def compile_template(
    template: Path,
    data: Callable[[str], dict[str, Any]],
    brand: Brand,
    options: PdfOptions,
    files: Mapping[str, bytes] | None = None,
) -> bytes:
    """Compile ``template`` in a private root holding only it, ``data.json``, the logo and ``files``.

    ``data`` gets the logo's file name inside the root ("" for none)."""
    check_standard(options)
    with tempfile.TemporaryDirectory(prefix="policybook-pdf-") as tmp:
        with stage("template data"):
            main = prepare_root(template, data, brand, Path(tmp), files)
        with stage("typst"):
            return run_compiler(compiler(str(main), str(main.parent), tuple(font_dirs(brand))), brand, options)


def check_standard(options: PdfOptions) -> None:
    if options.standard and options.standard not in STANDARDS:
        raise fail(None, f"unknown PDF standard '{options.standard}'", "pdf.standard", f"known: {', '.join(STANDARDS)}")


def prepare_root(
    template: Path,
    data: Callable[[str], dict[str, Any]],
    brand: Brand,
    root: Path,
    files: Mapping[str, bytes] | None = None,
) -> Path:
    """Fill ``root`` with the template, the logo, ``files`` and ``data.json``; returns the main file."""
    shutil.copyfile(template, root / template.name)
    for name, content in (files or {}).items():
        (root / name).write_bytes(content)
    logo = _copy_logo(brand, root)
    with paused():
        text = json.dumps(data(logo), ensure_ascii=False)
    (root / "data.json").write_text(text, encoding="utf-8")
    return root / template.name


def _copy_logo(brand: Brand, root: Path) -> str:
    if not brand.logo:
        return ""
    name = "logo" + Path(brand.logo).suffix.lower()
    shutil.copyfile(brand.logo, root / name)
    return name


def run_compiler(typst_compiler: typst.Compiler, brand: Brand, options: PdfOptions) -> bytes:
    """Compile with ``typst_compiler`` (a fresh one, or one kept warm between builds)."""
    date = source_date()
    try:
        result = typst_compiler.compile(
            pdf_standards=[options.standard] if options.standard else [],  # type: ignore[list-item]
            timestamp=int(date.timestamp()) if date else None,
            pdf_tags=options.tagged,
        )
    except typst.TypstError as exc:
        if "logo" in str(exc):
            raise fail(
                brand.loc_of("logo"), f"the logo of brand kit '{brand.name}' cannot be drawn: {exc}", "brand.logo"
            ) from exc
        raise
    assert isinstance(result, bytes)
    return result
