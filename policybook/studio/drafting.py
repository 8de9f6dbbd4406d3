"""Studio: a draft applied — its changes on top of the released source, in a working copy, checked.

Nothing here writes to the released source. :func:`apply` turns a draft's changes into
the new text of each file it touches (articles located in the *released* text, so
edits, additions, moves and deletions compose whatever their order);
:class:`WorkingCopy` keeps one copy of the project per draft (the source folder,
forms and brand kits), rewrites only files that differ, and runs the same ``check``
the command runs on it. A change made on an article whose released text has
changed since is a conflict, shown with both versions.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from policybook.build import Checked, check
from policybook.diagnostics import Diagnostics, SourceError
from policybook.studio import sourcetext, yamledit
from policybook.studio.handbook import Index
from policybook.studio.schema import DraftChange


@dataclass
class Conflict:
    change_id: int
    target: str
    released: str  # the article's text in the released source now
    drafted: str  # the draft's text


@dataclass
class Applied:
    files: dict[str, str] = field(default_factory=dict)  # relative path → new text
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # a change that no longer fits (its article is gone)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def released_article(source: Path, index: Index, key: str) -> str:
    entry = index.get(key)
    if entry is None:
        return ""
    text = (source / entry.file).read_text(encoding="utf-8")
    span = sourcetext.article_at(text, entry.line)
    return span.text(text.splitlines(keepends=True)) if span else ""


@dataclass
class _File:
    text: str
    replaced: dict[int, str] = field(default_factory=dict)  # heading line → new article text
    deleted: set[int] = field(default_factory=set)
    after: dict[int, list[str]] = field(default_factory=dict)  # heading line (0 = end) → articles added after

    def render(self) -> str:
        lines = self.text.splitlines(keepends=True)
        out: list[str] = []
        position = 0
        for span in sourcetext.spans(self.text):
            if span.level != 3:
                continue
            out.extend(lines[position : span.start - 1])
            if span.start not in self.deleted:
                out.append(_block(self.replaced.get(span.start, span.text(lines))))
            out.extend(_block(a) for a in self.after.get(span.start, []))
            position = span.end
        out.extend(lines[position:])
        tail = "".join(out)
        for added in self.after.get(0, []):
            tail = tail.rstrip("\n") + "\n\n" + _block(added)
        return tail


def _block(article: str) -> str:
    return article.replace("\r\n", "\n").strip("\n") + "\n\n"


def apply(source: Path, index: Index, changes: Iterable[DraftChange]) -> Applied:
    result = Applied()
    files: dict[str, _File] = {}

    def file(rel: str) -> _File:
        if rel not in files:
            files[rel] = _File((source / rel).read_text(encoding="utf-8"))
        return files[rel]

    values: dict[str, list[DraftChange]] = {}
    for change in changes:
        if change.kind == "value":
            values.setdefault(change.file, []).append(change)
            continue
        _article_change(source, index, change, file, result)
    for rel, text_file in files.items():
        result.files[rel] = text_file.render()
    for rel, edits in values.items():
        text = result.files.get(rel) or (source / rel).read_text(encoding="utf-8")
        for change in edits:
            text = yamledit.set_value(text, tuple(change.target.split(".")), change.text)
        result.files[rel] = text
    return result


def _article_change(source: Path, index: Index, change: DraftChange, file, result: Applied) -> None:  # type: ignore[no-untyped-def]
    if change.kind == "add":
        after = index.get(change.target) if change.target else None
        file(after.file if after else change.file).after.setdefault(after.line if after else 0, []).append(change.text)
        return
    entry = index.get(change.target)
    if entry is None:
        result.problems.append(change.target)
        return
    released = released_article(source, index, change.target)
    if change.base_sha256 and sha256(released) != change.base_sha256:
        result.conflicts.append(Conflict(change.id, change.target, released, change.text))
        return
    if change.kind == "article":
        file(entry.file).replaced[entry.line] = change.text
    elif change.kind == "delete":
        file(entry.file).deleted.add(entry.line)
    elif change.kind == "move":
        target = index.get(change.text)
        if target is None:
            result.problems.append(change.text)
            return
        current = file(entry.file).replaced.get(entry.line, released)
        file(entry.file).deleted.add(entry.line)
        file(target.file).after.setdefault(target.line, []).append(current)


@dataclass
class Result:
    checked: Checked | None
    diagnostics: Diagnostics
    applied: Applied
    source: Path  # the working copy's source folder


class WorkingCopy:
    """One folder per draft holding the project as the draft would make it."""

    def __init__(self, released: Path, folder: Path) -> None:
        self.released = released
        self.root = folder
        self.source = folder / released.name

    def sync(self, applied: Applied) -> bool:
        """The released project, then the draft's files on top (only files that differ are written);
        True if any file was written."""
        root = self.released.parent
        written = False
        for name in {self.released.name, "forms", "templates"}:
            if (root / name).is_dir():
                drafted = {Path(rel) for rel in applied.files} if name == self.released.name else set()
                written |= _mirror(root / name, self.root / name, drafted)
        for rel, text in applied.files.items():
            path = self.source / rel
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                written = True
        return written

    def check(self, applied: Applied, subs: Iterable[str] = ()) -> Result:
        self.sync(applied)
        diags = Diagnostics()
        try:
            checked: Checked | None = check(self.source, list(subs), diags=diags, formats=[])
        except SourceError as exc:
            diags.extend(exc.diagnostics)
            checked = None
        return Result(checked, diags, applied, self.source)

    def relative(self, path: str) -> str:
        """A diagnostic's path as the file's path in the source folder ("" when outside it)."""
        try:
            return Path(path).resolve().relative_to(self.source.resolve()).as_posix()
        except ValueError:
            return ""


def _mirror(origin: Path, copy: Path, drafted: set[Path]) -> bool:
    """``copy`` made equal to ``origin`` (but the ``drafted`` files): changed files copied, removed ones
    removed; True if anything changed."""
    wanted = {p.relative_to(origin) for p in origin.rglob("*") if p.is_file()}
    changed = False
    for rel in sorted(wanted - drafted):
        src, dst = origin / rel, copy / rel
        stat = src.stat()
        if dst.is_file() and dst.stat().st_size == stat.st_size and dst.stat().st_mtime_ns == stat.st_mtime_ns:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        changed = True
    if copy.is_dir():
        for path in sorted(copy.rglob("*"), reverse=True):
            if path.is_file() and path.relative_to(copy) not in wanted and path.relative_to(copy) not in drafted:
                path.unlink()
                changed = True
    return changed
