"""Studio: a subsidiary's forms — the blank to print, and numbered pads (``policybook forms``' functions)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from policybook.diagnostics import SourceError
from policybook.model import Document
from policybook.studio.audit import record
from policybook.studio.roles import requires
from policybook.studio.workspace import workspace
from policybook.writers.forms.fill import Request, check_serials, find_form
from policybook.writers.forms.fill import run as fill

bp = Blueprint("forms", __name__, url_prefix="/forms")
NAV = [("forms.index", "表单", ())]
FORMATS = {"plain": "{n}", "five": "{n:05d}", "coded": "{code}-{n:05d}"}


def _doc(sub: str) -> Document:
    released = workspace().released()
    if released.checked is None or sub not in released.checked.documents:
        abort(404)
    return released.checked.documents[sub]


@bp.get("/")
@requires()
def index() -> str:
    released = workspace().released()
    docs = released.checked.documents if released.checked else {}
    sub = request.args.get("sub") or next(iter(docs), "")
    if sub not in docs:
        abort(404)
    return render_template("forms/index.html", docs=docs, sub=sub, doc=docs[sub])


@bp.get("/<sub>/<form_id>.pdf")
@requires()
def blank(sub: str, form_id: str) -> Response:
    doc = _doc(sub)
    return _pdf(doc, Request(form_id), form_id)


@bp.post("/<sub>/<form_id>/pad")
@requires("editor", "publisher", "clerk", "admin")
def pad(sub: str, form_id: str) -> Response | BaseResponse:
    doc = _doc(sub)
    start, count = request.form.get("start", ""), request.form.get("count", "")
    style = FORMATS.get(request.form.get("format", "plain"), "{n}").replace("{code}", doc.subsidiary.code)
    if not (start.isdigit() and count.isdigit() and int(count) >= 1):
        flash("请填写起始编号和份数（正整数）。", "error")
        return redirect(url_for("forms.index", sub=sub))
    asked = Request(form_id, serial_start=int(start), count=int(count), serial_format=style)
    problem = check_serials(asked)
    if problem:
        flash(f"无法生成：份数过多或编号过长（{problem}）。", "error")
        return redirect(url_for("forms.index", sub=sub))
    record("pad", f"{sub} · {form_id}", f"编号 {start} 起 {count} 份")
    return _pdf(doc, asked, form_id)


def _pdf(doc: Document, asked: Request, form_id: str) -> Response:
    try:
        find_form(doc, form_id)
    except SourceError:
        abort(404)
    with tempfile.TemporaryDirectory(prefix="policybook-forms-") as folder:
        try:
            written = [p for p in fill(doc, asked, Path(folder)) if p.suffix == ".pdf"]
        except SourceError:  # a pad of a form without a serial (编号) field
            abort(404)
        if not written:
            abort(404)
        body = written[0].read_bytes()
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": "inline; filename=form.pdf"})
