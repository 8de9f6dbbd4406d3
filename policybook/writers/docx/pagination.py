"""Write stage (DOCX): learn on which page each heading falls, by asking LibreOffice.

Word computes TOC page numbers only when a user updates the field; a DOCX that
should open with a complete table of contents needs them cached. When
LibreOffice is installed the finished DOCX is converted once to PDF with every
bookmark exported as a named destination; each destination's page is the page
of that heading. Set ``POLICYBOOK_DOCX_PAGES=off`` to skip the pass (the TOC
then lists its entries without page numbers). ``page_cache`` keeps the answers,
so the same draft is laid out once.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import cast

from pypdf import PdfReader

from policybook.cache import user_cache_dir

EXPORT_OPTIONS: dict[str, object] = {"ExportBookmarksToPDFDestination": {"type": "boolean", "value": "true"}}
TIMEOUT_S = 600
PR_SET_PDEATHSIG = 1  # linux/prctl.h
RESTART = 81  # soffice.bin's exit code asking its launcher to start it again


@dataclass(frozen=True)
class Pages:
    bookmarks: dict[str, int]  # bookmark name → 1-based page
    total: int

    def from_page(self, first: int) -> Pages:
        """The numbers a reader sees when page ``first`` is numbered 1 (front matter not counted)."""
        shift = first - 1
        return Pages({name: page - shift for name, page in self.bookmarks.items()}, self.total - shift)


def soffice() -> str | None:
    if os.environ.get("POLICYBOOK_DOCX_PAGES", "").lower() in ("off", "0", "no", "false"):
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx: Path, outdir: Path, options: dict[str, object] | None = None) -> Path:
    """``docx`` converted by LibreOffice headless with a private profile (parallel runs never clash)."""
    return convert_many([docx], outdir, options)[0]


def convert_many(sources: list[Path], outdir: Path, options: dict[str, object] | None = None) -> list[Path]:
    """Several documents converted by one LibreOffice run (it starts once)."""
    binary = soffice() or "soffice"
    target = "pdf:writer_pdf_Export" + (f":{json.dumps(options)}" if options else "")
    with tempfile.TemporaryDirectory(prefix="pb-lo-profile-") as tmp:
        profile = Path(tmp) / "profile"
        seeded = _seed_profile(profile, binary)
        command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        run_alone([*command, "--convert-to", target, "--outdir", str(outdir), *map(str, sources)])
        if not seeded:
            _keep_profile(profile, binary)
    pdfs = [outdir / f"{source.stem}.pdf" for source in sources]
    for pdf in pdfs:
        if not pdf.is_file():
            raise RuntimeError(f"LibreOffice did not convert {pdf.stem}.docx")
    return pdfs


@lru_cache(maxsize=4)
def libreoffice_identity(soffice: str) -> str:
    """The installed LibreOffice (its program folder and build), without starting it."""
    program = Path(os.path.realpath(soffice)).parent
    parts = [str(program)]
    for name in ("versionrc", "soffice.bin"):
        with contextlib.suppress(OSError):
            info = (program / name).stat()
            parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return "|".join(parts)


def _profile_template(soffice: str) -> Path:
    """A profile this LibreOffice has set up, kept in the user cache: setting one up costs
    LibreOffice a second start (~1 s) on every run that begins with an empty one."""
    name = hashlib.sha256(libreoffice_identity(soffice).encode()).hexdigest()[:16]
    return user_cache_dir("libreoffice") / f"profile-{name}"


def _seed_profile(profile: Path, soffice: str) -> bool:
    """Start ``profile`` as a copy of the kept one; False when there is none (or it cannot be read)."""
    template = _profile_template(soffice)
    if not template.is_dir():
        return False
    try:
        shutil.copytree(template, profile)
    except OSError:
        shutil.rmtree(profile, ignore_errors=True)
        return False
    return True


def _keep_profile(profile: Path, soffice: str) -> None:
    """Keep the profile LibreOffice just set up (first writer wins; failures only cost time)."""
    template = _profile_template(soffice)
    partial_copy = template.with_name(f".{template.name}.{os.getpid()}")
    try:
        shutil.copytree(profile, partial_copy)
        partial_copy.rename(template)
    except OSError:
        shutil.rmtree(partial_copy, ignore_errors=True)


def run_alone(command: list[str]) -> None:
    """Run LibreOffice so that none of it outlives this process: soffice.bin itself (its
    launcher would start it as a grandchild that a timeout, an error or a killed worker
    leaves running), bound to die with its parent where Linux allows it. Like the launcher,
    start it again when it asks to (it does after setting up a new profile)."""
    program = Path(os.path.realpath(command[0])).with_name("soffice.bin")
    binary = str(program) if program.is_file() else command[0]
    for _attempt in range(3):
        code, said = _run_once([binary, *command[1:]])
        if code != RESTART:
            break
    if code:
        raise subprocess.CalledProcessError(code, command, stderr=said)


def _run_once(command: list[str]) -> tuple[int, bytes]:
    prctl = _prctl()
    bind = partial(prctl, PR_SET_PDEATHSIG, signal.SIGKILL) if prctl else None
    out, err = subprocess.DEVNULL, subprocess.PIPE
    process = subprocess.Popen(command, stdout=out, stderr=err, preexec_fn=bind)
    try:
        _, said = process.communicate(timeout=TIMEOUT_S)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process.returncode, said


@lru_cache(maxsize=1)
def _prctl() -> Callable[..., int] | None:
    """Linux's prctl (looked up before forking: the child only calls it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return cast(Callable[..., int], ctypes.CDLL(None, use_errno=True).prctl)
    except (OSError, AttributeError):
        return None


def page_numbers(data: bytes) -> Pages | None:
    """Pages of every bookmark in the DOCX ``data``, or ``None`` without LibreOffice or on failure."""
    return page_numbers_many([data])[0]


def page_numbers_many(datas: list[bytes]) -> list[Pages | None]:
    """:func:`page_numbers` for several documents, converted in one LibreOffice run."""
    if soffice() is None or not datas:
        return [None] * len(datas)
    with tempfile.TemporaryDirectory(prefix="pb-docx-pages-") as tmp:
        sources = [Path(tmp) / f"handbook-{i}.docx" for i in range(len(datas))]
        for source, data in zip(sources, datas, strict=True):
            source.write_bytes(data)
        try:
            pdfs = convert_many(sources, Path(tmp) / "out", EXPORT_OPTIONS)
        except (OSError, subprocess.SubprocessError, RuntimeError):
            return [None] * len(datas)
        return [_read(pdf.read_bytes()) for pdf in pdfs]


def _read(pdf: bytes) -> Pages:
    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        try:
            number = reader.get_destination_page_number(dest)
            if number is not None:
                pages[str(name).lstrip("/")] = number + 1
        except (KeyError, ValueError, AttributeError):
            continue
    return Pages(pages, len(reader.pages))


def lookup(pages: Pages, bookmark: str) -> int | None:
    """The page of ``bookmark``; LibreOffice 7.x names its destination with the URL escape minus the ``%``."""
    escaped = "".join(ch if ch.isascii() and ch.isalnum() else f"{ord(ch):02X}" for ch in bookmark)
    return pages.bookmarks.get(bookmark, pages.bookmarks.get(escaped))
