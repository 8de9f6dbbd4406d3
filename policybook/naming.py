"""Output file names: every name carries document code, subsidiary and version.

One place decides names, so the handbook, the forms, the manifest and the
change tables agree.
"""

from __future__ import annotations

import re

from policybook import limits
from policybook.diagnostics import Diagnostics
from policybook.model import Appendix, Document
from policybook.source.paths import name_problem

UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+')


def safe(part: str) -> str:
    return UNSAFE.sub("_", part).strip("_")


def document_code(doc: Document) -> str:
    """The code of one subsidiary's handbook, ``HY-HR-001-SZ``: printed on its cover and footers,
    the 签收单, the site and personal copies — the code an employee signs for."""
    return f"{doc.meta.code}-{doc.subsidiary.code}" if doc.subsidiary.code else doc.meta.code


def handbook_stem(doc: Document) -> str:
    """e.g. ``HY-HR-001-SH-v3.2``."""
    return safe(f"{doc.meta.code}-{doc.subsidiary.code}-v{doc.meta.version}")


def form_stem(doc: Document, appendix: Appendix) -> str:
    """e.g. ``附件一-HR-F-003-请假申请表-SH-v2.0``: appendix number, code, title, subsidiary, version."""
    form = appendix.form
    return safe(f"{appendix.number}-{form.code}-{form.title}-{doc.subsidiary.code}-v{form.version}")


def check_names(doc: Document, diags: Diagnostics) -> None:
    """Codes that become parts of file names are plain names, and every output name fits
    a file system (the suffix and a pad's serials need room too)."""
    codes = [
        ("document code", doc.meta.code, doc.meta.loc),
        ("subsidiary code", doc.subsidiary.code, doc.subsidiary.loc),
    ]
    codes += [("form code", a.form.code, a.form.loc) for a in doc.appendices]
    for what, code, loc in codes:
        problem = name_problem(code)
        if problem:
            diags.error(loc, f"{what} '{code[:40]}' {problem}", "name.code", "codes become parts of file names")
    what = "code, subsidiary code and version"
    if _too_long(handbook_stem(doc)):
        longer_here = len(doc.subsidiary.code) > len(doc.meta.code + doc.meta.version)
        where = doc.subsidiary.loc if longer_here else doc.meta.loc
        diags.error(where, f"the handbook's file name is too long ({what} together)", "limit.name", _HINT)
    for appendix in doc.appendices:
        if _too_long(form_stem(doc, appendix)):
            message = "the form's file name is too long (code, title and version)"
            diags.error(appendix.form.loc, message, "limit.name", _HINT)


_HINT = (
    f"file names are made of them and may have at most {limits.NAME_BYTES} bytes"
    f" (about {limits.NAME_BYTES // 3} Chinese characters)"
)


def _too_long(stem: str) -> bool:
    return len(stem.encode("utf-8")) > limits.NAME_BYTES - 40  # room for -v…, serial ranges and .docx
