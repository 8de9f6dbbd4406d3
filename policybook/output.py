"""Write stage: exclusive, atomic publishing of output folders, and the release manifest.

One build at a time per output folder: the folder itself is locked
(``flock``), and a second build is told who holds it.

Publishing is atomic for readers. Outputs are written into a new tree beside
the output folder (``.<name>.staging-*`` in its parent); every file of the old
tree that the new one does not replace is hard-linked into it (no copying), the
new manifest.json is put in, and the two trees are exchanged in one step
(Linux ``renameat2(RENAME_EXCHANGE)``). A reader of ``dist/`` — a web server, a
copy to the file share — sees the old release or the new one, never a mix; a
build killed at any instant leaves the old tree in place and a staging tree
beside it, removed by the next run. Where the exchange is not available (another
kernel, a file system without it) the old tree is renamed aside and the new one
renamed into place: for that moment the folder is missing, never mixed, and the
old tree stays readable aside (a kill in between is rolled back by the next run).

Where the parent folder cannot be written (no tree can be made beside), files
are published in place, following a journal:

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

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
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
    if not out.exists() and _aside(out).is_dir():  # a publish killed between its two renames
        os.replace(_aside(out), out)
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
    fd = _lock(out)
    _HELD.add(key)
    _LOCKS[key] = [fd]
    try:
        recover(out)
        yield
    finally:
        _HELD.discard(key)
        for held in _LOCKS.pop(key, []):
            os.close(held)  # releases the lock


_LOCKS: dict[Path, list[int]] = {}  # output folder → the descriptors whose locks this process holds


def _lock(out: Path) -> int:
    """A descriptor of ``out`` locked for this process. The folder's tree is exchanged when a
    release is published, so the lock is taken again if ``out`` changed while it was taken."""
    for _ in range(100):
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise fail(
                Loc(str(out)),
                "another policybook run is writing to this output folder",
                "output.locked",
                "wait for it to finish, or use another folder with -o",
            ) from None
        if _same(os.fstat(fd), out):
            return fd
        os.close(fd)  # a release was published into a new tree meanwhile: lock that one
    raise fail(Loc(str(out)), "the output folder keeps changing", "output.locked", "is another program replacing it?")


def _same(held: os.stat_result, path: Path) -> bool:
    try:
        now = os.stat(path)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


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
    for stale in [*out.glob(".staging-*"), *out.parent.glob(f".{glob_escape(out.name)}.staging-*")]:
        shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(_aside(out), ignore_errors=True)  # the old tree, if a publish was killed before removing it
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
        beside = os.access(out.parent, os.W_OK | os.X_OK)
        where = out.parent if beside else out
        staging = Staging(Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-" if beside else ".staging-", dir=where)))
        try:
            yield staging
            staging.written = _exchanged(staging, out) if beside else _publish(staging, out)
        finally:
            shutil.rmtree(staging.folder, ignore_errors=True)


def _exchanged(staging: Staging, out: Path) -> list[Path]:
    """Complete the staging tree with the old tree's other files (hard links) and the new
    manifest, then exchange it with ``out`` in one step; the old tree is removed after."""
    files = staging.files()
    tree = staging.folder
    os.chmod(tree, stat.S_IMODE(os.stat(out).st_mode))  # mkdtemp made it private
    _link_rest(out, tree)
    if staging.manifest is not None:
        atomic_write(tree / MANIFEST, staging.manifest)
    _LOCKS.setdefault(out.resolve(), []).append(_locked(tree))  # the new tree is held too, once it is ``out``
    exchange(tree, out)
    return files


def _link_rest(old: Path, tree: Path) -> None:
    """Every file of ``old`` the new ``tree`` does not have, hard-linked (symbolic links copied)."""
    for folder, dirs, names in os.walk(old):
        here = Path(folder)
        rel = here.relative_to(old)
        if rel == Path("."):
            dirs[:] = [d for d in dirs if not d.startswith(".staging-")]
        (tree / rel).mkdir(exist_ok=True)
        for name in names:
            if rel == Path(".") and (name == JOURNAL or name.startswith((f".{JOURNAL}.", f".{MANIFEST}."))):
                continue
            source, target = here / name, tree / rel / name
            if target.exists() or target.is_symlink():
                continue
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
            elif source.is_file():
                os.link(source, target)


def _locked(folder: Path) -> int:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody else knows this folder yet
    return fd


AT_FDCWD = -100
RENAME_EXCHANGE = 2


def exchange(new: Path, out: Path) -> None:
    """Swap the trees at ``new`` and ``out`` atomically (the old tree is then at ``new``).

    Without ``renameat2(RENAME_EXCHANGE)``: ``out`` is renamed aside, ``new`` into place, and
    the old tree to ``new`` — in between ``out`` is missing, never mixed (the next run puts
    the old tree back if this one is killed there)."""
    error = _renameat2(new, out)
    if error == 0:
        return
    if error not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):
        raise OSError(error, os.strerror(error), str(out))
    aside = _aside(out)
    os.replace(out, aside)
    try:
        os.replace(new, out)
    except BaseException:
        os.replace(aside, out)
        raise
    os.replace(aside, new)


def _renameat2(a: Path, b: Path) -> int:
    """0, or the errno of ``renameat2(a, b, RENAME_EXCHANGE)`` (ENOSYS where libc lacks it)."""
    function = getattr(_libc(), "renameat2", None)
    if function is None:
        return errno.ENOSYS
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if function(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return 0
    return ctypes.get_errno() or errno.EINVAL


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _aside(out: Path) -> Path:
    return out.with_name(f".{out.name}.previous")


def glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name)


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
