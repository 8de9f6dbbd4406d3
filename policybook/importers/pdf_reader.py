"""Import stage: read a text PDF into lines (pypdf, layout mode), without page headers, footers and numbers.

A line that recurs at the top or bottom of most pages (digits aside) is a
running header or footer; a lone page number ("3", "- 3 -", "第 3 页 共 9 页")
there is a page number. Both are dropped and counted. A PDF without a text
layer (a scan) or with a password is an error, not an empty import.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from policybook.diagnostics import Loc, fail
from policybook.importers import markers
from policybook.importers.normalise import HAN, TERMINAL
from policybook.importers.paragraphs import Cell, Para, Table
from policybook.importers.report import Record

PAGE_NUMBER_RE = re.compile(
    r"^[-—–\s]*(?:第\s*\d+\s*[页頁](?:\s*[/／,，]?\s*共\s*\d+\s*[页頁])?|\d+\s*/\s*\d+|\d+|[Pp]age\s*\d+(?:\s*of\s*\d+)?)[-—–\s]*$"
)
PREFIX = 10  # characters a running header's start shares across pages
EDGE = 2  # lines at the top and bottom of a page that may be headers or footers
GAP_RE = re.compile(r"\S(?: {3,})\S")
MIN_TEXT = 20
MAX_PAGES = 2000  # a regulation; the 782-page sample handbook fits, a 10,000-page file is refused at once
MAX_TEXT = 20_000_000  # characters of text in all (layout mode pads lines with spaces)
PUNCT = "，。、；：！？（）《》“”"
LATIN_GAP_RE = re.compile(
    rf"(?<=[{HAN}{PUNCT}])[ \u00a0]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z%])[ \u00a0]+(?=[{HAN}{PUNCT}])"
)


def read_pdf(path: Path, record: Record) -> list[Para]:
    lines = [_lines(page) for page in _extract(path)]
    _drop_running(lines, record, path.name)
    if sum(len(re.sub(r"\s", "", line)) for page in lines for line in page) < MIN_TEXT:
        raise fail(
            Loc(str(path)),
            "the PDF has no text layer (a scanned document?)",
            "import.pdf-no-text",
            "run OCR first (e.g. ocrmypdf -l chi_sim in.pdf out.pdf) or import the Word original",
        )
    out: list[Para] = []
    for number, page in enumerate(lines, 1):
        out += _paras(page, f"{path.name} page {number}", record)
    return out


def _extract(path: Path) -> list[str]:
    """Each page's text laid out as on the page (pypdf's layout mode keeps indentation and gaps)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    if _encrypted(path):
        return _extract_decrypted(path)
    try:
        pages = PdfReader(str(path)).pages
        if len(pages) > MAX_PAGES:
            raise fail(
                Loc(str(path)),
                f"the PDF has {len(pages):,} pages; the importer reads at most {MAX_PAGES:,}",
                "import.pdf-pages",
                "split it (qpdf --split-pages=500 in.pdf out.pdf) and import the parts, or import the Word original",
            )
        return _texts(path, pages)
    except (PdfReadError, PyPdfError, ValueError, OSError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # pypdf's own limits (a Flate bomb: LimitReachedError) and malformed objects of every kind
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise fail(Loc(str(path)), f"not a readable PDF file ({reason})", "import.pdf") from None


def _texts(path: Path, pages: Any) -> list[str]:
    """Each page's text, within :data:`MAX_TEXT` characters in all."""
    out: list[str] = []
    total = 0
    for page in pages:
        out.append(page.extract_text(extraction_mode="layout"))
        total += len(out[-1])
        if total > MAX_TEXT:
            raise fail(Loc(str(path)), f"the PDF holds more than {MAX_TEXT:,} characters of text", "import.pdf-size")
    return out


def _encrypted(path: Path) -> bool:
    """qpdf --requires-password: 0 needs a password, 2 not encrypted, 3 encrypted without a user password."""
    try:
        done = subprocess.run(["qpdf", "--requires-password", str(path)], capture_output=True, check=False)
    except FileNotFoundError:
        raise fail(Loc(str(path)), "qpdf is not installed", "import.qpdf", "apt-get install qpdf") from None
    if done.returncode == 0:
        raise fail(
            Loc(str(path)),
            "the PDF is encrypted with a password",
            "import.pdf-encrypted",
            "save an unprotected copy first (qpdf --decrypt --password=… in.pdf out.pdf)",
        )
    return done.returncode == 3


def _extract_decrypted(path: Path) -> list[str]:
    """A PDF with only an owner password (restrictions) reads once qpdf has removed them."""
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "plain.pdf"
        done = subprocess.run(["qpdf", "--decrypt", str(path), str(plain)], capture_output=True, check=False)
        if done.returncode not in (0, 3):  # 3: warnings only
            raise fail(Loc(str(path)), "qpdf cannot decrypt the PDF", "import.pdf-encrypted")
        return _extract(plain)


def _lines(page: str) -> list[str]:
    lines = page.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return [line.rstrip() for line in lines]


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _edges(page: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(page) if line.strip()]
    return sorted(set(filled[:EDGE] + filled[-EDGE:]))


def _drop_running(pages: list[list[str]], record: Record, name: str = "") -> None:
    """Blank out running headers/footers (recurring at the page edges) and page numbers."""
    seen: Counter[str] = Counter(key for page in pages for key in {_key(page[i]) for i in _edges(page)})
    # a header naming the chapter recurs on that chapter's pages only: its start recurs on most pages,
    # or the whole line on three pages or more
    threshold = max(2, len(pages) // 2)
    starts = Counter(key[:PREFIX] for key in seen.elements() if len(key) >= PREFIX)
    running = {
        key
        for key, count in seen.items()
        if len(pages) >= 2
        and key not in ("", "#")
        and (count >= threshold or count >= 3 or (len(key) >= PREFIX and starts[key[:PREFIX]] >= threshold))
    }
    for number, page in enumerate(pages, 1):
        for index in _edges(page):
            line = page[index]
            if PAGE_NUMBER_RE.match(line.strip()):
                record.fixed("PDF page numbers removed")
                record.remove(f"{name} page {number}".strip(), "page furniture", line)
                page[index] = ""
            elif _key(line) in running:
                record.fixed("PDF running headers/footers removed")
                record.remove(f"{name} page {number}".strip(), "page furniture", line)
                page[index] = ""


def _paras(page: list[str], where: str, record: Record) -> list[Para]:
    """Lines with their indentation relative to the page's text margin (an indented line opens a paragraph),
    except the continuation lines of a hanging-indent item: indented under the item's text, not the page."""
    margin = min((len(line) - len(line.lstrip()) for line in page if line.strip()), default=0)
    out: list[Para] = []
    hang = -1  # the indent of the item whose lines are running on (-1: none)
    index = 0
    while index < len(page):
        if _is_table_row(page, index):
            index = _table(page, index, where, out, record)
            hang = -1
            continue
        line = page[index][margin:]
        indent = len(line) - len(line.lstrip(" \u3000"))
        text = _unspaced(line.strip(), record)
        if hang >= 0 and indent > hang and out and not out[-1].text.endswith(TERMINAL) and not _marker(text):
            out.append(Para(text, where))  # runs on under the item's text: no paragraph indent
            record.fixed("PDF continuation lines of hanging-indent items joined")
        else:
            hang = indent if _marker(text) else -1
            out.append(Para(("\u3000" if indent >= 2 else "") + text, where))
        index += 1
    return out


def _marker(text: str) -> bool:
    return markers.item(text) is not None


def _unspaced(text: str, record: Record) -> str:
    """Spaces a PDF writer put between Chinese and Latin letters or digits (超過 15分鐘, A 类) out."""
    text, gaps = LATIN_GAP_RE.subn("", text)
    record.fixed("spaces the PDF layout put between Chinese text and digits/Latin removed", gaps)
    return text


def _is_table_row(page: list[str], index: int) -> bool:
    """Two or more lines in a row split into the same number (≥ 2) of columns by wide gaps."""

    def columns(i: int) -> int:
        if i >= len(page) or not GAP_RE.search(page[i]) or markers.starts_block(page[i]):
            return 0
        cells = re.split(r" {3,}", page[i].strip())
        return len(cells) if all(len(c) <= 25 for c in cells) else 0

    return columns(index) >= 2 and columns(index) == columns(index + 1)


def _table(page: list[str], index: int, where: str, out: list[Para], record: Record) -> int:
    width = len(re.split(r" {3,}", page[index].strip()))
    rows: list[list[Cell]] = []
    while index < len(page) and GAP_RE.search(page[index]):
        cells = re.split(r" {3,}", page[index].strip())
        if len(cells) != width:
            break
        rows.append([Cell(c) for c in cells])
        index += 1
    out.append(Para("", where, table=Table(rows)))
    record.doubt(where, f"a {len(rows)}×{width} table rebuilt from the PDF's text layout — check its cells")
    return index
