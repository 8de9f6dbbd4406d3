"""Write stage (DOCX): LibreOffice headless, converting DOCX to PDF — and nothing of it left behind.

``soffice.bin`` is run directly (its launcher would start it as a grandchild that
a timeout, an error or a killed worker leaves running), bound on Linux to die
with the process that started it. Each run gets a private copy of a profile kept
in the user cache, since setting one up makes LibreOffice start twice.

The DOCX writer starts LibreOffice early (:func:`early`) — as soon as the first
draft it must lay out is built — so that it starts up (~1 CPU-s) while the other
drafts are built; the conversion is then handed to it through LibreOffice's own
single-instance pipe (both use its profile), costing only the layout. It serves
one hand-over. Whatever goes wrong with that office, the conversion runs in a
LibreOffice of its own, as without it.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from pathlib import Path
from typing import cast

from policybook.cache import user_cache_dir

TIMEOUT_S = 600
PR_SET_PDEATHSIG = 1  # linux/prctl.h
RESTART = 81  # soffice.bin's exit code asking its launcher to start it again
_EARLY: list[Path] = []  # the profile of the office started early


def soffice() -> str | None:
    if os.environ.get("POLICYBOOK_DOCX_PAGES", "").lower() in ("off", "0", "no", "false"):
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx: Path, outdir: Path, options: dict[str, object] | None = None) -> Path:
    """``docx`` converted by LibreOffice headless with a private profile (parallel runs never clash)."""
    return convert_many([docx], outdir, options)[0]


def convert_many(sources: list[Path], outdir: Path, options: dict[str, object] | None = None) -> list[Path]:
    """Several documents converted by one LibreOffice run: the office started early if there
    is one and it answers, else one of its own (it starts once for all of them)."""
    binary = soffice() or "soffice"
    target = "pdf:writer_pdf_Export" + (f":{json.dumps(options)}" if options else "")
    request = ["--headless", "--norestore", "--convert-to", target, "--outdir", str(outdir), *map(str, sources)]
    if _EARLY:
        with contextlib.suppress(OSError, subprocess.SubprocessError, RuntimeError):
            run_alone([binary, _installation(_EARLY[0]), *request])
            return _converted(sources, outdir)
    with tempfile.TemporaryDirectory(prefix="pb-lo-profile-") as tmp:
        profile = Path(tmp) / "profile"
        _seed_profile(profile, binary)
        run_alone([binary, _installation(profile), *request])
    return _converted(sources, outdir)


def _converted(sources: list[Path], outdir: Path) -> list[Path]:
    pdfs = [outdir / f"{source.stem}.pdf" for source in sources]
    for pdf in pdfs:
        if not pdf.is_file():
            raise RuntimeError(f"LibreOffice did not convert {pdf.stem}.docx")
    return pdfs


@contextlib.contextmanager
def early() -> Iterator[None]:
    """LibreOffice starting now, in the background, for this process's conversion until the
    block ends; then it is stopped. Nothing without LibreOffice."""
    binary = soffice()
    if binary is None or _EARLY:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="pb-lo-office-", ignore_cleanup_errors=True) as tmp:
        profile = Path(tmp) / "profile"
        _seed_profile(profile, binary)
        # no --accept: nothing but LibreOffice's own single-instance pipe (per profile) reaches it
        quiet = [_installation(profile), "--headless", "--norestore", "--nologo", "--nodefault"]
        try:
            office = _start([binary, *quiet], said=subprocess.DEVNULL)  # nobody reads what it says
        except OSError:  # it cannot start: the DOCX pass finds out for itself (no page numbers)
            office = None
        if office is None:
            yield
            return
        _EARLY.append(profile)
        try:
            yield
        finally:
            _EARLY.clear()
            office.kill()
            office.wait()


def started() -> bool:
    """Whether an office started early is there to take the conversion."""
    return bool(_EARLY)


def _installation(profile: Path) -> str:
    return f"-env:UserInstallation={profile.as_uri()}"


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
    name = hashlib.sha256(libreoffice_identity(soffice).encode()).hexdigest()[:16]
    return user_cache_dir("libreoffice") / f"profile-{name}"


def _seed_profile(profile: Path, soffice: str) -> None:
    """``profile`` as a copy of the kept one, made first if there is none (LibreOffice setting
    up a profile exits asking to be started again: a second start in every run)."""
    template = _profile_template(soffice)
    if not template.is_dir():
        _make_template(template, soffice)
    try:
        shutil.copytree(template, profile)
    except OSError:  # unreadable: LibreOffice sets up the profile itself
        shutil.rmtree(profile, ignore_errors=True)


def _make_template(template: Path, soffice: str) -> None:
    """LibreOffice sets a profile up and exits (~0.2 s); kept if that went well (first writer wins)."""
    with tempfile.TemporaryDirectory(prefix="pb-lo-profile-") as tmp:
        profile = Path(tmp) / "profile"
        try:
            run_alone([soffice, _installation(profile), "--headless", "--norestore", "--terminate_after_init"])
            partial_copy = template.with_name(f".{template.name}.{os.getpid()}")
            shutil.copytree(profile, partial_copy)
            partial_copy.rename(template)
        except (OSError, subprocess.SubprocessError):
            shutil.rmtree(template.with_name(f".{template.name}.{os.getpid()}"), ignore_errors=True)


def run_alone(command: list[str]) -> None:
    """Run LibreOffice to the end (started again when it asks to, as its launcher would);
    on a timeout, an error or Ctrl-C here it is killed, never left running."""
    for _attempt in range(3):
        process = _start(command)
        try:
            _, said = process.communicate(timeout=TIMEOUT_S)
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.returncode != RESTART:
            break
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=said)


def _start(command: list[str], said: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    """soffice.bin itself where it is installed next to ``command[0]``, dying with this process."""
    program = Path(os.path.realpath(command[0])).with_name("soffice.bin")
    binary = str(program) if program.is_file() else command[0]
    prctl = _prctl()
    bind = partial(prctl, PR_SET_PDEATHSIG, signal.SIGKILL) if prctl else None
    return subprocess.Popen([binary, *command[1:]], stdout=subprocess.DEVNULL, stderr=said, preexec_fn=bind)


@lru_cache(maxsize=1)
def _prctl() -> Callable[..., int] | None:
    """Linux's prctl (looked up before forking: the child only calls it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return cast(Callable[..., int], ctypes.CDLL(None, use_errno=True).prctl)
    except (OSError, AttributeError):
        return None
