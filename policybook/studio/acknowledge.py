"""Studio: online 签收 by a personal link — no login, the link alone (blueprint ``acknowledge``).

The link (``policybook ack links``) opens that employee's handbook version — the built
HTML site's pages of their subsidiary and version, or the PDF — then the confirmation
page 我已阅读并理解《…》（版本 …）, with the quiz from ``quiz:`` if the source has one.
Confirming records a ``click`` acknowledgement (time, IP, browser, the SHA-256 of the
version shown) through the ledger's own functions and offers a receipt PDF. Views are
thin over ``policybook.procedure.links``; everything shown is derived from the token, so
a link never shows another employee's data. Requests are rate-limited per address (and
failed tokens more strictly); the confirm POST carries a CSRF token (Flask-WTF).

Configuration (``app.config``): ``ACK_LEDGER`` (a ledger URL, when the app has no studio
ledger), ``ACK_DIST`` (the build's output folder with ``manifest.json``), ``ACK_EVIDENCE``
(the evidence folder), ``ACK_LINK_KEY`` (the signing key; else the key file beside the
source), ``ACK_RATE`` and ``ACK_FAIL_RATE`` ((requests, seconds) per address).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField, RadioField, SubmitField
from wtforms.validators import DataRequired

from policybook.diagnostics import Diagnostics, SourceError
from policybook.ledger.db import Ledger
from policybook.ledger.evidence import EvidenceStore
from policybook.ledger.releases import unpack
from policybook.ledger.schema import Release
from policybook.procedure.links import STATEMENT, Click, Opened, confirm, load_key, open_link, receipt_of
from policybook.procedure.quiz import Question, read_quiz, wrong
from policybook.procedure.receipt import receipt_pdf
from policybook.source.project import read_project
from policybook.studio.roles import public

bp = Blueprint(
    "acknowledge",
    __name__,
    url_prefix="/ack",
    template_folder="templates",
)
PUBLIC = {f"acknowledge.{name}" for name in ("style", "landing", "site", "handbook", "confirm", "done", "receipt")}
STYLE = Path(__file__).parent / "static" / "acknowledge" / "ack.css"
GONE = {
    "expired": "链接已过期",
    "revoked": "链接已撤销",
    "superseded": "手册已有新版本，本链接已失效",
    "invalid": "链接无效",
}


# ---------------------------------------------------------------- rate limits


class Limiter:
    """At most ``count`` events per ``seconds`` for each key (in this process)."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count one event; False if the key is over its limit."""
        return self._seen(key, count=True)

    def over(self, key: str) -> bool:
        """Whether the key is at its limit (counts nothing)."""
        return not self._seen(key, count=False)

    def _seen(self, key: str, count: bool) -> bool:
        now = time.monotonic()
        with self.lock:
            if len(self.events) > 10_000:  # forget idle addresses rather than grow without end
                self.events = {k: v for k, v in self.events.items() if v and v[-1] > now - self.seconds}
            seen = self.events.setdefault(key, deque())
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            if len(seen) >= self.count:
                return False
            if count:
                seen.append(now)
            return True


def init_app(app: Flask) -> None:
    """Limits and caches of this blueprint (the studio calls this for every blueprint module)."""
    app.extensions["ack_limits"] = (
        Limiter(*app.config.get("ACK_RATE", (120, 60))),
        Limiter(*app.config.get("ACK_FAIL_RATE", (20, 600))),
    )
    app.extensions["ack_quiz"] = {}


@bp.before_app_request
def _limited() -> None:
    if request.blueprint != "acknowledge":
        return
    if "ack_limits" not in current_app.extensions:
        init_app(current_app)
    every, failed = current_app.extensions["ack_limits"]
    address = request.remote_addr or ""
    if failed.over(address) or not every.hit(address):  # an address guessing links is stopped altogether
        abort(429)


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------- ledger, files and the link


def _ledger() -> Ledger:
    found = current_app.extensions.get("studio_ledger") or current_app.extensions.get("ack_ledger")
    if found is None:
        found = current_app.extensions["ack_ledger"] = Ledger(current_app.config["ACK_LEDGER"])
    return found  # type: ignore[no-any-return]


