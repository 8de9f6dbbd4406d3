"""Tests' reviewer: tracked changes and comments written into a DOCX by hand, as Word writes them.

Each helper finds a text in word/document.xml, splits its run so the text has a
run of its own, and wraps or marks that run the way Word 2016+ saves a review:
w:del/w:delText, w:ins, w:moveFrom/w:moveTo with their range marks, a deleted
paragraph mark (w:pPr/w:rPr/w:del), w:pPrChange, an inserted table row
(w:trPr/w:ins), and comments in comments.xml, commentsExtended.xml (w15) and
people.xml with their relationships and content types.
"""

from __future__ import annotations

import copy
import io
import shutil
import zipfile
from pathlib import Path

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"
W = f"{{{W_NS}}}"
DATE = "2026-11-20T10:00:00Z"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PARTS = {
    "comments": (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
    ),
    "commentsExtended": (
        "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
    ),
    "people": (
        "http://schemas.microsoft.com/office/2011/relationships/people",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml",
    ),
}


def w(tag: str) -> str:
    return W + tag


class WordReview:
    """A DOCX being reviewed by hand; ``data()`` gives the reviewed package."""

    def __init__(self, data: bytes, author: str = "张律师") -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            self.parts = {name: package.read(name) for name in package.namelist()}
        self.root = etree.fromstring(self.parts["word/document.xml"])
        self.author = author
        self.next_id = 9000
        self.comments: list[tuple[str, str, str, str, bool, str]] = []  # id, author, date, text, done, parent

    # ---------------------------------------------------------------- finding text

    def run_of(self, text: str, occurrence: int = 0) -> etree._Element:
        """A run holding exactly ``text`` (split out of the run that contains it)."""
        found = [t for t in self.root.iter(w("t")) if t.text and text in t.text]
        assert len(found) > occurrence, f"{text!r} is not in the document"
        t = found[occurrence]
        run = t.getparent()
        before, _, after = t.text.partition(text)
        if before or after or len(run.findall(w("t"))) > 1:
            run = self._split(run, t, before, text, after)
        return run

    def _split(self, run: etree._Element, t: etree._Element, before: str, text: str, after: str) -> etree._Element:
        parts = []
        for piece in (before, text, after):
            if piece:
                clone = copy.deepcopy(run)
                for child in list(clone):
                    if child.tag != w("rPr"):
                        clone.remove(child)
                new_t = etree.SubElement(clone, w("t"))
                new_t.text = piece
                new_t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                parts.append((piece, clone))
        for _, clone in parts:
            run.addprevious(clone)
        run.getparent().remove(run)
        return next(clone for piece, clone in parts if piece == text)

    def paragraph_of(self, text: str) -> etree._Element:
        run = self.run_of(text)
        p = run
        while p.tag != w("p"):
            p = p.getparent()
        return p

    def _mark(self, tag: str, **extra: str) -> etree._Element:
        self.next_id += 1
        node = etree.Element(w(tag))
        node.set(w("id"), str(self.next_id))
        node.set(w("author"), self.author)
        node.set(w("date"), DATE)
        for name, value in extra.items():
            node.set(w(name), value)
        return node

    # ---------------------------------------------------------------- tracked changes

    def delete(self, text: str, tag: str = "del") -> etree._Element:
        run = self.run_of(text)
        wrapper = self._mark(tag)
        run.addprevious(wrapper)
        wrapper.append(run)
        for t in run.findall(w("t")):
            t.tag = w("delText")
        return wrapper

    def insert_after(self, anchor: str, text: str, tag: str = "ins") -> etree._Element:
        run = self.run_of(anchor)
        new = copy.deepcopy(run)
        for t in new.findall(w("t")):
            new.remove(t)
        t = etree.SubElement(new, w("t"))
        t.text = text
        wrapper = self._mark(tag)
        wrapper.append(new)
        run.addnext(wrapper)
        return wrapper

    def replace(self, old: str, new: str) -> None:
        wrapper = self.delete(old)
        inserted = self._mark("ins")
        r = etree.SubElement(inserted, w("r"))
        etree.SubElement(r, w("t")).text = new
        wrapper.addnext(inserted)

    def move(self, text: str, after: str, name: str = "move1") -> None:
        """Word's tracked move: moveFrom (with its range) where it was, moveTo after ``after``."""
        run = self.run_of(text)
        source = copy.deepcopy(run)
        origin = self._mark("moveFrom")
        run.addprevious(self._range("moveFromRangeStart", name))
        run.addprevious(origin)
        origin.append(run)
        origin.addnext(self._range_end("moveFromRangeEnd"))
        for t in run.findall(w("t")):
            t.tag = w("delText")
        anchor = self.run_of(after)
        destination = self._mark("moveTo")
        destination.append(source)
        anchor.addnext(self._range("moveToRangeStart", name))
        anchor.getnext().addnext(destination)
        destination.addnext(self._range_end("moveToRangeEnd"))

    def _range(self, tag: str, name: str) -> etree._Element:
        node = self._mark(tag, name=name)
        self.range_id = node.get(w("id"))
        return node

    def _range_end(self, tag: str) -> etree._Element:
        node = etree.Element(w(tag))
        node.set(w("id"), self.range_id)
        return node

    def delete_paragraph_mark(self, text: str) -> None:
        """Join the paragraph holding ``text`` with the next (Word: w:del in the mark's w:rPr)."""
        self._delete_mark(self.paragraph_of(text))

    def _delete_mark(self, p: etree._Element) -> None:
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.SubElement(p, w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, w("rPr"))
        rpr.append(self._mark("del"))

    def delete_paragraph(self, text: str) -> None:
        """A whole paragraph deleted: its runs in w:del, its mark deleted."""
        p = self.paragraph_of(text)
        for run in [r for r in p if r.tag == w("r")]:
            wrapper = self._mark("del")
            run.addprevious(wrapper)
            wrapper.append(run)
            for t in run.findall(w("t")):
                t.tag = w("delText")
        self._delete_mark(p)

    def insert_paragraph_after(self, text: str, new: str) -> None:
        """A paragraph typed after the one holding ``text``: Word marks that paragraph's mark inserted
        and gives the new paragraph the old mark."""
        p = self.paragraph_of(text)
        fresh = etree.Element(w("p"))
        ppr = p.find(w("pPr"))
        if ppr is not None:
            fresh.append(copy.deepcopy(ppr))
        inserted = self._mark("ins")
        etree.SubElement(etree.SubElement(inserted, w("r")), w("t")).text = new
        fresh.append(inserted)
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, w("rPr"))
        rpr.append(self._mark("ins"))
        p.addnext(fresh)

    def overwrite(self, text: str, new: str) -> None:
        """An edit made with change tracking off: the text simply replaced."""
        run = self.run_of(text)
        run.find(w("t")).text = new

    def format_change(self, text: str) -> None:
        """A tracked paragraph formatting change (w:pPrChange holding the old w:pPr)."""
        p = self.paragraph_of(text)
        ppr = p.find(w("pPr"))
        old = copy.deepcopy(ppr)
        for child in list(old):
            if child.tag in (w("rPr"), w("pPrChange")):
                old.remove(child)
        etree.SubElement(ppr, w("jc")).set(w("val"), "center")
        change = self._mark("pPrChange")
        change.append(old)
        ppr.append(change)

    def delete_row(self, text: str) -> None:
        """The table row holding ``text`` deleted (w:trPr/w:del, its runs in w:del)."""
        row = self.paragraph_of(text)
        while row.tag != w("tr"):
            row = row.getparent()
        for p in row.iter(w("p")):
            for run in [r for r in p if r.tag == w("r")]:
                wrapper = self._mark("del")
                run.addprevious(wrapper)
                wrapper.append(run)
                for t in run.findall(w("t")):
                    t.tag = w("delText")
        trpr = row.find(w("trPr"))
        if trpr is None:
            trpr = etree.Element(w("trPr"))
            row.insert(0, trpr)
        trpr.append(self._mark("del"))

    def insert_row_after(self, text: str, cells: list[str]) -> None:
        """A new table row after the row holding ``text`` (w:trPr/w:ins, its runs in w:ins)."""
        row = self.paragraph_of(text)
        while row.tag != w("tr"):
            row = row.getparent()
        new = copy.deepcopy(row)
        trpr = new.find(w("trPr"))
        if trpr is None:
            trpr = etree.Element(w("trPr"))
            new.insert(0, trpr)
        trpr.append(self._mark("ins"))
        for tc, value in zip(new.findall(w("tc")), cells, strict=True):
            for p in tc.findall(w("p")):
                for child in [c for c in p if c.tag != w("pPr")]:
                    p.remove(child)
                inserted = self._mark("ins")
                etree.SubElement(etree.SubElement(inserted, w("r")), w("t")).text = value
                p.append(inserted)
        row.addnext(new)

    # ---------------------------------------------------------------- comments

    def comment(self, text: str, body: str, author: str = "", done: bool = False, reply_to: str = "") -> str:
        cid = str(len(self.comments))
        run = self.run_of(text)
        start = etree.Element(w("commentRangeStart"))
        start.set(w("id"), cid)
        end = etree.Element(w("commentRangeEnd"))
        end.set(w("id"), cid)
        ref_run = etree.Element(w("r"))
        etree.SubElement(ref_run, w("commentReference")).set(w("id"), cid)
        run.addprevious(start)
        run.addnext(end)
        end.addnext(ref_run)
        self.comments.append((cid, author or self.author, DATE, body, done, reply_to))
        return cid

    def _comment_parts(self) -> None:
        if not self.comments:
            return
        ns = f'xmlns:w="{W_NS}" xmlns:w14="{W14_NS}" xmlns:w15="{W15_NS}"'
        comments, extended, people = [], [], []
        for cid, author, date, body, done, parent in self.comments:
            para = f"{int(cid) + 1:08X}"
            comments.append(
                f'<w:comment w:id="{cid}" w:author="{author}" w:date="{date}" w:initials="{author[:1]}">'
                f'<w:p w14:paraId="{para}"><w:r><w:t>{body}</w:t></w:r></w:p></w:comment>'
            )
            parent_attr = f' w15:paraIdParent="{int(parent) + 1:08X}"' if parent else ""
            extended.append(f'<w15:commentEx w15:paraId="{para}"{parent_attr} w15:done="{int(done)}"/>')
            if author not in people:
                people.append(author)
        self.parts["word/comments.xml"] = f"<w:comments {ns}>{''.join(comments)}</w:comments>".encode()
        self.parts["word/commentsExtended.xml"] = f"<w15:commentsEx {ns}>{''.join(extended)}</w15:commentsEx>".encode()
        persons = "".join(
            f'<w15:person w15:author="{p}"><w15:presenceInfo w15:providerId="None" w15:userId="{p}"/></w15:person>'
            for p in people
        )
        self.parts["word/people.xml"] = f"<w15:people {ns}>{persons}</w15:people>".encode()
        self._relate()

    def _relate(self) -> None:
        rels = etree.fromstring(self.parts["word/_rels/document.xml.rels"])
        types = etree.fromstring(self.parts["[Content_Types].xml"])
        for n, (name, (reltype, content_type)) in enumerate(PARTS.items()):
            rel = etree.SubElement(rels, f"{{{REL_NS}}}Relationship")
            rel.set("Id", f"rIdReview{n}")
            rel.set("Type", reltype)
            rel.set("Target", f"{name}.xml")
            override = etree.SubElement(types, f"{{{CT_NS}}}Override")
            override.set("PartName", f"/word/{name}.xml")
            override.set("ContentType", content_type)
        self.parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
        self.parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")

    # ---------------------------------------------------------------- the package

    def strip_identities(self) -> None:
        """Remove policybook's bookmarks (a DOCX whose identities were lost)."""
        ids = set()
        for mark in list(self.root.iter(w("bookmarkStart"))):
            if mark.get(w("name"), "").startswith("pb_"):
                ids.add(mark.get(w("id")))
                mark.getparent().remove(mark)
        for mark in list(self.root.iter(w("bookmarkEnd"))):
            if mark.get(w("id")) in ids:
                mark.getparent().remove(mark)

    def data(self) -> bytes:
        self._comment_parts()
        self.parts["word/document.xml"] = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in self.parts.items():
                package.writestr(name, data)
        return out.getvalue()


