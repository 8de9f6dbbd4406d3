"""Read stage: one chapter file (front matter + Markdown) → a ``Chapter`` node.

Headings give the structure (``#`` chapter, ``##`` section, ``###`` article);
everything else becomes blocks of the current article. Text keeps its Jinja2
templates: variables are the resolve stage's business. Raw HTML is disabled, so
``<b>`` is text, never markup; HTML comments ``<!-- -->`` are notes and are dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policybook import limits
from policybook.cache import code_fingerprint, user_cache_dir
from policybook.diagnostics import Diagnostics, SourceError
from policybook.limits import too_big
from policybook.model import (
    Article,
    Attachment,
    Block,
    Chapter,
    Code,
    Emph,
    Inline,
    Item,
    ItemList,
    LineBreak,
    Link,
    Loc,
    Note,
    Paragraph,
    Ref,
    Section,
    Span,
    Table,
    Text,
)
from policybook.output import atomic_write
from policybook.source.schema import Key, check_mapping, text
from policybook.source.textfile import read_text
from policybook.source.yamlfile import LocDict, parse_yaml

if TYPE_CHECKING:  # markdown-it is imported only when a file is really parsed (not from the parse cache)
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
TRAILING_ATTRS_RE = re.compile(r"\s*\{([^{}]*)\}\s*$")
NESTING_TYPES = {
    f"{kind}_{edge}" for kind in ("bullet_list", "ordered_list", "blockquote") for edge in ("open", "close")
}
FRONT_MATTER = {"id": Key("text"), "title": Key("text"), "when": Key("text")}
ATTR_KEYS = {"id", "when"}
BLOCK_ATTRS = {"id", "when", "widths", "items", "start", "style"}  # what blocks read (start, style: markdown-it's)
HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
PLAIN_LABEL_RE = re.compile(r"[ \t\r\n]*#([A-Za-z][A-Za-z0-9_-]*)[ \t\r\n]*")  # ``{#label}``, nearly every heading's


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_block_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.inline.ruler.after("text", "template", _template_rule)
    md.enable("table").use(front_matter_plugin).use(attrs_block_plugin)
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "attr")
    md.block.ruler.at("attr", _not_a_template(rule.fn), {"alt": rule.alt})
    return md


def _not_a_template(attrs_rule: Any) -> Any:
    """``{% if … %}`` on its own line is a template, not a block attribute line (the attrs
    plugin would swallow it without a trace)."""

    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
        if line.startswith(("{%", "{{")) or not state.src[state.eMarks[start] :].strip():
            return False  # a template line; or attributes for no block at all: kept as text, so it shows
        return bool(attrs_rule(state, start, end, silent))

    return rule


def _template_rule(state: StateInline, silent: bool) -> bool:
    """Keep ``{{ … }}`` and ``{% … %}`` verbatim: Markdown must not parse inside them
    (``{{ hr__office }}`` is a variable, not emphasis)."""
    opener = state.src[state.pos : state.pos + 2]
    closer = {"{{": "}}", "{%": "%}"}.get(opener)
    if closer is None:
        return False
    end = state.src.find(closer, state.pos + 2)
    if end < 0 or "\n" in state.src[state.pos : end]:
        return False
    if not silent:
        state.push("text", "", 0).content = state.src[state.pos : end + 2]
    state.pos = end + 2
    return True


def strip_comments(source: str) -> str:
    """HTML comments ``<!-- … -->`` are the author's notes: gone, their line breaks kept
    (so every later line number stays right). Raw HTML is never read, but comments are
    how Markdown authors leave notes, so they must not print."""
    return HTML_COMMENT_RE.sub(lambda m: "\n" * m.group().count("\n"), source)


_PARSED: dict[str, tuple[str, bytes]] = {}  # path → (text, pickled chapter) of this process's last clean parse


def read_chapter(path: Path, diags: Diagnostics) -> Chapter | None:
    """Parse one chapter file; problems go to ``diags`` (None if unusable).

    A file that parsed cleanly before (same path, same bytes, same policybook) is not
    parsed again: it is unpickled from memory (a long-lived ``watch``) or from the parse
    cache on disk. Markdown parsing is most of the read stage. Every call returns a new
    tree, so the resolve stage may change it."""
    try:
        source = read_text(path)
        check_lines(source, path)
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return None
    name = str(path.resolve())
    kept = _PARSED.get(name)
    if kept is not None and kept[0] == source:
        return pickle.loads(kept[1])  # type: ignore[no-any-return]  # noqa: S301 (our own bytes)
    cached = cache_file(name, source)
    chapter, blob = _cached_chapter(cached)
    if chapter is None:
        mine = Diagnostics()
        parsed = ChapterReader(str(path), mine).read(source)
        diags.extend(mine)
        if parsed is None or mine.items:  # only a clean parse is kept: its problems must show every time
            return parsed
        chapter, blob = parsed, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):
            atomic_write(cached, blob)
    _PARSED[name] = (source, blob)
    return chapter


def parse_known(name: str, source: str) -> bool:
    """Is the parse of the file ``name`` (resolved) with this text kept, here or in the parse cache?"""
    kept = _PARSED.get(name)
    return (kept is not None and kept[0] == source) or cache_file(name, source).is_file()


def keep_parse(name: str, source: str, blob: bytes) -> None:
    """Keep a clean parse made elsewhere (a worker of parse_ahead) for read_chapter to take."""
    _PARSED[name] = (source, blob)


def _cached_chapter(cached: Path) -> tuple[Chapter | None, bytes]:
    """The parse cache's chapter and its bytes; None when missing or damaged in any way
    (truncated, garbage, another type: the file is then parsed again)."""
    try:
        blob = cached.read_bytes()
        found = pickle.loads(blob)  # noqa: S301 (our own cache)
    except Exception:  # noqa: BLE001
        return None, b""
    return (found, blob) if isinstance(found, Chapter) else (None, b"")


def check_lines(source: str, path: Path) -> None:
    """Markdown's inline parser slows down on very long lines: refuse one that no author writes."""
    if len(source) <= limits.MARKDOWN_LINE:
        return
    for number, line in enumerate(source.split("\n"), start=1):
        if len(line) > limits.MARKDOWN_LINE:
            raise too_big(
                Loc(str(path), number), f"line too long ({len(line):,} characters)", limits.MARKDOWN_LINE, "line"
            )


