"""Ledger stage: personalised handbook copies — the recorded release PDF with the employee's
name and id in a line at the foot of every page.

The release PDF is checked against the SHA-256 the ledger recorded before
anything is stamped, and the footer line names that checksum, so a copy can be
traced back to the release file. (pypdf's incremental updates would keep the
release bytes as a prefix, but its cross-reference stream makes ``qpdf
--check`` warn; a full rewrite passes.)
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfWriter

from policybook.diagnostics import Diagnostics, fail
from policybook.ledger.handout import Handout, Person, handout
from policybook.ledger.stamp import Place, mm, stamp_pages, typeset, words
from policybook.model import Loc
from policybook.naming import handbook_stem, safe
from policybook.output import sha256, staged

LINE_W, LINE_H = 170.0, 5.0  # mm
LINE_BOTTOM = 5.0  # mm above the lower edge of the page, below the handbook's own footer


@dataclass
class Wanted:
    subsidiary: str
    department: str = ""
    everyone: bool = False


def write_copies(source: str | Path, wanted: Wanted, dist: Path, out: Path, url: str, diags: Diagnostics) -> list[Path]:
    given = handout(source, wanted.subsidiary, wanted.department, wanted.everyone, url, diags)
    original = dist / given.file
    if not original.is_file() or sha256(original) != given.sha256:
        raise fail(
            Loc(str(original)),
            "this is not the handbook PDF the ledger recorded for the release (missing, or its SHA-256 differs)",
            "ledger.release-file",
            "rebuild the recorded version with policybook build",
        )
    if not given.people:
        return []
    stamps = typeset(given.doc, [footer_line(given, p) for p in given.people], given.doc.meta.title)
    data = original.read_bytes()
    with staged(out) as staging:
        for person, stamp in zip(given.people, stamps, strict=True):
            _copy(data, stamp, staging.folder / copy_name(given, person))
    return [out / rel for rel in staging.written]


def _copy(original: bytes, stamp: PageObject, target: Path) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(original))
    stamp_pages(writer, stamp, lambda page: Place((float(page.mediabox.width) - mm(LINE_W)) / 2, mm(LINE_BOTTOM)))
    with target.open("wb") as handle:
        writer.write(handle)


def footer_line(given: Handout, person: Person) -> dict[str, object]:
    doc = given.doc
    say = words(doc)
    who = f"{person.name}（{say('工号')} {person.id}" + (f"，{person.department}）" if person.department else "）")
    text = (
        f"{say('本册发给')} {who} · {doc.meta.code}-{doc.subsidiary.code} v{doc.meta.version}"
        f" · SHA-256 {given.sha256[:16]}… · {say('仅供本人使用，请勿转借')}"
    )
    return {"kind": "footer", "w": LINE_W, "h": LINE_H, "text": text}


def copy_name(given: Handout, person: Person) -> str:
    return f"{handbook_stem(given.doc)}-{safe(person.id)}-{safe(person.name)}.pdf"
