"""Write stage: run tasks in forked worker processes, one process per task.

Each task gets a fresh process (memory never piles up across documents) that
reports back through a pipe. A worker that dies without reporting — killed by
the OOM killer, a signal, a crash in a native library — fails the build with
a message naming the task and how it died; it never leaves the build waiting.
Workers ignore Ctrl-C: the parent stops them and reports one line.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from policybook.diagnostics import SourceError, fail
from policybook.output import environment_error

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


class WorkerCrashed(RuntimeError):
    """An unexpected exception in a worker (a bug): its traceback as text."""


def run_forked(
    count: int, task: Callable[[int], Any], workers: int, names: list[str], done: Callable[[int, Any], None]
) -> None:
    """Run ``task(i)`` for every i in ``range(count)``, at most ``workers`` at a time; ``done(i, result)``
    as each finishes (in the parent). Raises the first failure after stopping the others."""
    import multiprocessing  # loaded when a build forks, not by every command
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    pending = list(range(count))
    running: dict[int, tuple[Any, Connection]] = {}
    # the parent's objects (the resolved model) out of the collector's reach: a collection in a
    # worker would otherwise write to every page of them, copying memory the fork shares
    gc.freeze()
    try:
        while pending or running:
            while pending and len(running) < workers:
                index = pending.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(task, index, send), daemon=True)
                _start(process)
                send.close()
                running[index] = (process, receive)
            ready = wait([conn for _, conn in running.values()] + [p.sentinel for p, _ in running.values()])
            for index, (process, conn) in list(running.items()):
                if conn in ready or process.sentinel in ready:
                    status, value = _collect(process, conn, names[index])
                    del running[index]
                    if status != "ok":
                        raise value
                    done(index, value)
    finally:
        gc.unfreeze()
        for process, conn in running.values():
            process.kill()
            process.join()
            conn.close()


def _start(process: Any) -> None:
    """Fork with Ctrl-C held back: a SIGINT landing in Python's at-fork hooks would be
    swallowed there ("Exception ignored"), and the build would go on."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _child(task: Callable[[int], Any], index: int, send: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        message: tuple[str, Any] = ("ok", task(index))
    except SourceError as exc:
        message = ("error", exc)
    except OSError as exc:  # disk full, file too large …: a user error; anything else a bug
        problem = environment_error(exc)
        message = ("error", problem) if problem else ("crash", WorkerCrashed(traceback.format_exc()))
    except BaseException:  # noqa: BLE001 - reported to the parent as a bug
        message = ("crash", WorkerCrashed(traceback.format_exc()))
    send.send(message)
    send.close()


def _collect(process: Any, conn: Connection, name: str) -> tuple[str, Any]:
    try:
        message: tuple[str, Any] = conn.recv()
    except (EOFError, OSError):
        process.join()
        message = ("error", _died(name, process.exitcode))
    process.join()
    conn.close()
    return message


def _died(name: str, code: int | None) -> SourceError:
    if code is not None and code < 0:
        how = f"was killed by {signal.Signals(-code).name}"
        hint = "the system may have run out of memory" if -code == signal.SIGKILL else ""
    else:
        how, hint = f"exited with code {code} without a result", ""
    return fail(None, f"the worker process writing {name} {how}; nothing was published", "build.worker", hint)


def fork_is_safe() -> bool:
    """May this process fork? Not once it has compiled with Typst, whose threads would leave a
    child deadlocked. Asked without importing Typst: a process that never loaded it never compiled."""
    fonts = sys.modules.get("policybook.writers.typst_fonts")
    return hasattr(os, "fork") and not (fonts and fonts.compiled)


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
