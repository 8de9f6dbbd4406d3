"""Review stage: the reviewed body cut into articles, by identity or, failing that, by heading.

Each ``pb_…`` bookmark the DOCX writer put on an article, chapter, section or
appendix starts a piece that runs to the next one (a table's own bookmark does
not). A DOCX whose bookmarks were lost (retyped, or saved by a program that
drops them) is cut at every paragraph that starts 第X条 instead, and each piece
is paired with the article of the same number when its text is similar, else
with the most similar article; such pieces say how they were found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from policybook.model import Appendix, Article, Attachment, Chapter, Document, Section
from policybook.review.wordml import Change, Unit
from policybook.writers.docx import identity

ARTICLE_START = re.compile(r"^\s*(第[零〇一二三四五六七八九十百千两]+[条條])")
HEADING_START = re.compile(r"^\s*第[零〇一二三四五六七八九十百千两]+[章节節]")
SIMILAR = 0.5

Node = Article | Chapter | Section | Appendix | Attachment


@dataclass
class Piece:
    """One identified stretch of the reviewed body (``node`` None: outside every article)."""

    key: str  # the bookmark name ("" outside)
    node: Node | None
    old: str = ""
    new: str = ""
    changes: list[Change] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    how: str = "identity"  # identity · heading (number and text similarity) · similarity

    @property
    def changed(self) -> bool:
        return self.old != self.new


def known_nodes(doc: Document) -> dict[str, Node]:
    """Bookmark name → the node of the current source it identifies."""
    root = identity.source_root(doc)
    out: dict[str, Node] = {}
    for chapter in doc.chapters:
        out[identity.bookmark(identity.node_key_of(chapter, root))] = chapter
        for node in chapter.body:
            if isinstance(node, Section):
                out[identity.bookmark(identity.node_key_of(node, root))] = node
        for article in chapter.articles():
            out[identity.bookmark(identity.key_of(article, root))] = article
    for appendix in doc.all_appendices():
        out[identity.bookmark(identity.node_key_of(appendix, root))] = appendix
    return out


def cut(units: list[Unit], known: dict[str, Node]) -> list[Piece]:
    """The body in pieces, one per identity met (in body order), the rest in outside pieces."""
    pieces = [Piece("", None)]
    for unit in units:
        names = [n for n in unit.identities if n in known]
        if names and names[-1] != pieces[-1].key:
            pieces.append(Piece(names[-1], known[names[-1]]))
        elif unit.identities and not names and not unit.table and pieces[-1].key:
            pieces.append(Piece(unit.identities[-1], None))  # an identity the source no longer has
        _add(pieces[-1], unit)
    return [p for p in pieces if p.old or p.new or p.comments]


def _add(piece: Piece, unit: Unit) -> None:
    piece.old += unit.old
    piece.new += unit.new
    piece.changes.extend(unit.changes)
    piece.comments.extend(unit.comments)


def cut_by_heading(units: list[Unit], current: list[Piece]) -> list[Piece]:
    """Pieces starting at each 第X条 paragraph, paired with the current articles by number and text."""
    pieces = [Piece("", None, how="heading")]
    for unit in units:
        if not unit.table and ARTICLE_START.match(unit.old or unit.new):
            pieces.append(Piece("", None, how="heading"))
        elif not unit.table and HEADING_START.match(unit.old or unit.new):
            pieces.append(Piece("", None))  # a chapter or section heading: outside every article
        _add(pieces[-1], unit)
    articles = [p for p in current if isinstance(p.node, Article)]
    taken: set[str] = set()
    for piece in pieces[1:]:
        if piece.how != "heading":
            continue
        best = _pair(piece, articles, taken)
        if best is not None:
            piece.key, piece.node = best.key, best.node
            taken.add(best.key)
    return [p for p in pieces if p.old or p.new or p.comments]


def _pair(piece: Piece, articles: list[Piece], taken: set[str]) -> Piece | None:
    number = ARTICLE_START.match(piece.old or piece.new)
    free = [a for a in articles if a.key not in taken]
    if number:
        same = [a for a in free if a.old.startswith(number.group(1))]
        if same and _ratio(piece.old, same[0].old) >= SIMILAR:
            return same[0]
    scored = sorted(((_ratio(piece.old, a.old), i) for i, a in enumerate(free)), reverse=True)
    if scored and scored[0][0] >= SIMILAR:
        piece.how = "similarity"
        return free[scored[0][1]]
    return None


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
