"""Write stage: atomic output folders and the release manifest.

Outputs are written into a staging folder inside the output folder and moved
into place only when everything succeeded, so a failed run leaves the previous
outputs exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

VERSION_RE = re.compile(r"-v([0-9A-Za-z.]+?)(?:-to-v[0-9A-Za-z.]+)?(?:\.model|-[^-]*)?\.(pdf|docx|json)$")


class Staging:
    """A staging folder; ``written`` lists what was published from it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: list[Path] = []


@contextmanager
def staged(out: Path) -> Iterator[Staging]:
    """Write into ``staging.folder``; on success every file moves into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Staging(Path(tempfile.mkdtemp(prefix=".staging-", dir=out)))
    try:
        yield staging
        staging.written = _publish(staging.folder, out)
    finally:
        shutil.rmtree(staging.folder, ignore_errors=True)


def _publish(staging: Path, out: Path) -> list[Path]:
    """Move every staged file into place (each move is atomic)."""
    written: list[Path] = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        rel = path.relative_to(staging)
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        written.append(rel)
    return written


def atomic_write(path: Path, data: bytes) -> None:
    """Write one file so readers see the old bytes or the new, never half."""
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


def write_manifest(out: Path, written: list[Path], versions: dict[str, str], revision: str, source: str) -> Path:
    """``out/manifest.json``: every file of this release with its checksum."""
    files = []
    for rel in written:
        path = out / rel
        match = VERSION_RE.search(rel.name)
        files.append(
            {
                "path": rel.as_posix(),
                "subsidiary": rel.parts[0] if len(rel.parts) > 1 else "",
                "kind": kind_of(rel),
                "version": match.group(1) if match else versions.get(rel.parts[0], ""),
                "size": path.stat().st_size,
                "sha256": sha256(path),
            }
        )
    manifest = {"source": source, "source_revision": revision, "versions": versions, "files": files}
    target = out / "manifest.json"
    atomic_write(target, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return target
