"""The document model: one tree that every reader fills and every writer prints.

Meaning only, never formatting. Before the resolve stage, text fields hold
Jinja2 templates; after it, plain text for one subsidiary. Numbers (``number``,
``ordinal``) and reference texts are set once, by the number stage; writers only
print them. Every node remembers where it came from (``loc``).
This module imports nothing else of policybook's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Loc:
    """Where something came from: a file, a 1-based line (0 = whole file) and, for
    tabular files (CSV, XLSX), a 1-based column (0 = whole row)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        where = _display_path(self.path)
        if not self.line:
            return where
        return f"{where}:{self.line}:{self.column}" if self.column else f"{where}:{self.line}"


def _display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


# ---------------------------------------------------------------- inline


@dataclass
class Text:
    text: str
    loc: Loc | None = None


@dataclass
class Emph:
    children: list[Inline]
    strong: bool = False


@dataclass
class Code:
    text: str


@dataclass
class LineBreak:
    pass


@dataclass
class Link:
    """A link outside the handbook; printed with its address, never fetched."""

    url: str
    children: list[Inline]


@dataclass
class Ref:
    """A cross-reference ``[](#label)``; ``display`` is filled by numbering."""

    target: str
    children: list[Inline]  # empty = print the target's number
    loc: Loc
    display: str = ""  # e.g. 第十二条, 《请假申请表》（附件三）
    anchor: str = ""  # the target's anchor
    target_kind: str = ""  # chapter | section | article | item | form


Inline = Text | Emph | Code | LineBreak | Link | Ref

# ---------------------------------------------------------------- blocks


@dataclass
class Paragraph:
    inlines: list[Inline]
    loc: Loc
    when: str = ""


@dataclass
class Item:
    blocks: list[Block]
    loc: Loc
    label: str = ""
    when: str = ""
    number: str = ""  # as printed in front of the item: （一） 1. (1)
    ordinal: int = 0
    anchor: str = ""
    level: int = 1


@dataclass
class ItemList:
    items: list[Item]
    ordered: bool
    loc: Loc
    when: str = ""
    start: int = 1  # the number of the first item (a list written from 3. starts at 3)
    style: str = ""  # this list's own item format, as a sample (一、 （一） 1.); "" = the level's


@dataclass(frozen=True)
class Span:
    """A merged cell: the cell at (row, column) covers ``rows`` × ``columns`` grid cells.

    Rows count the header as row 0. The cells it covers stay in the grid, empty."""

    row: int
    column: int
    rows: int = 1
    columns: int = 1


@dataclass
class Table:
    header: list[list[Inline]]
    rows: list[list[list[Inline]]]
    aligns: list[str]  # "" | left | center | right, one per column
    loc: Loc
    when: str = ""
    spans: list[Span] = field(default_factory=list)  # merged cells (none = a plain grid)
    widths: list[float] = field(default_factory=list)  # relative column widths the author set ([] = from content)

    def covered(self) -> set[tuple[int, int]]:
        """Grid cells (row, column) hidden under a merged cell."""
        hidden: set[tuple[int, int]] = set()
        for span in self.spans:
            for r in range(span.row, span.row + span.rows):
                hidden.update((r, c) for c in range(span.column, span.column + span.columns))
            hidden.discard((span.row, span.column))
        return hidden


@dataclass
class Note:
    blocks: list[Block]
    loc: Loc
    when: str = ""


Block = Paragraph | ItemList | Table | Note

# ---------------------------------------------------------------- structure


@dataclass
class Article:
    title: str  # "" for an untitled article
    blocks: list[Block]
    loc: Loc
    label: str = ""
    when: str = ""
    number: str = ""  # 第十二条 / Article 12
    ordinal: int = 0
    anchor: str = ""


@dataclass
class Section:
    title: str
    articles: list[Article]
    loc: Loc
    label: str = ""
    when: str = ""
    number: str = ""  # 第一节 / 1.1
    ordinal: int = 0
    anchor: str = ""
    intro: list[Block] = field(default_factory=list)  # text before its first article (unnumbered)


@dataclass
class Chapter:
    title: str
    body: list[Article | Section]  # articles and sections in source order
    loc: Loc
    label: str = ""
    when: str = ""
    number: str = ""  # 第一章 / Chapter 1
    ordinal: int = 0
    anchor: str = ""
    intro: list[Block] = field(default_factory=list)  # text before its first article or section (unnumbered)

    def articles(self) -> list[Article]:
        out: list[Article] = []
        for node in self.body:
            out.extend(node.articles if isinstance(node, Section) else [node])
        return out


# ---------------------------------------------------------------- forms

FIELD_TYPES = (
    "text",
    "multiline",
    "date",
    "number",
    "checkbox",
    "choice",
    "signature",
    "serial",
    "static",
)


@dataclass
class FormCell:
    type: str
    loc: Loc
    label: str = ""
    name: str = ""  # field name (empty for static cells)
    span: int = 1
    lines: int = 1  # multiline height in text lines
    options: list[str] = field(default_factory=list)
    text: str = ""  # static text
    when: str = ""


@dataclass
class FormRow:
    cells: list[FormCell]  # empty for a section bar
    loc: Loc
    section: str = ""  # title of a full-width section bar
    when: str = ""