def cache_file(name: str, source: str) -> Path:
    """Where the parse of the file ``name`` (resolved) with this text is kept."""
    key = hashlib.sha256(f"{name}\0{code_fingerprint()}\0{source}".encode()).hexdigest()
    return user_cache_dir("chapters") / f"{key[:2]}/{key}.pickle"


class ChapterReader:
    """Walks markdown-it's token stream once, building the chapter tree."""

    def __init__(self, path: str, diags: Diagnostics) -> None:
        self.path = path
        self.diags = diags
        self.chapter: Chapter | None = None
        self.section: Section | None = None
        self.article: Article | None = None
        self.headed = False  # a '#' chapter heading was read: text after it opens the chapter
        self.front: LocDict | None = None

    def loc(self, token: Token) -> Loc:
        return Loc(self.path, token.map[0] + 1 if token.map else 0)

    def read(self, source: str) -> Chapter | None:
        self.walk(source)
        return self.finish()

    def walk(self, source: str) -> None:
        """Parse ``source`` and take in every top-level token."""
        env: dict[str, Any] = {}
        tokens = markdown_parser().parse(strip_comments(source), env)
        self.unused_references(source, env.get("references", {}))
        self.check_depth(tokens)
        pos = 0
        while pos < len(tokens):
            pos = self.top_level(tokens, pos)

    def top_level(self, tokens: list[Token], pos: int) -> int:
        token = tokens[pos]
        if token.type == "front_matter":
            self.front_matter(token)
            return pos + 1
        if token.type == "heading_open":
            self.heading(token, tokens[pos + 1])
            return pos + 3
        if token.type == "hr":
            return pos + 1
        block, end = BlockReader(self.path, self.diags).block(tokens, pos)
        if block is not None:
            self.add_block(block, token)
        return end

    def check_depth(self, tokens: list[Token]) -> None:
        """Lists and quotes nested no deeper than the limit (markdown-it stops at 20 and keeps
        the rest as literal text, which is never what the author meant)."""
        depth = 0
        for token in tokens:
            if token.type in NESTING_TYPES:
                depth += token.nesting
                if depth > limits.MARKDOWN_DEPTH:
                    message = "lists and quotes nested too deeply"
                    self.diags.extend(too_big(self.loc(token), message, limits.MARKDOWN_DEPTH, "nesting").diagnostics)
                    return

    def unused_references(self, source: str, references: dict[str, Any]) -> None:
        """``[name]: url`` lines define links and show nothing: say so rather than drop them."""
        for label in references:
            line = 0
            for number, written in enumerate(source.split("\n"), start=1):
                if written.lstrip().lower().startswith(f"[{label.lower()}]:"):
                    line = number
                    break
            self.diags.warning(
                Loc(self.path, line),
                f"the link definition '[{label}]: …' is not shown in the handbook",
                "markdown.dropped",
                "write the text in a paragraph; link to articles with [](#label)",
            )

    def front_matter(self, token: Token) -> None:
        data = _safe(lambda: parse_yaml(token.content, self.path, line_offset=1), self.diags)
        if data is None:
            return
        self.front = check_mapping(data, FRONT_MATTER, Loc(self.path, 1), "front matter", self.diags)

    def heading(self, token: Token, inline: Token) -> None:
        title, attrs = self.heading_text(inline, token)
        label, when, loc = attrs.get("id", ""), attrs.get("when", ""), self.loc(token)
        level = int(token.tag[1])
        if level == 1:
            self.open_chapter(title, label, when, loc)
        elif level == 2:
            self.open_section(title, label, when, loc)
        elif level == 3:
            self.open_article(title, label, when, loc)
        else:
            self.diags.error(
                loc,
                f"heading level {level} is not part of the handbook structure",
                "markdown.heading",
                "use # chapter, ## section, ### article; use a numbered list for items",
            )

    def heading_text(self, inline: Token, heading: Token) -> tuple[str, dict[str, str]]:
        attrs = {k: str(v) for k, v in heading.attrs.items()}
        content = inline.content
        match = TRAILING_ATTRS_RE.search(content)
        if match:
            parsed = parse_attr_text(match.group(1), self.loc(heading), self.diags)
            if parsed is not None:
                attrs.update(parsed)
                content = content[: match.start()]
        check_attrs(attrs, self.loc(heading), self.diags)
        return content.strip(), attrs

    def open_chapter(self, title: str, label: str, when: str, loc: Loc) -> None:
        if self.chapter is not None:
            self.diags.error(
                loc,
                "a second chapter heading (#) in one file",
                "markdown.two-chapters",
                f"the chapter began at line {self.chapter.loc.line}; put each chapter in its own file",
            )
            return
        self.chapter = Chapter(title=title, body=[], loc=loc, label=label, when=when)
        self.headed = True

    def ensure_chapter(self, loc: Loc) -> Chapter:
        if self.chapter is None:
            self.chapter = Chapter(title="", body=[], loc=loc)
        return self.chapter

    def open_section(self, title: str, label: str, when: str, loc: Loc) -> None:
        self.section = Section(title=title, articles=[], loc=loc, label=label, when=when)
        self.ensure_chapter(loc).body.append(self.section)
        self.article = None

    def open_article(self, title: str, label: str, when: str, loc: Loc) -> None:
        self.article = Article(title=title, blocks=[], loc=loc, label=label, when=when)
        if self.section is not None:
            self.section.articles.append(self.article)
        else:
            self.ensure_chapter(loc).body.append(self.article)

    def add_block(self, block: Block, token: Token) -> None:
        """A block of the open article, else the opening text of the open section or chapter."""
        if self.article is not None:
            self.article.blocks.append(block)
        elif self.section is not None:
            self.section.intro.append(block)
        elif self.chapter is not None and self.headed:
            self.chapter.intro.append(block)
        else:
            self.diags.error(
                self.loc(token),
                "text before the chapter heading",
                "markdown.orphan-text",
                "begin the file with '# 章名'; text after it opens the chapter, ### starts an article",
            )

    def finish(self) -> Chapter | None:
        front = self.front or LocDict()
        chapter = self.chapter
        if chapter is None:
            self.diags.error(Loc(self.path, 1), "empty chapter: no heading and no article", "markdown.empty")
            return None
        if not chapter.label and text(front, "id"):  # it names the chapter's page on the site and links to it
            chapter.label = text(front, "id")
            if not LABEL_RE.match(chapter.label):
                hint = "an id is a letter then letters, digits, - or _"
                self.diags.error(front.loc("id"), f"bad chapter id '{chapter.label}'", "label.syntax", hint)
                chapter.label = ""
        chapter.title = chapter.title or text(front, "title")
        chapter.when = chapter.when or text(front, "when")
        if not chapter.title:
            self.diags.error(
                chapter.loc, "the chapter has no title", "markdown.no-title", "start the file with '# 标题'"
            )
        if not chapter.articles():
            self.diags.error(
                chapter.loc, "the chapter has no article", "markdown.empty", "write articles under ### headings"
            )
        return chapter


