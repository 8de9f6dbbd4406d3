"""Studio: review — the 修订对照表 per subsidiary (the code of ``policybook diff``), preview, comments,
submit, approve (never by the draft's own editor) or send back."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.security import safe_join
from werkzeug.wrappers import Response as BaseResponse

from policybook.changes import change_table
from policybook.model import ChangeTable
from policybook.studio import database, store
from policybook.studio.audit import record
from policybook.studio.drafts import _draft, _folder, _index
from policybook.studio.preview import Previews, png
from policybook.studio.roles import requires
from policybook.studio.schema import Comment, Draft
from policybook.studio.users import now
from policybook.studio.workspace import workspace

bp = Blueprint("review", __name__, url_prefix="/review")
NAV = [("review.index", "审批", ("approver", "publisher"))]
READERS = ("editor", "approver", "publisher")


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    app.extensions["studio_previews"] = Previews()


def _previews() -> Previews:
    found: Previews = current_app.extensions["studio_previews"]
    return found


@bp.get("/")
@requires("approver", "publisher")
def index() -> str:
    db = database.session()
    return render_template(
        "review/index.html", submitted=store.drafts(db, ("submitted",)), approved=store.drafts(db, ("approved",))
    )


def tables(draft: Draft) -> tuple[list[ChangeTable], list[str], store.Checked]:
    """The 修订对照表 of every subsidiary the draft changes (the same code as ``policybook diff``),
    and the subsidiaries it leaves as they are."""
    released = workspace().released()
    if released.checked is None:
        abort(503)
    checked = store.check_draft(draft, workspace().source, _index(), _folder(draft), None)
    if checked.result.checked is None:
        return [], [], checked
    changed, unchanged = [], []
    for sub, new in checked.result.checked.documents.items():
        old = released.checked.documents.get(sub)
        table = change_table(old, new) if old else None
        if table is not None and table.rows:
            changed.append(table)
        else:
            unchanged.append(new.subsidiary.name)
    return changed, unchanged, checked


@bp.get("/<int:draft_id>/diff")
@requires(*READERS)
def diff(draft_id: int) -> str:
    draft = _draft(draft_id, editable=False)
    changed, unchanged, checked = tables(draft)
    approvable = draft.state in ("submitted", "approved") and current_user.has("approver")
    approvable = approvable and draft.editor_id != current_user.id
    return render_template(
        "review/diff.html", draft=draft, tables=changed, unchanged=unchanged, checked=checked, approvable=approvable
    )


@bp.get("/<int:draft_id>/preview/<key>")
@requires(*READERS)
def preview(draft_id: int, key: str) -> str:
    draft = _draft(draft_id, editable=False)
    entry = _index().get(key)
    if entry is None:
        abort(404)
    sub = request.args.get("sub") or next(iter(entry.printed), "")
    if sub not in entry.printed:
        abort(404)
    state = store.sync_draft(draft, workspace().source, _index(), _folder(draft), workspace().stamp())
    anchor = entry.label or entry.printed[sub].anchor
    shown = _previews().build(draft.id, sub, _folder(draft) / workspace().source.name, _out(draft), anchor, state)
    if shown is None:
        flash("草稿有错误，无法预览。", "error")
    return render_template("review/preview.html", draft=draft, entry=entry, sub=sub, shown=shown)


def _out(draft: Draft) -> Path:
    return _folder(draft) / "out"


@bp.get("/<int:draft_id>/page/<sub>/<int:page>.png")
@requires(*READERS)
def page_png(draft_id: int, sub: str, page: int) -> Response:
    draft = _draft(draft_id, editable=False)
    folder = safe_join(str(_out(draft)), sub)
    pdfs = sorted(Path(folder).glob("*.pdf")) if folder and Path(folder).is_dir() else []
    if not pdfs:
        abort(404)
    try:
        body = png(pdfs[0], page)
    except IndexError:
        abort(404)
    return Response(body, mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.get("/<int:draft_id>/site/<sub>/<path:name>")
@requires(*READERS)
def site(draft_id: int, sub: str, name: str) -> Response:
    """The draft's HTML page, confined to its site folder; shown framed, its scripts not run."""
    draft = _draft(draft_id, editable=False)
    folder = safe_join(str(_out(draft)), sub, "html")
    path = safe_join(folder, name) if folder else None
    if path is None or not Path(path).is_file():
        abort(404)
    mimetype = {".html": "text/html", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        Path(path).suffix, "application/octet-stream"
    )
    response = Response(Path(path).read_bytes(), mimetype=mimetype)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'self'; script-src 'none'; style-src 'self'"
    return response


@bp.post("/<int:draft_id>/submit")
@requires("editor")
def submit(draft_id: int) -> BaseResponse:
    draft = _draft(draft_id)
    summary = request.form.get("summary", "").strip()[:2000]
    checked = store.check_draft(draft, workspace().source, _index(), _folder(draft), None)
    if not summary or not draft.changes or not checked.ok:
        flash("请填写修订说明；草稿须有修改且检查通过才能提交。", "error")
        return redirect(url_for("drafts.show", draft_id=draft.id))
    draft.summary, draft.state, draft.updated_at = summary, "submitted", now()
    record("submit", f"草稿 #{draft.id}", summary)
    flash("已提交审批。")
    return redirect(url_for("drafts.show", draft_id=draft.id))


@bp.post("/<int:draft_id>/comment")
@requires(*READERS)
def comment(draft_id: int) -> BaseResponse:
    draft = _draft(draft_id, editable=False)
    body = request.form.get("body", "").strip()[:4000]
    if body:
        database.session().add(Comment(draft_id=draft.id, author=current_user.name, body=body, created_at=now()))
        record("comment", f"草稿 #{draft.id}", body)
    return redirect(url_for("review.diff", draft_id=draft.id) + "#comments")


@bp.post("/<int:draft_id>/decide")
@requires("approver")
def decide(draft_id: int) -> BaseResponse:
    draft = _draft(draft_id, editable=False)
    if draft.editor_id == current_user.id:
        abort(403)  # never approved by its own editor
    verdict = request.form.get("verdict")
    # an approved draft can still be sent back (its article changed by another release: re-saved on the new text)
    if draft.state != "submitted" and not (verdict == "return" and draft.state == "approved"):
        abort(409)
    if verdict == "approve":
        draft.state, draft.approver_id = "approved", current_user.id
        flash("已批准，等待发布。")
    elif verdict == "return":
        draft.state = "returned"
        flash("已退回编辑修改。")
    else:
        abort(400)
    draft.updated_at = now()
    note = request.form.get("note", "").strip()[:2000]
    if note:
        database.session().add(Comment(draft_id=draft.id, author=current_user.name, body=note, created_at=now()))
    record("approve" if verdict == "approve" else "return", f"草稿 #{draft.id}", note)
    return redirect(url_for("review.diff", draft_id=draft.id))
