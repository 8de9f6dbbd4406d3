"""Write stage (forms): appearance streams (what a widget looks like), as PDF content bytes.

We draw every appearance ourselves: Poppler hides checkbox ticks when
NeedAppearances is set, and pypdf neither wraps multi-line text nor knows a CJK
font's metrics. Coordinates are relative to the widget's box (origin bottom-left).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policybook.writers.forms.cjkfont import CutFont

NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]}%")
TOKEN_RE = re.compile(r"[A-Za-z0-9@._%+\-/:]+ ?|.", re.S)  # a Latin word (with one space) or one character
PAD = 4.0  # points of padding inside a text box (matches the layout's cell inset)
MIN_SIZE = 7.0  # points: a value set smaller than this is still drawn whole, and reported
FLOOR_SIZE = 3.0  # points: the smallest size tried before giving up on fitting
LEADING = 1.15  # line height of wrapped values, in ems
KAPPA = 0.5523  # Bézier handle length for a quarter circle


@dataclass(frozen=True)
class Pen:
    font: CutFont
    resource: str  # the font's name in /DR, e.g. /PBF
    size: float
    color: tuple[float, float, float]

    def fill(self) -> str:
        return "{:.3f} {:.3f} {:.3f} rg".format(*self.color)

    def show(self, text: str, x: float, y: float, size: float | None = None) -> str:
        size = size or self.size
        code = self.font.encode(text).hex().upper()
        return f"BT {self.resource} {size:.2f} Tf {self.fill()} {x:.2f} {y:.2f} Td <{code}> Tj ET"

    def baseline(self, h: float, size: float) -> float:
        """The baseline that centres a line of ``size`` in a box ``h`` high."""
        asc, desc = self.font.ascent / 1000 * size, -self.font.descent / 1000 * size
        return (h - asc - desc) / 2 + desc


@dataclass(frozen=True)
class Drawn:
    """An appearance stream and the size its text was set in."""

    content: bytes
    size: float

    @property
    def small(self) -> bool:
        return self.size < MIN_SIZE - 0.01


def marked(body: list[str]) -> bytes:
    return ("/Tx BMC q " + " ".join(body) + " Q EMC").encode("ascii")


def text_line(pen: Pen, text: str, w: float, h: float, size: float = 0, centred: bool = False) -> Drawn:
    """One line, vertically centred, left-aligned or centred. Too long, it is set smaller,
    down to MIN_SIZE; still too long, it wraps onto as many lines as the box holds (at the
    largest size that fits, never below MIN_SIZE if it can be helped). Nothing is cut:
    a value that fits only below MIN_SIZE is drawn smaller and reported (``Drawn.small``)."""
    text = " ".join(text.split())
    size = size or pen.size
    room = w - 2 * PAD if not centred else w - 2
    natural = pen.font.width(text, size)
    fitted = size if natural <= room else size * room / natural
    if fitted >= min(MIN_SIZE, size):
        x = (w - pen.font.width(text, fitted)) / 2 if centred else PAD
        return Drawn(marked([clip(w, h), pen.show(text, x, pen.baseline(h, fitted), fitted)]), fitted)
    return _wrapped(pen, text, w, h, size, room)


def _wrapped(pen: Pen, text: str, w: float, h: float, size: float, room: float) -> Drawn:
    """``text`` on several lines, at the largest size whose lines fit the box's height."""
    rows, step = [text], size
    for tenth in range(int(size * 10), int(FLOOR_SIZE * 10) - 1, -2):
        step = tenth / 10
        rows = wrap(pen.font, text, step, room)
        if len(rows) * step * LEADING <= h - 2 and all(pen.font.width(r, step) <= room for r in rows):
            break
    lead = step * LEADING
    top = (h + len(rows) * lead) / 2
    body = [clip(w, h)]
    for i, row in enumerate(rows):
        body.append(pen.show(row, PAD, top - (i + 1) * lead + pen.baseline(lead, step), step))
    return Drawn(marked(body), step)


def text_block(pen: Pen, text: str, w: float, h: float, lines: int) -> Drawn:
    """Wrapped text on the form's ruled lines; more lines than rules share the height, set
    smaller and wrapped again at that size (so the whole width is used); nothing is cut."""
    room, avail = w - 2 * PAD, h - 2 * 2.835  # the layout keeps 1 mm above and below the rules
    band = avail / max(lines, 1)
    size = pen.size
    rows = wrap(pen.font, text, size, room)
    while len(rows) * size / 0.8 > avail + 0.01 and size > FLOOR_SIZE:
        size = round(size - 0.2, 1)
        rows = wrap(pen.font, text, size, room)
    step = min(band, avail / max(len(rows), 1))
    size = min(size, step * 0.8)
    top = h - 2.835
    body = [clip(w, h)]
    for i, row in enumerate(rows):
        y = top - (i + 1) * step + pen.baseline(step, size)
        body.append(pen.show(row, PAD, y, size))
    return Drawn(marked(body), size)


def wrap(font: CutFont, text: str, size: float, width: float) -> list[str]:
    """Greedy line breaking: between CJK characters or Latin words, never before closing punctuation."""
    rows: list[str] = []
    for para in text.replace("\r\n", "\n").split("\n"):
        row = ""
        for token in TOKEN_RE.findall(para):
            if row and font.width(row + token, size) > width and token[0] not in NO_LINE_START:
                rows.append(row.rstrip())
                row = token.lstrip()
            else:
                row += token
        rows.append(row)
    return rows


def clip(w: float, h: float) -> str:
    return f"0 0 {w:.2f} {h:.2f} re W n"


def tick(w: float, h: float, color: tuple[float, float, float]) -> bytes:
    """A hand-drawn-looking check mark inside a checkbox."""
    r, g, b = color
    pts = [(0.18 * w, 0.52 * h), (0.42 * w, 0.22 * h), (0.86 * w, 0.88 * h)]
    path = f"{pts[0][0]:.2f} {pts[0][1]:.2f} m " + " ".join(f"{x:.2f} {y:.2f} l" for x, y in pts[1:])
    return f"q {r:.3f} {g:.3f} {b:.3f} RG {max(w, h) * 0.14:.2f} w 1 J 1 j {path} S Q".encode("ascii")


def dot(w: float, h: float, color: tuple[float, float, float]) -> bytes:
    """A filled dot inside a radio button's printed circle."""
    r, g, b = color
    cx, cy, rad = w / 2, h / 2, min(w, h) * 0.28
    k = rad * KAPPA
    path = (
        f"{cx + rad:.2f} {cy:.2f} m "
        f"{cx + rad:.2f} {cy + k:.2f} {cx + k:.2f} {cy + rad:.2f} {cx:.2f} {cy + rad:.2f} c "
        f"{cx - k:.2f} {cy + rad:.2f} {cx - rad:.2f} {cy + k:.2f} {cx - rad:.2f} {cy:.2f} c "
        f"{cx - rad:.2f} {cy - k:.2f} {cx - k:.2f} {cy - rad:.2f} {cx:.2f} {cy - rad:.2f} c "
        f"{cx + k:.2f} {cy - rad:.2f} {cx + rad:.2f} {cy - k:.2f} {cx + rad:.2f} {cy:.2f} c"
    )
    return f"q {r:.3f} {g:.3f} {b:.3f} rg {path} f Q".encode("ascii")
