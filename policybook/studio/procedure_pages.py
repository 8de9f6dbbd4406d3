"""Studio: 民主程序与公示 — a release candidate's consultation, Taiwan's 核備 and the 公示 records.

Thin over the functions ``policybook consult`` and ``policybook publicise`` call
(``procedure.consult``, ``procedure.publicise``, ``procedure.gate.missing`` — the same
gate ``ack assign`` uses). Evidence files (the 征求意见稿, signed minutes, the authority's
letter, photos of the notice board) go into the evidence store the commands use, by
content; an upload is size-limited, type-checked by its first bytes and never keeps the
client's path. Every change is one transaction and one audit entry.
"""

from __future__ import annotations

import datetime
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as BaseResponse

from policybook.diagnostics import Diagnostics, SourceError
from policybook.ledger.schema import Release
from policybook.naming import safe
from policybook.procedure import consult
from policybook.procedure.gate import missing
from policybook.procedure.publicise import Notice
from policybook.procedure.publicise import record as publicise
from policybook.procedure.rules import jurisdiction
from policybook.procedure.schema import CHANNEL_NAMES, MEETING_KINDS, Consultation, Filing, Publication
from policybook.studio import database
from policybook.studio.acknowledge import evidence_store
from policybook.studio.audit import record
from policybook.studio.roles import requires
from policybook.studio.users import now
from policybook.studio.workspace import workspace

bp = Blueprint("procedure", __name__, url_prefix="/procedure")
NAV = [("procedure.index", "民主程序与公示", ("publisher", "admin", "clerk", "viewer"))]
RECORDERS = ("publisher", "admin")
READERS = ("publisher", "admin", "clerk", "viewer")
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
DIGEST = re.compile(r"^[0-9a-f]{64}$")
SCANS = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
PAGES = {".html": b"", ".htm": b"", ".mhtml": b"", ".txt": b""}  # a saved copy of the intranet page
TABLES = {".csv": b"", ".xlsx": b"PK\x03\x04"}
MAX_EVIDENCE = 10 * 1024 * 1024
MAX_TABLE = 2 * 1024 * 1024
MAX_TEXT = 5_000
DAYS = 14  # the comment period the open form proposes
ACTIONS = {
    "consult-open": "公开征求意见",
    "consult-opinion": "登记意见",
    "consult-opinions": "导入意见",
    "consult-meeting": "登记会议",
    "consult-close": "结束征求意见",
    "consult-filing": "登记核備",
    "publicise": "登记公示",
}


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from policybook.studio.app import ACTIONS as labels  # the audit page's names for these actions

    labels.update(ACTIONS)
    app.jinja_env.globals.update(meeting_kinds=MEETING_KINDS, channel_names=CHANNEL_NAMES)


class Refused(Exception):
    """An upload of the wrong type or size: nothing is recorded."""


# ---------------------------------------------------------------- uploads


@contextmanager
def uploaded(files: list[FileStorage], types: dict[str, bytes], limit: int) -> Iterator[list[Path]]:
    """The uploads saved to a private temporary folder under safe names, or :class:`Refused`."""
    with tempfile.TemporaryDirectory(prefix="policybook-upload-") as folder:
        out: list[Path] = []
        for n, upload in enumerate(f for f in files if f and f.filename):
            out.append(_saved(upload, types, limit, Path(folder) / str(n)))
        yield out


def _saved(upload: FileStorage, types: dict[str, bytes], limit: int, folder: Path) -> Path:
    name = Path((upload.filename or "").replace("\\", "/")).name  # never a client's folder
    suffix = Path(name).suffix.lower()
    if suffix not in types:
        raise Refused(f"文件“{name}”的类型不允许，只接受 {'、'.join(s.lstrip('.').upper() for s in types)}。")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"文件“{name}”超过 {limit // 1024 // 1024} MB。")
    if not data or not data.startswith(types[suffix]) or (not types[suffix] and b"\0" in data[:4096]):
        raise Refused(f"文件“{name}”的内容与其类型不符。")
    folder.mkdir()
    target = folder / (safe(Path(name).stem)[:80] or "file")
    target = target.with_name(target.name + suffix)
    target.write_bytes(data)
    return target


