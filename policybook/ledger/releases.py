"""Ledger stage: record a release — each subsidiary's handbook PDF with its SHA-256, and
whether its content changed since the previous recorded release.

The PDFs come from the build's ``dist/manifest.json`` (each file re-hashed: the
ledger records what is really on disk). To know later what changed, every
release keeps a copy of its source in the database: a deterministic tar.gz of
the folders the source was read from (``handbook/``, ``forms/``,
``templates/``). A new release is compared with that copy by the change-table
code (``policybook.changes``) — the same comparison ``policybook diff`` prints
— so a subsidiary counts as changed exactly when its 修订对照表 has rows, not
counting an article that only prints the new version number and effective
date (本手册（版本3.3）自…起施行), which changes with every release. A copy
kept in the ledger works whether or not the source is in git, and keeps
working after history is rewritten.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import tarfile
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from policybook.build import Checked, check
from policybook.changes import change_table
from policybook.diagnostics import Diagnostics, SourceError, fail
from policybook.ledger.schema import Release, ReleaseFile
from policybook.model import Document, Loc
from policybook.output import sha256
from policybook.source.git import revision_of
from policybook.source.project import read_project
from policybook.transforms import project_labels, resolve


@dataclass
class Built:
    """One subsidiary's handbook PDF as the build wrote it."""

    subsidiary: str
    code: str
    path: Path
    rel: str
    sha256: str
    size: int


def built_pdfs(checked: Checked, dist: Path, diags: Diagnostics) -> dict[str, Built]:
    """The handbook PDF of every subsidiary built at the source's version, from
    ``dist/manifest.json``; a subsidiary not built is a warning (it is not assigned)."""
    manifest_path = dist / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(
            Loc(str(manifest_path)), "no manifest: nothing has been built here", "ledger.manifest", _build_hint(checked)
        ) from None
    except (OSError, ValueError) as exc:
        raise fail(Loc(str(manifest_path)), f"unreadable manifest: {exc}", "ledger.manifest") from None
    files = {(f.get("subsidiary"), f.get("kind"), f.get("version")): f for f in manifest.get("files", [])}
    found = {}
    missing = []
    for sub_id, doc in checked.documents.items():
        entry = files.get((sub_id, "handbook-pdf", doc.meta.version))
        if entry is None:
            missing.append(sub_id)
        else:
            found[sub_id] = _verified(dist, entry, sub_id, doc.subsidiary.code, diags)
    version = checked.project.meta.version
    if missing:
        report = diags.warning if found else diags.error
        report(
            Loc(str(manifest_path)),
            f"no PDF handbook version {version} of {', '.join(missing)} in this build; not assigned",
            "ledger.manifest",
            _build_hint(checked),
        )
    diags.raise_if_errors()
    return found


def _verified(dist: Path, entry: dict[str, object], sub_id: str, code: str, diags: Diagnostics) -> Built:
    path = dist / str(entry["path"])
    digest = sha256(path) if path.is_file() else ""
    if digest != entry.get("sha256"):
        diags.error(
            Loc(str(path)),
            "the file is missing or differs from the SHA-256 in manifest.json",
            "ledger.manifest",
            "rebuild: policybook build",
        )
    return Built(sub_id, code, path, str(entry["path"]), digest, path.stat().st_size if digest else 0)


def _build_hint(checked: Checked) -> str:
    return f"build first: policybook build {checked.project.source.name}/ -f pdf"


def record_release(
    session: Session, checked: Checked, built: dict[str, Built], today: datetime.date, now: datetime.datetime
) -> Release:
    """The release of the current source, recorded now unless it already was."""
    meta = next(iter(checked.documents.values())).meta
    release = session.scalar(select(Release).where(Release.version == meta.version))
    if release is None:
        snapshot = snapshot_of(checked)
        release = Release(
            version=meta.version,
            code=meta.code,
            effective=meta.effective,
            recorded_at=now,
            recorded_on=today,
            source_revision=revision_of(checked.project.source),
            snapshot=snapshot,
            snapshot_sha256=hashlib.sha256(snapshot).hexdigest(),
        )
        session.add(release)
        session.flush()
    _add_files(session, release, checked, built)
    return release


