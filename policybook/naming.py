"""Output file names: every name carries document code, subsidiary and version.

One place decides names, so the handbook, the forms, the manifest and the
change tables agree.
"""

from __future__ import annotations

import re

from policybook.model import Appendix, Document

UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def safe(part: str) -> str:
    return UNSAFE.sub("_", part).strip("_")


def handbook_stem(doc: Document) -> str:
    """e.g. ``HY-HR-001-SH-v3.2``."""
    return safe(f"{doc.meta.code}-{doc.subsidiary.code}-v{doc.meta.version}")


def form_stem(doc: Document, appendix: Appendix) -> str:
    """e.g. ``附件一-HR-F-003-请假申请表-SH-v2.0``: appendix number, code, title, subsidiary, version."""
    form = appendix.form
    return safe(f"{appendix.number}-{form.code}-{form.title}-{doc.subsidiary.code}-v{form.version}")
