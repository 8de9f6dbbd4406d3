"""Import stage: detect chapters, sections, articles, items and appendices in a list of paragraphs.

Two kinds of documents: those with 第X条 articles (optionally grouped by 第X章 /
第X节), whose 一、（一）1. paragraphs are items; and those that use only
一、（一）1. — the outermost kind becomes chapters when a second kind exists,
the next one articles, the rest items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policybook.importers import markers
from policybook.importers.markers import Marker
from policybook.importers.normalise import clean
from policybook.importers.paragraphs import Para
from policybook.importers.report import Record
from policybook.importers.tree import (
    Appendix,
    Article,
    Block,
    Chapter,
    Item,
    ItemList,
    Regulation,
    Section,
    TableBlock,
    Text,
)

PUNCT_RE = re.compile(r"[，。；：,;！？!?]")
BRACKET_TITLE_RE = re.compile(r"^[【\[（(]([^】\]）)]{1,20})[】\]）)][\s\u3000]*(.*)$", re.S)
EFFECTIVE_RE = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:起)?(?:施行|执行|實施|執行|生效)")
TITLE_GAP_RE = re.compile(r"^(\S+)(?:\u3000+| {2,})(\S.*)$", re.S)
TITLE_SPACE_RE = re.compile(r"^(\S{2,8}) (\S.*)$", re.S)  # 第一条 目的 为了…: one space between Chinese
MAX_ITEM_DEPTH = 3
TITLE_MAX = 40
HEADING_MAX = 30


@dataclass
class Segment:
    """A heading paragraph and the paragraphs under it, up to the next heading."""

    kind: str  # chapter, section, article, appendix
    marker: Marker
    para: Para
    body: list[Para] = field(default_factory=list)


def detect(paras: list[Para], record: Record) -> Regulation:
    return Detector(record).run(paras)


def heading_like(text: str, limit: int = HEADING_MAX) -> bool:
    return 0 < len(text) <= limit and not PUNCT_RE.search(text)


def preamble(para: Para) -> bool:
    """A sentence before the first heading (为规范…，制定本办法。) is the regulation's opening, not front matter."""
    text = para.text.strip()
    return (
        para.table is None and text.endswith(("。", "：", ":")) and len(text) > 15 and bool(PUNCT_RE.search(text[:-1]))
    )


