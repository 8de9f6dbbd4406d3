"""Studio: the evidence package button — one employee, one article, one day → a ZIP of the package.

Thin over the same functions ``policybook evidence`` calls (``procedure.evidence.gather``,
``procedure.package.write_package``); the release PDFs are looked for in the studio's
output folder, the evidence files in ``evidence/`` beside the source. Every package made
is written to the audit log with the SHA-256 of the ZIP handed out.
"""

from __future__ import annotations

import datetime
import io
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from policybook.diagnostics import SourceError
from policybook.procedure.evidence import gather
from policybook.procedure.package import write_package
from policybook.studio import audit, database
from policybook.studio.acknowledge import evidence_store
from policybook.studio.roles import requires

bp = Blueprint("evidence", __name__, url_prefix="/evidence")
NAV = [("evidence.index", "证据包", ("clerk", "admin"))]


class PackageForm(FlaskForm):
    employee = StringField("工号", validators=[DataRequired(), Length(max=64)])
    article = StringField("条款标签", validators=[DataRequired(), Regexp(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")])
    day = DateField("所涉日期", validators=[DataRequired()], default=datetime.date.today)
    submit = SubmitField("生成证据包")


@bp.route("/", methods=["GET", "POST"])
@requires("clerk", "admin")
def index() -> Response | str | tuple[str, int]:
    form = PackageForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            return _package(form.employee.data or "", form.article.data or "", form.day.data or datetime.date.today())
        except SourceError as exc:
            problems = [d.message for d in exc.diagnostics.items]
    return render_template("evidence/index.html", form=form, problems=problems), 422 if problems else 200


def _package(employee: str, label: str, day: datetime.date) -> Response:
    config = current_app.extensions["studio_config"]
    store = evidence_store()
    with tempfile.TemporaryDirectory(prefix="policybook-evidence-") as tmp:
        facts = gather(database.session(), employee, label, day)
        package = write_package(facts, [Path(config.output)], store, Path(tmp) / "package")
        data = _zipped(package.folder)
    name = f"证据包-{employee}-{label}-{day.isoformat()}.zip"
    audit.record("evidence", f"{employee} {label} {day.isoformat()}", f"{len(package.gaps)} gap(s)", after=data)
    disposition = f"attachment; filename=evidence.zip; filename*=UTF-8''{quote(name)}"
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": disposition})


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()