def read_attachment(path: Path, diags: Diagnostics) -> Attachment | None:
    """Parse an appendix document (``appendices: - file: …``); None if unusable."""
    try:
        source = read_text(path)
        check_lines(source, path)
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return None
    return AttachmentReader(str(path), diags).read_attachment(source)


class AttachmentReader(ChapterReader):
    """An appendix document: front matter, one ``#`` title, then blocks (no articles)."""

    def __init__(self, path: str, diags: Diagnostics) -> None:
        super().__init__(path, diags)
        self.attachment = Attachment(title="", blocks=[], loc=Loc(path, 1))
        self.titled = False

    def read_attachment(self, source: str) -> Attachment | None:
        self.walk(source)
        front = self.front or LocDict()
        found = self.attachment
        found.label = found.label or text(front, "id")
        found.title = found.title or text(front, "title")
        found.when = found.when or text(front, "when")
        if not found.title:
            self.diags.error(
                Loc(self.path, 1), "the appendix has no title", "markdown.no-title", "start it with '# 标题'"
            )
        return found

    def heading(self, token: Token, inline: Token) -> None:
        title, attrs = self.heading_text(inline, token)
        if token.tag != "h1" or self.titled:
            self.diags.error(
                self.loc(token),
                "an appendix has one '#' title and no other headings",
                "markdown.heading",
                "write sub-titles as numbered list items or **bold** paragraphs",
            )
            return
        self.titled = True
        self.attachment.title, self.attachment.loc = title, self.loc(token)
        self.attachment.label, self.attachment.when = attrs.get("id", ""), attrs.get("when", "")

    def add_block(self, block: Block, token: Token) -> None:
        self.attachment.blocks.append(block)


