"""Open a file beneath a folder without ever following a symbolic link.

Checking a path first and opening it after leaves a gap in which a name can be
swapped for a link; resolving it (``realpath``) follows links that point out.
Here each folder on the way and the file itself are opened relative to the one
before with ``O_NOFOLLOW``: a link anywhere below ``root`` fails (ELOOP/ENOTDIR)
instead of leading elsewhere, whatever happens meanwhile. ``O_NONBLOCK`` keeps
a FIFO from blocking the open. Used by ``serve`` (every request) and by the
ledger's evidence files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class Unsafe(OSError):
    """Not a plain file or folder beneath the root (a FIFO, a device, a file used as a folder)."""


def open_beneath(root: str | Path, parts: Sequence[str]) -> tuple[int, bool]:
    """An open descriptor for ``root/parts…`` and whether it is a folder. ``root`` itself may be
    reached through links (the caller chose it); nothing below it is. Raises OSError."""
    if any(not p or p in (".", "..") or "/" in p or "\0" in p for p in parts):
        raise Unsafe(f"not a plain name in {list(parts)!r}")
    fd = os.open(root, os.O_RDONLY | DIRECTORY)
    try:
        for n, part in enumerate(parts):
            child = os.open(part, os.O_RDONLY | NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
            os.close(fd)
            fd = child
            mode = os.fstat(fd).st_mode
            last = n == len(parts) - 1
            if not (stat.S_ISDIR(mode) or (stat.S_ISREG(mode) and last)):
                raise Unsafe(f"'{part}' is not a plain file or folder")
        folder = stat.S_ISDIR(os.fstat(fd).st_mode)
        os.set_blocking(fd, True)
        return fd, folder
    except BaseException:
        os.close(fd)
        raise


def open_file_beneath(root: str | Path, parts: Sequence[str]) -> int:
    """Like :func:`open_beneath`, for a regular file only."""
    fd, folder = open_beneath(root, parts)
    if folder:
        os.close(fd)
        raise Unsafe("a folder, not a file")
    return fd
