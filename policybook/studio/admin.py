"""Studio: accounts for the administrator — list, add, change roles, disable and enable (the functions
of ``studio users``); every change audited."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from policybook.diagnostics import SourceError
from policybook.i18n import message
from policybook.studio import database, users
from policybook.studio.audit import record
from policybook.studio.roles import requires
from policybook.studio.schema import ROLES

bp = Blueprint("admin", __name__, url_prefix="/admin")
NAV = [("admin.index", "账号", ("admin",))]


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(min=2, max=64)])
    name = StringField("姓名", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("初始密码（至少 10 个字符）", validators=[DataRequired(), Length(min=10, max=200)])
    roles = SelectMultipleField(
        "角色",
        choices=[SelectChoice(r, users.ROLE_NAMES[r]) for r in ROLES],
        validators=[DataRequired(message="至少选一个角色")],
        widget=ListWidget(prefix_label=False),  # checkboxes: easy to tick on a tablet
        option_widget=CheckboxInput(),
    )


class ActionForm(FlaskForm):
    pass  # a button: only the CSRF token


@bp.route("/", methods=["GET", "POST"])
@requires("admin")
def index() -> str | BaseResponse:
    form = UserForm()
    db = database.session()
    if form.validate_on_submit():
        try:
            user = users.add_user(
                db, form.username.data or "", form.name.data or "", form.password.data or "", form.roles.data or []
            )
        except SourceError as exc:
            for diag in exc.diagnostics.items:
                flash(message(diag)[0], "error")
        else:
            record("user-add", user.username, f"roles={user.roles}")
            flash(f"已添加账号 {user.username}。")
            return redirect(url_for("admin.index"))
    return render_template("admin/index.html", form=form, users=users.all_users(db), action=ActionForm())


@bp.post("/<username>/roles")
@requires("admin")
def roles(username: str) -> BaseResponse:
    chosen = [r for r in request.form.getlist("roles") if r in ROLES]
    if ActionForm().validate_on_submit():
        try:
            user = users.set_roles(database.session(), username, chosen)
        except SourceError:
            flash("请至少选一个角色。", "error")
        else:
            record("user-roles", user.username, f"roles={user.roles}")
            flash(f"已修改 {user.username} 的角色。")
    return redirect(url_for("admin.index"))


@bp.post("/<username>/active")
@requires("admin")
def active(username: str) -> BaseResponse:
    enable = request.form.get("active") == "1"
    if username == current_user.username:
        flash("不能停用自己的账号。", "error")
    elif ActionForm().validate_on_submit():
        try:
            user = users.disable(database.session(), username, active=enable)
        except SourceError:
            flash("没有这个账号。", "error")
        else:
            record("user-enable" if enable else "user-disable", user.username)
            flash(f"已{'启用' if enable else '停用'}账号 {user.username}。")
    return redirect(url_for("admin.index"))
