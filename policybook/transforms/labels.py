"""Resolve stage: the label table — what every ``{#label}`` and form id names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policybook.diagnostics import Diagnostics
from policybook.model import Article, Attachment, Chapter, Form, Item, Loc, Section
from policybook.transforms.walk import labelled

KINDS = {Chapter: "chapter", Section: "section", Article: "article", Item: "item", Attachment: "appendix"}


@dataclass
class Target:
    kind: str  # chapter | section | article | item | form | appendix (a Markdown one)
    loc: Loc
    node: object


def label_table(
    chapters: list[Chapter],
    forms: dict[str, Form],
    diags: Diagnostics | None,
    attachments: Sequence[Attachment] = (),
) -> dict[str, Target]:
    """Label → target; duplicates are reported to ``diags`` when given."""
    table: dict[str, Target] = {}
    for form in forms.values():
        table[form.id] = Target("form", form.loc, form)
    for node in [*attachments, *labelled(chapters)]:
        if not node.label:
            continue
        first = table.get(node.label)
        if first is not None and diags is not None:
            diags.error(
                node.loc,
                f"duplicate label '{node.label}' (also used at {first.loc})",
                "label.duplicate",
                "labels must be unique across the whole source, form ids included",
            )
            continue
        table.setdefault(node.label, Target(KINDS[type(node)], node.loc, node))
    return table
