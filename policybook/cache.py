"""Build cache: skip an output whose inputs have not changed — and never serve it stale.

The key of an output (subsidiary × format) hashes everything it depends on:
the resolved, numbered document (so variables, conditions, chapters and forms
are all in it, and a chapter a subsidiary leaves out is not), the brand kit's
files, the fonts on the machine, policybook's own code, and the environment
that changes output (SOURCE_DATE_EPOCH, POLICYBOOK_*). The output folder
itself is the store: a hit also needs every recorded file to exist with the
recorded SHA-256.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from policybook.diagnostics import Diagnostic, Diagnostics
from policybook.model import Document
from policybook.output import atomic_write, sha256

PACKAGE = Path(__file__).resolve().parent
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))
INDEX = ".policybook-cache.json"


def user_cache_dir(kind: str) -> Path:
    """``$POLICYBOOK_CACHE/<kind>`` (else ``$XDG_CACHE_HOME/policybook``, else ``~/.cache/policybook``).

    A cache that cannot be used (a file in the way, read-only) is not an error:
    a private temporary cache is used instead, with a warning."""
    base = os.environ.get("POLICYBOOK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "policybook"
    )
    folder = Path(base) / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK | os.X_OK):
            return folder
    except OSError:
        pass
    return _fallback_cache(str(folder)) / kind


@lru_cache(maxsize=1)
def _fallback_cache(wanted: str) -> Path:
    print(
        f"policybook: warning: cache folder {wanted} cannot be written; using a temporary one [cache.unusable]",
        file=sys.stderr,
    )
    folder = Path(tempfile.mkdtemp(prefix="policybook-cache-"))
    for kind in ("chapters", "fonts"):
        (folder / kind).mkdir()
    return folder


def stored(kind: str, key: str) -> bytes | None:
    """The bytes kept under ``key`` in the user cache ``kind`` by :func:`store`; None when
    missing or damaged in any way (truncated, edited: the checksum written with it decides)."""
    try:
        blob = _entry(kind, key).read_bytes()
    except OSError:
        return None
    data = blob[32:]
    return data if len(blob) >= 32 and hashlib.sha256(data).digest() == blob[:32] else None


def store(kind: str, key: str, data: bytes) -> None:
    """Keep ``data`` under ``key`` (a hex digest of everything it depends on); a cache that
    cannot be written only costs time next run."""
    with contextlib.suppress(OSError):
        atomic_write(_entry(kind, key), hashlib.sha256(data).digest() + data)


def _entry(kind: str, key: str) -> Path:
    return user_cache_dir(kind) / key[:2] / key


def _hash_files(paths: list[Path], base: Path | None = None) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        name = str(path.relative_to(base)) if base else str(path)
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """policybook's own code and data (templates, built-in kits); fixed for a process."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return _hash_files(files, PACKAGE)


@lru_cache(maxsize=1)
def font_fingerprint() -> str:
    """The font files the engines can see (name, size, modification time)."""
    digest = hashlib.sha256()
    for folder in FONT_DIRS:
        for root, _dirs, files in sorted(os.walk(folder)):
            for name in sorted(files):
                stat = os.stat(os.path.join(root, name))
                digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def brand_fingerprint(folder: str) -> str:
    path = Path(folder)
    return _hash_files([p for p in path.rglob("*") if p.is_file()], path) if path.is_dir() else ""


def environment_fingerprint() -> str:
    keys = sorted(k for k in os.environ if k == "SOURCE_DATE_EPOCH" or k.startswith("POLICYBOOK_"))
    return json.dumps({k: os.environ[k] for k in keys})


def model_fingerprint(doc: Document, reads: tuple[str, ...] = ()) -> str:
    """The parts of the resolved model an output depends on (attribute names; empty = all
    but ``changes``, which only a writer naming it depends on).

    Pickled, not dumped as JSON: the same model always pickles to the same bytes, ten
    times faster on a 1,000-page handbook."""
    names = reads or tuple(f.name for f in dataclasses.fields(doc) if f.name != "changes")
    return hashlib.sha256(pickle.dumps([getattr(doc, n) for n in names], protocol=5)).hexdigest()


