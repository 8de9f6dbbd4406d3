"""Benchmark helper: run a command, report wall seconds and peak memory.

Peak memory is sampled from /proc every 20 ms over the whole process tree, so
a parallel build's total (all workers together) and its largest single
process are both known.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # user + system time of the whole process tree (steadier than wall time on a busy machine)
    peak_total_mb: float  # the whole process tree at its largest
    peak_process_mb: float  # the largest single process
    stdout: str
    stderr: str
    code: int


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    tree, todo, found = _children(), [pid], []
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    start, used = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = [0, 0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            sizes = [_rss_kb(p) for p in _tree(proc.pid)]
            peaks[0] = max(peaks[0], sum(sizes))
            peaks[1] = max(peaks[1], max(sizes, default=0))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    return Measured(seconds, _children_cpu() - used, peaks[0] / 1024, peaks[1] / 1024, out, err, proc.returncode)


def _children_cpu() -> float:
    """CPU seconds of every finished descendant (each waited-for process adds its own children's)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median(results: list[Measured]) -> Measured:
    """Several runs of one command as one: the median wall and CPU seconds, the largest memory."""
    import statistics

    last = results[-1]
    return Measured(
        statistics.median(r.seconds for r in results),
        statistics.median(r.cpu_seconds for r in results),
        max(r.peak_total_mb for r in results),
        max(r.peak_process_mb for r in results),
        last.stdout,
        last.stderr,
        max(r.code for r in results),
    )