def _add_files(session: Session, release: Release, checked: Checked, built: dict[str, Built]) -> None:
    known = {f.subsidiary: f for f in release.files}
    diags = Diagnostics()
    new = [b for sub_id, b in built.items() if sub_id not in known]
    for sub_id, pdf in built.items():
        if sub_id in known and known[sub_id].sha256 != pdf.sha256:
            diags.error(
                Loc(str(pdf.path)),
                f"version {release.version} of '{sub_id}' was recorded on {release.recorded_on} with another PDF "
                f"(SHA-256 {known[sub_id].sha256[:12]}…, now {pdf.sha256[:12]}…)",
                "ledger.release-changed",
                "a changed handbook needs a new version: raise version: in handbook.yaml and rebuild",
            )
    diags.raise_if_errors()
    rows = _change_rows(session, release, checked, [b.subsidiary for b in new])
    for pdf in new:
        count = rows.get(pdf.subsidiary)
        session.add(
            ReleaseFile(
                release=release,
                subsidiary=pdf.subsidiary,
                subsidiary_code=pdf.code,
                path=pdf.rel,
                sha256=pdf.sha256,
                size=pdf.size,
                changed=count is None or count > 0,
                change_rows=count or 0,
            )
        )
    session.flush()


def _change_rows(session: Session, release: Release, checked: Checked, subs: list[str]) -> dict[str, int | None]:
    """Rows of each subsidiary's change table against the last release that had it
    (``None``: never released before, or the old copy can no longer be read)."""
    previous: dict[int, list[str]] = {}
    for sub_id in subs:
        last = session.scalar(
            select(ReleaseFile.release_id)
            .where(ReleaseFile.subsidiary == sub_id, ReleaseFile.release_id != release.id)
            .order_by(ReleaseFile.release_id.desc())
            .limit(1)
        )
        if last is not None:
            previous.setdefault(last, []).append(sub_id)
    rows: dict[str, int | None] = dict.fromkeys(subs)
    for release_id, ids in previous.items():
        old = session.get(Release, release_id)
        assert old is not None
        current = _restamped(checked, ids, old.version, old.effective)
        for sub_id, doc in _resolved(old, ids).items():
            rows[sub_id] = len(change_table(doc, current[sub_id]).rows)
    return rows


def _restamped(checked: Checked, subs: list[str], version: str, effective: str) -> dict[str, Document]:
    """The current source resolved as if it still carried the old version and effective date.

    An article that prints them (本手册（版本{{ version }}）自{{ effective }}起施行) changes
    with every release; that is not a change of the rules, so it must not count.
    The source is read again: resolving may consume a project's chapters."""
    project = read_project(checked.project.source, Diagnostics())
    stamped = replace(project, meta=replace(project.meta, version=version, effective=effective))
    labels = project_labels(stamped, None)
    return {sub_id: resolve(stamped, sub_id, Diagnostics(), labels) for sub_id in subs}


def _resolved(release: Release, subs: list[str]) -> dict[str, Document]:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="policybook-release-")))
        source = unpack(release.snapshot, folder)
        try:
            return dict(check(source, subs, Diagnostics(), formats=[]).documents)
        except SourceError:  # an old source this policybook cannot read: count it as changed
            return {}


# ---------------------------------------------------------------- source copies


def snapshot_of(checked: Checked) -> bytes:
    """A tar.gz of the folders the source was read from, byte-identical for the same files."""
    project = checked.project
    folders = {project.source, project.templates, *(f.parent for f in project.files)}
    files = sorted({p for folder in folders if folder.is_dir() for p in folder.rglob("*") if _wanted(p, project.root)})
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        tar.addfile(_info(".source", len(project.source.name.encode())), io.BytesIO(project.source.name.encode()))
        for path in files:
            data = path.read_bytes()
            tar.addfile(_info(path.relative_to(project.root).as_posix(), len(data)), io.BytesIO(data))
    return buffer.getvalue()


def unpack(snapshot: bytes, folder: Path) -> Path:
    """Extract a snapshot into ``folder``; returns its source folder."""
    with tarfile.open(fileobj=io.BytesIO(snapshot), mode="r:gz") as tar:
        tar.extractall(folder, filter="data")
    return folder / (folder / ".source").read_text(encoding="utf-8")


def _wanted(path: Path, root: Path) -> bool:
    if not path.is_file() or not path.is_relative_to(root):
        return False
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o644, 0
    return info
