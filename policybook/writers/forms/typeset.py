"""Write stage (forms): typeset one form with Typst and read back where its boxes are.

The form goes to ``layout.typ`` as JSON (``sys.inputs.data``); the template
leaves a ``<pb-field>`` marker in every fillable box, and one ``query`` on the
same compiler (which reuses the compiled layout) returns their positions.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from policybook.dates import build_time
from policybook.model import Appendix, Document, FormCell, FormRow
from policybook.writers.pdf.settings import lang_region, variant_fonts
from policybook.writers.typst_fonts import compiler

TEMPLATE = Path(__file__).with_name("layout.typ")
PAPERS = {"A4": ("a4", False), "A5": ("a5", False), "A4-landscape": ("a4", True)}
METRICS = {"row": 9.0, "line": 7.5, "size": 10.0}
COMPACT = {"row": 7.2, "line": 5.8, "size": 9.0}  # when a form does not fit on one page
MAX_SIZE = 10.5
LABEL_SHARE = 0.42  # a label takes at most this part of its cell
MM_PER_PT = 25.4 / 72
MARGINS = {"margin-x": 15.0, "margin-top": 12.0, "margin-bottom": 16.0}
WORDS = {
    "zh-Hans": {
        **{"sign": "签字", "date": "日期", "year": "年", "month": "月", "day": "日", "notes": "注", "colon": "："},
        **{"fill": "请填写", "or": "／"},
    },
    "zh-Hant": {
        **{"sign": "簽字", "date": "日期", "year": "年", "month": "月", "day": "日", "notes": "註", "colon": "："},
        **{"fill": "請填寫", "or": "／"},
    },
    "en": {
        "sign": "Signature",
        "date": "Date",
        "year": " Y ",
        "month": " M ",
        "day": " D",
        "notes": "Notes",
        "colon": ": ",
        "fill": "Enter text",
        "or": " / ",
    },
}


@dataclass(frozen=True)
class Box:
    """Where a marker sat: PDF user space (origin bottom-left), in points."""

    name: str
    kind: str  # text | multiline | date | number | serial | signature | checkbox | radio | slot
    page: int  # 1-based
    x: float
    y: float  # bottom edge
    w: float
    h: float


@dataclass(frozen=True)
class Typeset:
    pdf: bytes
    boxes: list[Box]
    svgs: list[bytes] = field(default_factory=list)  # the pages as SVG, when asked for
    compact: bool = False  # set with COMPACT metrics to fit one page


def typeset(
    doc: Document, appendix: Appendix, serials: list[str] | None = None, svg: bool = False, dated: bool = True
) -> Typeset:
    """Compile the form; return the PDF (and with ``svg`` its pages as SVG) and every marker's box.

    A form that runs over one page is set again with compact metrics; a pad
    (``serials``) uses the metrics its blank form needed. ``dated=False`` leaves the
    build time out of the PDF (a form drawn inside the handbook): such a result is
    kept per process, so ``watch`` sets an unchanged form once.
    """
    data = form_data(doc, appendix, [])
    stamp = _timestamp() if dated else 0
    sheet = _compile(data, svg, stamp)
    if _pages(sheet) > 1:
        data = form_data(doc, appendix, [], compact=True)
        sheet = _compile(data, svg, stamp)
    if serials:
        sheet = _compile({**data, "serials": serials}, svg, stamp)
    return replace(sheet, compact=data["metrics"] == COMPACT)


def _compile(data: dict[str, Any], svg: bool, stamp: int) -> Typeset:
    logo = data["header"]["logo"]
    changed = os.stat(logo).st_mtime_ns if logo else 0
    key = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return _compiled(key, svg, stamp, changed) if not stamp and not data["serials"] else _fresh(data, svg, stamp)


@lru_cache(maxsize=16)
def _compiled(key: str, svg: bool, stamp: int, logo_changed: int) -> Typeset:
    return _fresh(json.loads(key), svg, stamp)


def _fresh(data: dict[str, Any], svg: bool, stamp: int) -> Typeset:
    """One Typst compile in a private root (the template and the logo, nothing else can
    be read); the query reuses the compiler's layout."""
    with tempfile.TemporaryDirectory(prefix="policybook-form-") as tmp:
        root = Path(tmp)
        shutil.copyfile(TEMPLATE, root / TEMPLATE.name)
        logo = data["header"]["logo"]
        if logo:
            name = "logo" + Path(logo).suffix.lower()
            shutil.copyfile(logo, root / name)
            data = {**data, "header": {**data["header"], "logo": name}}
        form = compiler(str(root / TEMPLATE.name), str(root), sys_inputs={"data": json.dumps(data)})
        pdf = form.compile(format="pdf", timestamp=stamp, pdf_tags=False)
        assert isinstance(pdf, bytes)
        marks = json.loads(form.query("<pb-field>", field="value"))
        pages = form.compile(format="svg") if svg else []
    svgs = [pages] if isinstance(pages, bytes) else list(pages or [])
    return Typeset(pdf, [_box(m, _page_height(data)) for m in marks], svgs)


