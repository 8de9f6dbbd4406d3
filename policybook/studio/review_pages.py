"""Studio: a lawyer's reviewed DOCX brought back — the per-article report, the patch, and a draft.

Thin over ``policybook review import`` (``review.importer.import_review``,
``proposed_changes``, ``report.marked``): the DOCX uploaded is kept in the studio's
scratch folder under a random name (only its uploader reaches it); the page shows, per
article, the text sent, the text accepted, the tracked changes and comments with their
authors, conflicts and every uncertain mapping. One button turns the proposal into a
studio draft — article texts and subsidiary value overrides become the draft's
changes — which then goes through the normal review, approval and release.
"""

from __future__ import annotations

import difflib
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from policybook.diagnostics import Diagnostics, SourceError
from policybook.review import report
from policybook.review.importer import Review, import_review, proposed_changes
from policybook.review.propose import opcodes
from policybook.review.report import HOW, KINDS
from policybook.studio import database, store
from policybook.studio.audit import record
from policybook.studio.drafting import released_article
from policybook.studio.handbook import Index
from policybook.studio.procedure_pages import Refused, uploaded
from policybook.studio.roles import requires
from policybook.studio.sourcetext import Span, spans
from policybook.studio.workspace import workspace
from policybook.studio.yamledit import scalar

bp = Blueprint("review_import", __name__, url_prefix="/review-import")
NAV = [("review_import.index", "导入审阅意见", ("editor",))]
DOCX = {".docx": b"PK\x03\x04"}
MAX_DOCX = 10 * 1024 * 1024
TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP = 20  # imports kept in memory (each is re-read from its file when evicted)
ACTIONS = {"review-import": "导入审阅意见", "review-draft": "审阅意见转草稿"}


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from policybook.studio.app import ACTIONS as labels  # the audit page's names for these actions

    labels.update(ACTIONS)


@dataclass
class Proposed:
    """A review's proposal as draft changes: (kind, file, target, text, base) — and what does not fit one."""

    changes: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)


def as_draft_changes(review: Review, index: Index) -> Proposed:
    """Article texts changed, added or struck out, and value overrides, as the draft pages make them."""
    out = Proposed()
    source = index.source.resolve()
    at = {(e.file, e.line): e.key for e in index.entries.values()}
    overridden = {o.file.resolve() for o in review.overrides}
    for rel, (old, new) in proposed_changes(review).items():
        full = (review.root / rel).resolve()
        if full in overridden:
            continue
        if not full.is_relative_to(source) or full.suffix != ".md":
            out.unplaced.append(f"{rel}：不在手册源文件的条文中，请用补丁处理")
            continue
        _markdown(full.relative_to(source).as_posix(), old, new, at, out)
    for o in review.overrides:
        file = o.file.resolve().relative_to(source).as_posix()
        out.changes.append(("value", file, f"variables.{o.name}", scalar(o.new), ""))
    return out


def _articles(text: str) -> tuple[list[Span], list[str], str]:
    """The article spans of a chapter file, their texts, and everything outside them."""
    lines = text.splitlines(keepends=True)
    found = [s for s in spans(text) if s.level == 3]
    inside = {n for s in found for n in range(s.start - 1, s.end)}
    return found, [s.text(lines) for s in found], "".join(t for n, t in enumerate(lines) if n not in inside)


def _markdown(file: str, old: str, new: str, at: dict[tuple[str, int], str], out: Proposed) -> None:
    old_spans, old_texts, old_rest = _articles(old)
    _, new_texts, new_rest = _articles(new)
    if old_rest.strip() != new_rest.strip():
        out.unplaced.append(f"{file}：章节标题或条文以外的文字有修改，草稿不含此项，请用补丁处理")
    keys = [at.get((file, s.start), "") for s in old_spans]
    old_heads, new_heads = ([t.split("\n", 1)[0] for t in texts] for texts in (old_texts, new_texts))
    matcher = difflib.SequenceMatcher(
        None, old_heads, new_heads, autojunk=False
    )  # by heading: an edited body stays paired
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1)
        for n in range(pairs):
            if old_texts[i1 + n].strip() != new_texts[j1 + n].strip():
                out.changes.append(("article", file, keys[i1 + n], new_texts[j1 + n], old_texts[i1 + n]))
        for n in range(i1 + pairs, i2):
            out.changes.append(("delete", file, keys[n], "", old_texts[n]))
        after = keys[i1 + pairs - 1] if i1 + pairs > 0 else ""
        for n in range(j1 + pairs, j2):
            if not after:
                out.unplaced.append(f"{file}：在第一条之前新增的条文，请用补丁处理")
                continue
            out.changes.append(("add", file, after, new_texts[n], ""))
    missing = [c for c in out.changes if c[0] != "add" and c[0] != "value" and not c[2]]
    for change in missing:
        out.unplaced.append(f"{file}：有一条条文在当前源文件中找不到，请用补丁处理")
        out.changes.remove(change)


# ---------------------------------------------------------------- the pages


@dataclass
class Imported:
    owner: int  # the user who uploaded it: nobody else sees it
    path: Path
    name: str  # the file's name as uploaded (made safe)
    review: Review | None = None  # None: read again from ``path`` when next shown


