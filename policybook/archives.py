"""Zip archives from outside (DOCX, XLSX), checked before any library opens them.

Word and Excel files are zip archives of XML parts. A hostile one can be a zip
bomb (a few KB that inflate to gigabytes), hold a hundred thousand members, or
carry XML with a DTD — entity expansion ("billion laughs") or an external
entity that reads a local file or the network. :func:`check_archive` reads
the archive's directory and every XML part *once, within limits*, and refuses:

- more than :data:`MAX_MEMBERS` members, or an XML part, another member or all
  of them over :data:`MAX_XML_BYTES` / :data:`MAX_MEMBER_BYTES` /
  :data:`MAX_TOTAL_BYTES` uncompressed, or a member that
  inflates more than :data:`MAX_RATIO` times (bombs run 1,000× and more);
- encrypted members, and members that are not what their directory says
  (zipfile stops at the declared size and checks the CRC);
- any ``<!DOCTYPE`` or ``<!ENTITY`` in an XML part (OOXML never has one), in
  UTF-8 or UTF-16.

What then parses the parts (python-docx's lxml parser with entities off and
huge trees off, openpyxl through defusedxml) sees only bounded, DTD-free XML;
libxml2's own depth limit (256) stops deeply nested elements, and the caller
turns its error into a diagnostic. Refusals are diagnostics (``code``) naming
the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from policybook.diagnostics import fail
from policybook.model import Loc

MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 100 * 1024 * 1024  # an image or embedded file
MAX_XML_BYTES = 48 * 1024 * 1024  # one XML part (its parsed tree takes several times this); 782 pages: ~10 MB
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # for members over RATIO_FLOOR: XML compresses 5–50×, a bomb 1,000×
RATIO_FLOOR = 1024 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")
CHUNK = 1024 * 1024


def check_archive(path: Path, code: str, what: str = "file") -> None:
    """Refuse (a SourceError with ``code``) a zip that is malformed, too large when inflated, or has DTDs."""
    loc = Loc(str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_directory(members, loc, code, what)
            for member in members:
                if member.filename.lower().endswith(XML_SUFFIXES):
                    _check_xml(archive, member, loc, code, what)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise fail(loc, f"not a readable {what} (a damaged zip archive: {exc})", code) from None
    except OSError as exc:
        raise fail(loc, f"cannot read the {what}: {exc.strerror or exc}", code) from None


def _check_directory(members: list[zipfile.ZipInfo], loc: Loc, code: str, what: str) -> None:
    if len(members) > MAX_MEMBERS:
        raise fail(loc, f"the {what} holds {len(members)} parts (at most {MAX_MEMBERS} are read)", code)
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise fail(loc, f"the {what} is encrypted", code, "save an unprotected copy first")
        size, packed = member.file_size, max(member.compress_size, 1)
        total += size
        limit = MAX_XML_BYTES if member.filename.lower().endswith(XML_SUFFIXES) else MAX_MEMBER_BYTES
        if size > limit or total > MAX_TOTAL_BYTES:
            raise fail(
                loc,
                f"the {what} inflates too far ({member.filename}: {size:,} bytes; at most {limit >> 20} MB a part, "
                f"{MAX_TOTAL_BYTES >> 20} MB in all) — a zip bomb, or far larger than any handbook source",
                code,
            )
        if size > RATIO_FLOOR and size / packed > MAX_RATIO:
            raise fail(
                loc,
                f"the {what}'s part {member.filename} inflates {size // packed:,}× — a zip bomb",
                code,
            )


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo, loc: Loc, code: str, what: str) -> None:
    tail = b""
    encoding = ""
    with archive.open(member) as part:  # reads at most the declared size; CRC checked at the end
        while block := part.read(CHUNK):  # CHUNK is even: UTF-16 code units never split
            if not tail:
                encoding = _utf16(block[:2])
            text = block.decode(encoding, errors="replace").encode() if encoding else block
            window = tail + text
            if any(mark in window for mark in DTD_MARKS):
                raise fail(
                    loc,
                    f"the {what}'s part {member.filename} declares a DTD or XML entities, which Word and "
                    "Excel never write (entity expansion, external entities) — refused",
                    code,
                    "open it in Word or Excel and save it again",
                )
            tail = window[-16:] or b" "


def _utf16(head: bytes) -> str:
    """The UTF-16 flavour an XML part starts in (a BOM, or '<' as two bytes), else ""."""
    if head in (b"\xff\xfe", b"<\x00"):
        return "utf-16-le"
    if head in (b"\xfe\xff", b"\x00<"):
        return "utf-16-be"
    return ""
