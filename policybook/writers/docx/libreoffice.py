"""Write stage (DOCX): LibreOffice headless — started alone, and nothing of it left behind.

``soffice.bin`` is run directly (its launcher would start it as a grandchild that
a timeout, an error or a killed worker leaves running), bound on Linux to die
with the process that started it. Each run gets a private copy of a profile kept
in the user cache, since setting one up makes LibreOffice start twice; a run may
put a Basic module into its copy and start LibreOffice on one of its macros
(:func:`start_macro`, which ``pagination`` uses).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache, partial
from html import escape
from pathlib import Path
from typing import cast

from policybook.cache import user_cache_dir

TIMEOUT_S = 600
PR_SET_PDEATHSIG = 1  # linux/prctl.h
RESTART = 81  # soffice.bin's exit code asking its launcher to start it again
# glibc gives LibreOffice's freed heap back to the system and faults it in again, over and over
# (~300,000 page faults for one small document); keeping 256 MB at the top of the heap halves
# its start-up (1.4 → 0.9 CPU-s) and saves ~0.15 CPU-s a document. Ignored where glibc is not.
MALLOC = "glibc.malloc.top_pad=268435456"
LIBRARY = "Standard"  # the profile's own Basic library, always loaded: a macro there needs no trust
XBA = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="{name}" '
    'script:language="StarBasic">{code}</script:module>\n'
)
XLB = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">\n'
    '<library:library xmlns:library="http://openoffice.org/2000/library" library:name="{library}" '
    'library:readonly="false" library:passwordprotected="false">\n'
    ' <library:element library:name="{name}"/>\n</library:library>\n'
)
XLC = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">\n'
    '<library:libraries xmlns:library="http://openoffice.org/2000/library" '
    'xmlns:xlink="http://www.w3.org/1999/xlink">\n'
    ' <library:library library:name="{library}" library:link="false"/>\n</library:libraries>\n'
)


def soffice() -> str | None:
    if os.environ.get("POLICYBOOK_DOCX_PAGES", "").lower() in ("off", "0", "no", "false"):
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def start_macro(folder: Path, module: str, code: str, macro: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """LibreOffice headless running ``macro`` of the Basic ``module`` (source ``code``), in a
    private profile under ``folder`` (which must outlive it), with ``env`` added to its
    environment. It ends when the macro returns; a caller that waits for it kills it on a timeout."""
    binary = soffice() or "soffice"
    profile = folder / "profile"
    if not profile.is_dir():  # started again (it set the profile up and asked to be): keep what it set up
        _seed_profile(profile, binary)
    basic = profile / "user" / "basic"
    (basic / LIBRARY).mkdir(parents=True, exist_ok=True)
    (basic / "script.xlc").write_text(XLC.format(library=LIBRARY), encoding="utf-8")
    (basic / LIBRARY / "script.xlb").write_text(XLB.format(library=LIBRARY, name=module), encoding="utf-8")
    (basic / LIBRARY / f"{module}.xba").write_text(XBA.format(name=module, code=escape(code)), encoding="utf-8")
    command = [binary, _installation(profile), "--headless", "--norestore", "--nologo"]
    return _start([*command, f"macro:///{LIBRARY}.{module}.{macro}"], said=subprocess.DEVNULL, env=env)


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


def _start(
    command: list[str], said: int = subprocess.PIPE, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """soffice.bin itself where it is installed next to ``command[0]``, dying with this process."""
    program = Path(os.path.realpath(command[0])).with_name("soffice.bin")
    binary = str(program) if program.is_file() else command[0]
    prctl = _prctl()
    bind = partial(prctl, PR_SET_PDEATHSIG, signal.SIGKILL) if prctl else None
    tunables = ":".join(filter(None, [os.environ.get("GLIBC_TUNABLES"), MALLOC]))
    environment = {**os.environ, "GLIBC_TUNABLES": tunables, **(env or {})}
    return subprocess.Popen(
        [binary, *command[1:]], stdout=subprocess.DEVNULL, stderr=said, preexec_fn=bind, env=environment
    )


@lru_cache(maxsize=1)
def _prctl() -> Callable[..., int] | None:
    """Linux's prctl (looked up before forking: the child only calls it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return cast(Callable[..., int], ctypes.CDLL(None, use_errno=True).prctl)
    except (OSError, AttributeError):
        return None
