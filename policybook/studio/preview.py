"""Studio: a draft's preview — its PDF page(s) of one article as PNG, and its HTML page — kept warm.

Each (draft, subsidiary) has a :class:`policybook.live.Watch` over the draft's
working copy (the same machinery as ``policybook watch``: parsed chapters and a Typst
compiler kept between builds), so the preview after a save rebuilds only what the
save changed. Pages are found by the article's printed number and title in the PDF's
text (pypdfium2), and rendered to PNG by it.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from policybook.live import Watch
from policybook.model import Article, Document
from policybook.naming import handbook_stem
from policybook.writers.html.site import plan

SPACE = re.compile(r"\s+")
PDFIUM = threading.Lock()  # PDFium is not thread-safe (two threads in it at once abort the process)
CONTENTS = re.compile("目录|目錄")
SCALE = 1.4  # 595 pt A4 width → ~830 px


@dataclass
class Preview:
    doc: Document
    article: Article | None
    pdf: Path
    pages: list[int]  # 0-based pages that show the article
    html: str  # the site page (relative to the html folder) and anchor


class Previews:
    """Warm watches, one per draft and subsidiary (closed with the app)."""

    def __init__(self) -> None:
        self.watches: dict[tuple[int, str], Watch] = {}
        self.docs: dict[tuple[int, str], tuple[str, Document]] = {}  # what each watch last wrote, of which state
        self.last: dict[int, str] = {}  # the subsidiary each draft was last previewed for
        self.locks: dict[tuple[int, str], threading.Lock] = {}
        self.lock = threading.Lock()

    def build(
        self, draft_id: int, sub: str, source: Path, out: Path, anchor: str, state: str, doc: Document | None = None
    ) -> Preview | None:
        """Write what changed in the draft's PDF and site for ``sub``. ``state`` names the working copy's
        content (:func:`policybook.studio.store.state`); ``doc`` is its document if already checked, else
        the last one of the same state is used, else the working copy is checked. None if it does not build."""
        key = (draft_id, sub)
        with self.lock:
            self.last[draft_id] = sub
            if key not in self.watches:
                self.watches[key] = Watch(source, [sub], ["pdf", "html"], out, stream=io.StringIO())
                self.locks[key] = threading.Lock()
        watch = self.watches[key]
        with self.locks[key]:
            known = self.docs.get(key)
            doc = doc or (known[1] if known and known[0] == state else None) or _checked(watch, sub)
            if doc is None:
                return None
            watch.write({sub: doc})
            self.docs[key] = (state, doc)
        return locate(doc, out / sub, anchor) if anchor else None

    def warm(self, draft_id: int, sub: str, source: Path, out: Path, anchor: str, state: str, doc: Document) -> None:
        """Build in the background from the save's own check, so the preview asked for next is ready."""
        args = (draft_id, sub, source, out, "", state, doc)  # built only: the page is found when asked
        threading.Thread(target=self._quietly, args=args, daemon=True).start()

    def _quietly(self, *args: object) -> None:
        with contextlib.suppress(Exception):  # a failed warm-up is done again, and reported, by the preview
            self.build(*args)  # type: ignore[arg-type]

    def close(self) -> None:
        for watch in self.watches.values():
            watch.close()


def _checked(watch: Watch, sub: str) -> Document | None:
    from policybook.build import check
    from policybook.diagnostics import Diagnostics, SourceError

    try:
        return check(watch.source, [sub], Diagnostics(), formats=watch.formats).documents[sub]
    except SourceError:
        return None


def find_article(doc: Document, anchor: str) -> Article | None:
    return next((a for ch in doc.chapters for a in ch.articles() if a.anchor == anchor or a.label == anchor), None)


def locate(doc: Document, folder: Path, anchor: str) -> Preview:
    article = find_article(doc, anchor)
    pdf = folder / f"{handbook_stem(doc)}.pdf"
    pages: list[int] = []
    html = "index.html"
    if article is not None:
        pages = pages_of(pdf, doc, article)
        html = plan(doc).href(article.anchor) or html
    return Preview(doc, article, pdf, pages, html)


def pages_of(pdf: Path, doc: Document, article: Article) -> list[int]:
    """The page where the article's heading is printed, and the next one if it runs on."""
    following = _next_article(doc, article)
    mark = SPACE.sub("", article.number + article.title)
    after = SPACE.sub("", following.number + following.title) if following else ""
    with PDFIUM:
        return _pages_of(pdf, mark, after)


def _pages_of(pdf: Path, mark: str, after: str) -> list[int]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        for page in range(len(document)):  # read page by page: stop once the article is found
            text = _text(document, page)
            if mark in text and not CONTENTS.search(text):  # the contents may list it before the text
                runs_on = bool(after) and after not in text and page + 1 < len(document)
                return [page, page + 1] if runs_on else [page]
    finally:
        document.close()
    return []


def _text(document: pdfium.PdfDocument, page: int) -> str:
    return SPACE.sub("", document[page].get_textpage().get_text_bounded())


def _heading_on(text: str, mark: str) -> bool:
    return mark in text


def _next_article(doc: Document, article: Article) -> Article | None:
    articles = [a for ch in doc.chapters for a in ch.articles()]
    position = next((i for i, a in enumerate(articles) if a is article), -1)
    return articles[position + 1] if 0 <= position < len(articles) - 1 else None


def png(pdf: Path, page: int) -> bytes:
    with PDFIUM:
        document = pdfium.PdfDocument(str(pdf))
        try:
            if not 0 <= page < len(document):
                raise IndexError(page)
            image = document[page].render(scale=SCALE).to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
