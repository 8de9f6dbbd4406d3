"""Studio: drafts — edit an article, add/move/delete articles, the values grid; every save is checked.

A save is refused (nothing stored, the typed text kept in the form) when the draft
would not pass ``check``; the errors in what was just changed are shown at the field,
in Chinese. A save made on an older version of the same change is refused too, with
both versions shown (never a silent overwrite).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from policybook.studio import database, store
from policybook.studio.audit import record
from policybook.studio.drafting import apply, released_article
from policybook.studio.handbook import Entry, Index
from policybook.studio.roles import requires
from policybook.studio.schema import Draft
from policybook.studio.sourcetext import spans, split_heading
from policybook.studio.values import RULE_NAMES, VARIABLE, Grid, comments, grid, used_variables
from policybook.studio.workspace import workspace
from policybook.studio.yamledit import paths, scalar

bp = Blueprint("drafts", __name__, url_prefix="/drafts")
NAV = [("drafts.index", "草稿", ("editor", "approver", "publisher"))]
STATES = {"editing": "编辑中", "submitted": "待审批", "returned": "已退回", "approved": "已批准", "released": "已发布"}
KINDS = {"article": "修改条文", "value": "修改数值", "add": "新增条文", "move": "移动条文", "delete": "删除条文"}
MAX_TEXT = 20_000


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    app.extensions["studio_scratch"] = store.scratch_root()
    app.jinja_env.filters["chips"] = chips
    app.jinja_env.globals.update(draft_states=STATES, change_kinds=KINDS)


def chips(text: str) -> Markup:
    """Source text with every ``{{ variable }}`` shown as a labelled chip (the text escaped first)."""
    names = _variable_names()
    out, position = [], 0
    for match in VARIABLE.finditer(text):
        out.append(str(escape(text[position : match.start()])))
        path = match.group(1)
        out.append(f'<span class="chip" title="{escape(path)}">{escape(names.get(path, path))}</span>')
        position = match.end()
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def _variable_names() -> dict[str, str]:
    source = workspace().source
    return comments((source / "handbook.yaml").read_text(encoding="utf-8"))


def _index() -> Index:
    released = workspace().released()
    if released.index is None:
        abort(503)
    return released.index


def _draft(draft_id: int, editable: bool = True) -> Draft:
    """The draft, if this user may work on it: only its own editor edits it (anyone else: 403)."""
    draft = database.session().get(Draft, draft_id)
    if draft is None:
        abort(404)
    if editable and (draft.editor_id != current_user.id or not current_user.has("editor")):
        abort(403)
    if editable and draft.state not in store.OPEN:
        flash("草稿已提交或已发布，不能再修改。", "error")
        abort(409)
    return draft


def _folder(draft: Draft) -> Path:
    return store.working_folder(current_app.extensions["studio_scratch"], draft.id)


@bp.get("/")
@requires("editor", "approver", "publisher")
def index() -> str:
    return render_template("drafts/index.html", drafts=store.drafts(database.session()))


@bp.post("/new")
@requires("editor")
def new() -> BaseResponse:
    title = request.form.get("title", "").strip()[:200]
    draft = store.new_draft(database.session(), current_user.id, title)
    record("draft-new", f"草稿 #{draft.id}", draft.title)
    return redirect(url_for("drafts.show", draft_id=draft.id))


@bp.post("/start/<key>")
@requires("editor")
def start_article(key: str) -> BaseResponse:
    entry = _index().get(key)
    if entry is None:
        abort(404)
    db = database.session()
    draft = store.open_draft_of(db, current_user.id)
    if draft is None:
        draft = store.new_draft(db, current_user.id, f"修改：{entry.title or entry.key}")
        record("draft-new", f"草稿 #{draft.id}", draft.title)
    return redirect(url_for("drafts.article", draft_id=draft.id, key=key))


@bp.get("/<int:draft_id>")
@requires("editor", "approver", "publisher")
def show(draft_id: int) -> str:
    draft = _draft(draft_id, editable=False)
    index = _index()
    checked = store.check_draft(draft, workspace().source, index, _folder(draft), None)
    own = draft.editor_id == current_user.id and draft.state in store.OPEN
    return render_template(
        "drafts/show.html", draft=draft, checked=checked, own=own, index=index, files=_chapter_files(index)
    )


def _chapter_files(index: Index) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each chapter file with its articles (key, title), for the add and move forms."""
    files: dict[str, list[tuple[str, str]]] = {}
    for entry in sorted(index.entries.values(), key=lambda e: (e.file, e.line)):
        files.setdefault(entry.file, []).append((entry.key, entry.title or "（无标题）"))
    return list(files.items())