# ---------------------------------------------------------------- reading


def _today() -> datetime.date:
    return datetime.date.today()


def _who() -> consult.Who:
    return consult.Who(current_user.name or current_user.username, now(), _today())


def _version(version: str) -> str:
    if not VERSION.match(version) or ".." in version:
        abort(404)
    return version


def _project() -> Any:
    released = workspace().released()
    if released.checked is None:
        abort(503)
    return released.checked


def _consultation(version: str) -> Consultation | None:
    return database.session().scalar(select(Consultation).where(Consultation.version == version))


LACKING = [  # gate.missing's lines (the command line's words), as the page says them
    (re.compile(r"^(\S+): no 核備 record"), "尚未登记核備（台湾地区《劳动基准法》第70条）"),
    (re.compile(r"^(\S+): version \S+ was not put out for comment"), "尚未公开征求意见（《劳动合同法》第四条）"),
    (re.compile(r"^(\S+): no 职工代表大会"), "尚未登记职工代表大会、全体职工讨论或协商"),
    (re.compile(r"^(\S+): the consultation on version \S+ is not closed"), "征求意见尚未结束"),
]


def lacking(lines: list[str]) -> list[tuple[str, str]]:
    """(subsidiary, what it lacks in Chinese) for each line of :func:`policybook.procedure.gate.missing`."""
    out = []
    for line in lines:
        found = next(((m.group(1), said) for pattern, said in LACKING if (m := pattern.match(line))), None)
        out.append(found or (line.split(":", 1)[0], line.split(":", 1)[-1].strip()))
    return out


def _regions() -> dict[str, str]:
    return {s: sub.info.region for s, sub in _project().project.subsidiaries.items()}


@bp.get("/")
@requires(*READERS)
def index() -> BaseResponse:
    return redirect(url_for("procedure.show", version=_project().project.meta.version))


@bp.get("/<version>")
@requires(*READERS)
def show(version: str) -> str:
    version = _version(version)
    checked = _project()
    db = database.session()
    consultation = _consultation(version)
    regions = _regions()
    known = list(db.scalars(select(Consultation.version).order_by(Consultation.id.desc())))
    released = list(db.scalars(select(Release.version).order_by(Release.id.desc())))
    candidate = checked.project.meta.version
    return render_template(
        "procedure/show.html",
        version=version,
        candidate=candidate,
        versions=list(dict.fromkeys([candidate, *known, *released])),
        released=version in released,
        consultation=consultation,
        drafts=json.loads(consultation.drafts) if consultation else [],
        filings=list(db.scalars(select(Filing).where(Filing.version == version).order_by(Filing.id))),
        notices=list(db.scalars(select(Publication).where(Publication.version == version).order_by(Publication.id))),
        missing=lacking(missing(db, version, regions)),
        consulted=[s for s, r in regions.items() if jurisdiction(r) == "consultation"],
        taiwan=[s for s, r in regions.items() if jurisdiction(r) == "filing"],
        subs=checked.project.subsidiaries,
        today=_today(),
        until=_today() + datetime.timedelta(days=DAYS),
        default_notice=_default_notice(checked, _today() + datetime.timedelta(days=DAYS)),
        can_record=current_user.has(*RECORDERS),
        can_publicise=current_user.has("clerk", *RECORDERS),
    )


def _default_notice(checked: Any, until: datetime.date) -> str:
    from policybook.dates import long_date

    meta = checked.project.meta
    return (
        f"公司拟修订《{meta.title}》（版本{meta.version}）。依照《中华人民共和国劳动合同法》第四条，现将修订草案及"
        f"修订对照表公布，征求全体职工意见。请于{long_date(until)}前通过意见反馈表或向工会、职工代表提出意见和建议。"
    )


@bp.get("/<version>/draft/<sub>.pdf")
@requires(*READERS)
def draft_pdf(version: str, sub: str) -> Response:
    consultation = _consultation(_version(version))
    drafts = json.loads(consultation.drafts) if consultation else []
    found = next((d for d in drafts if d["subsidiary"] == sub), None)
    if found is None:
        abort(404)
    return _stored(found["sha256"], found["name"])


