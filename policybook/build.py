"""The pipeline end to end: read → check → resolve → number → write, atomically.

Everything is read and checked first; nothing is written unless the whole
source is clean. Outputs go to a staging folder inside the output folder and
are moved into place only when every writer has finished, so a failed build
leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from policybook.cache import BuildCache, output_key, source_fingerprint
from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Document
from policybook.output import staged, write_manifest
from policybook.source import read_project
from policybook.source.git import revision_of
from policybook.source.project import Project, find_source
from policybook.transforms import project_labels, resolve
from policybook.writers import get as get_writer
from policybook.writers import names as writer_names
from policybook.writers.json import document_json

DEFAULT_FORMATS = ("pdf", "docx", "forms")


@dataclass
class Checked:
    """A project read and resolved for the chosen subsidiaries."""

    project: Project
    documents: dict[str, Document] = field(default_factory=dict)


def check(
    source: str | Path,
    subs: Iterable[str] = (),
    diags: Diagnostics | None = None,
    strict: bool = False,
    formats: Iterable[str] | None = None,
) -> Checked:
    """Read and resolve everything, and let the writers of ``formats`` (default: all)
    check what they need; all problems go to ``diags`` (raises on errors, and on
    warnings when ``strict``)."""
    diags = diags if diags is not None else Diagnostics()
    project = read_project(source, diags)
    labels = project_labels(project, diags)
    chosen = _choose(project, list(subs), diags)
    checked = Checked(project)
    for sub_id in chosen:
        checked.documents[sub_id] = resolve(project, sub_id, diags, labels)
    _check_forms_referenced(project, diags)
    if not diags.errors:
        _writer_checks(checked, writer_names() if formats is None else list(formats), diags)
    if diags.failed(strict):
        raise SourceError(diags)
    return checked


def _writer_checks(checked: Checked, formats: list[str], diags: Diagnostics) -> None:
    for name in formats:
        hook = get_writer(name).check
        for doc in checked.documents.values() if hook else ():
            try:
                hook(doc)  # type: ignore[misc]
            except SourceError as exc:
                diags.extend(exc.diagnostics)


def _choose(project: Project, subs: list[str], diags: Diagnostics) -> list[str]:
    for sub_id in subs:
        if sub_id not in project.subsidiaries:
            known = ", ".join(project.subsidiaries) or "none"
            diags.error(None, f"unknown subsidiary '{sub_id}'", "cli.subsidiary", f"known: {known}")
            raise SourceError(diags)
    return subs or list(project.subsidiaries)


def _check_forms_referenced(project: Project, diags: Diagnostics) -> None:
    attached = {a.form_id for a in project.appendices}
    for form_id, form in project.forms.items():
        if form_id not in attached:
            diags.warning(
                form.loc,
                f"form '{form_id}' is not attached as an appendix",
                "form.unused",
                "add it to appendices: in handbook.yaml",
            )


@dataclass
class Job:
    """One output: a subsidiary's document through one writer."""

    sub_id: str
    writer: str
    doc: Document
    key: str

    @property
    def name(self) -> str:
        return f"{self.sub_id}/{self.writer}"


