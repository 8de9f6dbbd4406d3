"""Review stage: read a reviewed DOCX — tracked changes, comments, identities — as Word wrote it.

The body is read once, in order, into :class:`Unit` records (a paragraph, or a
table row) each holding its text twice: as sent (every change rejected) and as
accepted. Insertions and moves' destinations are only in the accepted text,
deletions and moves' origins only in the text as sent, so moved text is read
once, where it arrives. A deleted paragraph mark joins the paragraph to the
next in the accepted text; an inserted one splits it (joined as sent); an
inserted table row is only accepted text, a deleted one only sent text.
Formatting changes (``w:rPrChange``, ``w:pPrChange``) are recorded, never applied.
XML is parsed with defusedxml, and the package is size-checked before it is.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
MARGIN = re.compile(r"^word/(header|footer)\d*\.xml$")
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_PACKAGE = 200 * 2**20  # bytes, all members unpacked
MAX_MEMBER = 100 * 2**20
MAX_MEMBERS = 5000
IDENTITY_PREFIX = "pb_"
PROPERTY_PREFIX = "policybook."


class NotADocx(ValueError):
    """The file is not a readable (or a reasonably sized) Word package."""


@dataclass
class Change:
    """One tracked change: ``kind`` insert · delete · move-from · move-to · format ·
    paragraph-insert · paragraph-delete · row-insert · row-delete · cell-insert · cell-delete."""

    kind: str
    author: str
    date: str
    text: str = ""
    name: str = ""  # a move's name, pairing its origin with its destination


@dataclass
class Unit:
    """A paragraph or a table row of the body, under the identities that began before it."""

    old: str
    new: str
    identities: list[str]  # pb_ bookmark names starting in it
    table: int = 0  # the table (1-based, in body order) a row belongs to; 0 for a paragraph
    changes: list[Change] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # comment ids anchored in it


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    initials: str = ""
    done: bool = False
    parent: str = ""  # the comment this one answers (commentsExtended)
    anchor: str = ""  # the text it is anchored to


@dataclass
class Reviewed:
    units: list[Unit]
    comments: dict[str, Comment]
    properties: dict[str, str]  # policybook.* custom properties, without the prefix
    people: list[str] = field(default_factory=list)
    margins: list[Unit] = field(default_factory=list)  # paragraphs of headers and footers


def read(path: Path | IO[bytes]) -> Reviewed:
    """The reviewed DOCX at ``path``; :class:`NotADocx` when it is not one (or is too big)."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = _members(package)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError) as exc:
        raise NotADocx(f"not a Word .docx package ({exc})") from None
    if "word/document.xml" not in parts:
        raise NotADocx("no word/document.xml in the package")
    body = _parse(parts["word/document.xml"]).find(f"{W}body")
    reader = _BodyReader()
    if body is not None:
        reader.read(body)
    comments = _comments(parts)
    for cid, text in reader.anchors.items():
        if cid in comments:
            comments[cid].anchor = text
    margins = _BodyReader()  # headers and footers: generated, read only to list what was changed there
    for name in sorted(n for n in parts if MARGIN.match(n)):
        margins.read(_parse(parts[name]))
    return Reviewed(reader.units, comments, _properties(parts), _people(parts), margins.units)


def _members(package: zipfile.ZipFile) -> dict[str, bytes]:
    infos = package.infolist()
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_PACKAGE:
        raise NotADocx("the package is too large to be a handbook DOCX")
    wanted = ("word/document.xml", "word/comments.xml", "word/commentsExtended.xml", "word/people.xml")
    out: dict[str, bytes] = {}
    for info in infos:
        if info.filename in (*wanted, "docProps/custom.xml") or MARGIN.match(info.filename):
            if info.file_size > MAX_MEMBER:
                raise NotADocx(f"{info.filename} is too large")
            with package.open(info) as member:
                data = member.read(MAX_MEMBER + 1)  # the header's size may lie
            if len(data) > MAX_MEMBER:
                raise NotADocx(f"{info.filename} is too large")
            out[info.filename] = data
    return out


def _parse(data: bytes) -> Element:
    try:
        return SafeET.fromstring(data)  # type: ignore[no-any-return]
    except Exception as exc:  # defusedxml's refusals and ParseError alike
        raise NotADocx(f"unreadable XML ({type(exc).__name__}: {exc})") from None


# ---------------------------------------------------------------- body


