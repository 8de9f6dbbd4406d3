"""Read stage: a first build of a large source parses its chapters on every core.

Markdown parsing is pure Python, one core's work: 463 chapters (a 782-page
handbook) take about a second when nothing is in the parse cache yet. Before the
chapters are read in order, :func:`parse_ahead` forks workers that parse the ones
not cached, each a share of about equal size; their clean parses come back as the
bytes the parse cache keeps, so the ordered read (``read_chapter``) finds them
as it finds any cached parse. Problems are not reported here: a chapter with a
problem is not kept, and the ordered read parses it again and reports it, in
order, exactly as without this step. Anything that goes wrong here (a worker
killed, a cache that cannot be written) only means the ordered read does the
parsing itself.
"""

from __future__ import annotations

import contextlib
import pickle
from pathlib import Path

from policybook import limits, workers
from policybook.diagnostics import Diagnostics, SourceError
from policybook.output import atomic_write
from policybook.source import markdown
from policybook.source.textfile import read_text

WORTH_BYTES = 192 * 1024  # uncached Markdown (UTF-8) below this is parsed faster than a worker starts
MAX_WORKERS = 4

Todo = tuple[str, str, str]  # a chapter's path as the source names it, its resolved path, its text
_SHARES: list[list[Todo]] = []  # set before the workers fork


def parse_ahead(paths: list[Path]) -> int:
    """Parse the chapters at ``paths`` that no cache holds in forked workers, when they are
    many enough and this process may fork; returns how many parses were taken in."""
    count = min(workers.cpu_count(), MAX_WORKERS)
    if count < 2 or not workers.fork_is_safe() or _bytes(paths) < WORTH_BYTES:
        return 0  # (a small source is not even read here)
    todo = _uncached(paths)
    if sum(len(text.encode()) for _, _, text in todo) < WORTH_BYTES:
        return 0
    markdown.markdown_parser()  # made once, here: each worker would make its own otherwise
    global _SHARES
    _SHARES = _shares(todo, count)
    taken = 0

    def done(_: int, parsed: list[tuple[str, str, bytes]]) -> None:
        nonlocal taken
        for name, text, blob in parsed:
            markdown.keep_parse(name, text, blob)
            taken += 1

    try:
        names = [f"chapters (share {n + 1})" for n in range(len(_SHARES))]
        workers.run_forked(len(_SHARES), _parse_share, len(_SHARES), names, done)
    except (SourceError, workers.WorkerCrashed):
        pass  # the ordered read parses whatever did not come back
    finally:
        _SHARES = []
    return taken


def _bytes(paths: list[Path]) -> int:
    total = 0
    for path in set(paths):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def _uncached(paths: list[Path]) -> list[Todo]:
    """Each file neither this process nor the parse cache has parsed."""
    todo: list[Todo] = []
    seen: set[str] = set()
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
            if total > limits.SOURCE_TOTAL_BYTES:
                break  # the ordered read stops here too, and says why
            text = read_text(path)
        except (SourceError, OSError):
            continue  # the ordered read reports it
        name = str(path.resolve())
        if name not in seen and not markdown.parse_known(name, text):
            seen.add(name)
            todo.append((str(path), name, text))
    return todo


def _shares(todo: list[Todo], count: int) -> list[list[Todo]]:
    """``todo`` in ``count`` shares of about equal length, largest files placed first."""
    shares: list[list[Todo]] = [[] for _ in range(count)]
    sizes = [0] * count
    for item in sorted(todo, key=lambda item: -len(item[2])):
        smallest = sizes.index(min(sizes))
        shares[smallest].append(item)
        sizes[smallest] += len(item[2])
    return [share for share in shares if share]


def _parse_share(index: int) -> list[tuple[str, str, bytes]]:
    """In a worker: parse one share; the clean parses (kept in the parse cache too) go back."""
    parsed: list[tuple[str, str, bytes]] = []
    for given, name, text in _SHARES[index]:
        diags = Diagnostics()
        try:
            markdown.check_lines(text, Path(given))
            chapter = markdown.ChapterReader(given, diags).read(text)
        except Exception:  # noqa: BLE001 - the ordered read meets it again and reports it
            continue
        if chapter is None or diags.items:
            continue
        blob = pickle.dumps(chapter, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):
            atomic_write(markdown.cache_file(name, text), blob)
        parsed.append((name, text, blob))
    return parsed
