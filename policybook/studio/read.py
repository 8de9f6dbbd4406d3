"""Studio: reading the handbook as each subsidiary prints it — chapters, 第X条, values filled in; search."""

from __future__ import annotations

from flask import Blueprint, render_template

from policybook.studio.roles import requires
from policybook.studio.workspace import workspace

bp = Blueprint("read", __name__)
NAV = [("read.index", "手册", ())]


@bp.get("/")
@requires()
def index() -> str:
    released = workspace().released()
    project = released.checked.project if released.checked else None
    return render_template("read/index.html", project=project, problems=released.diagnostics.errors)