def parse_attr_text(inner: str, loc: Loc, diags: Diagnostics) -> dict[str, str] | None:
    """``#label when="…"`` → {"id": …, "when": …}; None if it is plain text."""
    if not inner.strip().startswith("#") and "=" not in inner:
        return None
    plain = PLAIN_LABEL_RE.fullmatch(inner)
    if plain:  # what the attrs parser makes of it, without its character-by-character walk
        return {"id": plain.group(1)}
    from mdit_py_plugins.attrs.parse import ParseError
    from mdit_py_plugins.attrs.parse import parse as parse_attrs

    try:
        _, attrs = parse_attrs("{" + inner + "}")
    except ParseError as exc:
        diags.error(loc, f"cannot read attributes {{{inner}}}: {exc}", "markdown.attrs")
        return {}
    return {k: str(v) for k, v in attrs.items()}


def check_attrs(attrs: dict[str, str], loc: Loc, diags: Diagnostics) -> None:
    for key in attrs:
        if key not in ATTR_KEYS:
            diags.warning(loc, f"unknown attribute '{key}'", "markdown.attrs", 'known: #label, when="…"')
    label = attrs.get("id", "")
    if label and not LABEL_RE.match(label):
        diags.error(loc, f"bad label '{label}'", "label.syntax", "a label is a letter then letters, digits, - or _")