class Detector:
    def __init__(self, record: Record) -> None:
        self.record = record
        self.kinds: dict[str, str] = {}  # in documents without 第X条: item kind → chapter / article
        self.preamble: list[Para] = []  # text before the first heading

    def run(self, paras: list[Para]) -> Regulation:
        self.kinds = self.hierarchy(paras)
        title, start = self.front_matter(paras)
        segments = self.segments(paras[start:])
        builder = Builder(self.record, title, restarts=bool(self.kinds))
        builder.opening(self.preamble)
        for segment in segments:
            builder.add(segment)
        regulation = builder.finish()
        regulation.effective = self.effective(paras)
        return regulation

    def hierarchy(self, paras: list[Para]) -> dict[str, str]:
        """Without 第X条, which item kinds are chapters and articles."""
        texts = [p.text for p in paras if p.table is None]
        found = [m for t in texts if (m := markers.heading(t)) and m.kind == "article"]
        if any(m.spaced or not m.rest or m.number == 1 for m in found):
            return {}
        present = [k for k in markers.ITEM_KINDS if any((m := markers.item(t)) and m.kind == k for t in texts)]
        if not present:
            return {}
        has_chapters = any((m := markers.heading(t)) and m.kind == "chapter" for t in texts)
        if len(present) == 1 or has_chapters:
            kinds = {present[0]: "article"}
        else:
            kinds = {present[0]: "chapter", present[1]: "article"}
        names = ", ".join(f"{k} → {v}" for k, v in kinds.items())
        self.record.infer("document", f"no 第X条 articles: the hierarchy is read from item markers ({names})")
        return kinds

    def marker(self, para: Para, expected_article: int) -> Marker | None:
        """The heading this paragraph opens, if it is one."""
        if para.table is not None:
            return None
        text = para.text
        found = markers.heading(text)
        if found is not None and self.accept(found, expected_article):
            return found
        found = markers.item(text)
        if found is not None and found.kind in self.kinds:
            return Marker(self.kinds[found.kind], found.number, found.rest)
        return None

    def accept(self, marker: Marker, expected_article: int) -> bool:
        if marker.kind in ("chapter", "section"):
            return not marker.rest or heading_like(marker.rest)
        if marker.kind == "article":
            return not self.kinds and self.article_ok(marker, expected_article)
        return marker.number > 0  # 附件一 / 附表2; a bare "附件：" starts the list of attachments

    @staticmethod
    def article_ok(marker: Marker, expected: int) -> bool:
        """ "第十二条规定的…" opening a paragraph is a sentence, unless it is the next article number."""
        return marker.spaced or not marker.rest or marker.number == expected + 1 or expected == 0

    def front_matter(self, paras: list[Para]) -> tuple[str, int]:
        """The title and where the body starts; 目录 and its entries are skipped (and listed as removed)."""
        title, index = "", 0
        named = self.named_title(paras)
        while index < len(paras):
            para = paras[index]
            if para.toc:
                self.record.remove(para.where, "目录", para.text)
                index += 1
                continue
            if markers.TOC_RE.match(para.text.strip()):
                index = self.skip_toc(paras, index)
                continue
            if self.marker(para, 0) is not None or preamble(para) or (title and self.unnumbered(paras, index)):
                break
            if not title and para.table is None and heading_like(para.text.strip(), TITLE_MAX) and named in (-1, index):
                title = self.title(para)
            elif para.table is not None:  # a revision table before the text: front matter
                cells = " ".join(cell.text for row in para.table.rows for cell in row)
                self.record.remove(para.where, "front matter", cells)
            elif para.text.strip():
                self.record.remove(para.where, "front matter", para.text)
            index += 1
        return title, index

    def named_title(self, paras: list[Para]) -> int:
        """Where a line before the text names a regulation (员工手册, …管理办法), or -1: on a cover page the
        company and the document code come first."""
        for index, para in enumerate(paras[:60]):
            if para.table is None and (self.marker(para, 0) is not None or preamble(para)):
                break
            text = re.sub(r"[\s\u3000]+", "", para.text)
            if (
                para.table is None
                and not para.toc
                and heading_like(text, TITLE_MAX)
                and markers.TITLE_NOUN_RE.search(text)
            ):
                return index
        return -1

    def title(self, para: Para) -> str:
        """The regulation's title; a file name's extension (员工宿舍管理规定.doc on a download page) left out."""
        text = para.text.strip()
        extension = markers.FILE_EXT_RE.search(text)
        if extension:
            self.record.remove(para.where, "file name extension", extension.group(0))
            text = text[: extension.start()]
        title = clean(text, self.record)
        self.record.infer(para.where, f"title: {title}")
        return title

    def skip_toc(self, paras: list[Para], index: int) -> int:
        start, entries = index, list[str]()
        index += 1
        while index < len(paras):
            text = paras[index].text.strip()
            entry = re.sub(r"\s+", "", markers.toc_entry(text))
            if entries and entry == entries[0] and not markers.LEADER_RE.search(text):
                break
            if not (markers.LEADER_RE.search(text) or markers.heading(text) or markers.item(text) or not text):
                break
            if entry:
                entries.append(entry)
            self.record.remove(paras[index].where, "目录", paras[index].text)
            index += 1
        self.record.remove(paras[start].where, "目录", paras[start].text)
        self.record.infer(paras[start].where, f"目录 (contents, {len(entries)} entries) skipped")
        return index

    def segments(self, paras: list[Para]) -> list[Segment]:
        out: list[Segment] = []
        articles = 0
        in_appendix = False
        for index, para in enumerate(paras):
            found = self.marker(para, articles) or self.unnumbered(paras, index)
            if found is not None and (not in_appendix or found.kind == "appendix"):
                articles = found.number if found.kind == "article" else articles
                in_appendix = in_appendix or found.kind == "appendix"
                out.append(Segment(found.kind, found, para))
            elif out:
                out[-1].body.append(para)
            else:
                self.preamble.append(para)
        return out

    def unnumbered(self, paras: list[Para], index: int) -> Marker | None:
        """A chapter heading without a number (总则, 考勤规定) where the articles (1. 2. …) restart under it."""
        if not self.kinds or paras[index].table is not None:
            return None
        text = paras[index].text.strip()
        if not heading_like(text, 15) or markers.item(text) or markers.heading(text):
            return None
        after = next((p for p in paras[index + 1 :] if p.text.strip() or p.table is not None), None)
        found = markers.item(after.text) if after is not None and after.table is None else None
        if found is None or self.kinds.get(found.kind) != "article" or found.number != 1:
            return None
        self.record.infer(paras[index].where, f"“{text}” heads the articles numbered from 1 after it: a chapter")
        return Marker("chapter", 0, text)

    def effective(self, paras: list[Para]) -> str:
        for para in paras:
            match = EFFECTIVE_RE.search(para.text)
            if match:
                year, month, day = (int(g) for g in match.groups())
                self.record.infer(para.where, f"effective date {year}-{month:02d}-{day:02d} (from “{match.group(0)}”)")
                return f"{year}-{month:02d}-{day:02d}"
        return ""


