"""Write stage: the resolved, numbered model as JSON (for tools and tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policybook.model import (
    Appendix,
    Article,
    Attachment,
    Block,
    Chapter,
    Code,
    Document,
    Emph,
    Form,
    Inline,
    Item,
    ItemList,
    LineBreak,
    Link,
    Note,
    Paragraph,
    Ref,
    Section,
    Table,
    Text,
    block_text,
    plain_text,
)
from policybook.naming import handbook_stem
from policybook.writers import Writer, register


def document_json(doc: Document) -> dict[str, Any]:
    return {
        "kind": "document",
        "meta": _meta(doc),
        "subsidiary": {**vars(doc.subsidiary), "loc": str(doc.subsidiary.loc)},
        "revisions": [
            {"version": r.version, "date": r.date, "summary": r.summary, "loc": str(r.loc)} for r in doc.revisions
        ],
        "children": [_chapter(c) for c in doc.chapters],
        "appendices": [_appendix(a) for a in doc.appendices],  # forms
        "attachments": [_attachment(a) for a in doc.attachments],  # Markdown appendices (same numbering)
    }


def _meta(doc: Document) -> dict[str, Any]:
    meta = dict(vars(doc.meta))
    meta["loc"] = str(doc.meta.loc)
    return meta


def _numbered(kind: str, node: Chapter | Section | Article | Item | Appendix | Attachment) -> dict[str, Any]:
    return {
        "kind": kind,
        "number": node.number,
        "ordinal": node.ordinal,
        "label": getattr(node, "label", ""),
        "anchor": node.anchor,
        "loc": str(node.loc),
    }


def _chapter(chapter: Chapter) -> dict[str, Any]:
    body = [_section(n) if isinstance(n, Section) else _article(n) for n in chapter.body]
    return {**_numbered("chapter", chapter), "title": chapter.title, "intro": _intro(chapter.intro), "children": body}


def _intro(blocks: list[Block]) -> list[dict[str, Any]]:
    """The unnumbered opening text of a chapter or section (blocks before its first article)."""
    return [_block(b) for b in blocks]


def _section(section: Section) -> dict[str, Any]:
    return {
        **_numbered("section", section),
        "title": section.title,
        "intro": _intro(section.intro),
        "children": [_article(a) for a in section.articles],
    }


def _article(article: Article) -> dict[str, Any]:
    return {
        **_numbered("article", article),
        "title": article.title,
        "text": "\n".join(block_text(b) for b in article.blocks),
        "children": [_block(b) for b in article.blocks],
    }


def _block(block: Block) -> dict[str, Any]:
    base = {"loc": str(block.loc), "when": block.when}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", **base, "text": plain_text(block.inlines), "inlines": _inlines(block.inlines)}
    if isinstance(block, ItemList):
        return {"kind": "list", "ordered": block.ordered, **base, "children": [_item(i) for i in block.items]}
    if isinstance(block, Note):
        return {"kind": "note", **base, "text": block_text(block), "children": [_block(b) for b in block.blocks]}
    return _table(block, base)


def _table(table: Table, base: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "table",
        **base,
        "aligns": table.aligns,
        "header": [plain_text(c) for c in table.header],
        "rows": [[plain_text(c) for c in row] for row in table.rows],
        "spans": [{"row": s.row, "column": s.column, "rows": s.rows, "columns": s.columns} for s in table.spans],
        "widths": table.widths,
    }


def _item(item: Item) -> dict[str, Any]:
    text = "\n".join(block_text(b) for b in item.blocks)
    return {**_numbered("item", item), "level": item.level, "text": text, "children": [_block(b) for b in item.blocks]}


def _inlines(inlines: list[Inline]) -> list[dict[str, Any]]:
    return [_inline(node) for node in inlines]


def _inline(node: Inline) -> dict[str, Any]:
    if isinstance(node, Text | Code):
        return {"kind": "code" if isinstance(node, Code) else "text", "text": node.text}
    if isinstance(node, LineBreak):
        return {"kind": "linebreak"}
    if isinstance(node, Ref):
        return {
            "kind": "ref",
            "target": node.target,
            "target_kind": node.target_kind,
            "anchor": node.anchor,
            "display": node.display,
            "text": plain_text([node]),
            "loc": str(node.loc),
        }
    if isinstance(node, Link):
        return {"kind": "link", "url": node.url, "children": _inlines(node.children)}
    assert isinstance(node, Emph)
    return {"kind": "strong" if node.strong else "emph", "children": _inlines(node.children)}


def _appendix(appendix: Appendix) -> dict[str, Any]:
    return {**_numbered("form", appendix), **_form(appendix.form)}


def _attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        **_numbered("appendix", attachment),
        "title": attachment.title,
        "children": [_block(b) for b in attachment.blocks],
    }


def _form(form: Form) -> dict[str, Any]:
    return {
        "id": form.id,
        "code": form.code,
        "title": form.title,
        "version": form.version,
        "paper": form.paper,
        "intro": form.intro,
        "notes": form.notes,
        "rows": [
            {"section": r.section, "loc": str(r.loc), "cells": [{**vars(c), "loc": str(c.loc)} for c in r.cells]}
            for r in form.rows
        ],
        "fields": [{"name": c.name, "type": c.type, "label": c.label, "options": c.options} for c in form.fields()],
    }


def dumps(doc: Document) -> str:
    return json.dumps(document_json(doc), ensure_ascii=False, indent=2)


def write(doc: Document, out: Path) -> list[Path]:
    path = out / f"{handbook_stem(doc)}.model.json"
    path.write_text(dumps(doc) + "\n", encoding="utf-8")
    return [path]


register(Writer("json", "the resolved, numbered model as JSON", write))