class BlockReader:
    """Token runs → model blocks (paragraphs, lists, tables, notes)."""

    def __init__(self, path: str, diags: Diagnostics) -> None:
        self.path = path
        self.diags = diags

    def loc(self, token: Token) -> Loc:
        return Loc(self.path, token.map[0] + 1 if token.map else 0)

    def block(self, tokens: list[Token], pos: int, level: int = 1) -> tuple[Block | None, int]:
        token = tokens[pos]
        end = _closing(tokens, pos)
        when = self.block_when(token)
        kind = token.type
        if kind == "paragraph_open":
            return Paragraph(self.inlines(tokens[pos + 1]), self.loc(token), when), end + 1
        if kind in ("ordered_list_open", "bullet_list_open"):
            return self.item_list(tokens, pos, end, level, when), end + 1
        if kind == "table_open":
            return self.table(tokens[pos:end], self.loc(token), when), end + 1
        if kind == "blockquote_open":
            return Note(self.blocks(tokens, pos + 1, end, level), self.loc(token), when), end + 1
        if kind in ("fence", "code_block"):
            return Paragraph([Code(token.content.rstrip("\n"))], self.loc(token), when), pos + 1
        if kind == "heading_open":
            self.diags.error(self.loc(token), "a heading inside a list or note", "markdown.heading")
            return None, pos + 3
        if kind != "hr":
            self.diags.warning(self.loc(token), f"this {kind} is not part of the handbook", "markdown.dropped")
        return None, end + 1

    def block_when(self, token: Token) -> str:
        unknown = [k for k in token.attrs if k not in BLOCK_ATTRS]
        if unknown:
            self.diags.warning(self.loc(token), f"unknown attribute '{unknown[0]}' is ignored", "markdown.attrs")
        attrs = {k: str(v) for k, v in token.attrs.items() if k in ("id", "when")}
        if "id" in attrs:
            self.diags.warning(
                self.loc(token), "a label here is not used", "markdown.attrs", "labels go on headings and list items"
            )
        return attrs.get("when", "")

    def blocks(self, tokens: list[Token], start: int, end: int, level: int) -> list[Block]:
        out: list[Block] = []
        pos = start
        while pos < end:
            block, pos = self.block(tokens, pos, level)
            if block is not None:
                out.append(block)
        return out

    def item_list(self, tokens: list[Token], start: int, end: int, level: int, when: str) -> ItemList:
        opening = tokens[start]
        ordered = opening.type == "ordered_list_open"
        first = int(str(opening.attrs.get("start", 1))) if ordered else 1
        style = str(opening.attrs.get("items", ""))
        if style and not ordered:
            self.diags.warning(self.loc(opening), "items=… only applies to a numbered list", "markdown.attrs")
        items: list[Item] = []
        pos = start + 1
        while pos < end:
            close = _closing(tokens, pos)
            blocks = self.blocks(tokens, pos + 1, close, level + 1)
            items.append(self.item(blocks, self.loc(tokens[pos]), level))
            pos = close + 1
        return ItemList(items, ordered, self.loc(opening), when, start=max(first, 1), style=style)

    def item(self, blocks: list[Block], loc: Loc, level: int) -> Item:
        label = when = ""
        first = blocks[0] if blocks else None
        if isinstance(first, Paragraph) and first.inlines and isinstance(first.inlines[-1], Text):
            last = first.inlines[-1]
            match = TRAILING_ATTRS_RE.search(last.text)
            attrs = parse_attr_text(match.group(1), loc, self.diags) if match else None
            if match and attrs is not None:
                check_attrs(attrs, loc, self.diags)
                label, when = attrs.get("id", ""), attrs.get("when", "")
                last.text = last.text[: match.start()]
        return Item(blocks=blocks, loc=loc, label=label, when=when, level=level)

    def table(self, tokens: list[Token], loc: Loc, when: str) -> Table:
        header: list[list[Inline]] = []
        rows: list[list[list[Inline]]] = []
        aligns: list[str] = []
        lines: list[Loc] = [loc]
        in_head = False
        for token in tokens:
            if token.type in ("thead_open", "thead_close"):
                in_head = token.type == "thead_open"
            elif token.type == "tr_open" and not in_head:
                rows.append([])
                lines.append(self.loc(token))
            elif token.type == "th_open":
                aligns.append(_align(token))
            elif token.type == "inline":
                (header if in_head else rows[-1]).append(_cell_breaks(self.inlines(token)))
        table = Table(header, rows, aligns, loc, when)
        table.spans = TableSpans(self.diags, lines).read([header, *rows])
        table.widths = self.widths(tokens[0], len(aligns), loc)
        return table

    def widths(self, token: Token, columns: int, loc: Loc) -> list[float]:
        """``{widths="1,3,1"}`` before a table: relative column widths."""
        given = str(token.attrs.get("widths", "")).strip()
        if not given:
            return []
        try:
            widths = [float(w) for w in given.replace("，", ",").split(",")]
        except ValueError:
            widths = []
        if len(widths) != columns or any(w <= 0 for w in widths):
            self.diags.error(
                loc,
                f'widths="{given}" does not fit a table of {columns} columns',
                "table.widths",
                f'give {columns} positive numbers, e.g. widths="{",".join(["1"] * columns)}"',
            )
            return []
        return widths

    def inlines(self, token: Token) -> list[Inline]:
        return InlineReader(self.path, token.map[0] + 1 if token.map else 0, self.diags).read(token.children or [])