def _pages(sheet: Typeset) -> int:
    return len(PdfReader(io.BytesIO(sheet.pdf)).pages)


def _timestamp() -> int:
    return int(build_time().timestamp())  # SOURCE_DATE_EPOCH when set, else now


def _page_height(data: dict[str, Any]) -> float:
    portrait = {"a4": 841.89, "a5": 595.28}[data["page"]["paper"]]
    return {"a4": 595.28, "a5": 419.53}[data["page"]["paper"]] if data["page"]["flipped"] else portrait


def _box(mark: dict[str, Any], page_h: float) -> Box:
    y = page_h - mark["y"] - mark["h"]
    return Box(mark["name"], mark["kind"], mark["page"], mark["x"], y, mark["w"], mark["h"])


# ---------------------------------------------------------------- data for layout.typ


def form_data(doc: Document, appendix: Appendix, serials: list[str], compact: bool = False) -> dict[str, Any]:
    form = appendix.form
    brand = doc.brand
    assert brand is not None, "resolved documents carry a brand kit"
    paper, flipped = PAPERS.get(form.paper, PAPERS["A4"])
    lang, region = lang_region(doc)
    company = doc.subsidiary.name
    # Forms are dense: a kit's body size applies only up to 10.5 pt (gbt9704 sets 16 pt for prose).
    size = min(_points(brand.text.get("body-size", ""), METRICS["size"]), MAX_SIZE)
    metrics = dict(COMPACT) if compact else {**METRICS, "size": size}
    labels = LabelWidths(form.rows, text_width_mm(form.paper), metrics["size"])
    return {
        "page": {"paper": paper, "flipped": flipped, **MARGINS},
        "brand": {"colors": brand.colors, "fonts": variant_fonts(doc, brand)},
        "metrics": metrics,
        "lang": lang,
        "region": region.lower(),
        "words": WORDS.get(doc.meta.locale, WORDS["zh-Hans"]),
        "header": {"company": company, "title": form.title, "tag": form_tag(doc, appendix), "logo": brand.logo},
        "footer": {"left": f"{company} · {doc.meta.title}{appendix.number}", "right": f"{form.code} · V{form.version}"},
        "intro": form.intro,
        "notes": form.notes,
        "rows": [_row(r, labels) for r in form.rows],
        "serials": serials,
    }


def form_tag(doc: Document, appendix: Appendix) -> str:
    """What the form carries top-right: ``HR-F-003 · V2.0 · 附件一``."""
    return f"{appendix.form.code} · V{appendix.form.version} · {appendix.number}"


def _row(row: FormRow, labels: LabelWidths) -> dict[str, Any]:
    return {"section": row.section, "cells": [_cell(c, w) for c, w in zip(row.cells, labels.row(row), strict=True)]}


def _cell(cell: FormCell, label_mm: float) -> dict[str, Any]:
    return {
        "type": cell.type,
        "label": cell.label,
        "name": cell.name,
        "span": cell.span,
        "lines": cell.lines,
        "options": cell.options,
        "text": cell.text,
        "label-w": label_mm,
    }


def text_width_mm(paper: str) -> float:
    portrait = {"A4": 210.0, "A5": 148.0, "A4-landscape": 297.0}.get(paper, 210.0)
    return portrait - 2 * MARGINS["margin-x"]


class LabelWidths:
    """Label column widths (mm): one width for the whole form, so columns line up, but never
    more than LABEL_SHARE of a narrow cell; labels a little too long are set smaller."""

    def __init__(self, rows: list[FormRow], width_mm: float, size_pt: float) -> None:
        widest = max((text_width(c.label) for r in rows for c in r.cells), default=4.0)
        self.base = (min(max(widest, 4.0), 6.0) + 1.2) * size_pt * MM_PER_PT
        self.width = width_mm

    def row(self, row: FormRow) -> list[float]:
        total = sum(c.span for c in row.cells) or 1
        return [min(self.base, self.width * c.span / total * LABEL_SHARE) if c.label else 0.0 for c in row.cells]


def text_width(text: str) -> float:
    """Width in em: full-width characters 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _points(value: str, default: float) -> float:
    value = value.strip()
    return float(value[:-2]) if value.endswith("pt") and value[:-2].replace(".", "", 1).isdigit() else default
