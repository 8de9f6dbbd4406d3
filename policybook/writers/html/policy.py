"""Write stage (html): what the site's pages may load and which names its files may take.

One Content-Security-Policy for the ``<meta>`` of every page and the header
``serve`` sends: scripts and styles only from the site's own files (no inline
script, no ``eval``), nothing from another origin, no plugins, no ``<base>``.
Style *attributes* stay allowed (a table's column widths are one).

A name taken from the source (a chapter's id) becomes a file name and a link
only when it is a plain label that is not one of the site's own pages;
anything else is derived from a hash.
"""

from __future__ import annotations

import re

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
SAFE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,99}")  # no dots, slashes, colons or spaces: never a path or a scheme
RESERVED = frozenset({"index", "search", "appendices", "revisions", "assets"})  # the site's own pages and folders


def plain_label(label: str) -> bool:
    """May ``label`` be an element id and a link's fragment as it is?"""
    return bool(SAFE_NAME.fullmatch(label))


def page_name_ok(label: str, taken: set[str]) -> bool:
    """May ``label`` name a page (``label.html``)? ``taken``: page names in use, lower case."""
    return plain_label(label) and label.lower() not in RESERVED and label.lower() not in taken