@dataclass
class Form:
    id: str
    code: str
    title: str
    version: str
    paper: str
    rows: list[FormRow]
    loc: Loc
    intro: str = ""
    notes: list[str] = field(default_factory=list)
    locs: dict[str, Loc] = field(default_factory=dict)  # where title, intro, notes.<i> are written

    def fields(self) -> list[FormCell]:
        return [c for row in self.rows for c in row.cells if c.type != "static"]


@dataclass
class Appendix:
    form: Form
    loc: Loc
    when: str = ""
    number: str = ""  # 附件三 / Appendix C
    ordinal: int = 0
    anchor: str = ""


@dataclass
class Attachment:
    """An appendix written in Markdown (附件七 考核评分标准): a title and blocks.

    Numbered in one sequence with the form appendices, and referenced the same way."""

    title: str
    blocks: list[Block]
    loc: Loc
    label: str = ""
    when: str = ""
    number: str = ""  # 附件七 / Appendix G
    ordinal: int = 0
    anchor: str = ""


# ---------------------------------------------------------------- handbook


@dataclass
class Revision:
    version: str
    date: str
    summary: str
    loc: Loc


@dataclass
class Subsidiary:
    id: str
    name: str
    short_name: str
    code: str
    brand: str
    locale: str
    tags: list[str]
    loc: Loc
    region: str = ""  # CN, TW, HK, MO …: spelling and language tags of a zh-Hant variant


@dataclass
class Meta:
    title: str
    code: str
    version: str
    effective: str
    locale: str  # zh-Hans | zh-Hant | en
    numbering: str  # zh-regulation | decimal
    group: str
    loc: Loc
    items: tuple[str, ...] = ()  # item formats per level as samples (一、 （一） 1. （1）); () = the style's


@dataclass
class Brand:
    """A brand kit (templates/<name>/brand.yaml): how a subsidiary's documents look."""

    name: str
    folder: str  # absolute path of the kit folder
    colors: dict[str, str]  # primary, accent, text, muted, rule, … as #RRGGBB
    fonts: dict[str, list[str]]  # body, heading, mono: family names, first found wins
    page: dict[str, str]  # size, margin-top, margin-bottom, margin-inside, margin-outside
    text: dict[str, str]  # body-size, heading-size, leading, indent
    style: str  # standard | gbt9704
    cover: str  # band | plain | official
    chapter_break: str = "page"  # page: each chapter starts a new page | none: chapters run on
    logo: str = ""  # absolute path, "" = none
    reference_docx: str = ""  # absolute path, "" = built-in default
    loc: Loc = Loc("")
    locs: dict[str, Loc] = field(default_factory=dict)  # "fonts.body", "page.size" … → where it was set

    def loc_of(self, key: str) -> Loc:
        return self.locs.get(key, self.loc)


@dataclass
class Document:
    """One subsidiary's handbook once resolved and numbered (the writers' input)."""

    meta: Meta
    subsidiary: Subsidiary
    chapters: list[Chapter]
    appendices: list[Appendix]
    revisions: list[Revision]
    brand: Brand | None = None
    attachments: list[Attachment] = field(default_factory=list)  # Markdown appendices
    # what changed since the previous release, when the source names one (``previous:``)
    changes: ChangeTable | None = None

    def all_appendices(self) -> list[Appendix | Attachment]:
        """Forms and Markdown appendices together, in their one numbering sequence."""
        return sorted([*self.appendices, *self.attachments], key=lambda a: a.ordinal)


def shown_ref(ref: Ref) -> str:
    """A reference as printed: the author's text, else the target's number."""
    return plain_text(ref.children) if ref.children else ref.display or ref.target


def plain_text(inlines: list[Inline], ref_text: Callable[[Ref], str] = shown_ref) -> str:
    """The text a reader sees: references printed as their numbers (or by ``ref_text``)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif isinstance(node, Ref):
            out.append(ref_text(node))
        elif isinstance(node, Emph | Link):
            out.append(plain_text(node.children, ref_text))
    return "".join(out)


def block_text(block: Block, ref_text: Callable[[Ref], str] = shown_ref) -> str:
    """A block's text, items prefixed with their numbers, one line per paragraph."""
    if isinstance(block, Paragraph):
        return plain_text(block.inlines, ref_text)
    if isinstance(block, ItemList):
        return "\n".join(
            (item.number or "") + "\n".join(block_text(b, ref_text) for b in item.blocks) for item in block.items
        )
    if isinstance(block, Note):
        return "\n".join(block_text(b, ref_text) for b in block.blocks)
    rows = [block.header, *block.rows]
    return "\n".join("\t".join(plain_text(cell, ref_text) for cell in row) for row in rows)


# ---------------------------------------------------------------- change table (修订对照表)


@dataclass
class Segment:
    """A run of text in a change row; ``changed`` runs are highlighted."""

    text: str
    changed: bool = False


@dataclass
class ChangeRow:
    seq: int
    kind: str  # modified | added | deleted
    old_number: str
    new_number: str
    old: list[Segment]
    new: list[Segment]
    note: str  # 说明
    label: str = ""


@dataclass
class ChangeTable:
    """What changed between two versions of one subsidiary's handbook."""

    meta: Meta  # the new version's
    subsidiary: Subsidiary
    old_version: str
    old_effective: str
    rows: list[ChangeRow]
    renumbered: list[tuple[str, str]]  # (old number, new number) of articles changed only in number
    renumbered_summary: str
    brand: Brand | None = None