@bp.route("/<int:draft_id>/article/<key>", methods=["GET", "POST"])
@requires("editor")
def article(draft_id: int, key: str) -> str | BaseResponse | tuple[str, int]:
    draft = _draft(draft_id)
    index = _index()
    entry = index.get(key)
    if entry is None:
        abort(404)
    source = workspace().source
    released = released_article(source, index, key)
    change = store.change_for(draft, "article", key)
    current = change.text if change else released
    heading, body = split_heading(current)
    title = _title_of(heading)
    table = grid(workspace().released().checked.project, draft.changes)  # type: ignore[union-attr]
    context = dict(draft=draft, entry=entry, released=released, change=change, others=[], used=used_variables)
    context.update(var_names={r.path: r.name for r in table.rows}, var_value=_value_of(table))
    context["others"] = store.others_editing(database.session(), draft, key)
    if request.method == "GET":
        return render_template("drafts/article.html", title=title, body=body, checked=None, stale=None, **context)
    title = request.form.get("title", "").strip()[:200]
    body = request.form.get("body", "")[:MAX_TEXT].replace("\r\n", "\n")
    text = _heading(title, entry.label) + "\n\n" + body.strip("\n") + "\n"
    revision = _int(request.form.get("revision"))
    try:
        staged = store.stage_change(draft, "article", entry.file, key, text, released, revision, current_user.username)
    except store.Stale as stale:
        database.session().rollback()
        return render_template(
            "drafts/article.html", title=title, body=body, checked=None, stale=stale.change, **context
        ), 409
    checked = store.check_draft(draft, source, index, _folder(draft), _touched(draft, entry.file, text))
    if not checked.ok:
        database.session().rollback()
        return render_template(
            "drafts/article.html", title=title, body=body, checked=checked, stale=None, **context
        ), 422
    record("save", f"草稿 #{draft.id} · {key}", "修改条文", before=released, after=text)
    _warm_preview(draft, entry, checked)
    flash("已保存，检查通过。")
    return redirect(url_for("drafts.article", draft_id=draft.id, key=key, saved=staged.revision))


def _warm_preview(draft: Draft, entry: Entry, checked: store.Checked) -> None:
    """Start building the article's preview (for the subsidiary last previewed, else the first that prints
    it) from the save's own
    check (``watch``'s writers kept warm): the preview asked for next is ready, or nearly."""
    previews = current_app.extensions["studio_previews"]
    sub = previews.last.get(draft.id, "")
    sub = sub if sub in entry.printed else next(iter(entry.printed), "")
    documents = checked.result.checked.documents if checked.result.checked else {}
    if sub in documents:
        source, out = _folder(draft) / workspace().source.name, _folder(draft) / "out"
        now = store.state(checked.result.applied, workspace().stamp())
        previews.warm(draft.id, sub, source, out, entry.label or entry.printed[sub].anchor, now, documents[sub])


@bp.post("/<int:draft_id>/shown")
@requires("editor")
def shown(draft_id: int) -> str:
    """The text as typed, with its variables as chips (htmx swaps it in while the editor types)."""
    _draft(draft_id)
    return render_template("drafts/_shown.html", body=request.form.get("body", "")[:MAX_TEXT])


def _value_of(table: Grid):  # type: ignore[no-untyped-def]
    def value(sub: str, path: str) -> str:
        row = table.row(path)
        return (row.cells.get(sub) or row.group) if row else "—"

    return value


def _title_of(heading: str) -> str:
    text = heading.lstrip("#").strip()
    return text.rsplit("{#", 1)[0].strip() if text.endswith("}") else text


def _heading(title: str, label: str) -> str:
    return "### " + " ".join(p for p in (title, f"{{#{label}}}" if label else "") if p)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _touched(draft: Draft, file: str, text: str) -> tuple[str, range]:
    """Where the saved article lands in the draft's file (its heading line to its last line)."""
    applied = apply(workspace().source, _index(), draft.changes)
    new = applied.files.get(file, "")
    first = text.split("\n", 1)[0]
    for span in spans(new):
        if span.level == 3 and new.splitlines()[span.start - 1] == first:
            return file, range(span.start, span.end + 1)
    return file, range(0)


@bp.route("/<int:draft_id>/values", methods=["GET", "POST"])
@requires("editor")
def values(draft_id: int) -> str | BaseResponse | tuple[str, int]:
    draft = _draft(draft_id)
    released = workspace().released()
    if released.checked is None:
        abort(503)
    project = released.checked.project
    table = grid(project, draft.changes)
    if request.method == "GET":
        return render_template("drafts/values.html", draft=draft, grid=table, rules=RULE_NAMES, errors={}, other=[])
    edits = _value_edits(table)
    if not edits:
        flash("没有修改任何数值。")
        return redirect(url_for("drafts.values", draft_id=draft.id))
    for sub, path, value in edits:
        store.stage_change(
            draft, "value", table.files[sub], f"variables.{path}", scalar(value), "", None, current_user.username
        )
        _show_typed(table, sub, path, value)
    checked = store.check_draft(draft, workspace().source, _index(), _folder(draft), None)
    errors = _cell_errors(checked, table)
    if not checked.ok:
        database.session().rollback()
        other = [d for d in checked.result.diagnostics.items if not any(d in e for e in errors.values())]
        return render_template(
            "drafts/values.html", draft=draft, grid=table, rules=RULE_NAMES, errors=errors, other=other
        ), 422
    for sub, path, value in edits:
        record("save", f"草稿 #{draft.id} · {table.files[sub]} · {path}", f"修改数值为 {value}", after=value)
    flash(f"已保存 {len(edits)} 个数值，检查通过。")
    return redirect(url_for("drafts.values", draft_id=draft.id))