def _source() -> Path | None:
    config = current_app.extensions.get("studio_config")
    return Path(config.source) if config is not None else None


def _dist() -> Path:
    config = current_app.extensions.get("studio_config")
    return Path(current_app.config.get("ACK_DIST") or (config.output if config else "dist"))


def evidence_store() -> EvidenceStore:
    """``ACK_EVIDENCE``, else ``evidence/`` beside the studio's source (where the commands keep it)."""
    folder = current_app.config.get("ACK_EVIDENCE")
    source = _source()
    return EvidenceStore(Path(folder) if folder else (source.resolve().parent if source else Path()) / "evidence")


def _key() -> bytes:
    key = current_app.config.get("ACK_LINK_KEY")
    if key:
        return key if isinstance(key, bytes) else str(key).encode("utf-8")
    source = _source()
    return load_key(source.resolve().parent if source else Path())


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


@contextmanager
def _link(token: str, wanted: tuple[str, ...] = ("ok",)) -> Iterator[tuple[Session, Opened]]:
    """The link's state in one transaction; a page saying why for a link that cannot be used."""
    with _ledger().transaction() as session:
        opened = open_link(session, _key(), token, _now())
        if opened.state not in wanted:
            if opened.state == "invalid" and not current_app.extensions["ack_limits"][1].hit(request.remote_addr or ""):
                abort(429)
            if opened.state in ("signed", "ok"):  # signed: only the receipt; not yet: read and confirm first
                raise _Redirect(
                    url_for("acknowledge.done" if opened.state == "signed" else "acknowledge.landing", token=token)
                )
            code = 404 if opened.state == "invalid" else 410
            raise _Gone(render_template("acknowledge/gone.html", title=GONE.get(opened.state, "")), code)
        yield session, opened


class _Redirect(Exception):
    pass


class _Gone(Exception):
    pass


@bp.errorhandler(_Redirect)
def _redirected(exc: _Redirect) -> BaseResponse:
    return redirect(str(exc.args[0]))


@bp.errorhandler(_Gone)
def _gone(exc: _Gone) -> tuple[str, int]:
    return exc.args[0], exc.args[1]


@dataclass
class Site:
    files: dict[str, tuple[Path, str]]  # path inside the site → (file, SHA-256 in the manifest)
    sha256: str  # of the listing: what was shown, as a whole


def _site(opened: Opened) -> Site:
    """The built HTML site of the link's subsidiary and version, from the build's manifest."""
    assert opened.recorded is not None and opened.release is not None
    dist = _dist()
    try:
        manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Site({}, "")
    prefix = f"{opened.recorded.subsidiary}/html/"
    files = {
        str(f["path"])[len(prefix) :]: (dist / str(f["path"]), str(f["sha256"]))
        for f in manifest.get("files", [])
        if str(f.get("path", "")).startswith(prefix)
        and str(f.get("kind", "")).startswith("site-")
        and f.get("version") == opened.release.version
    }
    listing = "".join(f"{sha}  {rel}\n" for rel, (_, sha) in sorted(files.items()))
    return Site(files, hashlib.sha256(listing.encode("utf-8")).hexdigest() if files else "")


def _questions(release: Release) -> list[Question]:
    """The quiz of the version shown, read from the release's own copy of its source (cached)."""
    cache: dict[int, list[Question]] = current_app.extensions.setdefault("ack_quiz", {})
    if release.id not in cache:
        with tempfile.TemporaryDirectory(prefix="policybook-quiz-") as tmp:
            try:
                project = read_project(unpack(release.snapshot, Path(tmp)), Diagnostics())
                cache[release.id] = read_quiz(project.quiz, Diagnostics())
            except SourceError:
                cache[release.id] = []
    return cache[release.id]


# ---------------------------------------------------------------- pages


@bp.get("/style.css")
@public
def style() -> Response:
    return send_file(STYLE, mimetype="text/css", max_age=3600)


