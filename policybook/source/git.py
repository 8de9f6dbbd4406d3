"""Read stage: the source as git knows it — a revision exported, the current commit.

A revision is exported with ``git archive`` into a private temporary folder
(only the project folder's files, extracted with tarfile's safe ``data``
filter).
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from contextlib import ExitStack
from pathlib import Path

from policybook.diagnostics import fail
from policybook.source.paths import find_source


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def export_revision(rev: str, source: Path, stack: ExitStack) -> Path:
    """The source folder as it was at ``rev``, in a temporary folder ``stack`` removes."""
    here = find_source(source)
    top = _git(["rev-parse", "--show-toplevel"], here)
    if top.returncode != 0:
        raise fail(None, f"'{rev}' is neither a folder nor a git revision (no git checkout here)", "diff.source")
    repo = Path(top.stdout.decode().strip())
    project = here.parent.relative_to(repo).as_posix() or "."
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], repo)
    if commit.returncode != 0 or rev.startswith("-"):
        problem = f"cannot read revision '{rev}': no such folder, commit, tag or branch"
        raise fail(None, problem, "diff.revision", "name a commit, tag or branch")
    sha = commit.stdout.decode().strip()  # only a verified commit id reaches git archive: never an option
    archive = _git(["archive", "--format=tar", sha, "--", project], repo)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["unknown revision"]
        raise fail(None, f"cannot read revision '{rev}': {message[0]}", "diff.revision", "name a commit, tag or branch")
    import tarfile  # only when a revision is read: every build imports this module for revision_of

    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="policybook-rev-")))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return find_source(folder / project / here.name)


def revision_of(folder: Path) -> str:
    """The git commit a source folder is checked out at ('' outside git), '+dirty' if changed."""
    head = _git(["rev-parse", "HEAD"], folder)
    if head.returncode != 0:
        return ""
    dirty = _git(["status", "--porcelain", "--", "."], folder.parent)
    return head.stdout.decode().strip() + ("+dirty" if dirty.stdout.strip() else "")