class Builder:
    """Assembles segments into the tree, checking the numbers as it goes."""

    def __init__(self, record: Record, title: str, restarts: bool) -> None:
        self.record = record
        self.title = title
        self.restarts = restarts  # articles made of （一） items restart in each chapter
        self.chapters: list[Chapter] = []
        self.section: Section | None = None
        self.appendices: list[Appendix] = []
        self.orphans: list[Para] = []  # text under a heading before its first article
        self.last = {"chapter": 0, "section": 0, "article": 0}

    def add(self, segment: Segment) -> None:
        getattr(self, "on_" + segment.kind)(segment)

    def opening(self, paras: list[Para]) -> None:
        """Text before the first heading: it opens the regulation (the 总则 chapter holds it)."""
        self.orphans = [p for p in paras if p.text.strip() or p.table is not None]

    def on_chapter(self, segment: Segment) -> None:
        title, body = self.title_of(segment)
        self.check_number("chapter", segment, "章")
        chapter = Chapter(segment.marker.number, title, [], segment.para.where, head=_head(segment))
        opening = [] if self.chapters else self.orphans  # the text before 第一章 (总则 or not) opens it
        if not opening:
            self.flush()
        self.chapters.append(chapter)
        self.record.infer(segment.para.where, f"chapter {segment.marker.number}: {title}{_numbered(segment.para)}")
        self.section = None
        self.last["section"] = 0
        self.orphans = opening + body

    def on_section(self, segment: Segment) -> None:
        title, body = self.title_of(segment)
        self.flush(segment)
        self.check_number("section", segment, "节")
        self.section = Section(segment.marker.number, title, [], segment.para.where, head=_head(segment))
        self.current_chapter(segment).body.append(self.section)
        self.orphans = body

    def on_article(self, segment: Segment) -> None:
        self.flush(segment)
        if self.last["article"] and segment.marker.number == 1 and self.chapters:
            self.last["article"] = 0
            if not self.restarts:
                self.record.doubt(
                    segment.para.where, "article numbers restart at 1: policybook numbers them continuously"
                )
        else:
            self.check_number("article", segment, "条")
        self.last["article"] = segment.marker.number
        title, text = split_article(segment.marker.rest, bool(segment.body))
        brackets = BRACKET_TITLE_RE.match(segment.marker.rest.strip())  # 【目的】: the brackets are the title's
        title, text = clean(title, self.record), clean(text, self.record)
        blocks: list[Block] = [Text(text, segment.para.where)] if text else []
        blocks += self.blocks(segment.body)
        head = _head(segment) + (segment.marker.rest.strip()[0] + "】" if brackets else "")
        article = Article(segment.marker.number, title, blocks, segment.para.where, head=head)
        self.place(article, segment)
        self.note_article(article, segment)

    def place(self, article: Article, segment: Segment) -> None:
        if self.section is not None:
            self.section.articles.append(article)
        else:
            self.current_chapter(segment).body.append(article)

    def on_appendix(self, segment: Segment) -> None:
        self.flush(segment)
        title, body = self.title_of(segment)
        number = segment.marker.number or len(self.appendices) + 1
        if not body and not title:
            self.record.remove(segment.para.where, "list of attachments", segment.para.text)
            self.record.infer(segment.para.where, "an entry of the list of attachments, not an appendix: skipped")
            return
        appendix = Appendix(number, title, self.blocks(body), segment.para.where, head=_head(segment))
        self.appendices.append(appendix)
        self.record.infer(segment.para.where, f"appendix {number}: {title or '(untitled)'}")

    def flush(self, segment: Segment | None = None) -> None:
        """Text under a heading before its first article — never lost, never glued to the next article.

        When an article follows under the same chapter (section), or a section follows a chapter's
        text, the text opens that chapter (section): its intro, unnumbered, so the articles keep the
        source's numbers. A heading with no article at all keeps its text as an untitled article."""
        if not self.orphans:
            return
        paras, self.orphans = self.orphans, []
        where, count = paras[0].where, sum(1 for p in paras if p.text.strip() or p.table is not None)
        kind = segment.kind if segment is not None else ""
        if segment is not None and (kind == "article" or (kind == "section" and self.section is None)):
            holder = self.section if kind == "article" and self.section is not None else self.current_chapter(segment)
            holder.intro += self.blocks(paras)
            message = f"“{holder.title}” opens with {count} paragraph(s) before its first article: its opening text"
            self.record.infer(where, message + " (unnumbered)")
            return
        article = Article(0, "", self.blocks(paras), where)
        self.place(article, segment or Segment("article", Marker("article", 0, ""), paras[0]))
        heading = self.section.title if self.section is not None else self.chapters[-1].title
        shift = "" if self.restarts else "; the source's 第X条 after it print one number higher"
        message = "has no articles: its text is kept as one untitled article"
        self.record.doubt(where, f"“{heading}” {message} ({count} paragraph(s){shift})")

    def title_of(self, segment: Segment) -> tuple[str, list[Para]]:
        """A heading's title: after the marker, or the next short paragraph when the marker stands alone."""
        body = segment.body
        if segment.marker.rest:
            return clean(segment.marker.rest, self.record), body
        if body and body[0].table is None and heading_like(body[0].text.strip(), HEADING_MAX):
            self.record.infer(body[0].where, "title on its own line after the heading")
            return clean(body[0].text, self.record), body[1:]
        return "", body

    def current_chapter(self, segment: Segment) -> Chapter:
        if not self.chapters:
            title = self.title or "总则"
            self.chapters.append(Chapter(0, title, [], segment.para.where, made=True))
            self.record.infer(segment.para.where, f"no 第X章 before this point: one chapter titled “{title}” holds it")
        return self.chapters[-1]

    def check_number(self, kind: str, segment: Segment, unit: str) -> None:
        number, expected = segment.marker.number, self.last[kind] + 1
        self.last[kind] = number
        if number and number != expected:
            self.record.doubt(segment.para.where, f"numbering gap: 第{number}{unit} follows 第{expected - 1}{unit}")

    def note_article(self, article: Article, segment: Segment) -> None:
        how = "titled “" + article.title + "”" if article.title else "untitled"
        self.record.infer(segment.para.where, f"article {article.number}, {how}{_numbered(segment.para)}")

    def blocks(self, paras: list[Para]) -> list[Block]:
        return BlockBuilder(self.record, paras).build()

    def finish(self) -> Regulation:
        self.flush()
        for chapter in self.chapters:
            if not chapter.title:
                chapter.title, chapter.made = f"第{chapter.number}章", True
                self.record.doubt(chapter.where, "chapter without a title")
            if not chapter.articles():
                chapter.body.append(Article(0, "", [], chapter.where))
                self.record.doubt(chapter.where, f"chapter “{chapter.title}” has no text: an empty article holds it")
        return Regulation(self.title, self.chapters, self.appendices)


