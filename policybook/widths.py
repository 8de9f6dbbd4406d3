"""How wide text prints, in half-em units: a CJK or full-width character counts two.

The writers size table columns and contents-page number columns with it; the
importer tells a wrapped line of a PDF's text from a short heading.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Width in half-em units: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
