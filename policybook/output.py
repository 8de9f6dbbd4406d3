"""Write stage: exclusive, atomic publishing of output folders, and the release manifest.

One build at a time per output folder: the folder itself is locked
(``flock``), and a second build is told who holds it. Outputs are written into
``.staging-*`` inside the output folder; publishing then follows a journal:

1. ``.policybook-journal.json`` names the staging folder and every file to be
   replaced or created;
2. each file to be replaced is hard-linked into ``<staging>/.previous/``;
3. each new file is renamed into place, then the new ``manifest.json`` (the
   commit point: one atomic rename);
4. the journal and the staging folder are removed.

A build killed at any instant leaves a journal behind, and the next run (under
the lock) rolls the folder back to the previous release — or, if the new
manifest was already in place, finishes the new one. Either way every file
matches the manifest. Staging folders without a journal are leftovers of
killed builds and are removed.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from policybook.diagnostics import SourceError, fail
from policybook.model import Loc

VERSION_RE = re.compile(r"-v([0-9A-Za-z.]+?)(?:-to-v[0-9A-Za-z.]+)?(?:\.model|-[^-]*)?\.(pdf|docx|json)$")
JOURNAL = ".policybook-journal.json"
MANIFEST = "manifest.json"
PREVIOUS = ".previous"
# errors of the machine, not of policybook: reported as user errors naming the path
ENVIRONMENT_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "a file would be larger than allowed (ulimit -f)",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENAMETOOLONG: "a file name is too long",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder is in the way",
    errno.EEXIST: "a file is in the way",
    errno.EMFILE: "too many open files",
    errno.EIO: "input/output error",
}


def environment_error(exc: OSError, where: Path | str | None = None) -> SourceError | None:
    """A user error for a fault of the machine (disk full, read-only …), None for anything else."""
    reason = ENVIRONMENT_ERRNOS.get(exc.errno or 0)
    if reason is None:
        return None
    path = str(exc.filename or where or "")
    return fail(Loc(path) if path else None, f"cannot write: {reason}", "output.os-error", exc.strerror or "")


def prepare_output(out: Path) -> None:
    """``out`` exists as a writable folder, or a user error says why it cannot."""
    if out.exists() and not out.is_dir():
        raise fail(Loc(str(out)), "the output path is a file, not a folder", "output.not-folder", "give a folder to -o")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(
            Loc(str(out)), f"cannot create the output folder: {exc.strerror}", "output.create", "check -o"
        ) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise fail(Loc(str(out)), "the output folder is not writable", "output.read-only", "check its permissions")


_HELD: set[Path] = set()  # output folders this process holds


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold ``out`` for this process (released when it ends, even if killed); first
    finish or undo a publish a killed build left behind and remove stale staging."""
    key = out.resolve()
    if key in _HELD:
        yield
        return
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    _HELD.add(key)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise fail(
                Loc(str(out)),
                "another policybook run is writing to this output folder",
                "output.locked",
                "wait for it to finish, or use another folder with -o",
            ) from None
        recover(out)
        yield
    finally:
        _HELD.discard(key)
        os.close(fd)  # releases the lock


def recover(out: Path) -> None:
    """Roll a killed publish back (or forward past its commit point); remove stale staging."""
    journal = out / JOURNAL
    if journal.exists():
        try:
            plan = json.loads(journal.read_text(encoding="utf-8"))
            _undo(out, out / plan["staging"], plan["replace"], plan["create"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a journal cut short by the kill: nothing was moved yet
        journal.unlink(missing_ok=True)
    for stale in out.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for half in [*out.glob(f".{JOURNAL}.*"), *out.glob(f".{MANIFEST}.*")]:  # atomic_write cut short
        half.unlink(missing_ok=True)


def _undo(out: Path, staging: Path, replace: list[str], create: list[str]) -> None:
    if not (staging / MANIFEST).exists():
        return  # the new manifest is in place: the new release is complete
    for rel in replace:
        backup = staging / PREVIOUS / rel
        if backup.exists():
            os.replace(backup, out / rel)
    for rel in create:
        (out / rel).unlink(missing_ok=True)


class Staging:
    """A staging folder; ``written`` lists what was published from it. Set ``manifest``
    (the bytes of the new manifest.json) before leaving the ``staged`` block to publish one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: list[Path] = []
        self.manifest: bytes | None = None

    def files(self) -> list[Path]:
        """Staged files, relative to the staging folder."""
        return sorted(p.relative_to(self.folder) for p in self.folder.rglob("*") if p.is_file())


@contextmanager
def staged(out: Path) -> Iterator[Staging]:
    """Write into ``staging.folder``; on success every file moves into ``out`` (see the module's journal)."""
    prepare_output(out)
    with exclusive(out):
        staging = Staging(Path(tempfile.mkdtemp(prefix=".staging-", dir=out)))
        try:
            yield staging
            staging.written = _publish(staging, out)
        finally:
            shutil.rmtree(staging.folder, ignore_errors=True)


def _publish(staging: Staging, out: Path) -> list[Path]:
    files = staging.files()
    if staging.manifest is not None:
        atomic_write(staging.folder / MANIFEST, staging.manifest)
    replace = [rel.as_posix() for rel in files if (out / rel).exists()]
    create = [rel.as_posix() for rel in files if not (out / rel).exists()]
    plan = {"staging": staging.folder.name, "replace": replace, "create": create}
    atomic_write(out / JOURNAL, json.dumps(plan, ensure_ascii=False).encode("utf-8"))
    for name in replace:
        backup = staging.folder / PREVIOUS / name
        backup.parent.mkdir(parents=True, exist_ok=True)
        os.link(out / name, backup)
    for rel in files:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging.folder / rel, out / rel)
    if staging.manifest is not None:
        os.replace(staging.folder / MANIFEST, out / MANIFEST)  # the commit point
    (out / JOURNAL).unlink()
    return files


def atomic_write(path: Path, data: bytes) -> None:
    """Write one file so readers see the old bytes or the new, never half.

    A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a
    pipe) is written to, never replaced: renaming over it would replace the device.
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        with path.open("wb") as handle:
            handle.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def kind_of(rel: Path) -> str:
    """handbook-pdf, handbook-docx, form-pdf, form-docx, model-json, changes-pdf, site-html, …"""
    suffix = rel.suffix.lstrip(".")
    if "html" in rel.parts[1:-1]:  # <sub>/html/…: the handbook site
        return f"site-{suffix}"
    if "forms" in rel.parts[:-1]:
        return f"form-{suffix}"
    if "修订对照表" in rel.name or "changes" in rel.name:
        return f"changes-{suffix}"
    if rel.name.endswith(".model.json"):
        return "model-json"
    return f"handbook-{suffix}"


def manifest_data(files: dict[Path, Path], versions: dict[str, str], revision: str, source: str) -> bytes:
    """The bytes of ``manifest.json``: every file of a release (relative name → where it is now)."""
    entries = []
    for rel, path in sorted(files.items()):
        match = VERSION_RE.search(rel.name)
        entries.append(
            {
                "path": rel.as_posix(),
                "subsidiary": rel.parts[0] if len(rel.parts) > 1 else "",
                "kind": kind_of(rel),
                "version": match.group(1) if match else versions.get(rel.parts[0], ""),
                "size": path.stat().st_size,
                "sha256": sha256(path),
            }
        )
    manifest = {"source": source, "source_revision": revision, "versions": versions, "files": entries}
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