def copy_project(root: Path, target: Path) -> Path:
    """handbook/, forms/ and templates/ of ``root`` copied under ``target``; the handbook folder."""
    for name in ("handbook", "forms", "templates"):
        shutil.copytree(root / name, target / name)
    return target / "handbook"


# ---------------------------------------------------------------- LibreOffice as the reviewer

MACRO = Path(__file__).with_name("review.bas")


def libreoffice_review(docx: Path, steps: list[tuple[str, ...]], author: str, out: Path, timeout: float = 120) -> None:
    """LibreOffice headless, change tracking on, applies ``steps`` (see review.bas) to ``docx`` as
    ``author`` and saves the reviewed DOCX to ``out``; the document is loaded without a view."""
    import tempfile

    from policybook.writers.docx import libreoffice

    with tempfile.TemporaryDirectory(prefix="pb-lo-review-") as tmp:
        job = Path(tmp) / "job"
        job.mkdir()
        shutil.copy(docx, job / "in.docx")
        (job / "steps.txt").write_text("".join("\t".join(step) + "\n" for step in steps), encoding="utf-8")
        (job / "author.txt").write_text(author + "\n", encoding="utf-8")
        process = libreoffice.start_macro(
            Path(tmp), "Review", MACRO.read_text(encoding="utf-8"), "Review", {"PB_REVIEW": str(job)}
        )
        try:
            process.wait(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        error = job / "error.txt"
        assert not error.exists(), error.read_text(encoding="utf-8")
        assert (job / "out.docx").is_file(), "LibreOffice saved no reviewed DOCX"
        shutil.copy(job / "out.docx", out)