def _show_typed(table: Grid, sub: str, path: str, value: str) -> None:
    row = table.row(path)
    if row is not None and sub:
        row.cells[sub] = value
    elif row is not None:
        row.group = value


def _value_edits(table: Grid) -> list[tuple[str, str, str]]:
    """(sub or "" for the group, path, new value) for every cell the form changed."""
    edits = []
    for row in table.rows:
        for sub in ["", *table.subs]:
            name = f"v:{sub or '_group'}:{row.path}"
            if name not in request.form:
                continue
            value = request.form[name].strip()[:500]
            current = row.group if sub == "" else row.cells[sub]
            if value != current and (sub == "" or value != ""):
                edits.append((sub, row.path, value))
    return edits


def _cell_errors(checked: store.Checked, table: Grid) -> dict[tuple[str, str], list]:  # type: ignore[type-arg]
    """Diagnostics (errors, law warnings, notes) located on a value's line → (sub, path) of its cell."""
    by_file = {f: s for s, f in table.files.items()}
    found: dict[tuple[str, str], list] = {}  # type: ignore[type-arg]
    copy = checked.result.source
    for diag in checked.result.diagnostics.items:
        if diag.loc is None:
            continue
        rel = diag.loc.path  # relative to the source (store.check_draft relocated it)
        if rel not in by_file:
            continue
        lines = {line: ".".join(p[1:]) for p, line in paths((copy / rel).read_text(encoding="utf-8")).items()}
        if diag.loc.line in lines:
            found.setdefault((by_file[rel], lines[diag.loc.line]), []).append(diag)
    return found


@bp.post("/<int:draft_id>/add")
@requires("editor")
def add(draft_id: int) -> BaseResponse:
    draft = _draft(draft_id)
    index = _index()
    after = request.form.get("after", "")
    entry = index.get(after)
    title = request.form.get("title", "").strip()[:200]
    body = request.form.get("body", "")[:MAX_TEXT].replace("\r\n", "\n").strip("\n")
    if entry is None or not body:
        flash("请选择位置并填写条文内容。", "error")
        return redirect(url_for("drafts.show", draft_id=draft.id))
    text = _heading(title, "") + "\n\n" + body + "\n"
    store.stage_change(draft, "add", entry.file, after, text, "", None, current_user.username)
    return _checked_or_refused(draft, "add", f"在 {entry.title or after} 之后新增条文", text)


@bp.post("/<int:draft_id>/article/<key>/delete")
@requires("editor")
def delete(draft_id: int, key: str) -> BaseResponse:
    draft = _draft(draft_id)
    index = _index()
    entry = index.get(key)
    if entry is None:
        abort(404)
    released = released_article(workspace().source, index, key)
    store.stage_change(draft, "delete", entry.file, key, "", released, None, current_user.username)
    return _checked_or_refused(draft, key, "删除条文", "", before=released)


@bp.post("/<int:draft_id>/article/<key>/move")
@requires("editor")
def move(draft_id: int, key: str) -> BaseResponse:
    draft = _draft(draft_id)
    index = _index()
    entry, after = index.get(key), index.get(request.form.get("after", ""))
    if entry is None or after is None or after.key == key:
        abort(404)
    released = released_article(workspace().source, index, key)
    store.stage_change(draft, "move", entry.file, key, after.key, released, None, current_user.username)
    return _checked_or_refused(draft, key, f"移到 {after.title or after.key} 之后", after.key)


def _checked_or_refused(draft: Draft, target: str, detail: str, after: str, before: str = "") -> BaseResponse:
    checked = store.check_draft(draft, workspace().source, _index(), _folder(draft), None)
    if not checked.ok:
        database.session().rollback()
        for diag in checked.result.diagnostics.errors[:10]:
            flash(f"未保存：{diag.loc}：{current_app.jinja_env.filters['diag'](diag)}", "error")
    else:
        record("save", f"草稿 #{draft.id} · {target}", detail, before=before or None, after=after)
        flash(f"已保存：{detail}。")
    return redirect(url_for("drafts.show", draft_id=draft.id))
