"""Write stage (forms): typeset one form with Typst and read back where its boxes are.

The form goes to ``layout.typ`` as JSON (``sys.inputs.data``); the template
leaves a ``<pb-field>`` marker in every fillable box and a ``<pb-page>`` marker in
every page's footer, and ``query`` on the same compiler (which reuses the compiled
layout) returns their positions and the page count. Each form is compiled once,
undated, and kept (compiled.py); the forms writer's copy is dated afterwards
(:func:`stamped`), so the handbook's 附件 pages, the DOCX and the fillable PDF all
come from one compile — and none of them needs pypdf to learn pages or size.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from policybook.dates import build_time
from policybook.model import Appendix, Document, FormCell, FormRow
from policybook.writers.forms import compiled
from policybook.writers.pdf.settings import lang_region, variant_fonts
from policybook.writers.typst_fonts import compiler

TEMPLATE = Path(__file__).with_name("layout.typ")
PAPERS = {"A4": ("a4", False), "A5": ("a5", False), "A4-landscape": ("a4", True)}
PAPER_MM = {"a4": (210, 297), "a5": (148, 210)}
METRICS = {"row": 9.0, "line": 7.5, "size": 10.0}
COMPACT = {"row": 7.2, "line": 5.8, "size": 9.0}  # when a form does not fit on one page
MAX_SIZE = 10.5
LABEL_SHARE = 0.42  # a label takes at most this part of its cell
MM_PER_PT = 25.4 / 72
MARGINS = {"margin-x": 15.0, "margin-top": 12.0, "margin-bottom": 16.0}
WORDS = {
    "zh-Hans": {
        **{"sign": "签字", "date": "日期", "year": "年", "month": "月", "day": "日", "notes": "注", "colon": "："},
        **{"or": "／"},
    },
    "zh-Hant": {
        **{"sign": "簽字", "date": "日期", "year": "年", "month": "月", "day": "日", "notes": "註", "colon": "："},
        **{"or": "／"},
    },
    "en": {
        "sign": "Signature",
        "date": "Date",
        "year": " Y ",
        "month": " M ",
        "day": " D",
        "notes": "Notes",
        "colon": ": ",
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
    pages: int = 1
    size: tuple[float, float] = (0.0, 0.0)  # page width and height, points (as the PDF's MediaBox)


def typeset(
    doc: Document, appendix: Appendix, serials: list[str] | None = None, svg: bool = False, dated: bool = True
) -> Typeset:
    """Compile the form; return the PDF (and with ``svg`` its pages as SVG) and every marker's box.

    A form that runs over one page is set again with compact metrics; a pad
    (``serials``) uses the metrics its blank form needed. The layout is compiled
    undated and kept (per process, and in the user cache for the other writers and
    the next build); ``dated`` then writes the build time into the PDF's metadata
    (:func:`stamped`). ``dated=False``: a form drawn inside the handbook.
    """
    data = form_data(doc, appendix, [])
    sheet = _compile(data, svg)
    if sheet.pages > 1:
        data = form_data(doc, appendix, [], compact=True)
        sheet = _compile(data, svg)
    if serials:
        sheet = _fresh({**data, "serials": serials}, svg, _timestamp())
    elif dated:
        pdf = stamped(sheet.pdf, _timestamp())
        sheet = replace(sheet, pdf=pdf) if pdf is not None else _fresh(data, svg, _timestamp())
    return replace(sheet, compact=data["metrics"] == COMPACT)


def _compile(data: dict[str, Any], svg: bool) -> Typeset:
    logo = data["header"]["logo"]
    changed = os.stat(logo).st_mtime_ns if logo else 0
    return _compiled(json.dumps(data, sort_keys=True, ensure_ascii=False), svg, changed)


@lru_cache(maxsize=16)
def _compiled(key: str, svg: bool, logo_changed: int) -> Typeset:
    """The undated layout: kept per process (``watch`` sets an unchanged form once) and
    in the user cache (the other writers' processes, the next build)."""
    data = json.loads(key)
    entry = compiled.key(data, svg, TEMPLATE)
    kept = compiled.load(entry)
    if kept is None:
        with compiled.claimed(entry):
            kept = compiled.load(entry)  # made by another writer while this one waited
            if kept is None:
                kept = _typst(data, svg, 0)
                compiled.save(entry, kept)
    return _result(data, kept)


def _fresh(data: dict[str, Any], svg: bool, stamp: int) -> Typeset:
    return _result(data, _typst(data, svg, stamp))


def _typst(data: dict[str, Any], svg: bool, stamp: int) -> compiled.Compiled:
    """One Typst compile in a private root (the template and the logo, nothing else can
    be read); the queries reuse the compiler's layout."""
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
        pages = len(json.loads(form.query("<pb-page>", field="value")))  # one marker in every page's footer
        drawn = form.compile(format="svg") if svg else []
    svgs = [drawn] if isinstance(drawn, bytes) else list(drawn or [])
    return compiled.Compiled(pdf, marks, pages, svgs)


def _result(data: dict[str, Any], kept: compiled.Compiled) -> Typeset:
    size = page_size(data)
    boxes = [_box(m, size[1]) for m in kept.marks]
    return Typeset(kept.pdf, boxes, kept.svgs, pages=kept.pages, size=size)


UNDATED = (b"(D:19700101000000Z)", b">1970-01-01T00:00:00+00:00<")  # what Typst writes for timestamp 0
INSTANCE_RE = re.compile(rb"<xmpMM:InstanceID>([A-Za-z0-9+/=]{24})</xmpMM:InstanceID>")


def stamped(pdf: bytes, stamp: int) -> bytes | None:
    """The undated PDF Typst wrote, dated ``stamp`` (seconds since 1970, UTC) as Typst dates it:
    the document info, the XMP dates and a new instance id (in the XMP and the trailer's /ID).
    Every replacement has the length of what it replaces, so the cross-reference table stays
    right. None if the PDF is not as this Typst writes it (then the form is compiled dated)."""
    when = datetime.datetime.fromtimestamp(stamp, datetime.UTC)
    info, xmp = when.strftime("(D:%Y%m%d%H%M%SZ)").encode(), when.strftime(">%Y-%m-%dT%H:%M:%S+00:00<").encode()
    instance = INSTANCE_RE.search(pdf)
    if len(info) != len(UNDATED[0]) or len(xmp) != len(UNDATED[1]) or instance is None:
        return None
    old, new = instance.group(1), base64.b64encode(hashlib.sha256(instance.group(1) + b"\0" + info).digest()[:16])
    trailer_id = b")(" + old + b")]"
    if pdf.count(UNDATED[0]) != 2 or pdf.count(UNDATED[1]) != 2 or pdf.count(trailer_id) != 1:
        return None
    out = pdf.replace(UNDATED[0], info).replace(UNDATED[1], xmp)
    return out.replace(b"InstanceID>" + old, b"InstanceID>" + new).replace(trailer_id, b")(" + new + b")]")


def page_size(data: dict[str, Any]) -> tuple[float, float]:
    """Width and height in points, as the MediaBox Typst writes says (a 32-bit float's shortest text)."""
    short, long = PAPER_MM[data["page"]["paper"]]
    w, h = (long, short) if data["page"]["flipped"] else (short, long)
    return _as_written(w / MM_PER_PT), _as_written(h / MM_PER_PT)


def _as_written(value: float) -> float:
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return float(text)
    return single


def _timestamp() -> int:
    return int(build_time().timestamp())  # SOURCE_DATE_EPOCH when set, else now


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
