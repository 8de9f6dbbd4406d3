"""Write stage (forms): what Typst made of one form, kept in the user cache (``forms``).

The forms writer, the handbook PDF (its 附件 pages) and the DOCX writer (which
metrics fit) all need the same layout of the same form; they run in different
worker processes, and a form rarely changes between builds. An entry is keyed by
everything the compile reads — the form's data, the logo's bytes, layout.typ,
the Typst version and the fonts on the machine — and holds Typst's own results
(the undated PDF, the query's markers, the page count, SVG pages when asked for),
so policybook code that interprets them never goes stale with it. A damaged
entry is compiled again (cache.stored checks it). Writers that want the same
entry at the same moment take turns (:func:`claimed`): one compiles, the others
then read its result.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybook.cache import font_fingerprint, store, stored, user_cache_dir

KIND = "forms"
FORMAT = b"policybook-form-1\n"


@dataclass(frozen=True)
class Compiled:
    pdf: bytes
    marks: list[dict[str, Any]]  # the query's <pb-field> values
    pages: int
    svgs: list[bytes]


def key(data: dict[str, Any], svg: bool, template: Path) -> str:
    import typst

    logo = data["header"]["logo"]
    digest = hashlib.sha256(FORMAT)
    for part in (
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode(),
        Path(logo).read_bytes() if logo else b"",
        template.read_bytes(),
        getattr(typst, "__version__", "?").encode(),
        font_fingerprint().encode(),
        b"svg" if svg else b"pdf",
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def load(key: str) -> Compiled | None:
    blob = stored(KIND, key)
    if blob is None or not blob.startswith(FORMAT):
        return None
    try:
        head, _, body = blob[len(FORMAT) :].partition(b"\n")
        meta = json.loads(head)
        sizes = [int(n) for n in meta["sizes"]]
        marks, pages = meta["marks"], int(meta["pages"])
        ok = isinstance(marks, list) and all(isinstance(m, dict) for m in marks)
    except (ValueError, KeyError, TypeError):
        return None
    if not ok or sum(sizes) != len(body) or not sizes:
        return None
    parts, at = [], 0
    for size in sizes:
        parts.append(body[at : at + size])
        at += size
    return Compiled(parts[0], marks, pages, parts[1:])


def save(key: str, result: Compiled) -> None:
    parts = [result.pdf, *result.svgs]
    meta = {"sizes": [len(p) for p in parts], "marks": result.marks, "pages": result.pages}
    store(KIND, key, FORMAT + json.dumps(meta, ensure_ascii=False).encode() + b"\n" + b"".join(parts))


@contextmanager
def claimed(key: str) -> Iterator[None]:
    """Hold the entry's lock (an flock, released by the system if the process dies): a
    process that finds no entry compiles it under this, and one that came second waits
    and reads the entry instead of compiling it again. No lock can be had: no waiting."""
    try:
        folder = user_cache_dir(KIND) / "locks"
        folder.mkdir(exist_ok=True)
        # 16 lock files: entries whose keys start with the same hex digit share one
        fd = os.open(folder / f"{key[0]}.lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
