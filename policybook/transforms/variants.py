"""Resolve stage: pick one subsidiary's content — additions, exclusions, conditions.

Works on a private copy of the chapters (or on the project's own, when no other
variant will be resolved from it). Whatever is left out is remembered (label →
why), so a reference to it can be reported with both places named.
"""

from __future__ import annotations

import difflib
import pickle
from dataclasses import dataclass, field
from typing import Any

from policybook.diagnostics import Diagnostics
from policybook.model import Appendix, Article, Attachment, Block, Chapter, Form, Item, Loc, Section
from policybook.source.project import Project, SubsidiarySource
from policybook.transforms.labels import Target
from policybook.transforms.variables import Renderer
from policybook.transforms.walk import filter_blocks, labelled_in, map_blocks


@dataclass
class Removed:
    """Why a label is absent from a variant."""

    label: str
    loc: Loc  # the exclusion entry or the condition
    reason: str


@dataclass
class Selection:
    chapters: list[Chapter]
    order: list[Appendix | Attachment]  # every appendix kept, in handbook.yaml's order
    removed: dict[str, Removed] = field(default_factory=dict)

    @property
    def appendices(self) -> list[Appendix]:
        return [a for a in self.order if isinstance(a, Appendix)]

    @property
    def attachments(self) -> list[Attachment]:
        return [a for a in self.order if isinstance(a, Attachment)]


class Selector:
    def __init__(self, project: Project, sub: SubsidiarySource, renderer: Renderer, diags: Diagnostics) -> None:
        self.project, self.sub, self.renderer, self.diags = project, sub, renderer, diags
        self.excluded = {label: loc for label, loc in sub.exclude}
        self.removed: dict[str, Removed] = {}

    def select(self, table: dict[str, Target], copy: bool = True) -> Selection:
        """The variant's content: a copy of the project's chapters (changed in place if not ``copy``)."""
        self.check_exclusions(table)
        chapters = self.with_additions(_copy(self.project.chapters) if copy else list(self.project.chapters))
        chapters = [c for c in chapters if self.keep(c)]
        for chapter in chapters:
            chapter.body = [n for n in chapter.body if self.keep(n)]
            for node in chapter.body:
                if isinstance(node, Section):
                    node.articles = [a for a in node.articles if self.keep(a)]
        map_blocks(chapters, lambda blocks: filter_blocks(blocks, self.keep_block))
        chapters = self.drop_empty(chapters)
        return Selection(chapters, self.appendices(), self.removed)

    def check_exclusions(self, table: dict[str, Target]) -> None:
        for label, loc in self.sub.exclude:
            if label not in table:
                close = difflib.get_close_matches(label, list(table), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "labels are set with {#label} on a heading"
                self.diags.error(loc, f"excludes '{label}', which is not a label", "exclude.unknown", hint)

    def with_additions(self, chapters: list[Chapter]) -> list[Chapter]:
        for addition in self.sub.additions:
            chapter = _copy(addition.chapter)
            index = next((i for i, c in enumerate(chapters) if c.label == addition.after), None)
            if addition.after and index is None:
                self.diags.error(
                    addition.loc, f"'after: {addition.after}' names no chapter", "add.after", "name a chapter label"
                )
            chapters.insert(len(chapters) if index is None else index + 1, chapter)
        return chapters

    def keep(self, node: Chapter | Section | Article | Item) -> bool:
        if node.label in self.excluded:
            self.forget(node, self.excluded[node.label], f"excluded by subsidiary '{self.sub.info.id}'")
            return False
        if node.when and not self.renderer.condition(node.when, node.loc):
            self.forget(node, node.loc, f"its condition '{node.when}' is false for '{self.sub.info.id}'")
            return False
        return True

    def keep_block(self, block: Block | Item) -> bool:
        if isinstance(block, Item):
            return self.keep(block)
        return not block.when or self.renderer.condition(block.when, block.loc) or self.forget_block(block)

    def forget_block(self, block: Block) -> bool:
        self.forget(block, block.loc, f"its condition '{block.when}' is false for '{self.sub.info.id}'")
        return False

    def forget(self, node: Chapter | Section | Article | Item | Block, loc: Loc, reason: str) -> None:
        """Remember every label inside a left-out node, for the error a reference to it gets."""
        for inner in labelled_in(node):
            if inner.label:
                self.removed.setdefault(inner.label, Removed(inner.label, loc, reason))

    def drop_empty(self, chapters: list[Chapter]) -> list[Chapter]:
        for chapter in chapters:
            chapter.body = [n for n in chapter.body if not isinstance(n, Section) or n.articles]
        return [c for c in chapters if c.articles()]

    def appendices(self) -> list[Appendix | Attachment]:
        result: list[Appendix | Attachment] = []
        for entry in self.project.appendices:
            form = self.project.forms.get(entry.form_id) if entry.form_id else None
            if entry.document is None and form is None:
                self.diags.error(
                    entry.loc,
                    f"appendix names form '{entry.form_id}', which has no forms/{entry.form_id}.yaml",
                    "form.unknown",
                )
            elif entry.label and entry.label in self.excluded:
                self.removed[entry.label] = Removed(
                    entry.label, self.excluded[entry.label], f"excluded by subsidiary '{self.sub.info.id}'"
                )
            elif entry.when and not self.renderer.condition(entry.when, entry.loc):
                self.removed[entry.label] = Removed(
                    entry.label, entry.loc, f"its condition '{entry.when}' is false for '{self.sub.info.id}'"
                )
            elif form is not None:
                result.append(Appendix(form=_form_copy(form, self.renderer), loc=entry.loc, when=entry.when))
            elif entry.document is not None:
                result.append(self.document(entry.document))
        return result

    def document(self, document: Attachment) -> Attachment:
        copied: Attachment = _copy(document)
        copied.blocks = filter_blocks(copied.blocks, self.keep_block)
        return copied


def _form_copy(form: Form, renderer: Renderer) -> Form:
    """A copy of the form with conditional rows and cells decided."""
    copied = _copy(form)
    copied.rows = [r for r in copied.rows if renderer.condition(r.when, r.loc)]
    for row in copied.rows:
        row.cells = [c for c in row.cells if renderer.condition(c.when, c.loc)]
    copied.rows = [r for r in copied.rows if r.section or r.cells]
    return copied


def _copy(value: Any) -> Any:
    """A deep copy; pickling is several times faster than copy.deepcopy on this tree."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 (our own objects)
