"""Studio: one's own account — the script pages are shown in (简体 / 繁體).

Pages are written in Simplified Chinese; for a user who chooses Traditional, every
page's text is converted on the way out with the build's own converter
(:mod:`policybook.conversion`) — except what is edited or quoted as written: the
inside of ``<textarea>`` and ``<pre>``, and every tag's attributes (form values).
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from policybook.studio import database
from policybook.studio.audit import record
from policybook.studio.roles import requires
from policybook.studio.schema import User

bp = Blueprint("account", __name__, url_prefix="/me")
SCRIPTS = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文"}
KEPT = re.compile(r"(<textarea\b.*?</textarea>|<pre\b.*?</pre>|<[^>]*>)", re.S)


def init_app(app: Flask) -> None:
    app.after_request(_in_script)


@bp.route("/", methods=["GET", "POST"])
@requires()
def index() -> str | BaseResponse:
    if request.method == "POST":
        script = request.form.get("script", "")
        if script in SCRIPTS:
            user = database.session().get(User, current_user.id)
            assert user is not None
            user.script = script
            record("preference", user.username, f"script={script}")
            flash("已保存。")
        return redirect(url_for("account.index"))
    return render_template("account/index.html", scripts=SCRIPTS)


def _in_script(response: Response) -> Response:
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    if getattr(current_user, "script", "zh-Hans") != "zh-Hant":
        return response
    from policybook.conversion import phrase_converter

    convert = phrase_converter("zh-tw")
    parts = KEPT.split(response.get_data(as_text=True))
    out = [part if i % 2 else convert(part) for i, part in enumerate(parts)]
    response.set_data("".join(out).replace('<html lang="zh-Hans">', '<html lang="zh-Hant">', 1))
    return response
