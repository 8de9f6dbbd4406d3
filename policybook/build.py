"""The pipeline end to end: read → check → resolve → number → write, atomically.

Everything is read and checked first; nothing is written unless the whole
source is clean. Outputs go to a staging folder inside the output folder and
are moved into place only when every writer has finished, so a failed build
leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Document
from policybook.output import staged, write_manifest
from policybook.source import read_project
from policybook.source.git import revision_of
from policybook.source.project import Project
from policybook.transforms import project_labels, resolve
from policybook.writers import available


@dataclass
class Checked:
    """A project read and resolved for the chosen subsidiaries."""

    project: Project
    documents: dict[str, Document] = field(default_factory=dict)


def check(
    source: str | Path, subs: Iterable[str] = (), diags: Diagnostics | None = None, strict: bool = False
) -> Checked:
    """Read and resolve everything; all problems go to ``diags`` (raises on errors,
    and on warnings when ``strict``)."""
    diags = diags if diags is not None else Diagnostics()
    project = read_project(source, diags)
    labels = project_labels(project, diags)
    chosen = _choose(project, list(subs), diags)
    checked = Checked(project)
    for sub_id in chosen:
        checked.documents[sub_id] = resolve(project, sub_id, diags, labels)
    _check_forms_referenced(project, diags)
    if diags.failed(strict):
        raise SourceError(diags)
    return checked


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


def build(
    source: str | Path,
    out: Path,
    subs: Iterable[str] = (),
    formats: Iterable[str] = (),
    diags: Diagnostics | None = None,
    strict: bool = False,
) -> list[Path]:
    """Build the chosen outputs; returns the files written (relative to ``out``)."""
    diags = diags if diags is not None else Diagnostics()
    writers = available()
    names = list(formats) or [n for n in ("pdf", "docx", "forms") if n in writers]
    for name in names:
        if name not in writers:
            diags.error(None, f"unknown format '{name}'", "cli.format", f"available: {', '.join(sorted(writers))}")
    diags.raise_if_errors()
    checked = check(source, subs, diags, strict)
    with staged(out) as staging:
        for sub_id, doc in checked.documents.items():
            folder = staging.folder / sub_id
            folder.mkdir(parents=True, exist_ok=True)
            for name in names:
                writers[name].write(doc, folder)
    versions = {sub_id: doc.meta.version for sub_id, doc in checked.documents.items()}
    project = checked.project
    write_manifest(out, staging.written, versions, revision_of(project.source), str(project.source.name))
    return staging.written