ROWSPAN, COLSPAN = "^^", "<<"
BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)


class TableSpans:
    """Merged cells from markers (the markdown-it-multimd-table convention): a cell
    holding only ``^^`` joins the cell above, only ``<<`` the cell to its left."""

    def __init__(self, diags: Diagnostics, lines: list[Loc]) -> None:
        self.diags, self.lines = diags, lines
        self.owner: dict[tuple[int, int], list[int]] = {}  # grid cell → [row, col, rows, cols] of its merged cell

    def read(self, grid: list[list[list[Inline]]]) -> list[Span]:
        spans: list[list[int]] = []
        joined: set[tuple[int, int]] = set()
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                marker = _marker(cell)
                span = self.join(r, c, marker) if marker else None
                if span is not None:
                    cell[:] = []
                    joined.add((r, c))
                else:
                    span = [r, c, 1, 1]
                    spans.append(span)
                self.owner[(r, c)] = span
        for top, left, rows, cols in spans:
            for r in range(top, min(top + rows, len(grid))):
                for c in range(left, min(left + cols, len(grid[r]))):
                    if (r, c) != (top, left) and (r, c) not in joined:
                        self.problem(r, f"cell {c + 1} lies under a merged cell", "mark it ^^ (or <<) too")
                        grid[r][c][:] = []
        return [Span(*s) for s in spans if s[2] > 1 or s[3] > 1]

    def join(self, r: int, c: int, marker: str) -> list[int] | None:
        """The merged cell that (r, c) joins, grown to cover it; None (with an error) if it cannot."""
        near = (r - 1, c) if marker == ROWSPAN else (r, c - 1)
        span = self.owner.get(near)
        if span is None or (marker == ROWSPAN and r == 1):
            where = "the header" if marker == ROWSPAN and r == 1 else "no cell"
            self.problem(
                r, f"'{marker}' in cell {c + 1} would join {where}", "^^ joins the cell above, << the cell to the left"
            )
            return None
        top, left, rows, cols = span
        if marker == ROWSPAN and c == left and top + rows == r:
            span[2] += 1
        elif marker == COLSPAN and r == top and left + cols == c:
            span[3] += 1
        elif not (top <= r < top + rows and left <= c < left + cols):
            self.problem(r, f"'{marker}' in cell {c + 1} does not continue a rectangle", "merged cells are rectangles")
            return None
        return span

    def problem(self, r: int, message: str, hint: str) -> None:
        self.diags.error(self.lines[min(r, len(self.lines) - 1)], message, "table.span", hint)


