"""Ledger stage: personalised handbook copies — the recorded release PDF with the employee's
name and id in a line at the foot of every page.

The release PDF is checked against the SHA-256 the ledger recorded before
anything is stamped, and the footer line names that checksum. Each copy is the
release file followed by an incremental update (:mod:`overlay`, a classic
cross-reference table, which ``qpdf --check`` accepts): the release bytes are
a prefix of every copy, and a copy costs little more than writing it. A footer
that does not fit one line wraps or shrinks (``stamp.typ``): one stamp per
employee, whatever the name, department or id.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfWriter

from policybook.diagnostics import Diagnostics, fail
from policybook.ledger.handout import Handout, Person, handout
from policybook.ledger.overlay import Overlay, supported
from policybook.ledger.stamp import Place, mm, stamp_pages, typeset, words
from policybook.model import Loc
from policybook.naming import handbook_stem, safe
from policybook.output import sha256, staged

LINE_W, LINE_H = 170.0, 5.0  # mm
LINE_BOTTOM = 5.0  # mm above the lower edge of the page, below the handbook's own footer
BATCH = 200  # footers typeset in one Typst run; their font cut is shared by the batch's copies


@dataclass
class Wanted:
    subsidiary: str
    department: str = ""
    everyone: bool = False


def write_copies(
    source: str | Path,
    wanted: Wanted,
    dist: Path,
    out: Path,
    url: str,
    diags: Diagnostics,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """A personalised copy for everyone ``wanted`` names; ``progress(done, total)`` after each batch."""
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
    data = original.read_bytes()
    stamp = _incremental(data) if supported(data) else _rewritten(data)
    if progress:
        progress(0, len(given.people))  # the copies start now (the ledger and the release file are read)
    with staged(out) as staging:
        for start in range(0, len(given.people), BATCH):
            people = given.people[start : start + BATCH]
            stamps = typeset(given.doc, [footer_line(given, p) for p in people], given.doc.meta.title)
            stamp(stamps, [staging.folder / copy_name(given, p) for p in people])
            if progress:
                progress(start + len(people), len(given.people))
    return [out / rel for rel in staging.written]


Stamper = Callable[[list[PageObject], list[Path]], None]


def _incremental(data: bytes) -> Stamper:
    """Copies as incremental updates of the release file (:mod:`overlay`): no page rebuilt."""
    overlay = Overlay(data)

    def stamp(stamps: list[PageObject], targets: list[Path]) -> None:
        batch = overlay.batch(stamps, _place)
        for index, target in enumerate(targets):
            with target.open("wb") as handle:
                batch.write(index, handle)

    return stamp


def _rewritten(data: bytes) -> Stamper:
    """Any other PDF (a cross-reference stream): each copy rewritten whole by pypdf (slower)."""

    def stamp(stamps: list[PageObject], targets: list[Path]) -> None:
        for one, target in zip(stamps, targets, strict=True):
            writer = PdfWriter(clone_from=io.BytesIO(data))
            stamp_pages(writer, one, _place)
            with target.open("wb") as handle:
                writer.write(handle)

    return stamp


def _place(page: PageObject) -> Place:
    return Place((float(page.mediabox.width) - mm(LINE_W)) / 2, mm(LINE_BOTTOM))


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
