"""Resolve and number: a read :class:`Project` → one subsidiary's :class:`Document`.

The steps run in this order, each a small module:
  context    variables merged, constraints checked         (context.py)
  select     additions, exclusions, conditions              (variants.py)
  text       variables rendered, soft breaks, script        (text.py, script.py)
  number     chapters … appendices, then cross-references   (numbering.py)
"""

from __future__ import annotations

import dataclasses

from policybook.conversion import unmarked
from policybook.diagnostics import Diagnostics
from policybook.language import Language
from policybook.model import Chapter, Document, ItemList, Meta, Revision, Subsidiary
from policybook.source.project import Project
from policybook.transforms.context import build_context, check_constraints
from policybook.transforms.labels import Target, label_table
from policybook.transforms.numbering import RefResolver, number
from policybook.transforms.script import converter, variant_language
from policybook.transforms.styles import ITEM_PRESETS, bad_item_samples, style_for
from policybook.transforms.text import TextPass
from policybook.transforms.variables import Renderer
from policybook.transforms.variants import Selector
from policybook.transforms.walk import block_lists, blocks_in


def check_numbering(project: Project, diags: Diagnostics) -> None:
    """Item formats written as samples (handbook.yaml, or items="…" on one list) must be readable."""
    hint = f"name a preset ({', '.join(ITEM_PRESETS)}) or give one sample per level with one numeral (一 1 ① a i)"
    for bad in bad_item_samples(project.meta.items):
        diags.error(
            project.items_loc or project.meta.loc, f"cannot read the item format '{bad}'", "numbering.items", hint
        )
    for blocks in block_lists(_all_chapters(project)):
        for block in blocks_in(blocks):
            unread = bad_item_samples(block.style.split()) if isinstance(block, ItemList) and block.style else []
            if unread:
                diags.error(block.loc, f"cannot read the item format '{unread[0]}'", "numbering.items", hint)


def _all_chapters(project: Project) -> list[Chapter]:
    chapters = list(project.chapters)
    for sub in project.subsidiaries.values():
        chapters.extend(a.chapter for a in sub.additions if a.chapter not in chapters)
    return chapters


def project_labels(project: Project, diags: Diagnostics | None) -> dict[str, Target]:
    """Every label in the source, local additions of every subsidiary included."""
    documents = [a.document for a in project.appendices if a.document is not None]
    return label_table(_all_chapters(project), project.forms, diags, documents)


def resolve(
    project: Project,
    sub_id: str,
    diags: Diagnostics,
    labels: dict[str, Target] | None = None,
    last: bool = False,
) -> Document:
    """One subsidiary's resolved, numbered document; problems go to ``diags``.

    ``last``: nothing else will be resolved from ``project``, so its chapters become the
    document's instead of being copied (a copy costs a second on a 1,000-page handbook)."""
    sub = project.subsidiaries[sub_id]
    labels = labels if labels is not None else project_labels(project, None)
    lang = variant_language(project, sub)
    context = build_context(project, sub, diags)
    check_constraints(project, sub, diags)
    renderer = Renderer(context, diags, frozenset(k for s in project.subsidiaries.values() for k in s.local))
    selection = Selector(project, sub, renderer, diags).select(labels, copy=not last)
    locale = lang.locale
    texts = TextPass(renderer, converter(project, sub, lang))
    texts.chapters(selection.chapters)
    texts.appendices(selection.appendices)
    texts.attachments(selection.attachments)
    style = style_for(project.meta.numbering, locale, project.meta.items)
    number(selection.chapters, selection.order, style)
    RefResolver(selection.chapters, selection.order, style).resolve(
        selection.chapters, selection.removed, labels, diags, selection.attachments
    )
    return Document(
        meta=_meta(project.meta, locale, texts, sub.script.group),
        subsidiary=_subsidiary(sub.info, lang),
        chapters=selection.chapters,
        appendices=selection.appendices,
        attachments=selection.attachments,
        revisions=[_revision(r, texts) for r in project.revisions],
        brand=sub.brand,
    )


def _meta(meta: Meta, locale: str, texts: TextPass, group: str) -> Meta:
    """The variant's metadata: the title in its script, the group's name as written."""
    return Meta(
        title=texts.convert(meta.title),
        code=meta.code,
        version=meta.version,
        effective=meta.effective,
        locale=locale,
        numbering=meta.numbering,
        group=unmarked(group or meta.group),
        loc=meta.loc,
        items=meta.items,
    )


def _subsidiary(info: Subsidiary, lang: Language) -> Subsidiary:
    """Names stay as the author wrote them; the region is the variant's."""
    return Subsidiary(
        id=info.id,
        name=unmarked(info.name),
        short_name=unmarked(info.short_name),
        code=info.code,
        brand=info.brand,
        locale=lang.locale,
        tags=list(info.tags),
        loc=info.loc,
        region=lang.region,
    )


def _revision(revision: Revision, texts: TextPass) -> Revision:
    return dataclasses.replace(revision, summary=texts.convert(revision.summary))
