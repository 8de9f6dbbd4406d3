"""Write stage (html): the numbered model → the pages of one site (as strings).

Jinja2 templates (``templates/``) with autoescape give the structure; text
and inline markup come from ``render`` already escaped. Numbers, reference
texts and change rows are the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from policybook.cache import user_cache_dir
from policybook.dates import long_date
from policybook.model import (
    Appendix,
    Article,
    Attachment,
    ChangeTable,
    Chapter,
    Document,
    Item,
    Revision,
    Section,
    Segment,
)
from policybook.naming import document_code, form_stem
from policybook.writers.html.policy import CSP
from policybook.writers.html.render import Renderer
from policybook.writers.html.site import APPENDICES, INDEX, REVISIONS, SEARCH, Plan, article_text
from policybook.writers.html.words import words_for

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEP = "　"  # between a number and a title, as in the PDF


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates, compiled once per machine (Jinja's bytecode kept in the user cache)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=FileSystemBytecodeCache(str(user_cache_dir("jinja"))),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


@dataclass
class Marks:
    """Which articles changed since the previous version (by their number in this one)."""

    kinds: dict[str, str]  # number → modified | added
    old_version: str

    @classmethod
    def of(cls, table: ChangeTable | None) -> Marks:
        if table is None:
            return cls({}, "")
        kinds = {r.new_number: r.kind for r in table.rows if r.new_number and r.kind in ("modified", "added")}
        return cls(kinds, table.old_version)


class Pages:
    """Renders every page of one document's site."""

    def __init__(self, doc: Document, site: Plan, lang: str, logo: str) -> None:
        self.doc, self.plan = doc, site
        self.w = words_for(doc)
        self.marks = Marks.of(doc.changes)
        self.render = Renderer(site.href, lambda item: _item_id(site, item))
        self.site = self._site(lang, logo)
        # every page lists every chapter: rendered once, not once a page (463 chapters: 3 s a site)
        self._nav = environment().get_template("nav.html").render(site=self.site)

    def all(self) -> dict[str, str]:
        """file name → HTML"""
        pages = {INDEX: self.index(), SEARCH: self.page("search.html", "search", self.w["search"])}
        for n, chapter in enumerate(self.doc.chapters):
            pages[self.plan.page(chapter)] = self.chapter(n)
        if self.doc.all_appendices():
            pages[APPENDICES] = self.appendices()
        pages[REVISIONS] = self.revisions()
        return pages

    def page(self, template: str, kind: str, title: str, **context: Any) -> str:
        values = {"site": self.site, "w": self.w, "kind": kind, "title": title, "current": "", "csp": CSP, **context}
        return environment().get_template(template).render(values, chapter_nav=self.chapter_nav)

    def chapter_nav(self, current: str) -> Markup:
        """The side list's chapters, the link to ``current`` (a page of this site) marked as this page."""
        link = f'<a href="{escape(current)}">'
        return Markup(self._nav.replace(link, link[:-1] + ' aria-current="page">', 1) if current else self._nav)

    # ------------------------------------------------------------ site-wide

    def _site(self, lang: str, logo: str) -> dict[str, Any]:
        meta, sub = self.doc.meta, self.doc.subsidiary
        return {
            "lang": lang,
            "logo": logo,
            "name": sub.name,
            "short_name": sub.short_name,
            "title": meta.title,
            "code": document_code(self.doc),
            "version": meta.version,
            "effective": long_date(meta.effective, meta.locale),  # 2027年1月1日, as the PDF prints it
            "group": meta.group,
            "has_appendices": bool(self.doc.all_appendices()),
            "chapters": [self._chapter_entry(c) for c in self.doc.chapters],
        }

    def _chapter_entry(self, chapter: Chapter) -> dict[str, Any]:
        articles: list[dict[str, Any]] = []
        for node in chapter.body:
            if isinstance(node, Section):
                articles.append(
                    {
                        "section": True,
                        "href": self._href(node),
                        "number": node.number,
                        "title": node.title,
                        "changed": False,
                    }
                )
            for article in node.articles if isinstance(node, Section) else [node]:
                articles.append(self._toc_article(article))
        changed = sum(1 for a in articles if a.get("changed"))
        count = self.w["articles"].format(n=sum(1 for a in articles if not a.get("section")))
        return {
            "page": self.plan.page(chapter),
            "number": chapter.number,
            "title": chapter.title,
            "articles": articles,
            "count": count,
            "changed": changed,
        }

    def _toc_article(self, article: Article) -> dict[str, Any]:
        return {
            "section": False,
            "href": self._href(article),
            "number": article.number,
            "title": article.title or _first_words(article),
            "changed": article.number in self.marks.kinds,
        }

    def _href(self, node: Article | Section) -> str:
        return self.plan.href(node.anchor)

    # ------------------------------------------------------------ pages

    def index(self) -> str:
        changes = None
        if self.doc.changes is not None and self.marks.kinds:
            changes = {"summary": self.w["changes_cover"].format(**self._change_words())}
        return self.page("index.html", "index", self.w["contents"], changes=changes)

    def chapter(self, n: int) -> str:
        chapters = self.doc.chapters
        chapter = chapters[n]
        body = [self._section(node) if isinstance(node, Section) else self._article(node) for node in chapter.body]
        view = {"id": self.plan.id(chapter), "number": chapter.number, "title": chapter.title, "body": body}
        view["intro"] = self.render.blocks(chapter.intro)  # text before the first article: unnumbered
        entries = self.site["chapters"]
        return self.page(
            "chapter.html",
            "chapter",
            f"{chapter.number} {chapter.title}".strip(),
            chapter=view,
            current=self.plan.page(chapter),
            prev=entries[n - 1] if n > 0 else None,
            next=entries[n + 1] if n + 1 < len(chapters) else None,
        )

    def _section(self, section: Section) -> dict[str, Any]:
        return {
            "section": True,
            "id": self.plan.id(section),
            "number": section.number,
            "title": section.title,
            "intro": self.render.blocks(section.intro),
            "articles": [self._article(a) for a in section.articles],
        }

    def _article(self, article: Article) -> dict[str, Any]:
        ident = self.plan.id(article)
        kind = self.marks.kinds.get(article.number, "")
        title = self.w["added_title" if kind == "added" else "changed_title"].format(old=self.marks.old_version)
        lead = ""
        if not article.title:
            lead = Markup('<a class="num self" href="#{}" title="{}">{}</a>{}').format(
                ident, self.w["permalink"], article.number, SEP
            )
            if kind:
                lead += Markup('<span class="badge" title="{}">{}</span> ').format(title, self.w["changed"])
        return {
            "section": False,
            "id": ident,
            "number": article.number,
            "title": article.title,
            "body": self.render.blocks(article.blocks, lead),
            "change": kind,
            "change_title": title,
        }

    def appendices(self) -> str:
        views = [self._attachment(a) if isinstance(a, Attachment) else self._form(a) for a in self.doc.all_appendices()]
        return self.page("appendices.html", "appendices", self.w["appendices"], appendices=views)

    def _form(self, appendix: Appendix) -> dict[str, Any]:
        stem, form = form_stem(self.doc, appendix), appendix.form
        return {
            "kind": "form",
            "id": self.plan.id(appendix),
            "number": appendix.number,
            "title": form.title,
            "code": form.code,
            "version": form.version,
            "intro": form.intro,
            "notes": form.notes,
            "pdf": f"../forms/{stem}.pdf",
            "docx": f"../forms/{stem}.docx",
            "pdf_name": f"{stem}.pdf",
            "docx_name": f"{stem}.docx",
        }

    def _attachment(self, attachment: Attachment) -> dict[str, Any]:
        return {
            "kind": "attachment",
            "id": self.plan.id(attachment),
            "number": attachment.number,
            "title": attachment.title,
            "body": self.render.blocks(attachment.blocks),
        }

    def revisions(self) -> str:
        ordered = sorted(self.doc.revisions, key=_revision_key, reverse=True)
        rows = [
            {
                "version": r.version,
                "date": long_date(r.date, self.doc.meta.locale),
                "summary": r.summary,
                "current": r.version == self.doc.meta.version,
            }
            for r in ordered
        ]
        return self.page("revisions.html", "revisions", self.w["revisions"], revisions=rows, changes=self._changes())

    def _changes(self) -> dict[str, Any] | None:
        table = self.doc.changes
        if table is None:
            return None
        words = self._change_words()
        intro = self.w["changes_intro" if table.rows else "changes_none"].format(**words)
        rows = [
            {
                "kind": r.kind,
                "number": r.new_number or self.w["deleted_number"].format(n=r.old_number),
                "href": self._number_href(r.new_number),
                "note": r.note,
                "old": _segments(r.old, "del"),
                "new": _segments(r.new, "ins"),
            }
            for r in table.rows
        ]
        return {"intro": intro, "rows": rows, "renumbered": table.renumbered_summary}

    def _change_words(self) -> dict[str, Any]:
        table = self.doc.changes
        assert table is not None
        date = long_date(table.old_effective, self.doc.meta.locale)
        return {"old": table.old_version, "date": date, "n": len(self.marks.kinds)}

    def _number_href(self, number: str) -> str:
        for chapter in self.doc.chapters:
            for article in chapter.articles():
                if number and article.number == number:
                    return self.plan.href(article.anchor)
        return ""


def _segments(segments: list[Segment], tag: str) -> Markup:
    return Markup("").join(
        Markup(f"<{tag}>{{}}</{tag}>").format(s.text) if s.changed else Markup("{}").format(s.text) for s in segments
    )


def _item_id(site: Plan, item: Item) -> str:
    return site.ids.get(id(item), "")


def _first_words(article: Article, limit: int = 18) -> str:
    text = article_text(article).split("\n", 1)[0]
    return text if len(text) <= limit else text[:limit] + "…"


def _revision_key(rev: Revision) -> tuple[str, str]:
    return (rev.date, rev.version)