@bp.get("/<version>/evidence/<digest>")
@requires(*READERS)
def evidence(version: str, digest: str) -> Response:
    """An evidence file recorded for this version (minutes, a 核備 letter, a 公示 photo) — only those."""
    version = _version(version)
    if not DIGEST.match(digest):
        abort(404)
    names = {sha: name for sha, name in _evidence_of(version) if sha}
    if digest not in names:
        abort(404)
    return _stored(digest, names[digest])


def _evidence_of(version: str) -> Iterator[tuple[str, str]]:
    db = database.session()
    consultation = _consultation(version)
    for m in consultation.meetings if consultation else []:
        yield m.minutes_sha256, m.minutes_name
    for f in db.scalars(select(Filing).where(Filing.version == version)):
        yield f.evidence_sha256, f.evidence_name
    for p in db.scalars(select(Publication).where(Publication.version == version)):
        yield from ((e.sha256, e.name) for e in p.evidence)


def _stored(digest: str, name: str) -> Response:
    from urllib.parse import quote

    path = evidence_store().path_of(digest, Path(name).suffix)
    if not path.is_file():
        abort(404)
    kind = "application/pdf" if path.suffix == ".pdf" else "application/octet-stream"
    disposition = f"attachment; filename=evidence{path.suffix}; filename*=UTF-8''{quote(name)}"
    return Response(path.read_bytes(), mimetype=kind, headers={"Content-Disposition": disposition})


# ---------------------------------------------------------------- recording


@contextmanager
def _recording(version: str) -> Iterator[None]:
    """Refusals and the domain's diagnostics shown as messages; nothing of a refused change kept."""
    try:
        yield
    except Refused as exc:
        database.session().rollback()
        flash(str(exc), "error")
    except SourceError as exc:
        database.session().rollback()
        show = current_app.jinja_env.filters["diag"]
        for diag in exc.diagnostics.errors[:10]:
            where = f"第 {diag.loc.line} 行：" if diag.loc and diag.loc.line else ""
            flash(f"未记录：{where}{show(diag)}", "error")


def _back(version: str) -> BaseResponse:
    return redirect(url_for("procedure.show", version=version))


def _text(name: str, required: bool = True) -> str:
    value = request.form.get(name, "").replace("\r\n", "\n").strip()[:MAX_TEXT]
    if required and not value:
        raise Refused("请填写所有必填项。")
    return value


