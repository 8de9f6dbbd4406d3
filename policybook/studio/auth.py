"""Studio: who is logged in — login, logout, the first administrator, and the one role decorator.

The first start with no account prints a one-time link (:func:`setup_link`) that
creates the first administrator; after that, accounts come from the admin page or
``policybook studio users``. Failed logins are throttled per name and per address.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from policybook.diagnostics import SourceError
from policybook.studio import database, users
from policybook.studio.audit import record
from policybook.studio.roles import Account, public, requires
from policybook.studio.schema import User

bp = Blueprint("auth", __name__)
THROTTLE_FAILURES = 5  # failed logins per name (four times as many per address: an office shares one) ...
THROTTLE_SECONDS = 15 * 60  # ... within this window lock further attempts for the rest of it


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=200)])


class SetupForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(min=2, max=64)])
    name = StringField("姓名", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("密码（至少 10 个字符）", validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField("再次输入密码", validators=[EqualTo("password", message="两次输入的密码不一致")])


class Throttle:
    """Failed attempts per key within a window (kept in memory: a restart forgets them)."""

    def __init__(self, limit: int = THROTTLE_FAILURES, window: float = THROTTLE_SECONDS) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        with self.lock:
            return any(len(self._recent(k)) >= self.limit * (4 if k.startswith("addr:") else 1) for k in keys)

    def fail(self, *keys: str) -> None:
        with self.lock:
            for key in keys:
                self.failures[key] = [*self._recent(key), time.monotonic()]

    def clear(self, key: str) -> None:
        with self.lock:
            self.failures.pop(key, None)

    def _recent(self, key: str) -> list[float]:
        since = time.monotonic() - self.window
        return [t for t in self.failures.get(key, []) if t > since]


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "请先登录。"
    manager.session_protection = "strong"
    manager.user_loader(_load)
    app.extensions["studio_throttle"] = Throttle()
    with app.extensions["studio_ledger"].transaction() as db:
        app.extensions["studio_setup_token"] = secrets.token_urlsafe(24) if users.count(db) == 0 else None


def setup_link(app: Flask) -> str | None:
    """The path that creates the first administrator, while there is none."""
    token = app.extensions.get("studio_setup_token")
    return f"/setup/{token}" if token else None


def _load(user_id: str) -> Account | None:
    if not user_id.isdigit():
        return None
    user = database.session().get(User, int(user_id))
    return Account(user) if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | BaseResponse:
    form = LoginForm()
    error = ""
    if form.validate_on_submit():
        name, address = form.username.data or "", f"addr:{request.remote_addr}"
        throttle: Throttle = current_app.extensions["studio_throttle"]
        if throttle.blocked(f"user:{name}", address):
            record("login-throttled", name, actor=name)
            return render_template("auth/login.html", form=form, error="登录失败次数过多，请 15 分钟后再试。"), 429  # type: ignore[return-value]
        user = users.authenticate(database.session(), name, form.password.data or "")
        if user is None:
            throttle.fail(f"user:{name}", address)
            record("login-failed", name, actor=name)
            error = "用户名或密码不正确，或账号已停用。"
        else:
            throttle.clear(f"user:{name}")
            login_user(Account(user))
            record("login", user.username, actor=user.username)
            return redirect(_safe_next(request.args.get("next", "")))
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
@requires()
def logout() -> BaseResponse:
    record("logout", current_user.username)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
@public
def setup(token: str) -> str | BaseResponse:
    expected = current_app.extensions.get("studio_setup_token")
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        db = database.session()
        if users.count(db):
            abort(404)
        try:
            user = users.add_user(
                db, form.username.data or "", form.name.data or "", form.password.data or "", ["admin"]
            )
        except SourceError as exc:
            return render_template("auth/setup.html", form=form, problems=exc.diagnostics.items)
        current_app.extensions["studio_setup_token"] = None  # one time only
        record("setup-admin", user.username, actor=user.username)
        login_user(Account(user))
        return redirect(url_for("admin.index"))
    return render_template("auth/setup.html", form=form)


def _safe_next(target: str) -> str:
    """Only a path on this site (never ``//host`` or a scheme): no open redirect after login."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("read.index")