def output_key(doc: Document, writer: str, reads: tuple[str, ...] = ()) -> str:
    parts = [
        writer,
        model_fingerprint(doc, reads),
        brand_fingerprint(doc.brand.folder) if doc.brand else "",
        code_fingerprint(),
        font_fingerprint(),
        environment_fingerprint(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def source_fingerprint(source: Path, request: str) -> str:
    """Every file of the source, forms and brand kits, plus code, fonts, environment and
    the request (subsidiaries × formats): equal means the last release is still right.
    "" when the source names other folders (``paths:``), so the full check decides."""
    handbook = source / "handbook.yaml"
    text = "\n" + handbook.read_text(encoding="utf-8", errors="replace") if handbook.is_file() else ""
    if not text or "\npaths:" in text:
        return ""
    previous = _previous_fingerprint(source, text)
    if previous is None:
        return ""
    folders = [source, source.parent / "forms", source.parent / "templates"]
    files = [p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()]
    parts = [
        _hash_files(files, source.parent),
        code_fingerprint(),
        font_fingerprint(),
        environment_fingerprint(),
        request,
        previous,
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


PREVIOUS_RE = re.compile(r"^previous:[ \t]*[\"']?([^\"'#\n]*?)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)


def _previous_fingerprint(source: Path, handbook_text: str) -> str | None:
    """The release named by ``previous:`` (its files, or its git commit); None = unknown."""
    match = PREVIOUS_RE.search(handbook_text)
    if not match or not match.group(1):
        return "" if "\nprevious:" not in handbook_text else None
    spec = match.group(1)
    folder = source / spec
    if folder.is_dir():
        return _hash_files([p for p in folder.rglob("*") if p.is_file()], folder)
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"], cwd=source, capture_output=True, check=False
    )
    return commit.stdout.decode().strip() or None


class BuildCache:
    """key per (subsidiary, format) → the files that output wrote, with their hashes."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out / INDEX
        self.entries: dict[str, dict[str, object]] = {}
        self.damaged = False  # the index existed but could not be used: everything is rebuilt
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            data = None
        self.entries = _valid_entries(data)
        self.damaged = self.entries != data

    def release(self, fingerprint: str, diags: Diagnostics | None = None) -> list[Path] | None:
        """The files of the last release if nothing it depends on changed; its warnings
        go to ``diags`` again (the same source must report the same problems every time)."""
        entry = self.entries.get("release")
        if not fingerprint or not entry or entry.get("fingerprint") != fingerprint:
            return None
        files: list[str] = entry.get("files", [])  # type: ignore[assignment]
        for job, value in self.entries.items():
            if job != "release" and self.hit(job, str(value.get("key"))) is None:
                return None
        warnings: list[dict[str, str | int]] = entry.get("warnings", [])  # type: ignore[assignment]
        if diags is not None:
            for warning in warnings:
                diags.add(Diagnostic.from_json(warning))
        return [Path(f) for f in files]

    def record_release(self, fingerprint: str, files: list[Path], diags: Diagnostics | None = None) -> None:
        self.entries["release"] = {
            "fingerprint": fingerprint,
            "files": [f.as_posix() for f in files],
            "warnings": [d.to_json() for d in diags.items] if diags is not None else [],
        }

    def hit(self, job: str, key: str) -> list[Path] | None:
        """The files of a still-valid output, or None."""
        entry = self.entries.get(job)
        if not entry or entry.get("key") != key:
            return None
        files: dict[str, str] = entry.get("files", {})  # type: ignore[assignment]
        for rel, digest in files.items():
            path = self.out / rel
            if not path.is_file() or sha256(path) != digest:
                return None
        return [Path(rel) for rel in files]

    def record(self, job: str, key: str, files: list[Path], seconds: float = 0.0) -> None:
        self.entries[job] = {
            "key": key,
            "files": {f.as_posix(): sha256(self.out / f) for f in files},
            "seconds": round(seconds, 2),
        }

    def last_seconds(self, job: str) -> float:
        """How long this output took last time (0 if unknown): longest jobs start first."""
        entry = self.entries.get(job) or {}
        value = entry.get("seconds", 0.0)
        return float(value) if isinstance(value, int | float) else 0.0

    def save(self) -> None:
        """Write the index; a cache that cannot be written only costs time next build."""
        data = (json.dumps(self.entries, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
        with contextlib.suppress(OSError):
            atomic_write(self.path, data)


def _valid_entries(data: object) -> dict[str, dict[str, object]]:
    """The well-formed entries of an index read from disk (anything else is dropped)."""
    if not isinstance(data, dict):
        return {}
    entries: dict[str, dict[str, object]] = {}
    for job, entry in data.items():
        if not isinstance(entry, dict):
            continue
        if job == "release":
            ok = isinstance(entry.get("fingerprint"), str) and _relative_names(entry.get("files"))
            ok = ok and _diagnostics(entry.get("warnings", []))
        else:
            files = entry.get("files")
            ok = isinstance(entry.get("key"), str) and isinstance(files, dict) and _relative_names(list(files))
            ok = ok and all(isinstance(v, str) for v in files.values())  # type: ignore[union-attr]
        if ok:
            entries[job] = entry
    return entries


def _diagnostics(items: object) -> bool:
    """A list of diagnostics as ``Diagnostic.to_json`` writes them."""
    return isinstance(items, list) and all(
        isinstance(d, dict)
        and all(isinstance(d.get(k), str) for k in ("severity", "message", "code"))
        and isinstance(d.get("path", ""), str)
        and isinstance(d.get("line", 0), int)
        for d in items
    )


def _relative_names(names: object) -> bool:
    """A list of file names inside the output folder (no absolute paths, no ``..``)."""
    return isinstance(names, list) and all(
        isinstance(n, str) and n and not Path(n).is_absolute() and ".." not in Path(n).parts for n in names
    )
