"""Procedure stage: typeset a document of blocks (``procedure.typ``) with Typst, as the ledger's stamps are.

A document is a list of plain blocks (``title``, ``h``, ``p``, ``kv``, ``table``, ``box``,
``ok``, ``blank``, ``break``) built by the caller; fonts, colours and language come from
a resolved document's brand kit (or the built-in kit), never from code here.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from policybook.ledger.stamp import MONO
from policybook.model import Brand, Document
from policybook.source.brand import default_brand
from policybook.writers.pdf.settings import lang_region
from policybook.writers.typst_fonts import compiler

TEMPLATE = Path(__file__).with_name("procedure.typ")
Block = dict[str, Any]


def style_of(doc: Document | None) -> dict[str, Any]:
    """Fonts, colours and language of ``doc`` (its brand kit), else of the built-in kit in zh-Hans."""
    brand: Brand = (doc.brand if doc else None) or default_brand()
    lang, region = lang_region(doc) if doc else ("zh", "CN")
    return {
        "fonts": brand.fonts.get("body", []) + brand.fonts.get("heading", []),
        "mono": MONO + brand.fonts.get("body", []),
        "colors": {k: brand.colors.get(k, "#000000") for k in ("text", "muted", "rule", "primary")},
        "lang": lang,
        "region": region,
    }


def typeset(blocks: list[Block], title: str, header: str, style: dict[str, Any]) -> bytes:
    """The PDF of ``blocks`` (deterministic under ``SOURCE_DATE_EPOCH``)."""
    data = {"title": title, "header": header, "blocks": blocks, **style}
    with tempfile.TemporaryDirectory(prefix="policybook-procedure-") as tmp:
        shutil.copyfile(TEMPLATE, Path(tmp) / TEMPLATE.name)
        typst = compiler(str(Path(tmp) / TEMPLATE.name), tmp, sys_inputs={"data": json.dumps(data)})
        pdf = typst.compile(format="pdf", timestamp=int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0))
    assert isinstance(pdf, bytes)
    return pdf


def mono(text: str, wrap: bool = False) -> dict[str, Any]:
    """Code-like text (a SHA-256); ``wrap`` lets it break every 16 characters (narrow table cells)."""
    if wrap:
        text = "\u200b".join(text[i : i + 16] for i in range(0, len(text), 16))
    return {"text": text, "mono": True}
