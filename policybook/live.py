"""Watch: one long-lived build that rebuilds a subsidiary's outputs after every edit.

The process keeps what a new command would do again: parsed chapters (the read
stage keeps every clean parse in memory, so only edited files are parsed again),
the key of each output's part of the resolved model, and a warm Typst compiler
per PDF. A writer with a quicker draft writes that (the DOCX without its
LibreOffice pagination pass: its contents page has no page numbers). The source
folder, forms and brand kits are polled with ``os.stat`` (no extra dependency,
works on every file system). After a change the project is read and resolved
again and only the outputs whose inputs changed are written, through the same
staging folder as ``build`` (each file moved into place atomically). A source
with errors prints its diagnostics, as ``build`` does, and the previous outputs
stay as they were.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from policybook.build import check
from policybook.cache import output_key
from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Document
from policybook.output import staged
from policybook.source.paths import find_source
from policybook.source.project import Project
from policybook.writers import get as get_writer

Stamp = tuple[int, int]  # modification time (ns), size
WriteFn = Callable[[Document, Path], list[Path]]
SETTLE = 0.05  # seconds between the scans that confirm an editor has finished saving


def scan(folders: Iterable[Path]) -> dict[Path, Stamp]:
    """Every file under ``folders`` with its stamp (hidden files and editor backups left out)."""
    found: dict[Path, Stamp] = {}
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                if name.startswith(".") or name.endswith(("~", ".swp", ".tmp")):
                    continue
                path = Path(root, name)
                try:
                    stat = path.stat()
                except OSError:  # deleted between listing and stat
                    continue
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed(before: dict[Path, Stamp], after: dict[Path, Stamp]) -> list[Path]:
    """Files added, removed or modified between two scans."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def watched_folders(source: Path, project: Project | None = None) -> list[Path]:
    """The source folder, the forms folder and the brand kits (those the project names, once read)."""
    if project is None:
        return [f for f in (source, source.parent / "forms", source.parent / "templates") if f.is_dir()]
    folders = {project.source, project.templates, *(p.parent for p in project.files)}
    folders |= {Path(sub.brand.folder) for sub in project.subsidiaries.values() if sub.brand}
    return sorted(f for f in folders if f.is_dir() and not any(f.is_relative_to(o) and f != o for o in folders))


@dataclass
class Watch:
    """Rebuilds ``formats`` of ``subs`` into ``out`` whenever the source changes."""

    source: Path
    subs: list[str]
    formats: list[str]
    out: Path
    strict: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    keys: dict[str, str] = field(default_factory=dict)  # output (sub/format) → key of what is in ``out``
    writers: dict[str, WriteFn] = field(default_factory=dict)  # output → its writer, kept warm
    folders: list[Path] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)  # what close() releases (compile roots)

    def __post_init__(self) -> None:
        self.source = find_source(self.source)
        self.folders = watched_folders(self.source)

    def rebuild(self, why: str) -> bool:
        """Read, resolve and write what changed; one line says what happened. False on errors."""
        start = time.perf_counter()
        diags = Diagnostics()
        try:
            checked = check(self.source, self.subs, diags, self.strict, self.formats)
            self.folders = watched_folders(self.source, checked.project)
            done = self.write(checked.documents)
        except SourceError as exc:
            diags.extend(exc.diagnostics)
            diags.report(self.stream)
            self.say(f"{why}: not rebuilt, {self.out} keeps the last good output", start)
            return False
        diags.report(self.stream)  # warnings
        self.say(f"{why}: {', '.join(done)}", start)
        return True

    def write(self, documents: dict[str, Document]) -> list[str]:
        """Write the outputs whose key changed (all in one staging folder); 'sub/format rebuilt|unchanged'."""
        todo = {
            f"{sub_id}/{name}": (sub_id, name, doc, output_key(doc, name, get_writer(name).reads))
            for sub_id, doc in documents.items()
            for name in self.formats
        }
        stale = {job: item for job, item in todo.items() if self.keys.get(job) != item[3]}
        if stale:
            with staged(self.out) as staging:
                for job, (sub_id, name, doc, _key) in stale.items():
                    folder = staging.folder / sub_id
                    folder.mkdir(parents=True, exist_ok=True)
                    self.writer(job, name)(doc, folder)
            self.keys.update({job: item[3] for job, item in stale.items()})
        return [f"{job} {'rebuilt' if job in stale else 'unchanged'}" for job in todo]

    def writer(self, job: str, name: str) -> WriteFn:
        if job not in self.writers:
            chosen = get_writer(name)
            self.writers[job] = self.warm_pdf() if name == "pdf" else chosen.draft or chosen.write
        return self.writers[job]

    def warm_pdf(self) -> WriteFn:
        from policybook.writers.pdf.warm import WarmPdf  # Typst only when a PDF is watched

        pdf = WarmPdf()
        self.closers.append(pdf.close)
        return pdf.write

    def close(self) -> None:
        """Remove the compile roots (Typst's caches go with the process)."""
        for close in self.closers:
            close()
        self.closers.clear()

    def say(self, text: str, start: float) -> None:
        stamp = time.strftime("%H:%M:%S")
        print(f"[{stamp}] {text} ({time.perf_counter() - start:.2f} s)", file=self.stream, flush=True)

    def run(self, interval: float = 0.1, rounds: int | None = None) -> None:
        """Build once, then poll every ``interval`` seconds and rebuild after each change
        (``rounds`` limits the polls, for tests; None = until interrupted)."""
        seen = self.rebuilt("first build", scan(self.folders))
        while rounds is None or rounds > 0:
            rounds = None if rounds is None else rounds - 1
            time.sleep(interval)
            now = settled(self.folders, seen)
            edits = changed(seen, now)
            seen = self.rebuilt(self.describe(edits), now) if edits else now

    def rebuilt(self, why: str, before: dict[Path, Stamp]) -> dict[Path, Stamp]:
        """Rebuild; returns what the next scan is compared with: ``before`` (taken before the
        rebuild, so a file saved during it still counts as changed) for the folders still
        watched, and the files of folders watched from now on."""
        self.rebuild(why)
        now = scan(self.folders)
        kept = {path: stamp for path, stamp in before.items() if any(path.is_relative_to(f) for f in self.folders)}
        return kept | {path: stamp for path, stamp in now.items() if path not in kept}

    def describe(self, paths: list[Path]) -> str:
        names = [_shown(p) for p in paths]
        return (", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")) + " changed"


def settled(folders: list[Path], seen: dict[Path, Stamp]) -> dict[Path, Stamp]:
    """A scan taken once files have stopped changing (an editor may save in several writes)."""
    now = scan(folders)
    for _ in range(20):
        if now == seen:
            return now
        time.sleep(SETTLE)
        seen, now = now, scan(folders)
    return now


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the working folder, or that folder was deleted meanwhile
        return str(path)