def _date(name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        raise Refused("请填写有效的日期。") from None


def _open_consultation(version: str) -> Consultation:
    consultation = _consultation(version)
    if consultation is None:
        raise Refused(f"版本 {version} 尚未公开征求意见。")
    return consultation


@bp.post("/<version>/open")
@requires(*RECORDERS)
def open_(version: str) -> BaseResponse:
    version = _version(version)
    checked = _project()
    with _recording(version):
        if version != checked.project.meta.version:
            raise Refused(f"只能就当前草案版本 {checked.project.meta.version} 征求意见。")
        until, channel, notice = _date("until"), _text("channel"), _text("notice")
        out = Path(current_app.extensions["studio_config"].output) / "consultation"
        row = consult.open_consultation(
            database.session(), checked, until, channel[:32], notice, out, evidence_store(), _who()
        )
        record("consult-open", f"version {version}", f"{row.subsidiaries}，至 {until}", after=row.drafts)
        flash(f"已公开征求意见至 {until}；征求意见稿已生成，可在下方下载。")
    return _back(version)


@bp.post("/<version>/opinion")
@requires(*RECORDERS)
def opinion(version: str) -> BaseResponse:
    version = _version(version)
    with _recording(version):
        item: dict[str, object] = {"author": _text("who")[:200], "article": _text("article", False)[:200]}
        item |= {"opinion": _text("opinion"), "answer": _text("answer", False)}
        item |= {"received_on": _today(), "origin": f"policybook studio ({current_user.username})"}
        consult.add_opinions(database.session(), _open_consultation(version), [item], _who())
        record("consult-opinion", f"version {version}", f"{item['author']}：{item['article']}", after=str(item))
        flash("意见已登记。")
    return _back(version)


@bp.post("/<version>/opinions")
@requires(*RECORDERS)
def opinions(version: str) -> BaseResponse:
    version = _version(version)
    with _recording(version), uploaded([request.files.get("file")], TABLES, MAX_TABLE) as paths:  # type: ignore[list-item]
        if not paths:
            raise Refused("请选择意见汇总文件（CSV 或 XLSX）。")
        items = consult.read_opinions(paths[0], _today(), Diagnostics())
        count = consult.add_opinions(database.session(), _open_consultation(version), items, _who())
        record("consult-opinions", f"version {version}", f"{paths[0].name}：{count} 条", after=paths[0].read_bytes())
        flash(f"已导入 {count} 条意见。")
    return _back(version)


@bp.post("/<version>/meeting")
@requires(*RECORDERS)
def meeting(version: str) -> BaseResponse:
    version = _version(version)
    with _recording(version), uploaded([request.files.get("minutes")], SCANS, MAX_EVIDENCE) as paths:  # type: ignore[list-item]
        kind, held, resolution = _text("kind"), _date("held"), _text("resolution")
        attendees = int(request.form.get("attendees", "0")) if request.form.get("attendees", "").isdigit() else 0
        given = consult.MeetingInput(kind, held, attendees, resolution, paths[0] if paths else None)
        row = consult.add_meeting(database.session(), _open_consultation(version), given, evidence_store(), _who())
        record(
            "consult-meeting",
            f"version {version}",
            f"{MEETING_KINDS.get(kind, kind)} {held}",
            after=row.minutes_sha256 or None,
        )
        flash(f"已登记 {held} 的{MEETING_KINDS.get(kind, kind)}。")
    return _back(version)


@bp.post("/<version>/close")
@requires(*RECORDERS)
def close(version: str) -> BaseResponse:
    version = _version(version)
    with _recording(version):
        row = consult.close(database.session(), _open_consultation(version), _text("outcome"), _who())
        record("consult-close", f"version {version}", row.outcome, after=row.outcome)
        flash(f"征求意见已于 {row.closed_on} 结束。")
    return _back(version)


@bp.post("/<version>/filing")
@requires(*RECORDERS)
def filing(version: str) -> BaseResponse:
    version = _version(version)
    with _recording(version), uploaded([request.files.get("evidence")], SCANS, MAX_EVIDENCE) as paths:  # type: ignore[list-item]
        sub = request.form.get("subsidiary", "")
        if jurisdiction(_regions().get(sub, "-")) != "filing":
            raise Refused("核備只适用于台湾地区的公司。")
        given = consult.FilingInput(
            version,
            sub,
            _date("filed"),
            _text("authority")[:200],
            _text("reference")[:200],
            paths[0] if paths else None,
        )
        row = consult.add_filing(database.session(), given, evidence_store(), _who())
        record(
            "consult-filing",
            f"version {version} · {sub}",
            f"{row.authority} {row.reference}",
            after=row.evidence_sha256 or None,
        )
        flash(f"已登记{current_app.jinja_env.filters['sub_name'](sub)}的核備（{row.reference}）。")
    return _back(version)


@bp.post("/<version>/publicise")
@requires("clerk", *RECORDERS)
def publicise_(version: str) -> BaseResponse:
    version = _version(version)
    files = request.files.getlist("evidence")
    with _recording(version), uploaded(files, SCANS | PAGES, MAX_EVIDENCE) as paths:
        subs = [s for s in request.form.getlist("subsidiary") if s in _regions()]
        notice = Notice(version, _text("channel"), _date("date"), subs, _text("note", False), paths)
        row = publicise(database.session(), notice, evidence_store(), _who())
        digests = ",".join(e.sha256 for e in row.evidence) if row.evidence else None
        record("publicise", f"version {version}", f"{CHANNEL_NAMES.get(row.channel)} {row.published_on}", after=digests)
        flash(f"已登记 {row.published_on} 的{CHANNEL_NAMES.get(row.channel)}（{len(paths)} 个证明文件）。")
    return _back(version)
