"""Studio: the released handbook indexed for the read pages — every article, where it is printed, how.

One :class:`Index` per checked source: articles keyed by their label (or, unlabelled,
by their file and heading line), each with its source file and line, and for every
subsidiary that prints it the number and the text as printed (values filled in).
Keys are only ever looked up here — a key from a URL never becomes a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from policybook.build import Checked
from policybook.model import Article, Chapter, Document, Section
from policybook.writers.html.site import article_text

KEY = re.compile(r"^[A-Za-z0-9_.:@-]{1,200}$")


@dataclass
class Printed:
    sub_id: str
    number: str
    title: str
    text: str
    chapter: int  # index of its chapter in this subsidiary's document
    anchor: str


@dataclass
class Entry:
    key: str
    file: str  # relative to the source folder
    line: int
    label: str
    title: str
    printed: dict[str, Printed] = field(default_factory=dict)

    def variants(self) -> list[tuple[list[str], Printed]]:
        """The subsidiaries grouped by identical printed text (number aside)."""
        groups: dict[str, tuple[list[str], Printed]] = {}
        for sub_id, printed in self.printed.items():
            groups.setdefault(printed.title + "\n" + printed.text, ([], printed))[0].append(sub_id)
        return list(groups.values())


@dataclass
class Index:
    source: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    anchors: dict[str, dict[str, int]] = field(default_factory=dict)  # sub → anchor → chapter index

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key) if KEY.match(key) else None


def articles_of(chapter: Chapter) -> list[Article]:
    out: list[Article] = []
    for node in chapter.body:
        out.extend(node.articles if isinstance(node, Section) else [node])
    return out


def build_index(checked: Checked) -> Index:
    index = Index(checked.project.source)
    for sub_id, doc in checked.documents.items():
        index.anchors[sub_id] = _anchors(doc)
        for number, chapter in enumerate(doc.chapters):
            for article in articles_of(chapter):
                entry = _entry(index, article)
                entry.printed[sub_id] = Printed(
                    sub_id, article.number, article.title, article_text(article), number, article.anchor
                )
    return index


def _entry(index: Index, article: Article) -> Entry:
    rel = Path(article.loc.path).resolve().relative_to(index.source.resolve()).as_posix()
    key = article.label or f"{rel}@{article.loc.line}"
    if key not in index.entries:
        index.entries[key] = Entry(key, rel, article.loc.line, article.label, article.title)
    return index.entries[key]


def _anchors(doc: Document) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, chapter in enumerate(doc.chapters):
        found[chapter.anchor] = number
        for node in chapter.body:
            found[node.anchor] = number
            for article in node.articles if isinstance(node, Section) else []:
                found[article.anchor] = number
    return found


def search(doc: Document, query: str, limit: int = 200) -> list[tuple[int, Article, str]]:
    """Articles whose printed title or text holds ``query`` exactly (the site's search: no segmentation)."""
    hits: list[tuple[int, Article, str]] = []
    for number, chapter in enumerate(doc.chapters):
        for article in articles_of(chapter):
            text = article_text(article)
            if query in article.title or query in text:
                hits.append((number, article, text))
                if len(hits) >= limit:
                    return hits
    return hits
