"""Studio: the 签收 ledger for the clerk — roster upload, where everyone stands (with the chart),
a signature recorded with its scan, 签收单 to print, the reminder list.

Every page calls the ledger's own functions (``policybook.ledger``), the ones
``roster import``, ``ack record``, ``ack sheets``, ``ack report`` and ``ack remind`` call.
"""

from __future__ import annotations

import datetime
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from policybook.diagnostics import Diagnostics, SourceError
from policybook.ledger import report
from policybook.ledger.acks import Signature, record
from policybook.ledger.assignments import standings
from policybook.ledger.evidence import EvidenceStore, named
from policybook.ledger.roster import read_roster, upsert
from policybook.ledger.schema import METHODS, Release
from policybook.ledger.sheets import write_sheets
from policybook.studio import database
from policybook.studio.audit import record as audit
from policybook.studio.roles import requires
from policybook.studio.users import now
from policybook.studio.workspace import workspace

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
NAV = [("ledger.index", "签收", ("clerk",))]
ROSTER_TYPES = {".csv": b"", ".xlsx": b"PK\x03\x04"}  # suffix → the bytes a real file starts with
SCAN_TYPES = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
STATUS_NAMES = {"signed": "已签收", "pending": "待签收", "overdue": "已逾期"}
METHOD_LABELS = {"paper": "纸质签收", "click": "在线确认", "esign": "电子签名", "proxy": "代签"}


def _today() -> datetime.date:
    return datetime.date.today()


def _sub() -> str:
    sub = request.args.get("sub", "")
    released = workspace().released()
    known = released.checked.project.subsidiaries if released.checked else {}
    if sub and sub not in known:
        abort(404)
    return sub


@bp.get("/")
@requires("clerk")
def index() -> str:
    sub = _sub()
    data = report.rows(standings(database.session(), _today(), sub))
    groups = Counter((r["subsidiary"], r["department"], r["status"]) for r in data)
    departments = sorted({(r["subsidiary"], r["department"]) for r in data})
    summary = [(s, d, {k: groups[(s, d, k)] for k in STATUS_NAMES}) for s, d in departments]
    db = database.session()
    versions = [r.version for r in db.scalars(select(Release).order_by(Release.id.desc()))]
    released = workspace().released()
    subs = released.checked.project.subsidiaries if released.checked else {}
    return render_template(
        "ledger/index.html",
        data=data,
        summary=summary,
        sub=sub,
        subs=subs,
        versions=versions,
        statuses=STATUS_NAMES,
        methods=[(m, METHOD_LABELS[m]) for m in METHODS],
        today=_today(),
    )