def build(
    source: str | Path,
    out: Path,
    subs: Iterable[str] = (),
    formats: Iterable[str] = (),
    diags: Diagnostics | None = None,
    strict: bool = False,
    jobs: int = 0,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> list[Path]:
    """Build the chosen outputs; returns the files of this release (relative to ``out``)."""
    diags = diags if diags is not None else Diagnostics()
    names = _formats(list(formats), diags)
    cache = BuildCache(out)  # --no-cache rebuilds everything, and still records for next time
    fingerprint = source_fingerprint(find_source(source), f"{sorted(subs)}|{names}|{strict}")
    unchanged = cache.release(fingerprint) if use_cache else None
    if unchanged is not None:
        (progress or Progress(0)).note("nothing changed since the last build")
        return unchanged
    checked = check(source, subs, diags, strict, names)
    out.mkdir(parents=True, exist_ok=True)
    todo = _jobs(checked, names)
    progress = progress or Progress(len(todo))
    release: list[Path] = []
    pending: list[Job] = []
    for job in todo:
        files = cache.hit(job.name, job.key) if use_cache else None
        if files is None:
            pending.append(job)
        else:
            release.extend(files)
            progress.done(job.name, "unchanged")
    written = _run(pending, out, jobs, progress, cache)
    release = sorted(set(release) | set(written))
    versions = {sub_id: doc.meta.version for sub_id, doc in checked.documents.items()}
    project = checked.project
    write_manifest(out, release, versions, revision_of(project.source), project.source.name)
    if not diags.warnings:
        cache.record_release(fingerprint, release)
        cache.save()
    return release


def _formats(names: list[str], diags: Diagnostics) -> list[str]:
    known = writer_names()
    names = names or [n for n in DEFAULT_FORMATS if n in known]
    for name in names:
        if name not in known:
            diags.error(None, f"unknown format '{name}'", "cli.format", f"available: {', '.join(sorted(known))}")
    diags.raise_if_errors()
    return names


def _jobs(checked: Checked, names: list[str]) -> list[Job]:
    jobs: list[Job] = []
    for sub_id, doc in checked.documents.items():
        model = document_json(doc)
        for name in names:
            reads = get_writer(name).reads
            part = {k: v for k, v in model.items() if k in reads} if reads else model
            jobs.append(
                Job(sub_id, name, doc, output_key(doc, name, json.dumps(part, ensure_ascii=False, sort_keys=True)))
            )
    return jobs


def _run(pending: list[Job], out: Path, jobs: int, progress: Progress, cache: BuildCache) -> list[Path]:
    """Run the writers (in parallel when there is more than one job) and publish atomically.

    The jobs that took longest last time start first, so no core idles at the end."""
    if not pending:
        return []
    pending = sorted(pending, key=lambda job: -cache.last_seconds(job.name))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
    with staged(out) as staging:
        results = _execute(pending, staging.folder, workers, progress)
    for job, files, seconds in results:
        cache.record(job.name, job.key, [f.relative_to(staging.folder) for f in files], seconds)
    cache.save()
    return staging.written


Result = tuple[Job, list[Path], float]


def _execute(pending: list[Job], staging: Path, workers: int, progress: Progress) -> list[Result]:
    if workers == 1:
        return [_reported(job, *write_job(job.writer, job.doc, staging / job.sub_id), progress) for job in pending]
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(write_job, job.writer, job.doc, staging / job.sub_id): job for job in pending}
        return [_reported(futures[f], *f.result(), progress) for f in as_completed(futures)]


def _reported(job: Job, files: list[Path], seconds: float, progress: Progress) -> Result:
    progress.done(job.name, f"{seconds:.2f} s")
    return job, files, seconds


def write_job(writer: str, doc: Document, folder: Path) -> tuple[list[Path], float]:
    """Run one writer (in a worker process or in this one); returns files and seconds."""
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    files = get_writer(writer).write(doc, folder)
    return [Path(f) for f in files], time.perf_counter() - start


class Progress:
    """Progress on stderr: a bar on a terminal, plain lines elsewhere (CI, logs)."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.count = total, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()

    def note(self, text: str) -> None:
        print(f"policybook: {text}", file=self.stream, flush=True)

    def done(self, name: str, detail: str) -> None:
        self.count += 1
        if self.tty:
            filled = int(30 * self.count / max(self.total, 1))
            bar = "#" * filled + "-" * (30 - filled)
            end = "\n" if self.count == self.total else ""
            print(f"\r[{bar}] {self.count}/{self.total} {name} ({detail})\033[K", end=end, file=self.stream, flush=True)
        else:
            print(f"[{self.count}/{self.total}] {name} ({detail})", file=self.stream, flush=True)
