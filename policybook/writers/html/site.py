"""Write stage (html): which page holds what, and the id every node gets.

One page per chapter (short enough for a phone, one request each), named for
the chapter's label. Ids come from labels, so a link such as
``ch-leave.html#art-leave-apply`` survives renumbering; a node without a label
gets a fallback id hashed from its title (an untitled article: from its first
words), which survives renumbering and moves but not retitling. Numbers are
the model's: nothing here numbers anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from policybook.model import Article, Chapter, Document, Section, block_text
from policybook.transforms.walk import block_lists, items_in
from policybook.writers.html.policy import page_name_ok, plain_label

INDEX, APPENDICES, REVISIONS, SEARCH = "index.html", "appendices.html", "revisions.html", "search.html"


@dataclass
class Place:
    page: str  # file name of the page
    id: str  # element id on that page

    @property
    def href(self) -> str:
        return f"{self.page}#{self.id}"


@dataclass
class Plan:
    """Pages and ids of one site; ``places`` maps every model anchor to where it is shown."""

    pages: dict[int, str] = field(default_factory=dict)  # id(chapter) → file name
    ids: dict[int, str] = field(default_factory=dict)  # id(node) → element id
    places: dict[str, Place] = field(default_factory=dict)  # model anchor → place
    used: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)  # chapter page names in use, lower case

    def page(self, chapter: Chapter) -> str:
        return self.pages[id(chapter)]

    def id(self, node: object) -> str:
        return self.ids[id(node)]

    def href(self, anchor: str) -> str:
        """Where a reference to ``anchor`` points ("" when the model has no such place)."""
        place = self.places.get(anchor)
        return place.href if place else ""


def plan(doc: Document) -> Plan:
    result = Plan()
    result.used.update(_labels(doc))
    for chapter in doc.chapters:
        chapter_id = _claim(result, chapter.label, "ch", chapter.title)
        page = result.pages[id(chapter)] = f"{_page_name(result, chapter_id, chapter.title)}.html"
        _place(result, page, chapter, chapter_id, chapter.anchor)
        for node in chapter.body:
            if isinstance(node, Section):
                _place(result, page, node, _claim(result, node.label, "sec", node.title), node.anchor)
        for article in chapter.articles():
            _place(result, page, article, _claim(result, article.label, "a", _article_key(article)), article.anchor)
        for item in (i for blocks in block_lists([chapter]) for i in items_in(blocks)):  # intros' too
            if item.label:
                _place(result, page, item, _claim(result, item.label, "i", item.anchor), item.anchor)
    for appendix in doc.all_appendices():  # forms and Markdown appendices, on one page
        _place(
            result, APPENDICES, appendix, _claim(result, appendix.anchor, "ax", str(appendix.ordinal)), appendix.anchor
        )
    for attachment in doc.attachments:
        for item in items_in(attachment.blocks):
            if item.label:
                _place(result, APPENDICES, item, _claim(result, item.label, "i", item.anchor), item.anchor)
    return result


def _place(result: Plan, page: str, node: object, element_id: str, anchor: str) -> None:
    result.ids[id(node)] = element_id
    result.places[anchor] = Place(page, element_id)


def _labels(doc: Document) -> set[str]:
    found = {a.anchor for a in doc.all_appendices()}
    found.update(i.label for a in doc.attachments for i in items_in(a.blocks) if i.label)
    for chapter in doc.chapters:
        found.update(n.label for n in [chapter, *chapter.body, *chapter.articles()] if n.label)
        for blocks in block_lists([chapter]):
            found.update(i.label for i in items_in(blocks) if i.label)
    return found


def _claim(result: Plan, label: str, prefix: str, key: str) -> str:
    """The node's label, else ``prefix-<hash of key>`` made unique on the site.

    A label that is not a plain name (the model may come from elsewhere than the
    source reader, which refuses such labels) is treated as none."""
    if label and plain_label(label):
        return label
    key = key or label
    base = f"{prefix}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
    candidate, n = base, 1
    while candidate in result.used:
        n += 1
        candidate = f"{base}-{n}"
    result.used.add(candidate)
    return candidate


def _page_name(result: Plan, chapter_id: str, title: str) -> str:
    """``chapter_id`` unless it would replace a page of the site (index, search …) or another
    chapter's (letter case aside: a site copied to Windows); then ``ch-<hash>``."""
    name = chapter_id
    if not page_name_ok(name, result.files):
        base = f"ch-{hashlib.sha1(f'{chapter_id}|{title}'.encode()).hexdigest()[:8]}"
        name, n = base, 1
        while not page_name_ok(name, result.files):
            n += 1
            name = f"{base}-{n}"
    result.files.add(name.lower())
    return name


def _article_key(article: Article) -> str:
    return article.title or article_text(article)[:40]


def article_text(article: Article) -> str:
    """An article's body as a reader sees it: references as numbers, one line per paragraph."""
    return "\n".join(block_text(b) for b in article.blocks)
