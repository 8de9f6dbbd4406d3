"""Where a build's time goes: with ``POLICYBOOK_TIMINGS=1`` each stage's seconds go to stderr.

Code marks its stages with :func:`stage`; :func:`report` prints what one process
spent since its last report, as one line (the build after checking the source,
each writer task after writing, in whichever process ran it)::

    policybook: timings check: start-up 0.12 s · read 0.05 s · resolve 0.03 s … (CPU seconds)

CPU seconds of the process (Typst's threads included) and of the processes it
waited for inside a stage (the workers parsing chapters ahead), which stay
meaningful on a busy machine; start-up is what the process used before its
first stage (interpreter and imports). Off, :func:`stage` costs one dictionary lookup.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

ON = os.environ.get("POLICYBOOK_TIMINGS", "").strip().lower() not in ("", "0", "off", "no", "false")
_spent: dict[str, float] = {}
_started: list[int] = []  # the pid whose start-up was counted (a forked worker starts afresh)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the CPU seconds inside under ``name`` (added up over repeated entries)."""
    if not ON:
        yield
        return
    if _started != [os.getpid()]:
        _started[:] = [os.getpid()]
        _spent.clear()
        _spent["start-up"] = time.process_time()
    begun = _cpu()
    try:
        yield
    finally:
        _spent[name] = _spent.get(name, 0.0) + _cpu() - begun


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def report(what: str) -> None:
    """Print the stages counted since the last report, and start counting afresh."""
    if not ON or not _spent:
        return
    parts = " · ".join(f"{name} {seconds:.2f} s" for name, seconds in _spent.items())
    print(f"policybook: timings {what}: {parts} (CPU seconds)", file=sys.stderr, flush=True)
    _spent.clear()
