"""Real clients for the tests: PDF form clients PDFium (Chrome), MuPDF, pdf.js (Firefox) and
Poppler; LibreOffice opening a DOCX and printing it to PDF.

Each client fills a form the way its viewer does when a user types, ticks and
picks, saves it, and reads a saved form back. Values are PDF field values keyed
by full field name (acroform.to_fields / from_fields map them to CSV-style rows):
a text, ``True``/``False`` for a checkbox, the on-state (``"2"``) of a radio group.

A client that is not installed raises :class:`Missing` — the tests fail, saying
how to install it; nothing is skipped.
"""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

JS = Path(__file__).with_name("js")
FieldValues = Mapping[str, str | bool]


class Missing(RuntimeError):
    pass


# ---------------------------------------------------------------- PDFium (pypdfium2)


def pdfium_fill(src: Path, values: FieldValues, out: Path) -> None:
    """Focus each field and replace its text, click boxes and radio buttons, save (as Chrome does)."""
    pdfium, raw = _pdfium()
    doc = pdfium.PdfDocument(str(src))
    form = doc.init_forms()
    assert form is not None, "PDFium sees no AcroForm"
    handle = doc.formenv.raw
    todo = dict(values)
    for page in doc:
        for annot, name, kind in _pdfium_widgets(raw, handle, page):
            if name not in todo:
                continue
            if kind == raw.FPDF_FORMFIELD_TEXTFIELD:
                raw.FORM_SetFocusedAnnot(handle, annot)
                raw.FORM_SelectAllText(handle, page.raw)
                raw.FORM_ReplaceSelection(handle, page.raw, _wide(str(todo[name])))
                raw.FORM_ForceToKillFocus(handle)
            elif _pdfium_wants_click(raw, handle, annot, kind, todo[name]):
                _click(raw, handle, page.raw, annot)
        for annot, name, _ in _pdfium_widgets(raw, handle, page):
            todo.pop(name, None) if name in todo and _pdfium_done(raw, handle, annot, todo[name]) else None
    doc.save(str(out))
    doc.close()


def pdfium_read(path: Path) -> dict[str, str | bool]:
    pdfium, raw = _pdfium()
    doc = pdfium.PdfDocument(str(path))
    doc.init_forms()
    handle = doc.formenv.raw
    out: dict[str, str | bool] = {}
    for page in doc:
        for annot, name, kind in _pdfium_widgets(raw, handle, page):
            if kind == raw.FPDF_FORMFIELD_CHECKBOX:
                out[name] = bool(raw.FPDFAnnot_IsChecked(handle, annot))
            elif kind == raw.FPDF_FORMFIELD_RADIOBUTTON:
                if raw.FPDFAnnot_IsChecked(handle, annot):
                    out[name] = _utf16(raw.FPDFAnnot_GetFormFieldExportValue, handle, annot)
                else:
                    out.setdefault(name, "")
            else:
                out[name] = _utf16(raw.FPDFAnnot_GetFormFieldValue, handle, annot)
    doc.close()
    return out


def _pdfium():  # type: ignore[no-untyped-def]
    try:
        import pypdfium2
        import pypdfium2.raw
    except ImportError as exc:
        raise Missing("PDFium client: pypdfium2 is not installed (pip install -e '.[dev]')") from exc
    return pypdfium2, pypdfium2.raw


def _pdfium_widgets(raw, handle, page):  # type: ignore[no-untyped-def]
    for i in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, i)
        if raw.FPDFAnnot_GetSubtype(annot) != raw.FPDF_ANNOT_WIDGET:
            continue
        name = _utf16(raw.FPDFAnnot_GetFormFieldName, handle, annot)
        yield annot, name, raw.FPDFAnnot_GetFormFieldType(handle, annot)


def _pdfium_wants_click(raw, handle, annot, kind, wanted) -> bool:  # type: ignore[no-untyped-def]
    checked = bool(raw.FPDFAnnot_IsChecked(handle, annot))
    if kind == raw.FPDF_FORMFIELD_CHECKBOX:
        return checked != bool(wanted)
    if kind == raw.FPDF_FORMFIELD_RADIOBUTTON:
        return not checked and _utf16(raw.FPDFAnnot_GetFormFieldExportValue, handle, annot) == wanted
    return False


def _pdfium_done(raw, handle, annot, wanted) -> bool:  # type: ignore[no-untyped-def]
    kind = raw.FPDFAnnot_GetFormFieldType(handle, annot)
    if kind == raw.FPDF_FORMFIELD_RADIOBUTTON:
        return (
            bool(raw.FPDFAnnot_IsChecked(handle, annot))
            and _utf16(raw.FPDFAnnot_GetFormFieldExportValue, handle, annot) == wanted
        )
    return True


