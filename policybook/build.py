"""The pipeline end to end: read → check → resolve → number → write, atomically.

Everything is read and checked first; nothing is written unless the whole
source is clean. One build at a time holds the output folder; outputs go to a
staging folder inside it and are published with the new manifest only when
every writer has finished (``output.py``), so a failed or killed build leaves
the previous release exactly as it was.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from policybook.cache import BuildCache, output_key, source_fingerprint
from policybook.diagnostics import Diagnostics, SourceError
from policybook.garbage import paused
from policybook.model import Document
from policybook.output import Staging, environment_error, exclusive, manifest_data, prepare_output, staged
from policybook.source.git import revision_of
from policybook.source.paths import find_source
from policybook.timings import report, stage
from policybook.workers import cpu_count, fork_is_safe, run_forked
from policybook.writers import get as get_writer
from policybook.writers import names as writer_names
from policybook.writers import require_known

if TYPE_CHECKING:
    from policybook.source.project import Project

DEFAULT_FORMATS = ("pdf", "docx", "forms", "html")
BATCH_MAX = 6  # documents per write_many call


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
    law: bool = True,
) -> Checked:
    """Read and resolve everything, and let the writers of ``formats`` (default: all)
    check what they need; all problems go to ``diags`` (raises on errors, and on
    warnings when ``strict``). ``law=False`` leaves out the labour-law checks (the
    law report runs them itself, to list what check would stop at)."""
    diags = diags if diags is not None else Diagnostics()
    with paused():
        return _check(source, subs, diags, strict, formats, law)


def _check(
    source: str | Path,
    subs: Iterable[str],
    diags: Diagnostics,
    strict: bool,
    formats: Iterable[str] | None,
    law: bool = True,
) -> Checked:
    # the stages load here, not with this module: a build with nothing changed never needs them
    from policybook.naming import check_names
    from policybook.source.project import read_project
    from policybook.source.punctuation import check_punctuation
    from policybook.transforms import check_numbering, project_labels, resolve

    with stage("read"):
        project = read_project(source, diags)
    with stage("punctuation"):
        check_punctuation(project.files, diags)
    with stage("resolve"):
        labels = project_labels(project, diags)
        check_numbering(project, diags)
        chosen = _choose(project, list(subs), diags)
        checked = Checked(project)
        for index, sub_id in enumerate(chosen):
            checked.documents[sub_id] = resolve(project, sub_id, diags, labels, last=index == len(chosen) - 1)
            check_names(checked.documents[sub_id], diags)
        _check_forms_referenced(project, diags)
    names = writer_names() if formats is None else list(formats)
    if not diags.errors and project.previous and any("changes" in get_writer(n).reads for n in names):
        from policybook.changes.previous import attach_changes

        with stage("changes"):
            attach_changes(checked, diags, _check_previous)
    if law and not diags.errors:
        from policybook.law import check_law  # labour-law checks on each variant's printed text

        with stage("law"):
            check_law(checked, diags)
    if not diags.errors:
        with stage("writer checks"):
            _writer_checks(checked, names, diags)
    report("check")
    if diags.failed(strict):
        raise SourceError(diags)
    return checked


def _check_previous(folder: Path) -> Checked:
    """The previous release's source, read and resolved the same way (no writer checks)."""
    return check(folder, [], Diagnostics(), formats=[], law=False)


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
    with ExitStack() as held:
        if out.is_dir():  # else it is made (and held) only once the source is known to be clean
            held.enter_context(exclusive(out))
        cache = BuildCache(out)  # --no-cache rebuilds everything, and still records for next time
        if cache.damaged:
            print(
                f"{cache.path}: warning: damaged build cache, discarded; every output is rebuilt [cache.damaged]",
                file=sys.stderr,
            )
        fingerprint = source_fingerprint(find_source(source), f"{sorted(subs)}|{names}|{strict}")
        unchanged = cache.release(fingerprint, diags) if use_cache else None
        if unchanged is not None:
            (progress or Progress(0)).note("nothing changed since the last build")
            return unchanged
        for name in names:  # slow help the writers will want starts now, while the source is read
            early = get_writer(name).early
            if early is not None:
                held.enter_context(early())
        checked = check(source, subs, diags, strict, names)
        prepare_output(out)
        held.enter_context(exclusive(out))
        release = _write(checked, names, out, cache, jobs, use_cache, progress)
        cache.record_release(fingerprint, release, diags)  # warnings kept, to be reported again
        cache.save()
        return release


def _write(
    checked: Checked,
    names: list[str],
    out: Path,
    cache: BuildCache,
    jobs: int,
    use_cache: bool,
    progress: Progress | None,
) -> list[Path]:
    """Write what changed and publish it with the new manifest; the release's files."""
    todo = _jobs(checked, names)
    progress = progress or Progress(len(todo))
    kept: list[Path] = []
    pending: list[Job] = []
    for job in todo:
        files = cache.hit(job.name, job.key) if use_cache else None
        if files is None:
            pending.append(job)
        else:
            kept.extend(files)
            progress.done(job.name, "unchanged")
    versions = {sub_id: doc.meta.version for sub_id, doc in checked.documents.items()}
    project = checked.project
    with _faults_named(out), staged(out) as staging:
        results = _run(pending, staging.folder, jobs, progress, cache)
        where = {rel: out / rel for rel in kept} | {rel: staging.folder / rel for rel in staging.files()}
        staging.manifest = manifest_data(where, versions, revision_of(project.source), project.source.name)
    _record(results, staging, cache)
    return sorted(where)


