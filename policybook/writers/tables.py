"""Write stage, shared by the PDF and DOCX writers: how wide each table column is.

The way browsers lay out automatic tables: every column gets at least what it
cannot do without (a short header such as 分值 on one line, the longest Latin
word or number of any cell), and the room left is shared in proportion to how
much more each column would like (its longest line). So a column of short
numbers is never the one with the long sentences squeezed into it, and a
two-character header never breaks into one character per line. Widths the
author set (``{widths="1,3,1"}``) win. Units are half an em of the table's text
(a CJK character is 2, a Latin letter about 1).
"""

from __future__ import annotations

import re

from policybook.model import Brand, Table, plain_text
from policybook.widths import display_width
from policybook.writers.units import length_pt

PADDING = 3.0  # cell insets left and right, plus a little slack for bold headers
SHORT_HEADER = 12  # a header line up to this many units (6 CJK characters) never breaks
SHORT_CELL = 6  # nor does a body line this short (三等, 40分, 优秀)
WORD_RE = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


def column_widths(table: Table, total: float) -> list[float]:
    """Each column's width in the units of ``total`` (they add up to ``total``)."""
    count = max([len(table.header), *(len(r) for r in table.rows)])
    if not count:
        return []
    if len(table.widths) == count:
        return [total * w / sum(table.widths) for w in table.widths]
    least, wanted = _needs(table, count)
    return _share(least, wanted, total)


def least_widths(table: Table, comfort: float = 14.0) -> list[float]:
    """The narrowest each column reads well, in half-ems: as wide as its longest unbreakable
    word, and a column with more text at least ``comfort`` (five characters and the insets)."""
    count = max([len(table.header), *(len(r) for r in table.rows)], default=0)
    least, wanted = _needs(table, count)
    return [min(w, max(m, comfort)) for m, w in zip(least, wanted, strict=True)]


def _needs(table: Table, count: int) -> tuple[list[float], list[float]]:
    """(minimum, preferred) width of every column; cells spanning columns are left out."""
    wide = {(s.row, s.column) for s in table.spans if s.columns > 1}
    least, wanted = [PADDING + 2] * count, [PADDING + 2] * count
    for r, row in enumerate([table.header, *table.rows]):
        for c, cell in enumerate(row[:count]):
            if (r, c) in wide:
                continue
            lines = plain_text(cell).split("\n")
            short = SHORT_HEADER if r == 0 else SHORT_CELL
            for line in lines:
                width = display_width(line.strip())
                unbreakable = width if width <= short else max([2, *map(display_width, WORD_RE.findall(line))])
                least[c] = max(least[c], unbreakable + PADDING)
                wanted[c] = max(wanted[c], width + PADDING)
    return least, wanted


def _share(least: list[float], wanted: list[float], total: float) -> list[float]:
    if sum(wanted) <= total:  # everything fits on one line: spread the spare room evenly by need
        return [total * w / sum(wanted) for w in wanted]
    if sum(least) >= total:
        return [total * m / sum(least) for m in least]
    room = total - sum(least)
    extra = [w - m for w, m in zip(wanted, least, strict=True)]
    return [m + room * e / sum(extra) for m, e in zip(least, extra, strict=True)]


def text_units(brand: Brand, width_pt: float, scale: float = 0.9) -> float:
    """The text width ``width_pt`` in half-ems of table text (``scale`` × the body size)."""
    size = length_pt(brand.text.get("body-size", "10.5pt"), 10.5) * scale
    return width_pt / (size / 2)