def split_article(rest: str, has_body: bool) -> tuple[str, str]:
    """第一条 after its marker: (title, text). A short phrase without punctuation is a title."""
    rest = rest.strip()
    bracket = BRACKET_TITLE_RE.match(rest)
    if bracket:
        return bracket.group(1).strip(), bracket.group(2).strip()
    if heading_like(rest, 20) and has_body:
        return rest, ""
    spaced = TITLE_GAP_RE.match(rest)  # 第一条　目的　为了规范……: a title, a wide gap, the text
    if spaced and heading_like(spaced.group(1), 15) and len(spaced.group(2)) >= 10:
        return spaced.group(1), spaced.group(2).strip()
    spaced = TITLE_SPACE_RE.match(rest)
    if spaced and heading_like(spaced.group(1)) and PUNCT_RE.search(spaced.group(2)) and len(spaced.group(2)) >= 10:
        return spaced.group(1), spaced.group(2).strip()
    return "", rest


class BlockBuilder:
    """The paragraphs of one article or appendix → paragraphs, nested item lists and tables."""

    def __init__(self, record: Record, paras: list[Para]) -> None:
        self.record = record
        self.paras = paras
        kinds = {m.kind for p in paras if p.table is None and (m := markers.item(p.text))}
        self.rank = {k: i + 1 for i, k in enumerate(k for k in markers.ITEM_KINDS if k in kinds)}
        self.out: list[Block] = []
        self.stack: list[Item] = []

    def build(self) -> list[Block]:
        for para in self.paras:
            if para.table is not None:
                self.stack = []
                self.out.append(TableBlock(para.table, para.where))
                continue
            found = markers.item(para.text)
            if found is not None:
                self.item(found, para)
            elif para.text.strip():
                self.stack = []
                self.out.append(Text(clean(para.text, self.record), para.where))
        return self.out

    def item(self, found: Marker, para: Para) -> None:
        level = self.rank[found.kind]
        if level > MAX_ITEM_DEPTH:
            self.record.doubt(para.where, f"items nested {level} deep: kept at level {MAX_ITEM_DEPTH}")
            level = MAX_ITEM_DEPTH
        rest = clean(found.rest, self.record)
        item = Item(
            rest, para.where, found.number, found.kind, sample=found.sample, head=markers.head(para.text, found)
        )
        while len(self.stack) >= level:
            self.stack.pop()
        siblings = self.stack[-1].children if self.stack else self.top_list()
        if len(self.stack) < level - 1:
            self.record.doubt(para.where, "an item deeper than the item before it: nested one level")
        expected = (siblings[-1].number + 1) if siblings else 1
        if found.number != expected:
            self.record.doubt(para.where, f"item number {found.number} where {expected} was expected")
        siblings.append(item)
        self.stack.append(item)

    def top_list(self) -> list[Item]:
        if not self.out or not isinstance(self.out[-1], ItemList):
            self.out.append(ItemList([]))
        last = self.out[-1]
        assert isinstance(last, ItemList)
        return last.items


def _head(segment: Segment) -> str:
    return markers.head(segment.para.text, segment.marker)


def _numbered(para: Para) -> str:
    return f" (Word numbering “{para.numbered}”)" if para.numbered else ""