@bp.get("/<token>")
@public
def landing(token: str) -> str:
    with _link(token) as (_session, opened):
        site = _site(opened)
        return render_template("acknowledge/landing.html", o=opened, token=token, has_site=bool(site.files))


@bp.get("/<token>/site/<path:rel>")
@public
def site(token: str, rel: str) -> Response:
    with _link(token) as (_session, opened):
        found = _site(opened).files.get(rel)
    if found is None or not found[0].is_file():
        abort(404)
    path, digest = found
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        abort(404)  # changed since the build: never show a page the manifest does not vouch for
    return send_file(path, max_age=0)


@bp.get("/<token>/handbook.pdf")
@public
def handbook(token: str) -> Response:
    with _link(token) as (_session, opened):
        assert opened.recorded is not None
        path = _dist() / opened.recorded.path
        digest = opened.recorded.sha256
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=path.name)


def _form(questions: list[Question]) -> FlaskForm:
    class ConfirmForm(FlaskForm):
        agree = BooleanField(validators=[DataRequired()])
        submit = SubmitField("确认签收")

    for index, q in enumerate(questions):
        setattr(ConfirmForm, f"q{index}", RadioField(q.question, choices=list(q.options)))
    return ConfirmForm()


@bp.route("/<token>/confirm", methods=["GET", "POST"], endpoint="confirm")
@public
def confirm_page(token: str) -> Any:
    with _link(token) as (session, opened):
        assert opened.release is not None
        questions = _questions(opened.release)
        form = _form(questions)
        statement = STATEMENT.format(title=_handbook_title(opened), version=opened.release.version)
        missed: list[int] = []
        if form.validate_on_submit():
            answers = [str(getattr(form, f"q{i}").data or "") for i in range(len(questions))]
            missed = wrong(questions, answers)
            if not missed:
                quiz = [{"question": q.question, "answer": a} for q, a in zip(questions, answers, strict=True)]
                click = Click(
                    statement, request.remote_addr or "", request.user_agent.string, _site(opened).sha256, quiz
                )
                confirm(session, opened, click, evidence_store(), _now())
                return redirect(url_for("acknowledge.done", token=token))
        return render_template(
            "acknowledge/confirm.html",
            o=opened,
            token=token,
            form=form,
            statement=statement,
            missed=missed,
            questions=[getattr(form, f"q{i}") for i in range(len(questions))],
        )


def _handbook_title(opened: Opened) -> str:
    assert opened.release is not None
    cache: dict[str, str] = current_app.extensions.setdefault("ack_titles", {})
    if opened.release.version not in cache:
        with tempfile.TemporaryDirectory(prefix="policybook-title-") as tmp:
            try:
                cache[opened.release.version] = read_project(
                    unpack(opened.release.snapshot, Path(tmp)), Diagnostics()
                ).meta.title
            except SourceError:
                cache[opened.release.version] = "员工手册"
    return cache[opened.release.version]


@bp.get("/<token>/done")
@public
def done(token: str) -> str:
    with _link(token, ("signed",)) as (_session, opened):
        receipt = _own_receipt(opened)
        return render_template("acknowledge/done.html", o=opened, token=token, receipt=receipt)


@bp.get("/<token>/receipt.pdf")
@public
def receipt(token: str) -> Response:
    with _link(token, ("signed",)) as (_session, opened):
        found = _own_receipt(opened)
        if not found or opened.ack is None:
            abort(404)
        data = receipt_pdf(found, opened.ack.evidence_sha256)
    name = f"签收回执-{found['employee']}-v{found['version']}.pdf"
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": _attachment(name)})


def _own_receipt(opened: Opened) -> dict[str, str]:
    """The receipt of the click made through this very link (nothing for a paper signature)."""
    if opened.ack is None or opened.ack.method != "click" or opened.link is None:
        return {}
    found = receipt_of(evidence_store(), opened.ack)
    return found if found.get("link") == str(opened.link.id) else {}


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=receipt.pdf; filename*=UTF-8''{quote(name)}"