class _BodyReader:
    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.tables = 0
        self.anchors: dict[str, str] = {}  # comment id → the (accepted) text it covers
        self.open_comments: set[str] = set()

    def read(self, body: Element) -> None:
        for child in body:
            if child.tag == f"{W}p":
                self.units.append(self.paragraph(child))
            elif child.tag == f"{W}tbl":
                self.table(child)
            elif child.tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    self.read(content)
            elif child.tag == f"{W}bookmarkStart" and _is_identity(child):
                self.units.append(Unit("", "", [child.get(f"{W}name", "")]))

    def paragraph(self, p: Element) -> Unit:
        unit = Unit("", "", [])
        text = _Text(unit, self)
        text.walk(p, "")
        mark = p.find(f"{W}pPr/{W}rPr")
        inserted = _child(mark, "ins")
        inserted = inserted if inserted is not None else _child(mark, "moveTo")
        deleted = _child(mark, "del")
        deleted = deleted if deleted is not None else _child(mark, "moveFrom")
        unit.old = "".join(text.old) + ("" if inserted is not None else "\n")
        unit.new = "".join(text.new) + ("" if deleted is not None else "\n")
        if inserted is not None:
            unit.changes.append(_change("paragraph-insert", inserted))
        if deleted is not None:
            unit.changes.append(_change("paragraph-delete", deleted))
        ppr_change = p.find(f"{W}pPr/{W}pPrChange")
        if ppr_change is not None:
            unit.changes.append(_change("format", ppr_change, "paragraph properties"))
        return unit

    def table(self, tbl: Element) -> None:
        self.tables += 1
        for tr in tbl.iter(f"{W}tr"):
            unit = Unit("", "", [], table=self.tables)
            old_cells: list[str] = []
            new_cells: list[str] = []
            for tc in tr.findall(f"{W}tc"):
                self.cell(tc, unit, old_cells, new_cells)
            row_ins = tr.find(f"{W}trPr/{W}ins")
            row_del = tr.find(f"{W}trPr/{W}del")
            unit.old = "" if row_ins is not None else "\t".join(old_cells) + "\n"
            unit.new = "" if row_del is not None else "\t".join(new_cells) + "\n"
            for kind, node in (("row-insert", row_ins), ("row-delete", row_del)):
                if node is not None:
                    unit.changes.append(_change(kind, node, unit.new or unit.old))
            self.units.append(unit)

    def cell(self, tc: Element, unit: Unit, old_cells: list[str], new_cells: list[str]) -> None:
        inner = [self.paragraph(p) for p in tc.iter(f"{W}p")]
        for part in inner:
            unit.identities.extend(part.identities)
            unit.changes.extend(part.changes)
            unit.comments.extend(part.comments)
        cell_ins = tc.find(f"{W}tcPr/{W}cellIns")
        cell_del = tc.find(f"{W}tcPr/{W}cellDel")
        if cell_ins is None:
            old_cells.append("".join(p.old for p in inner).strip("\n"))
        if cell_del is None:
            new_cells.append("".join(p.new for p in inner).strip("\n"))
        for kind, node in (("cell-insert", cell_ins), ("cell-delete", cell_del)):
            if node is not None:
                unit.changes.append(_change(kind, node))


