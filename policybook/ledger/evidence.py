"""Ledger stage: evidence files (a scanned 签收单, an e-signature receipt) kept by content.

A file is stored once as ``<folder>/<first two hex digits>/<sha256><suffix>``:
the name is its SHA-256, so the same scan imported twice is one file, and a
file changed after the fact no longer matches the hash the ledger recorded.

Where evidence may come from: an import file names its evidence relative to
its own folder, and only files beneath that folder (or beneath a folder given
with ``--evidence-from``) are read — no ``..`` out of it, no absolute path
elsewhere, no symbolic link on the way (:mod:`policybook.confine` opens each
step without following one). Stored copies are readable by their owner only
(scans of signatures are personal data); a copy is written to a temporary
name and renamed, and a temporary file left by a killed run is removed by
the next one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from policybook.confine import open_file_beneath
from policybook.diagnostics import fail
from policybook.model import Loc

TEMP_PREFIX = ".evidence-"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Evidence:
    """An evidence file: a folder evidence may come from, and the names beneath it."""

    root: Path
    parts: tuple[str, ...]

    @property
    def path(self) -> Path:
        return self.root.joinpath(*self.parts)

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix


def locate(text: str, base: Path, roots: list[Path], loc: Loc | None) -> Evidence:
    """The evidence file ``text`` names (relative to ``base``, the import file's folder), if it
    lies beneath ``base`` or one of ``roots``; else a located error."""
    allowed = [Path(os.path.realpath(r)) for r in (base, *roots)]
    named = Path(text)
    if "\0" in text or "://" in text:
        raise fail(loc, f"evidence '{text}' is not a file name", "ack.evidence")
    if PureWindowsPath(text).drive or text.startswith("~"):
        raise fail(loc, f"evidence '{text}' is not a path on this machine", "ack.evidence")
    full = Path(os.path.normpath(named if named.is_absolute() else allowed[0] / PurePosixPath(text)))
    for root in allowed:
        if full.is_relative_to(root) and full != root:
            return Evidence(root, full.relative_to(root).parts)
    shown = ", ".join(str(r) for r in allowed)
    raise fail(
        loc,
        f"evidence '{text}' is outside the folders evidence may come from ({shown})",
        "ack.evidence",
        "put the files beside the import file, or name their folder with --evidence-from",
    )


def named(path: Path) -> Evidence:
    """An evidence file named on the command line (``ack record --evidence``): its own folder is the root."""
    full = Path(os.path.abspath(path))
    return Evidence(Path(os.path.realpath(full.parent)), (full.name,))


class EvidenceStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def digest(self, evidence: Evidence | Path, loc: Loc | None = None) -> str:
        """The SHA-256 of an evidence file (a user error if it cannot be read or is reached through a link)."""
        evidence = named(evidence) if isinstance(evidence, Path) else evidence
        digest = hashlib.sha256()
        with self._open(evidence, loc) as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        return digest.hexdigest()

    def _open(self, evidence: Evidence, loc: Loc | None):  # type: ignore[no-untyped-def]
        where = loc or Loc(str(evidence.path))
        try:
            return os.fdopen(open_file_beneath(evidence.root, evidence.parts), "rb")
        except FileNotFoundError:
            raise fail(where, f"evidence file not found: {evidence.path}", "ack.evidence") from None
        except OSError as exc:
            reason = (
                "a symbolic link, or not a plain file"
                if exc.errno in (None, errno.ELOOP, errno.ENOTDIR)
                else exc.strerror
            )
            raise fail(
                where,
                f"cannot read evidence file {evidence.path}: {reason}",
                "ack.evidence",
                "evidence must be a plain file, not reached through a symbolic link",
            ) from None

    def path_of(self, digest: str, suffix: str) -> Path:
        return self.folder / digest[:2] / f"{digest}{_plain_suffix(suffix)}"

    def put(self, evidence: Evidence | Path, digest: str) -> Path:
        """Copy the file in (atomically; nothing to do if it is there already)."""
        evidence = named(evidence) if isinstance(evidence, Path) else evidence
        target = self.path_of(digest, evidence.suffix)
        if target.is_file():
            return target
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target.parent.mkdir(exist_ok=True, mode=0o700)
        self._sweep(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-")  # mode 0600
        copied = Path(tmp)
        try:
            check = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, self._open(evidence, None) as source:
                while block := source.read(CHUNK):
                    check.update(block)
                    out.write(block)
            if check.hexdigest() != digest:  # changed while we were reading it
                raise fail(
                    Loc(str(evidence.path)), "the evidence file changed while it was being copied", "ack.evidence"
                )
            copied.chmod(0o400)  # owner only, read only: a stored copy is never changed
            copied.replace(target)
        except BaseException:
            copied.unlink(missing_ok=True)
            raise
        return target

    @staticmethod
    def _sweep(folder: Path) -> None:
        """Remove temporary copies left by a run that was killed (its process is gone)."""
        for leftover in folder.glob(f"{TEMP_PREFIX}*"):
            pid = leftover.name[len(TEMP_PREFIX) :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _plain_suffix(suffix: str) -> str:
    """The file's suffix if it is a short plain one (``.pdf``, ``.jpg``), else none."""
    suffix = suffix.lower()
    return suffix if len(suffix) <= 10 and suffix[1:].isalnum() and suffix[1:].isascii() else ""
