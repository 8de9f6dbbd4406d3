"""Studio: the app factory, its configuration and the security every response gets.

Security by default: every page needs a login (:func:`_login_everywhere`)
and every view declares its roles (:func:`policybook.studio.auth.requires`);
every state change carries a CSRF token (Flask-WTF); session cookies are
HttpOnly and SameSite; the Content-Security-Policy allows no inline script;
request bodies are size-limited.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, Response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from policybook.diagnostics import Diagnostic
from policybook.i18n import message
from policybook.studio import database
from policybook.studio.users import ROLE_NAMES
from policybook.studio.workspace import Workspace

# "module:blueprint attribute" — one entry per area, in the order of the navigation bar
BLUEPRINTS = [
    "policybook.studio.auth:bp",
    "policybook.studio.read:bp",
    "policybook.studio.drafts:bp",
    "policybook.studio.review:bp",
    "policybook.studio.release:bp",
    "policybook.studio.ledger_pages:bp",
    "policybook.studio.forms_pages:bp",
    "policybook.studio.audit:bp",
    "policybook.studio.admin:bp",
    "policybook.studio.account:bp",
    "policybook.studio.evidence:bp",
    "policybook.studio.procedure_pages:bp",
    "policybook.studio.review_pages:bp",
    "policybook.studio.acknowledge:bp",  # online 签收: reached by an employee's personal link, no login
]
# the only endpoints reachable without a login (and those a blueprint module lists in its own PUBLIC)
PUBLIC = {"auth.login", "auth.setup", "static"}
MAX_UPLOAD = 16 * 1024 * 1024
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


@dataclass
class StudioConfig:
    source: Path  # the folder holding handbook.yaml
    db: str  # a ledger URL or file path (see policybook.ledger.db)
    output: Path = Path("dist")  # where released outputs are published
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    secure_cookies: bool = False  # set when served behind HTTPS
    timezone: str = "Asia/Shanghai"  # times on pages (stored in UTC)
    release_formats: tuple[str, ...] = ("pdf", "docx", "forms", "html")  # what a release builds
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # further Flask settings (tests)


def create_app(config: StudioConfig) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_NAME="policybook_studio",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=config.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead, which ends at logout
        TESTING=config.testing,
        **config.extra,
    )
    app.extensions["studio_config"] = config
    app.extensions["studio_workspace"] = Workspace(config.source)
    database.init_app(app, config.db)
    CSRFProtect(app)
    nav: list[tuple[str, str, tuple[str, ...]]] = []
    for entry in BLUEPRINTS:
        module = import_module(entry.split(":")[0])
        app.register_blueprint(getattr(module, entry.split(":")[1]))
        nav.extend(getattr(module, "NAV", []))
        PUBLIC.update(getattr(module, "PUBLIC", ()))
        if hasattr(module, "init_app"):
            module.init_app(app)
    app.before_request(_login_everywhere)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _error)
    _template_helpers(app, nav)
    return app


ERRORS = {
    400: ("请求无效", "页面已过期或表单缺少安全令牌。请返回上一页，刷新后再试。"),
    403: ("没有权限", "您的角色不能执行此操作。如需权限，请联系系统管理员。"),
    404: ("页面不存在", "找不到该页面或对象。"),
    405: ("请求方式不允许", "请从页面上的按钮操作。"),
    409: ("不能修改", "草稿已提交或已发布，不能再修改；被退回后可以继续修改。"),
    413: ("文件太大", f"上传的文件不能超过 {MAX_UPLOAD // 1024 // 1024} MB。"),
    429: ("尝试次数过多", "请稍后再试。"),
    503: ("现行源文件有错误", "现行发布版的源文件未通过检查，页面暂时无法显示。请联系技术人员修正（首页列出了错误）。"),
}
ACTIONS = {
    "login": "登录",
    "login-failed": "登录失败",
    "login-throttled": "登录受限",
    "logout": "退出",
    "setup-admin": "创建管理员",
    "user-add": "添加账号",
    "user-disable": "停用账号",
    "user-enable": "启用账号",
    "user-roles": "修改角色",
    "export": "导出",
    "evidence": "生成证据包",
    "draft-new": "新建草稿",
    "save": "保存",
    "submit": "提交审批",
    "comment": "评论",
    "approve": "批准",
    "return": "退回",
    "release": "发布",
    "roster": "导入花名册",
    "sign": "登记签收",
    "sheets": "打印签收单",
    "remind": "下载催签名单",
    "pad": "生成编号本",
    "preference": "修改偏好",
}


def _error(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    title, text = ERRORS.get(code, ("出错了", "请求未能完成。"))
    if isinstance(exc, CSRFError):
        title, text = ERRORS[400]
    return render_template("error.html", code=code, title=title, message=text), code


def _template_helpers(app: Flask, nav: list[tuple[str, str, tuple[str, ...]]]) -> None:
    def nav_items() -> list[tuple[str, str, bool]]:
        """(endpoint, label, current?): the page's own item, else the first item of its blueprint."""
        shown = [(endpoint, label) for endpoint, label, roles in nav if current_user.has(*roles)]
        endpoints = [e for e, _ in shown]
        own = [e for e in endpoints if e.split(".")[0] == request.blueprint]
        here = request.endpoint if request.endpoint in endpoints else (own[0] if own else "")
        return [(endpoint, label, endpoint == here) for endpoint, label in shown]

    def role_labels(roles: frozenset[str]) -> str:
        return "、".join(ROLE_NAMES[r] for r in ROLE_NAMES if r in roles)

    def diag(d: Diagnostic) -> str:
        text, hint = message(d, getattr(current_user, "script", "zh-Hans"))
        return f"{text}（提示：{hint}）" if hint else text

    def sub_name(sub_id: str) -> str:
        released = app.extensions["studio_workspace"].released()
        subs = released.checked.project.subsidiaries if released.checked else {}
        return subs[sub_id].info.short_name if sub_id in subs else sub_id

    app.jinja_env.filters["diag"] = diag
    app.jinja_env.filters["sub_name"] = sub_name
    app.jinja_env.globals.update(
        role_names=ROLE_NAMES,
        actions=ACTIONS,
        nav_items=nav_items,
        role_labels=role_labels,
        action_label=lambda a: ACTIONS.get(a, a),
    )
    app.jinja_env.filters["local"] = lambda at: local_time(at, app.extensions["studio_config"].timezone)


def local_time(at: datetime.datetime | None, zone: str) -> str:
    """A stored UTC time as the studio's clock shows it (``2026-12-08 09:37``)."""
    if at is None:
        return ""
    return at.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def _login_everywhere() -> BaseResponse | None:
    if request.endpoint in PUBLIC or current_user.is_authenticated:
        return None
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response