@bp.get("/chart.png")
@requires("clerk")
def chart() -> Response:
    sub = _sub()
    data = report.rows(standings(database.session(), _today(), sub))
    with tempfile.TemporaryDirectory(prefix="policybook-chart-") as folder:
        target = Path(folder) / "chart.png"
        report.chart(data, target, f"签收情况 {_today().isoformat()}" + (f" · {sub}" if sub else ""))
        body = target.read_bytes()
    return Response(body, mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.post("/roster")
@requires("clerk")
def roster() -> BaseResponse:
    upload = request.files.get("roster")
    with _saved(upload, ROSTER_TYPES) as path:
        if path is None:
            flash("请上传 CSV 或 XLSX 格式的花名册。", "error")
            return redirect(url_for("ledger.index"))
        released = workspace().released()
        if released.checked is None:
            abort(503)
        subsidiaries = {k: s.info for k, s in released.checked.project.subsidiaries.items()}
        diags = Diagnostics()
        try:
            rows = read_roster(path, subsidiaries, diags)
            result = upsert(database.session(), rows, now())
        except SourceError as exc:
            _flash_problems(exc.diagnostics, upload.filename or "")  # type: ignore[union-attr]
            return redirect(url_for("ledger.index"))
    counts = f"新增 {len(result.added)} 人，更新 {len(result.updated)} 人，未变 {len(result.unchanged)} 人"
    assert upload is not None
    audit("roster", upload.filename or "roster", counts, after=path_digest(upload))
    flash(f"花名册已导入：{counts}。")
    return redirect(url_for("ledger.index"))


@bp.post("/sign")
@requires("clerk")
def sign() -> BaseResponse:
    form = request.form
    method = form.get("method", "")
    try:
        signed_on = datetime.date.fromisoformat(form.get("date", ""))
    except ValueError:
        signed_on = None
    if method not in METHODS or signed_on is None or not form.get("employee") or not form.get("version"):
        flash("请填写工号、版本、签收方式和日期。", "error")
        return redirect(url_for("ledger.index"))
    upload = request.files.get("scan")
    with _saved(upload, SCAN_TYPES) as scan:
        if upload and upload.filename and scan is None:
            flash("扫描件须为 PDF、PNG 或 JPG 文件。", "error")
            return redirect(url_for("ledger.index"))
        employee = form["employee"].strip()[:64]
        origin = f"policybook studio ({current_user.username})"
        version, evidence = form["version"].strip()[:64], named(scan) if scan else None
        sig = Signature(employee, version, method, signed_on, current_user.name, evidence, None, origin)
        store = EvidenceStore(workspace().source.resolve().parent / "evidence")
        diags = Diagnostics()
        try:
            result = record(database.session(), [sig], store, now(), diags)
        except SourceError as exc:
            _flash_problems(exc.diagnostics, employee)
            return redirect(url_for("ledger.index"))
        digest = result.added[0].evidence_sha256 if result.added else ""
    audit("sign", f"{employee} · {sig.version}", f"{METHOD_LABELS[method]} {signed_on}", after=digest or None)
    flash(f"已登记 {employee} 的签收（{METHOD_LABELS[method]}，{signed_on}）。")
    return redirect(url_for("ledger.index"))


@bp.get("/sheets/<sub>.pdf")
@requires("clerk")
def sheets(sub: str) -> Response:
    released = workspace().released()
    if released.checked is None or sub not in released.checked.project.subsidiaries:
        abort(404)
    department = request.args.get("department", "")[:200]
    database.session().commit()  # write_sheets opens the ledger itself: no lock held here meanwhile
    with tempfile.TemporaryDirectory(prefix="policybook-sheets-") as folder:
        url = current_app.extensions["studio_ledger"].url
        target, pages = write_sheets(workspace().source, sub, department, Path(folder), url, Diagnostics())
        if target is None:
            flash("该公司没有待签收的员工。")
            return redirect(url_for("ledger.index", sub=sub))  # type: ignore[return-value]
        body = target.read_bytes()
    audit("sheets", sub, f"{pages} 页签收单")
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={sub}.pdf"})


@bp.get("/remind.csv")
@requires("clerk")
def remind() -> Response:
    sub = _sub()
    people = report.reminders(standings(database.session(), _today(), sub), _today())
    audit("remind", sub or "all", f"{len(people)} 人")
    body = "\ufeff" + report.as_csv(people, report.REMIND_FIELDS)
    name = f"remind-{sub or 'all'}-{_today().isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"})


class _saved:
    """An upload saved to a private temporary file, if its name and first bytes are of an allowed type."""

    def __init__(self, upload: FileStorage | None, types: dict[str, bytes]) -> None:
        self.upload, self.types = upload, types
        self.folder = tempfile.TemporaryDirectory(prefix="policybook-upload-")

    def __enter__(self) -> Path | None:
        upload = self.upload
        if upload is None or not upload.filename:
            return None
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in self.types:
            return None
        data = upload.read()
        if not data.startswith(self.types[suffix]) or not data:
            return None
        target = Path(self.folder.name) / f"upload{suffix}"  # never the client's name: no path from outside
        target.write_bytes(data)
        upload.stream.seek(0)
        return target

    def __exit__(self, *exc: Any) -> None:
        self.folder.cleanup()


def path_digest(upload: FileStorage) -> bytes:
    upload.stream.seek(0)
    return upload.stream.read()


def _flash_problems(diags: Diagnostics, what: str) -> None:
    show = current_app.jinja_env.filters["diag"]
    for diag in diags.errors[:10]:
        where = f"第 {diag.loc.line} 行：" if diag.loc and diag.loc.line else ""
        flash(f"{what} {where}{show(diag)}", "error")