def _click(raw, handle, page, annot) -> None:  # type: ignore[no-untyped-def]
    rect = raw.FS_RECTF()
    assert raw.FPDFAnnot_GetRect(annot, rect)
    x, y = (rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2
    raw.FORM_OnMouseMove(handle, page, 0, x, y)
    raw.FORM_OnLButtonDown(handle, page, 0, x, y)
    raw.FORM_OnLButtonUp(handle, page, 0, x, y)
    raw.FORM_ForceToKillFocus(handle)


def _wide(text: str):  # type: ignore[no-untyped-def]
    data = (text + "\0").encode("utf-16-le")
    buffer = ctypes.create_string_buffer(data, len(data))
    return ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))


def _utf16(function, *args) -> str:  # type: ignore[no-untyped-def]
    size = function(*args, None, 0)
    buffer = ctypes.create_string_buffer(size)
    function(*args, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
    return buffer.raw[: max(size - 2, 0)].decode("utf-16-le", errors="replace")


# ---------------------------------------------------------------- MuPDF (pymupdf)


def mupdf_fill(src: Path, values: FieldValues, out: Path) -> None:
    """Set each widget's value and let MuPDF draw its appearance, save."""
    fitz = _mupdf()
    doc = fitz.open(str(src))
    for page in doc:
        for widget in page.widgets():
            name = widget.field_name
            if name not in values:
                continue
            wanted = values[name]
            if widget.field_type == fitz.PDF_WIDGET_TYPE_CHECKBOX:
                widget.field_value = widget.on_state() if wanted else "Off"
            elif widget.field_type == fitz.PDF_WIDGET_TYPE_RADIOBUTTON:
                if widget.on_state() != wanted:
                    continue
                widget.field_value = True
            else:
                widget.field_value = str(wanted)
            widget.update()
    doc.save(str(out), garbage=1)
    doc.close()


def mupdf_read(path: Path) -> dict[str, str | bool]:
    fitz = _mupdf()
    doc = fitz.open(str(path))
    out: dict[str, str | bool] = {}
    for page in doc:
        for widget in page.widgets():
            name, value = widget.field_name, widget.field_value
            if widget.field_type == fitz.PDF_WIDGET_TYPE_CHECKBOX:
                out[name] = value not in (False, "Off", "", None)
            elif widget.field_type == fitz.PDF_WIDGET_TYPE_RADIOBUTTON:
                if value not in (False, "Off", "", None):
                    out[name] = widget.on_state()
                else:
                    out.setdefault(name, "")
            else:
                out[name] = value or ""
    doc.close()
    return out


def _mupdf():  # type: ignore[no-untyped-def]
    try:
        import pymupdf
    except ImportError as exc:
        raise Missing("MuPDF client: pymupdf is not installed (pip install -e '.[dev]')") from exc
    return pymupdf


# ---------------------------------------------------------------- pdf.js (pdfjs-dist under node)


def pdfjs_fill(src: Path, values: FieldValues, out: Path) -> None:
    """pdf.js annotation storage + saveDocument(), as Firefox's "save" does."""
    spec = out.with_suffix(".values.json")
    spec.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    _node("fill", str(src), str(spec), str(out))


def pdfjs_read(path: Path) -> dict[str, str | bool]:
    raw = json.loads(_node("read", str(path)))
    return {name: value for name, value in raw.items()}


def _node(*args: str) -> str:
    node = shutil.which("node")
    if node is None:
        raise Missing("pdf.js client: node is not installed (make setup installs Debian's nodejs)")
    if not (JS / "node_modules" / "pdfjs-dist").is_dir():
        raise Missing(f"pdf.js client: pdfjs-dist is not installed (run: npm ci --prefix {JS})")
    result = subprocess.run([node, str(JS / "pdfjs-client.mjs"), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pdf.js failed: {result.stderr[-2000:]}")
    return result.stdout


# ---------------------------------------------------------------- Poppler (reader only)


def poppler_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        raise Missing("Poppler client: pdftotext is not installed (Debian package poppler-utils)")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


# ---------------------------------------------------------------- LibreOffice (a DOCX reader)


def libreoffice_pdf(source: Path, folder: Path) -> Path:
    """``source`` (a DOCX) printed to PDF in ``folder`` by LibreOffice, with a private profile
    (parallel runs never clash)."""
    if shutil.which("soffice") is None:
        raise Missing("LibreOffice: soffice is not installed (Debian package libreoffice-writer-nogui)")
    profile = folder / "lo-profile"
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    convert = ["--convert-to", "pdf", "--outdir", str(folder), str(source)]
    subprocess.run([*command, *convert], check=True, capture_output=True, timeout=300)
    return folder / f"{source.stem}.pdf"


CLIENTS = {
    "pdfium": (pdfium_fill, pdfium_read),
    "mupdf": (mupdf_fill, mupdf_read),
    "pdfjs": (pdfjs_fill, pdfjs_read),
}


# ---------------------------------------------------------------- programmatic fillers (pypdf, pdftk)


def pypdf_fill(src: Path, values: FieldValues, out: Path, mode: str = "appearances") -> None:
    """pypdf's ``update_page_form_field_values`` as a script filling a form would call it.

    ``mode``: ``appearances`` (auto_regenerate=False: pypdf draws every appearance),
    ``flatten`` (flatten=True: values printed into the page), ``need`` (NeedAppearances set:
    the viewer draws)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(str(src))
    buttons = {name for name, field in (reader.get_fields() or {}).items() if field.get("/FT") == "/Btn"}
    writer = PdfWriter(clone_from=reader)
    texts = {k: v for k, v in values.items() if k not in buttons}
    states = {k: NameObject("/Yes" if v is True else "/Off" if v is False else f"/{v}") for k, v in values.items()}
    states = {k: v for k, v in states.items() if k in buttons}
    if mode == "need":
        writer.set_need_appearances_writer(True)
    for page in writer.pages:
        writer.update_page_form_field_values(
            page, {**texts, **states}, auto_regenerate=mode == "need", flatten=mode == "flatten"
        )
    writer.write(str(out))


def pdftk_fill(src: Path, values: FieldValues, out: Path, need_appearances: bool = True) -> None:
    """``pdftk in.pdf fill_form values.xfdf output out.pdf [need_appearances]`` (pdftk-java, Debian)."""
    pdftk = shutil.which("pdftk")
    if pdftk is None:
        raise Missing("pdftk: pdftk is not installed (Debian package pdftk-java, scripts/setup-system.sh)")
    xfdf = out.with_suffix(".xfdf")
    xfdf.write_text(_xfdf(values), encoding="utf-8")
    command = [pdftk, str(src), "fill_form", str(xfdf), "output", str(out)]
    result = subprocess.run(command + (["need_appearances"] if need_appearances else []), capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"pdftk failed ({result.returncode}): {result.stderr.decode(errors='replace')[-2000:]}")


def _xfdf(values: FieldValues) -> str:
    """XFDF with dotted names as nested fields (``date.y`` → <field name="date"><field name="y">)."""
    from xml.sax.saxutils import escape, quoteattr

    tree: dict = {}
    for name, value in values.items():
        node = tree
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = ("Yes" if value else "Off") if isinstance(value, bool) else value

    def emit(node: dict) -> str:
        parts = []
        for key, item in node.items():
            inner = emit(item) if isinstance(item, dict) else f"<value>{escape(str(item))}</value>"
            parts.append(f"<field name={quoteattr(key)}>{inner}</field>")
        return "".join(parts)

    body = emit(tree)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><xfdf xmlns="http://ns.adobe.com/xfdf/"><fields>{body}</fields></xfdf>'
    )


def pdflib_fill(src: Path, values: FieldValues, out: Path) -> None:
    """pdf-lib under node: set every field, save without redrawing, NeedAppearances set (a script
    filling Chinese values does so unless it embeds a CJK font with fontkit)."""
    spec = out.with_suffix(".values.json")
    spec.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    if not (JS / "node_modules" / "pdf-lib").is_dir():
        raise Missing(f"pdf-lib filler: pdf-lib is not installed (run: npm ci --prefix {JS})")
    node = shutil.which("node")
    if node is None:
        raise Missing("pdf-lib filler: node is not installed (make setup installs Debian's nodejs)")
    result = subprocess.run(
        [node, str(JS / "pdflib-client.mjs"), "fill", str(src), str(spec), str(out)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"pdf-lib failed: {result.stderr[-2000:]}")


FILLERS = {
    "pypdf": lambda src, values, out: pypdf_fill(src, values, out, "appearances"),
    "pypdf-flatten": lambda src, values, out: pypdf_fill(src, values, out, "flatten"),
    "pypdf-need": lambda src, values, out: pypdf_fill(src, values, out, "need"),
    "pdftk": pdftk_fill,
    "pdf-lib": pdflib_fill,
}
