"""Write stage (DOCX): learn on which page each heading falls, by asking LibreOffice.

Word computes TOC page numbers only when a user updates the field; a DOCX that
should open with a complete table of contents needs them cached. LibreOffice
lays each draft out and a Basic macro (``pages.bas``) reads, for every bookmark,
the page a view cursor on it is on — the layout alone, with no PDF written
(exporting one took twice the CPU: 0.7 instead of 0.35 CPU-s a sample handbook,
28 instead of 9 at 800 pages, for the same numbers). Drafts are handed to it one
by one as they are built, renamed whole into a job folder the macro watches, so
LibreOffice starts up and lays out one draft while the next is built. Set
``POLICYBOOK_DOCX_PAGES=off`` to skip the pass (the TOC then lists its entries
without page numbers). ``page_cache`` keeps the answers, so the same draft is
laid out once and is the way in (``page_cache.page_numbers_many``);
``libreoffice`` runs LibreOffice.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from policybook.writers.docx import libreoffice

MACRO = Path(__file__).with_name("pages.bas")
READY_S = 60.0  # a LibreOffice whose macro has not started by then never will (it would wait forever)
POLL_S = 0.02
_EARLY: list[Layout] = []  # LibreOffice started by the build before any draft (forked writers inherit it)


@dataclass(frozen=True)
class Pages:
    bookmarks: dict[str, int]  # bookmark name → 1-based page
    total: int

    def from_page(self, first: int) -> Pages:
        """The numbers a reader sees when page ``first`` is numbered 1 (front matter not counted)."""
        shift = first - 1
        return Pages({name: page - shift for name, page in self.bookmarks.items()}, self.total - shift)


class Layout:
    """One LibreOffice laying out, in order, the DOCX drafts handed to it while the caller goes on.

    It starts with :meth:`start` or the first :meth:`add`; :meth:`pages` waits for the
    answers. Whatever goes wrong — LibreOffice fails, hangs (``libreoffice.TIMEOUT_S``),
    never runs the macro, or is killed — the drafts it did not answer for get ``None``, and
    leaving the ``with`` block in the process that started it stops it: none of its
    processes outlives the build. A forked writer may use one its parent started
    (:func:`early`, :func:`claimed`): it hands drafts over and waits the same way, by the
    job folder, and leaves stopping it to the parent."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._office: subprocess.Popen[bytes] | None = None
        self._owner = 0  # the process that started it
        self._started = 0.0
        self._handed = 0
        self._broken = False

    def __enter__(self) -> Layout:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def _job(self) -> Path:
        assert self._folder is not None
        return Path(self._folder.name) / "job"

    def start(self) -> bool:
        """Start LibreOffice now, before any draft; whether it started."""
        if self._office is None and not self._broken:
            try:
                self._start()
            except (OSError, subprocess.SubprocessError):
                self._broken = True
        return self._office is not None and not self._broken

    def claim(self) -> bool:
        """Take this LibreOffice for one writer's drafts; false if another writer has it."""
        try:
            os.close(os.open(self._job / "claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except OSError:
            return False
        return True

    @property
    def _adopted(self) -> bool:
        """Started by another process (the build, before it forked this writer)."""
        return self._office is not None and self._owner != os.getpid()

    def add(self, data: bytes) -> int:
        """Hand the DOCX ``data`` over; its index in :meth:`pages`."""
        index, self._handed = self._handed, self._handed + 1
        if not self.start():
            return index
        try:
            part = self._job / f"{index}.part"
            part.write_bytes(data)
            part.rename(self._job / f"{index}.docx")  # whole, or not there
        except OSError:
            self._broken = True
        return index

    def pages(self) -> list[Pages | None]:
        """The pages of every draft handed over (``None`` where LibreOffice gave no answer)."""
        if self._office is None or self._broken:
            return [None] * self._handed
        with contextlib.suppress(OSError):
            (self._job / "end").touch()
        if self._adopted:
            self._wait_adopted()
        else:
            self._wait()
        return [_read(self._job / f"{index}.pages") for index in range(self._handed)]

    def close(self) -> None:
        if self._adopted:  # the process that started it stops it
            self._office = self._folder = None
            return
        if self._office is not None:
            if self._office.poll() is None:
                self._office.kill()
            self._office.wait()
        if self._folder is not None:
            self._folder.cleanup()
        self._office = self._folder = None

    def _start(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="pb-docx-pages-", ignore_cleanup_errors=True)
        self._job.mkdir()
        self._started = time.monotonic()
        self._owner = os.getpid()
        self._office = self._launch()

    def _launch(self) -> subprocess.Popen[bytes]:
        assert self._folder is not None
        code = MACRO.read_text(encoding="utf-8")
        env = {"POLICYBOOK_PAGES": str(self._job)}
        return libreoffice.start_macro(Path(self._folder.name), "Policybook", code, "PageNumbers", env)

    def _wait(self) -> None:
        """Until LibreOffice ends; killed if its macro never starts or it runs too long. Started
        again once if it asks to be (it has just set up a profile), the job folder as it was."""
        assert self._office is not None
        restarts = 0
        while True:
            try:
                code = self._office.wait(timeout=POLL_S)
            except subprocess.TimeoutExpired:
                if self._overdue():
                    self._office.kill()
                    self._office.wait()
                    return
                continue
            if code != libreoffice.RESTART or restarts:
                return
            restarts += 1
            self._office = self._launch()

    def _overdue(self) -> bool:
        """Its macro has not started within READY_S (it never will), or it ran past the timeout."""
        elapsed = time.monotonic() - self._started
        return (elapsed > READY_S and not (self._job / "ready").exists()) or elapsed > libreoffice.TIMEOUT_S

    def _wait_adopted(self) -> None:
        """Until the macro says it is done, LibreOffice is gone, or it is late (then killed)."""
        assert self._office is not None
        pid = self._office.pid
        while not (self._job / "done").exists() and _running(pid):
            if self._overdue():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                return
            time.sleep(POLL_S)


@contextlib.contextmanager
def early() -> Iterator[None]:
    """LibreOffice starting now — while the build reads and checks the source — for the drafts
    its DOCX writer will hand over (:func:`claimed`); stopped when the block ends. Its start-up
    (~0.5 CPU-s) then runs on the core that reading and checking leave idle. Nothing without
    LibreOffice."""
    if libreoffice.soffice() is None:
        yield
        return
    with Layout() as layout:
        if layout.start():
            _EARLY.append(layout)
        try:
            yield
        finally:
            _EARLY.clear()


def claimed() -> Layout | None:
    """The build's early LibreOffice, if no other writer took it first."""
    return next((layout for layout in _EARLY if layout.claim()), None)


def _running(pid: int) -> bool:
    """Whether process ``pid`` is alive (not gone, not a zombie its parent has yet to reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return not Path("/proc").is_dir()  # /proc exists but has no such process: gone
    return state not in ("Z", "X")


def _read(path: Path) -> Pages | None:
    """What the macro wrote for one draft: the page count, then a line "bookmark TAB page" for
    each bookmark (``None`` if nothing, or not that)."""
    try:
        total, *lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except (OSError, ValueError):
        return None
    pages: dict[str, int] = {}
    for line in lines:
        name, _, number = line.rpartition("\t")
        if not name or not number.isdigit():
            return None
        pages[name] = int(number)
    return Pages(pages, int(total)) if total.isdigit() else None
