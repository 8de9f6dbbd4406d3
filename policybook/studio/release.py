"""Studio: the publisher's release page — version, effective date, summary → published and assigned."""

from __future__ import annotations

import datetime
import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from policybook.diagnostics import SourceError
from policybook.studio import database, store
from policybook.studio.audit import record
from policybook.studio.drafts import _index
from policybook.studio.publish import VERSION, prepare, publish
from policybook.studio.roles import requires
from policybook.studio.users import now
from policybook.studio.workspace import workspace

bp = Blueprint("release", __name__, url_prefix="/release")
NAV = [("release.new", "发布", ("publisher",))]


@bp.route("/", methods=["GET", "POST"])
@requires("publisher")
def new() -> str | BaseResponse:
    db = database.session()
    approved = store.drafts(db, ("approved",))
    released = workspace().released()
    project = released.checked.project if released.checked else None
    form = {
        "version": request.form.get("version", "").strip(),
        "effective": request.form.get("effective", "").strip(),
        "summary": request.form.get("summary", "").strip()[:2000] or "；".join(d.summary for d in approved),
    }
    problems: list[str] = []
    if request.method == "POST":
        chosen = [d for d in approved if str(d.id) in request.form.getlist("drafts")]
        problems = _problems(form, chosen, project.meta.version if project else "")
        if not problems:
            return _release(chosen, form) or redirect(url_for("release.new"))
    return render_template("release/new.html", approved=approved, form=form, project=project, problems=problems)


def _problems(form: dict[str, str], chosen: list, current: str) -> list[str]:  # type: ignore[type-arg]
    problems = []
    if not chosen:
        problems.append("请至少选择一份已批准的草稿。")
    if not re.fullmatch(VERSION, form["version"]) or form["version"] == current:
        problems.append(f"请填写新的版本号（现行为 {current}）。")
    try:
        datetime.date.fromisoformat(form["effective"])
    except ValueError:
        problems.append("请填写施行日期（年-月-日）。")
    if not form["summary"]:
        problems.append("请填写修订说明。")
    return problems


def _release(chosen: list, form: dict[str, str]) -> BaseResponse | None:  # type: ignore[type-arg]
    config = current_app.extensions["studio_config"]
    source = workspace().source
    effective = datetime.date.fromisoformat(form["effective"])
    names = "; ".join(
        f"草稿 #{d.id} {d.title}: 编辑 {d.editor.name}, 审批 {d.approver.name if d.approver else ''}" for d in chosen
    )
    before = (source / "handbook.yaml").read_text(encoding="utf-8")
    try:
        applied = prepare(source, _index(), chosen, form["version"], effective, form["summary"])
        folder = store.working_folder(current_app.extensions["studio_scratch"], 0) / f"release-{form['version']}"
        done = publish(
            database.session(),
            source,
            config.output,
            folder,
            applied,
            (current_user.name, names),
            config.release_formats,
        )
    except SourceError as exc:
        database.session().rollback()
        for diag in exc.diagnostics.errors[:10]:
            flash(f"未发布：{diag.loc or ''} {current_app.jinja_env.filters['diag'](diag)}", "error")
        return None
    for draft in chosen:
        draft.state, draft.release_version, draft.updated_at = "released", form["version"], now()
    after = (source / "handbook.yaml").read_text(encoding="utf-8")
    changed = ", ".join(f.subsidiary for f in done.release.files if f.changed)
    count = len(done.assigned.created)
    detail = f"版本 {form['version']}，{form['effective']} 起施行；内容变化：{changed or '无'}；新分配 {count} 人"
    record(
        "release",
        f"版本 {form['version']}",
        detail + (f"；git {done.commit[:12]}" if done.commit else ""),
        before,
        after,
    )
    flash(f"已发布第 {form['version']} 版。{detail}。")
    return redirect(url_for("release.new"))