class _Text:
    """The two texts of one paragraph, collected in document order."""

    def __init__(self, unit: Unit, body: _BodyReader) -> None:
        self.unit, self.body = unit, body
        self.old: list[str] = []
        self.new: list[str] = []
        self.in_field_code = False

    def walk(self, node: Element, state: str) -> None:
        for child in node:
            tag = child.tag
            if tag == FALLBACK:  # mc:AlternateContent: the choice is read, not its fallback copy
                continue
            if tag in (f"{W}pPr", f"{W}rPr", f"{W}tblPr", f"{W}sectPr"):
                if tag == f"{W}rPr":
                    self.format_change(child)
                continue
            if tag in (f"{W}ins", f"{W}moveTo"):
                self.tracked(child, "insert" if tag == f"{W}ins" else "move-to", "new", state)
            elif tag in (f"{W}del", f"{W}moveFrom"):
                self.tracked(child, "delete" if tag == f"{W}del" else "move-from", "old", state)
            elif tag == f"{W}bookmarkStart" and _is_identity(child):
                self.unit.identities.append(child.get(f"{W}name", ""))
            elif tag == f"{W}commentRangeStart":
                self.body.open_comments.add(child.get(f"{W}id", ""))
                self.unit.comments.append(child.get(f"{W}id", ""))
            elif tag == f"{W}commentRangeEnd":
                self.body.open_comments.discard(child.get(f"{W}id", ""))
            elif tag == f"{W}commentReference" and child.get(f"{W}id", "") not in self.unit.comments:
                self.unit.comments.append(child.get(f"{W}id", ""))
            elif tag == f"{W}fldChar":
                kind = child.get(f"{W}fldCharType")
                self.in_field_code = kind == "begin"
            elif tag == f"{W}instrText":
                continue
            elif tag in (f"{W}t", f"{W}delText", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
                self.text(child, state)
            else:
                self.walk(child, state)

    def tracked(self, node: Element, kind: str, side: str, state: str) -> None:
        """An insertion (``side`` new) or deletion (old) inside ``state``: text one reviewer inserted
        and another deleted (w:del inside w:ins) was never sent and is not accepted: in neither."""
        if state not in ("", side):
            self.walk(node, "none")
            self.unit.changes.append(_change(kind, node, "".join(_texts(node))))
            return
        before = len(self.old if side == "old" else self.new)
        self.walk(node, side)
        collected = "".join((self.old if side == "old" else self.new)[before:])
        if collected:  # LibreOffice writes empty ones around a comment's anchor
            self.unit.changes.append(_change(kind, node, collected))

    def text(self, node: Element, state: str) -> None:
        if node.tag in (f"{W}t", f"{W}delText"):
            value = node.text or ""
        else:
            value = {"tab": "\t", "noBreakHyphen": "-"}.get(node.tag[len(W) :], "\n")
            if node.tag == f"{W}br" and node.get(f"{W}type") == "page":
                return
        if self.in_field_code or state == "none":
            return
        if state != "new":
            self.old.append(value)
        if state != "old":
            self.new.append(value)
        if state != "old":
            for cid in self.body.open_comments:
                self.body.anchors[cid] = self.body.anchors.get(cid, "") + value

    def format_change(self, rpr: Element) -> None:
        change = rpr.find(f"{W}rPrChange")
        if change is not None:
            self.unit.changes.append(_change("format", change, "run properties"))


def _texts(node: Element) -> list[str]:
    return [t.text or "" for t in node.iter() if t.tag in (f"{W}t", f"{W}delText")]


def _is_identity(node: Element) -> bool:
    return node.get(f"{W}name", "").startswith(IDENTITY_PREFIX)


def _child(parent: Element | None, tag: str) -> Element | None:
    return None if parent is None else parent.find(f"{W}{tag}")


def _change(kind: str, node: Element, text: str = "") -> Change:
    return Change(kind, node.get(f"{W}author", ""), _date(node), text, node.get(f"{W}name", ""))


def _date(node: Element) -> str:
    """w:date, "" when absent or LibreOffice's 0-00-00T00:00:00Z for "no date"."""
    date = node.get(f"{W}date", "")
    return "" if date.startswith("0-") else date


# ---------------------------------------------------------------- comments and properties


def _comments(parts: dict[str, bytes]) -> dict[str, Comment]:
    if "word/comments.xml" not in parts:
        return {}
    out: dict[str, Comment] = {}
    para_of: dict[str, str] = {}  # w14:paraId of a comment's last paragraph → comment id
    for node in _parse(parts["word/comments.xml"]).iter(f"{W}comment"):
        cid = node.get(f"{W}id", "")
        paragraphs = node.findall(f"{W}p")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paragraphs)
        author, date = node.get(f"{W}author", ""), _date(node)
        out[cid] = Comment(cid, author, date, text, node.get(f"{W}initials", ""))
        if paragraphs:
            para_of[paragraphs[-1].get(f"{W14}paraId", "")] = cid
    if "word/commentsExtended.xml" in parts:
        for ex in _parse(parts["word/commentsExtended.xml"]).iter(f"{W15}commentEx"):
            found = para_of.get(ex.get(f"{W15}paraId", ""))
            if found is None:
                continue
            cid = found
            out[cid].done = ex.get(f"{W15}done") == "1"
            out[cid].parent = para_of.get(ex.get(f"{W15}paraIdParent", ""), "")
    return out


def _people(parts: dict[str, bytes]) -> list[str]:
    if "word/people.xml" not in parts:
        return []
    return [p.get(f"{W15}author", "") for p in _parse(parts["word/people.xml"]).iter(f"{W15}person")]


def _properties(parts: dict[str, bytes]) -> dict[str, str]:
    if "docProps/custom.xml" not in parts:
        return {}
    out: dict[str, str] = {}
    for prop in _parse(parts["docProps/custom.xml"]).iter(f"{CUSTOM}property"):
        name = prop.get("name", "")
        if name.startswith(PROPERTY_PREFIX):
            out[name[len(PROPERTY_PREFIX) :]] = "".join(value.text or "" for value in prop)  # its vt: value
    return out