def _imports() -> dict[str, Imported]:
    found: dict[str, Imported] = current_app.extensions.setdefault("review_imports", {})
    return found


def _folder() -> Path:
    folder = Path(current_app.extensions["studio_scratch"]) / "review-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _review(token: str) -> tuple[Imported, Review]:
    """The import ``token`` names, if this user made it (anyone else: 404, nothing told)."""
    found = _imports().get(token) if TOKEN.match(token) else None
    if found is None or found.owner != current_user.id or not found.path.is_file():
        abort(404)
    if found.review is None:
        found.review = import_review(found.path, workspace().source, Diagnostics())
    return found, found.review


@bp.route("/", methods=["GET", "POST"])
@requires("editor")
def index() -> str | BaseResponse | tuple[str, int]:
    if request.method == "GET":
        return render_template("review_import/index.html", problems=[])
    token = secrets.token_hex(16)
    try:
        with uploaded([request.files.get("docx")], DOCX, MAX_DOCX) as paths:  # type: ignore[list-item]
            if not paths:
                raise Refused("请选择律师审阅后的 DOCX 文件。")
            target = _folder() / f"{token}.docx"
            target.write_bytes(paths[0].read_bytes())
            name = paths[0].name
        review = import_review(target, workspace().source, Diagnostics(), request.form.get("subsidiary", "")[:64])
    except Refused as exc:
        return render_template("review_import/index.html", problems=[str(exc)]), 422
    except SourceError as exc:
        show = current_app.jinja_env.filters["diag"]
        return render_template("review_import/index.html", problems=[show(d) for d in exc.diagnostics.errors]), 422
    _remember(token, Imported(current_user.id, target, name, review))
    record("review-import", name, f"{len(review.articles)} 条有修订或批注", after=target.read_bytes())
    return redirect(url_for("review_import.show", token=token))


def _remember(token: str, imported: Imported) -> None:
    imports = _imports()
    imports[token] = imported
    for old in list(imports)[:-KEEP]:
        imports[old].review = None  # kept on disk, read again if shown


@bp.get("/<token>")
@requires("editor")
def show(token: str) -> str:
    imported, review = _review(token)
    proposed = as_draft_changes(review, _index())
    comments = review.reviewed.comments
    return render_template(
        "review_import/show.html",
        token=token,
        name=imported.name,
        review=review,
        proposed=proposed,
        how=HOW,
        kinds=KINDS,
        opcodes=opcodes,
        comments_of=lambda piece: [comments[c] for c in piece.comments if c in comments],
        where=_where,
        when=lambda stamp: stamp.replace("T", " ").removesuffix("Z")[:16] if stamp else "无日期",
        reviewers=_reviewers(review),
    )


def _where(review: Review, article) -> str:  # type: ignore[no-untyped-def]
    try:
        path = article.file.resolve().relative_to(review.root.resolve()).as_posix()
    except ValueError:
        path = article.file.name
    return f"{path}:{article.article.loc.line}"


def _reviewers(review: Review) -> list[str]:
    names = [c.author for a in review.articles for c in a.piece.changes]
    names += [c.author for c in review.reviewed.comments.values()]
    return list(dict.fromkeys(n for n in [*names, *review.reviewed.people] if n))


def _index() -> Index:
    released = workspace().released()
    if released.index is None:
        abort(503)
    return released.index


@bp.get("/<token>/review.patch")
@requires("editor")
def patch(token: str) -> Response:
    _, review = _review(token)
    if not review.patch:
        abort(404)
    headers = {"Content-Disposition": "attachment; filename=review.patch"}
    return Response(review.patch, mimetype="text/x-diff", headers=headers)


@bp.get("/<token>/review-report.md")
@requires("editor")
def report_md(token: str) -> Response:
    """The same review-report.md ``policybook review import`` writes (to keep with the lawyer's file)."""
    _, review = _review(token)
    headers = {"Content-Disposition": "attachment; filename=review-report.md"}
    return Response(report.render(review), mimetype="text/markdown", headers=headers)


@bp.post("/<token>/draft")
@requires("editor")
def draft(token: str) -> BaseResponse:
    imported, review = _review(token)
    index = _index()
    proposed = as_draft_changes(review, index)
    if not proposed.changes:
        flash("审阅意见中没有可以写入草稿的修改。", "error")
        return redirect(url_for("review_import.show", token=token))
    db = database.session()
    made = store.new_draft(db, current_user.id, f"审阅意见：{imported.name}（{len(proposed.changes)} 处修改）")
    source = workspace().source
    for kind, file, target, text, _ in proposed.changes:
        base = released_article(source, index, target) if kind in ("article", "delete") else ""
        store.stage_change(made, kind, file, target, text, base, None, current_user.username)
    folder = store.working_folder(current_app.extensions["studio_scratch"], made.id)
    checked = store.check_draft(made, source, index, folder, None)
    record("draft-new", f"draft {made.id}", made.title)
    record("review-draft", f"draft {made.id}", f"{len(proposed.changes)} 处修改", after=review.patch)
    if checked.ok:
        flash(f"已创建草稿：{len(proposed.changes)} 处修改，检查通过。请核对后提交审批。")
    else:
        flash("已创建草稿，但检查发现问题，请在草稿中修改后再提交审批。", "error")
    return redirect(url_for("drafts.show", draft_id=made.id))
