"""Write stage (DOCX): document properties and the deterministic package.

Core properties (title, subject, author, keywords with the version, revision,
language, created/modified) come from the model; dates follow
``SOURCE_DATE_EPOCH``. python-docx writes its zip with the current time, so the
package is re-written here with fixed member dates and a fixed member order:
the same source and ``SOURCE_DATE_EPOCH`` give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT

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
    raw = io.BytesIO()
    document.save(raw)
    return repack(raw.getvalue())


def repack(data: bytes) -> bytes:
    stamp = max(build_time(), ZIP_EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        ordered = [n for n in FIRST_MEMBERS if n in names] + sorted(n for n in names if n not in FIRST_MEMBERS)
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()