def _marker(cell: list[Inline]) -> str:
    if len(cell) == 1 and isinstance(cell[0], Text) and cell[0].text.strip() in (ROWSPAN, COLSPAN):
        return cell[0].text.strip()
    return ""


def _cell_breaks(cell: list[Inline]) -> list[Inline]:
    """``<br>`` inside a table cell is a line break (the one bit of HTML tables need)."""
    out: list[Inline] = []
    for node in cell:
        if not isinstance(node, Text) or not BR_RE.search(node.text):
            out.append(node)
            continue
        for i, part in enumerate(BR_RE.split(node.text)):
            if i:
                out.append(LineBreak())
            if part:
                out.append(Text(part, node.loc))
    return out


def _align(token: Token) -> str:
    style = str(token.attrs.get("style", ""))
    return style.replace("text-align:", "").strip()


def _closing(tokens: list[Token], pos: int) -> int:
    """Index of the token that closes the one at ``pos`` (itself if self-closing)."""
    if tokens[pos].nesting != 1:
        return pos
    depth = 0
    for index in range(pos, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


class InlineReader:
    """Inline tokens → model inlines, each text run with the line it starts on."""

    def __init__(self, path: str, line: int, diags: Diagnostics) -> None:
        self.path = path
        self.line = line
        self.diags = diags

    def read(self, tokens: list[Token]) -> list[Inline]:
        stack: list[list[Inline]] = [[]]
        opened: list[Token] = []
        for token in tokens:
            self.one(token, stack, opened)
        while len(stack) > 1:  # unbalanced input: keep the text
            children = stack.pop()
            stack[-1].extend(children)
        return _merge_text(stack[0])

    def one(self, token: Token, stack: list[list[Inline]], opened: list[Token]) -> None:
        kind = token.type
        loc = Loc(self.path, self.line)
        if kind == "text":
            stack[-1].append(Text(token.content, loc))
        elif kind == "softbreak":
            stack[-1].append(Text("\n", loc))
            self.line += 1
        elif kind == "hardbreak":
            stack[-1].append(LineBreak())
            self.line += 1
        elif kind == "code_inline":
            stack[-1].append(Code(token.content))
        elif kind in ("em_open", "strong_open", "link_open", "s_open"):
            opened.append(token)
            stack.append([])
        elif kind in ("em_close", "strong_close", "link_close", "s_close") and opened:
            self.close(opened.pop(), stack.pop(), stack[-1], loc)
        elif kind == "image":
            self.diags.error(
                loc, "images are not supported in chapter text", "markdown.image", "put pictures in the brand kit"
            )
        elif kind == "html_inline":
            stack[-1].append(Text(token.content, loc))

    def close(self, token: Token, children: list[Inline], parent: list[Inline], loc: Loc) -> None:
        if token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            if href.startswith("#"):
                parent.append(Ref(target=href[1:], children=_merge_text(children), loc=loc))
            else:
                parent.append(Link(url=href, children=_merge_text(children)))
        elif token.type == "s_open":
            parent.extend(children)
        else:
            parent.append(Emph(_merge_text(children), strong=token.type == "strong_open"))


def _merge_text(inlines: list[Inline]) -> list[Inline]:
    """Join adjacent text runs (soft breaks stay as newlines until resolve)."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text, out[-1].loc)
        else:
            out.append(node)
    return out


def _safe(func: Any, diags: Diagnostics) -> Any:
    try:
        return func()
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return None
