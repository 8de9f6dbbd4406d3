"""Ledger stage: evidence files (a scanned 签收单, an e-signature receipt) kept by content.

A file is stored once as ``<folder>/<first two hex digits>/<sha256><suffix>``:
the name is its SHA-256, so the same scan imported twice is one file, and a
file changed after the fact no longer matches the hash the ledger recorded.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from policybook.diagnostics import fail
from policybook.model import Loc
from policybook.output import sha256


class EvidenceStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def digest(self, path: Path, loc: Loc | None = None) -> str:
        """The SHA-256 of an evidence file (a user error if it cannot be read)."""
        if not path.is_file():
            raise fail(loc or Loc(str(path)), f"evidence file not found: {path}", "ack.evidence")
        try:
            return sha256(path)
        except OSError as exc:
            raise fail(
                loc or Loc(str(path)), f"cannot read evidence file {path}: {exc.strerror}", "ack.evidence"
            ) from None

    def path_of(self, digest: str, suffix: str) -> Path:
        return self.folder / digest[:2] / f"{digest}{suffix.lower()}"

    def put(self, path: Path, digest: str) -> Path:
        """Copy ``path`` in (atomically; nothing to do if it is there already)."""
        target = self.path_of(digest, path.suffix)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.NamedTemporaryFile(dir=target.parent, prefix=".evidence-", delete=False) as tmp,
            path.open("rb") as f,
        ):
            shutil.copyfileobj(f, tmp)
        copied = Path(tmp.name)
        if sha256(copied) != digest:  # changed while we were reading it
            copied.unlink()
            raise fail(Loc(str(path)), "the evidence file changed while it was being copied", "ack.evidence")
        copied.chmod(0o444)
        copied.replace(target)
        return target
