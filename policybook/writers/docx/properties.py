"""Write stage (DOCX): document properties and the deterministic package.

Core properties (title, subject, author, keywords with the version, revision,
language, created/modified) come from the model; dates follow
``SOURCE_DATE_EPOCH``. python-docx writes its zip with the current time, so the
package is zipped here instead, with fixed member dates and a fixed member order:
the same source and ``SOURCE_DATE_EPOCH`` give the same bytes. Each member is
deflated once (zipping python-docx's zip again deflated everything twice).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx.document import Document as DocxDocument
from docx.opc import pkgwriter
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI

from policybook.dates import build_time
from policybook.model import Document
from policybook.writers.docx.kit import Kit

FIRST_MEMBERS = ("[Content_Types].xml", "_rels/.rels")
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)


def set_core(document: DocxDocument, doc: Document, kit: Kit) -> None:
    props = document.core_properties
    when = build_time().replace(tzinfo=None)  # python-docx writes naive datetimes as UTC
    props.title = f"{doc.meta.title} — {doc.subsidiary.name}"
    props.subject = doc.subsidiary.name
    props.author = doc.meta.group
    props.last_modified_by = doc.meta.group
    props.keywords = "; ".join([doc.meta.title, doc.meta.code, f"v{doc.meta.version}", doc.subsidiary.code])
    props.category = doc.meta.title
    props.comments = f"{doc.meta.code} v{doc.meta.version}, effective {doc.meta.effective}"
    props.identifier = f"{doc.meta.code}-{doc.subsidiary.code}"
    props.version = doc.meta.version
    props.revision = max(len(doc.revisions), 1)
    props.language = kit.lang
    props.created = props.modified = when


def drop_template_leftovers(document: DocxDocument) -> None:
    """Leave out the template's thumbnail (an empty page) and its stale Word 2010 style copy."""
    for rels, reltype in ((document.part.package.rels, RT.THUMBNAIL), (document.part.rels, STYLES_WITH_EFFECTS)):
        for rel_id, rel in list(rels.items()):
            if rel.reltype == reltype:
                rels.pop(rel_id)


def package_bytes(document: DocxDocument) -> bytes:
    """The .docx as bytes with fixed member dates and order (content types and root rels first)."""
    members = _Members()
    written = io.BytesIO()
    # python-docx (1.x) hands every member to the zip writer pkgwriter.PhysPkgWriter makes, which deflates
    # it; for the length of save() that name gives our collector instead, so each member is deflated once,
    # below. Should python-docx stop writing through that name, its own zip is read back (deflated twice,
    # as before); tests/test_docx.py::test_docx_package_is_deflated_once fails loudly then.
    original, pkgwriter.PhysPkgWriter = pkgwriter.PhysPkgWriter, members  # type: ignore[misc,assignment]
    try:
        document.save(written)
    finally:
        pkgwriter.PhysPkgWriter = original  # type: ignore[misc]
    return _zip(members or _unzipped(written.getvalue()))


class _Members(dict[str, bytes]):
    """Stands in for python-docx's zip writer: keeps each member's bytes by member name."""

    def __call__(self, pkg_file: object) -> _Members:
        return self

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self[pack_uri.membername] = blob

    def close(self) -> None:
        pass


def _unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    stamp = max(build_time(), ZIP_EPOCH).timetuple()[:6]
    names = list(members)
    ordered = [n for n in FIRST_MEMBERS if n in members] + sorted(n for n in names if n not in FIRST_MEMBERS)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            package.writestr(info, members[name], compresslevel=6)
    return out.getvalue()
