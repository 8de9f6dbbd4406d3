"""Import stage: read a Word .docx into paragraphs and tables, with Word's own numbers restored."""

from __future__ import annotations

import zipfile
from pathlib import Path

from policybook.archives import check_archive
from policybook.diagnostics import Loc, fail
from policybook.importers.paragraphs import Cell, Para, Table
from policybook.importers.report import Record
from policybook.importers.word_numbering import Element, Numbering, Styles, W, number

TOC_STYLES = ("toc", "目录")
MAX_COLUMNS = 63  # Word's own limit for a table's columns


def read_docx(path: Path, record: Record) -> list[Para]:
    document = _open(path)
    part = document.part
    numbering = _numbering_root(part)
    styles = Styles(part.styles.element if _has_styles(part) else None)
    reader = BodyReader(path.name, Numbering(numbering, styles), styles, record)
    reader.read(document.element.body)
    return reader.out


def _open(path: Path):  # type: ignore[no-untyped-def]
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    hint = "save it as .docx (Word 2007 or later); LibreOffice: soffice --headless --convert-to docx FILE"
    if not zipfile.is_zipfile(path):
        raise fail(Loc(str(path)), "not a Word .docx file", "import.docx", hint)
    check_archive(path, "import.docx", "Word file")  # bombs, DTDs and entities refused before parsing
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, EOFError, NotImplementedError):
        raise fail(Loc(str(path)), "not a Word .docx file", "import.docx", hint) from None
    except (LxmlError, RecursionError) as exc:  # malformed or too deeply nested XML (libxml2 stops at 256 levels)
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise fail(Loc(str(path)), f"the Word file's XML cannot be read: {reason}", "import.docx", hint) from None


def _numbering_root(part) -> Element | None:  # type: ignore[no-untyped-def]
    try:
        return part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None


def _has_styles(part) -> bool:  # type: ignore[no-untyped-def]
    try:
        part.styles  # noqa: B018 - raises when the package has no styles part
    except (KeyError, NotImplementedError):
        return False
    return True


class BodyReader:
    def __init__(self, name: str, numbering: Numbering, styles: Styles, record: Record) -> None:
        self.name = name
        self.numbering = numbering
        self.styles = styles
        self.record = record
        self.out: list[Para] = []
        self.count = 0
        self.tables = 0

    def read(self, body: Element, toc: bool = False) -> None:
        for child in body:
            if child.tag == W + "p":
                self.paragraph(child, toc)
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag == W + "sdt":  # content control: a TOC, or text wrapped by a template
                content = child.find(W + "sdtContent")
                gallery = child.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
                is_toc = gallery is not None and "Table of Contents" in (gallery.get(W + "val") or "")
                if content is not None:
                    self.read(content, toc or is_toc)

    def paragraph(self, p: Element, toc: bool) -> None:
        self.count += 1
        where = f"{self.name} paragraph {self.count}"
        text = paragraph_text(p)
        style = self.styles.name(_style_id(p)).lower()
        number = self.numbering.paragraph(p)
        label = ""
        if number is not None and number[0]:
            label, suffix = number
            text = label + ("" if suffix == "nothing" else "\u3000") + text.lstrip()
        self.out.append(Para(text, where, numbered=label, toc=toc or style.startswith(TOC_STYLES)))

    def table(self, tbl: Element) -> None:
        self.tables += 1
        self.out.append(Para("", f"{self.name} table {self.tables}", table=read_table(tbl)))


def _style_id(p: Element) -> str:
    style = p.find(f"{W}pPr/{W}pStyle")
    return "" if style is None else style.get(W + "val", "")


def paragraph_text(p: Element) -> str:
    """The visible text: runs, hyperlinks, fields' results; tabs and breaks as spaces; deletions left out."""
    out: list[str] = []
    for node in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "delText"):
        if node.tag == W + "t":
            out.append(node.text or "")
        elif node.tag != W + "delText":
            out.append(" ")
    return "".join(out)


def read_table(tbl: Element) -> Table:
    """Rows of cells with their spans: w:gridSpan across, w:vMerge down (continuations folded in)."""
    rows: list[list[Cell]] = []
    origins: dict[int, Cell] = {}  # grid column → the cell a vertical merge continues
    for tr in tbl.findall(W + "tr"):
        row: list[Cell] = []
        column = 0
        for tc in tr.findall(W + "tc"):
            span = number(_tc_val(tc, "gridSpan"), 1, MAX_COLUMNS, 1)
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            if merge is not None and merge.get(W + "val", "continue") == "continue" and column in origins:
                origins[column].rowspan += 1
            else:
                cell = Cell("\n".join(paragraph_text(p) for p in tc.iter(W + "p")).strip(), colspan=span)
                row.append(cell)
                origins[column] = cell
            column += span
        rows.append(row)
    return Table(rows)


def _tc_val(tc: Element, tag: str) -> str | None:
    node = tc.find(f"{W}tcPr/{W}{tag}")
    return None if node is None else node.get(W + "val")
