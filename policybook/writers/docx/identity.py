"""Write stage (DOCX): identities that bring a reviewed DOCX back to its source.

Every article (and chapter, section, Markdown appendix, form appendix, table)
gets a bookmark ``pb_…`` named from the source — its label, else its file and
its place among that file's ``###`` headings, which no numbering, variant or
left-out article changes — spanning the whole article. Measured on LibreOffice
7.4 (open → change tracking → save as DOCX): a bookmark's name survives, also
one that starts in a tracked deletion (it is written twice, at the first and
the last paragraph, both with the name); a block content control loses its
``w:tag`` and the text of its first paragraph is written four times; a hidden run survives
but shows with hidden text and is deleted with its paragraph. So bookmarks it is.

The package also records which document it is (custom document properties,
``docProps/custom.xml``): release version, subsidiary, locale, and a
fingerprint of the source files the text came from, which ``policybook review``
reads to tell whether the source changed since the DOCX was built.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from policybook.model import Appendix, Article, Attachment, Chapter, Document, Section
from policybook.writers.docx import oxml
from policybook.writers.docx.context import Context
from policybook.writers.docx.oxml import Element

PREFIX = "pb_"
PROPERTY_PREFIX = "policybook."
ARTICLE_HEADING = re.compile(r"^ {0,3}###(?!#)(?:[ \t]|$)")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
CUSTOM_PART = "/docProps/custom.xml"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


# ---------------------------------------------------------------- keys


def article_key(ctx: Context, article: Article) -> str:
    return key_of(article, ctx.state.root)


def key_of(article: Article, root: str) -> str:
    """The article's label, else ``chapters/04-attendance.md#7`` (its file, and which ``###``
    heading of that file it is: the same in every variant and whatever the numbers)."""
    if article.label:
        return article.label
    return f"{_relative(article.loc.path, root)}#{heading_index(article.loc.path, article.loc.line)}"


def node_key(ctx: Context, node: Chapter | Section | Appendix | Attachment) -> str:
    return node_key_of(node, ctx.state.root)


def node_key_of(node: Chapter | Section | Appendix | Attachment, root: str) -> str:
    """A chapter's, section's or appendix's key: its label (a form's id), else its file and line."""
    if isinstance(node, Appendix):
        return f"form:{node.form.id}"
    return node.label or f"{_relative(node.loc.path, root)}@{node.loc.line}"


def bookmark(key: str) -> str:
    """The bookmark name carrying ``key`` (a valid Word name, ≤ 40 characters)."""
    return oxml.bookmark_name(PREFIX + key)


def source_root(doc: Document) -> str:
    return os.path.dirname(doc.meta.loc.path)


def _relative(path: str, root: str) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix() if root else Path(path).name
    except ValueError:
        return Path(path).name


def heading_index(path: str, line: int) -> int:
    """Which ``###`` heading of ``path`` (1-based) starts at ``line``; the line itself when the
    file cannot be read (a model built in code)."""
    lines = _heading_lines(path, *_stamp(path))
    return lines.index(line) + 1 if line in lines else line


def _stamp(path: str) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=256)
def _heading_lines(path: str, mtime: int, size: int) -> list[int]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    return heading_lines(text)


def heading_lines(text: str) -> list[int]:
    """The 1-based lines of a Markdown file's article headings (``###``), fenced code left out."""
    found: list[int] = []
    fenced = False
    for number, line in enumerate(text.split("\n"), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and ARTICLE_HEADING.match(line):
            found.append(number)
    return found


# ---------------------------------------------------------------- spans


def spanned(ctx: Context, key: str, elements: Iterable[Element]) -> Iterator[Element]:
    """``elements`` with a bookmark for ``key`` from the first paragraph's start to the last's end;
    each table among them gets its own, ``key~t1``, ``key~t2`` …"""
    items = list(elements)
    mark(ctx, key, [e for e in items if e.tag == oxml.w("p")])
    for n, tbl in enumerate((e for e in items if e.tag == oxml.w("tbl")), start=1):
        span_table(ctx, f"{key}~t{n}", tbl)
    yield from items


def span_table(ctx: Context, key: str, tbl: Element) -> Element:
    """A bookmark from the first cell's first paragraph to the last cell's last paragraph."""
    mark(ctx, key, list(tbl.iter(oxml.w("p"))))
    return tbl


def mark(ctx: Context, key: str, paragraphs: list[Element]) -> None:
    if not paragraphs:
        return
    start, end = oxml.bookmark(ctx.state.next_bookmark, bookmark(key))
    ctx.state.next_bookmark += 1
    first = paragraphs[0]
    first.insert(1 if len(first) and first[0].tag == oxml.w("pPr") else 0, start)
    paragraphs[-1].append(end)


# ---------------------------------------------------------------- document properties


def fingerprint(doc: Document) -> str:
    """SHA-256 over the source files this document's text came from (names relative to the source)."""
    root = source_root(doc)
    paths = {doc.meta.loc.path, doc.subsidiary.loc.path}
    paths.update(chapter.loc.path for chapter in doc.chapters)
    paths.update(a.loc.path for chapter in doc.chapters for a in chapter.articles())
    paths.update(a.loc.path for a in doc.attachments)
    digest = hashlib.sha256()
    for path in sorted(p for p in paths if p):
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = b""
        digest.update(_relative(path, root).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def properties_of(doc: Document) -> dict[str, str]:
    """What the DOCX says it is (policybook.* custom properties)."""
    return {
        "release": doc.meta.version,
        "code": doc.meta.code,
        "subsidiary": doc.subsidiary.id,
        "locale": doc.subsidiary.locale or doc.meta.locale,
        "region": doc.subsidiary.region,
        "source-locale": doc.meta.locale,
        "effective": doc.meta.effective,
        "source": fingerprint(doc),
    }


def set_custom(document: DocxDocument, values: dict[str, str]) -> None:
    """Write ``docProps/custom.xml`` with ``policybook.<name>`` string properties (replacing any)."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.CUSTOM_PROPERTIES:
            package.rels.pop(rel_id)
    part = Part(PackURI(CUSTOM_PART), CT.OFC_CUSTOM_PROPERTIES, custom_xml(values), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def custom_xml(values: dict[str, str]) -> bytes:
    props = "".join(
        f'<property fmtid="{FMTID}" pid="{pid}" name="{escape(PROPERTY_PREFIX + name)}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{props}</Properties>'
    ).encode()
