"""Layout that readers notice: titles in the contents line up between 第一章 and 第十一章
(PDF and DOCX), on the sample handbook, which has thirteen chapters."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from policybook.build import check
from policybook.model import Document
from tests.conftest import REPO

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def sample() -> Document:
    return check(REPO / "handbook", ["sh"]).documents["sh"]


def test_pdf_contents_titles_line_up(sample: Document, tmp_path: Path) -> None:
    import pymupdf

    from policybook.writers.pdf import write_pdf
    from policybook.writers.pdf.engine import PdfOptions

    [pdf] = write_pdf(sample, tmp_path, PdfOptions())
    titles = [c.title for c in sample.chapters]
    assert len(titles) >= 11
    with pymupdf.open(pdf) as document:
        page = next(p for p in document if p.search_for(titles[10]) and p.search_for(titles[0]))
        xs = [page.search_for(title)[0].x0 for title in (titles[0], titles[9], titles[10])]
    assert max(xs) - min(xs) < 0.5, xs


def test_docx_contents_has_one_title_stop_per_level(sample: Document) -> None:
    from policybook.writers.docx import Draft

    with zipfile.ZipFile(io.BytesIO(Draft(sample).data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    starts = tuple(c.number for c in sample.chapters)
    level_one = [p for p in root.iter(f"{W}p") if p.find(f"{W}hyperlink") is not None and _text(p).startswith(starts)]
    assert len(level_one) >= 11
    stops = {p.find(f"{W}pPr/{W}tabs/{W}tab").get(f"{W}pos") for p in level_one}
    assert len(stops) == 1
    assert _text(level_one[10]).startswith(f"{sample.chapters[10].number}\t{sample.chapters[10].title}")


def _text(p: etree._Element) -> str:
    shown = [e for e in p.iter(f"{W}t", f"{W}tab") if e.getparent().tag != f"{W}tabs"]  # not the tab stops
    return "".join("\t" if e.tag == f"{W}tab" else (e.text or "") for e in shown)
