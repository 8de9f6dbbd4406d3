"""Studio: reading the handbook as each subsidiary prints it — chapters, 第X条, values filled in; search;
each article's source text, which subsidiaries print it and how they differ."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup, escape

from policybook.build import Checked
from policybook.model import Document
from policybook.studio.handbook import Index, articles_of, search
from policybook.studio.roles import requires
from policybook.studio.sourcetext import article_at
from policybook.studio.workspace import workspace
from policybook.writers.html.render import Renderer

bp = Blueprint("read", __name__)
NAV = [("read.index", "手册", ()), ("read.find", "搜索", ())]
MAX_QUERY = 100


def _released() -> tuple[Checked, Index]:
    released = workspace().released()
    if released.checked is None or released.index is None:
        abort(503)
    return released.checked, released.index


def _document(checked: Checked, sub_id: str) -> Document:
    doc = checked.documents.get(sub_id)
    if doc is None:
        abort(404)
    return doc


def renderer(index: Index, sub_id: str) -> Renderer:
    anchors = index.anchors.get(sub_id, {})

    def href(anchor: str) -> str:
        if anchor not in anchors:
            return ""
        return url_for("read.chapter", sub_id=sub_id, number=anchors[anchor] + 1) + "#" + anchor

    return Renderer(href, lambda item: item.anchor)


@bp.get("/")
@requires()
def index() -> str:
    released = workspace().released()
    if released.checked is None:
        return render_template("read/broken.html", problems=released.diagnostics.errors)
    return render_template("read/index.html", project=released.checked.project, docs=released.checked.documents)


@bp.get("/sub/<sub_id>/")
@requires()
def contents(sub_id: str) -> str:
    checked, _ = _released()
    doc = _document(checked, sub_id)
    return render_template("read/contents.html", doc=doc, sub_id=sub_id, articles_of=articles_of)


@bp.get("/sub/<sub_id>/<int:number>")
@requires()
def chapter(sub_id: str, number: int) -> str:
    checked, found = _released()
    doc = _document(checked, sub_id)
    if not 1 <= number <= len(doc.chapters):
        abort(404)
    entries = {(e.file, e.line): e.key for e in found.entries.values()}
    return render_template(
        "read/chapter.html",
        doc=doc,
        sub_id=sub_id,
        number=number,
        chapter=doc.chapters[number - 1],
        render=renderer(found, sub_id),
        key_of=lambda article: article.label or _unlabelled_key(found, entries, article),
    )


def _unlabelled_key(found: Index, entries: dict[tuple[str, int], str], article: object) -> str:
    from pathlib import Path

    loc = article.loc  # type: ignore[attr-defined]
    rel = Path(loc.path).resolve().relative_to(found.source.resolve()).as_posix()
    return entries.get((rel, loc.line), "")


@bp.get("/article/<key>")
@requires()
def article(key: str) -> str:
    checked, found = _released()
    entry = found.get(key)
    if entry is None:
        abort(404)
    text = (found.source / entry.file).read_text(encoding="utf-8")
    span = article_at(text, entry.line)
    source = span.text(text.splitlines(keepends=True)) if span else ""
    subs = checked.project.subsidiaries
    return render_template("read/article.html", entry=entry, source=source, subs=subs, docs=checked.documents)


@bp.get("/search")
@requires()
def find() -> str:
    checked, found = _released()
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    sub_id = request.args.get("sub", "") or next(iter(checked.documents), "")
    doc = _document(checked, sub_id)
    hits = search(doc, query) if query else []
    shown = [(n, a, _marked(text, query)) for n, a, text in hits]
    return render_template("read/search.html", doc=doc, docs=checked.documents, sub_id=sub_id, q=query, hits=shown)


def _marked(text: str, query: str) -> Markup:
    """The text with every occurrence of ``query`` in <mark> (both escaped first)."""
    parts = text.split(query)
    return Markup(f"<mark>{escape(query)}</mark>").join(escape(p) for p in parts)