@contextmanager
def _faults_named(out: Path) -> Iterator[None]:
    """A fault of the machine while writing (disk full …) is a user error naming the output folder."""
    try:
        yield
    except OSError as exc:
        problem = environment_error(exc, out)
        if problem is None:
            raise
        raise problem from None


def _record(results: list[Result], staging: Staging, cache: BuildCache) -> None:
    for job, files, seconds in results:
        cache.record(job.name, job.key, [f.relative_to(staging.folder) for f in files], seconds)
    cache.save()


def _formats(names: list[str], diags: Diagnostics) -> list[str]:
    known = writer_names()
    names = names or [n for n in DEFAULT_FORMATS if n in known]
    require_known(names, known, diags)
    return names


def _jobs(checked: Checked, names: list[str]) -> list[Job]:
    jobs: list[Job] = []
    for sub_id, doc in checked.documents.items():
        jobs.extend(Job(sub_id, name, doc, output_key(doc, name, get_writer(name).reads)) for name in names)
    return jobs


def _run(pending: list[Job], staging: Path, jobs: int, progress: Progress, cache: BuildCache) -> list[Result]:
    """Run the writers into ``staging`` (in parallel when there is more than one task).

    The tasks that took longest last time start first, so no core idles at the end."""
    if not pending:
        return []
    tasks = sorted(_tasks(pending), key=lambda task: (-sum(cache.last_seconds(job.name) for job in task), -len(task)))
    workers = max(1, min(jobs if jobs > 0 else cpu_count(), len(tasks)))
    return _execute(tasks, staging, workers, progress)


def _tasks(pending: list[Job]) -> list[list[Job]]:
    """One task per job, except that a writer which writes many documents at once gets them together."""
    tasks: list[list[Job]] = []
    batches: dict[str, list[Job]] = {}
    for job in pending:
        if get_writer(job.writer).write_many is not None:
            batches.setdefault(job.writer, []).append(job)
        else:
            tasks.append([job])
    # a batch holds its documents in memory together: keep it small enough that memory
    # follows the number of workers, not the number of subsidiaries
    chunks = [batch[i : i + BATCH_MAX] for batch in batches.values() for i in range(0, len(batch), BATCH_MAX)]
    return tasks + chunks


Result = tuple[Job, list[Path], float]


Work = tuple[str, list[tuple[Document, Path]]]  # a writer and the (document, folder) pairs it writes
_WORK: list[Work] = []  # set before the workers fork: they read their work from here, nothing is pickled


def _execute(tasks: list[list[Job]], staging: Path, workers: int, progress: Progress) -> list[Result]:
    """Write every task; in forked workers when there are several, each worker process
    doing one task and exiting, so memory never piles up across documents."""
    work = [(task[0].writer, [(job.doc, staging / job.sub_id) for job in task]) for task in tasks]
    if workers == 1 or not fork_is_safe():
        return [r for task, w in zip(tasks, work, strict=True) for r in _reported(task, *write_task(*w), progress)]
    global _WORK
    _WORK = work
    results: list[Result] = []

    def done(index: int, value: tuple[list[list[Path]], float]) -> None:
        results.extend(_reported(tasks[index], *value, progress))

    try:
        run_forked(len(work), _write_indexed, workers, [" + ".join(j.name for j in t) for t in tasks], done)
    finally:
        _WORK = []
    return results


def _write_indexed(index: int) -> tuple[list[list[Path]], float]:
    writer, work = _WORK[index]
    try:
        return write_task(writer, work)
    except OSError as exc:  # disk full, file too large …: say which output folder
        folder = work[0][1]
        problem = environment_error(exc, folder.parent.parent / folder.name)
        if problem is None:
            raise
        raise problem from None


def _reported(task: list[Job], files: list[list[Path]], seconds: float, progress: Progress) -> list[Result]:
    share = seconds / len(task)
    for job in task:
        progress.done(job.name, f"{share:.2f} s" + (f" of {seconds:.2f} s for {len(task)}" if len(task) > 1 else ""))
    return [(job, job_files, share) for job, job_files in zip(task, files, strict=True)]


def write_task(writer: str, work: list[tuple[Document, Path]]) -> tuple[list[list[Path]], float]:
    """Run one writer on one or more documents (in a worker process or in this one)."""
    start = time.perf_counter()
    for _doc, folder in work:
        folder.mkdir(parents=True, exist_ok=True)
    chosen = get_writer(writer)
    if len(work) > 1 and chosen.write_many is not None:
        files = chosen.write_many(work)
    else:
        files = [chosen.write(doc, folder) for doc, folder in work]
    report(" + ".join(f"{folder.name}/{writer}" for _doc, folder in work))
    return [[Path(f) for f in job_files] for job_files in files], time.perf_counter() - start


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
