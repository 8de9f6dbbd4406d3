"""PDF writer: structure of the handbook PDF (text, pages, bookmarks, fonts, metadata)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageChops

from policybook.build import check
from policybook.diagnostics import SourceError
from policybook.model import Document
from policybook.writers import available
from policybook.writers.forms.typeset import typeset
from policybook.writers.pdf import render, write_pdf
from policybook.writers.pdf.engine import PdfOptions

ROOTS = Path(__file__).parent / "roots"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
ARTICLE_LINE = re.compile(r"^(第[〇零一二三四五六七八九十百]+[条條])")

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def documents(root: str) -> dict[str, Document]:
    return check(ROOTS / root / "handbook").documents


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One PDF per (root, subsidiary), built once for the whole module."""
    out = tmp_path_factory.mktemp("pdf")
    paths: dict[str, Path] = {}
    for root in ("basic", "pdf-special", "pdf-hant"):
        for sub_id, doc in documents(root).items():
            folder = out / root / sub_id
            folder.mkdir(parents=True)
            paths[f"{root}/{sub_id}"] = write_pdf(doc, folder, PdfOptions())[0]
    return paths


def text(pdf: Path, first: int = 0, last: int = 0) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def squeeze(value: str) -> str:
    """Text without the spaces pdftotext puts at CJK/Latin spacing and letter tracking."""
    return re.sub(r"\s+", "", value)


def test_registered() -> None:
    assert "pdf" in available()


def test_file_name_and_page_count(built: dict[str, Path]) -> None:
    pdf = built["basic/a"]
    assert pdf.name == "T-001-A-v1.0.pdf"
    pages = len(pypdf.PdfReader(pdf).pages)
    assert 5 <= pages <= 12  # cover, revisions, contents, 2 chapters, appendix list and page


def test_long_handbook_breaks_pages(built: dict[str, Path]) -> None:
    assert len(pypdf.PdfReader(built["pdf-hant/tw"]).pages) >= 7


@pytest.mark.parametrize("key", ["basic/a", "basic/b", "pdf-hant/tw", "pdf-hant/cn"])
def test_every_article_heading_in_order(built: dict[str, Path], key: str) -> None:
    root, sub_id = key.split("/")
    doc = documents(root)[sub_id]
    expected = [a.number for c in doc.chapters for a in c.articles()]
    found = [m.group(1) for line in text(built[key]).splitlines() if (m := ARTICLE_LINE.match(line.strip()))]
    assert found == expected


def test_untitled_article_leads_into_its_text(built: dict[str, Path]) -> None:
    assert "第二条本手册适用于甲公司全体员工" in squeeze(text(built["basic/a"]))


def test_items_printed_with_their_numbers(built: dict[str, Path]) -> None:
    body = squeeze(text(built["basic/a"]))
    assert "（一）第一项" in body and "1.子项" in body and "（二）第二项" in body


def toc_entries(pdf: Path) -> list[tuple[str, str]]:
    """(entry text, printed page) from the contents page(s)."""
    reader = pypdf.PdfReader(pdf)
    labels = reader.page_labels
    entries: list[tuple[str, str]] = []
    for index, label in enumerate(labels):
        if label.isupper():  # front matter: I, II, …
            for line in text(pdf, index + 1).splitlines():
                match = re.match(r"^(.+?)\s*(?:·\s*)+[\u2060\s]*(\d+)$", line.strip())
                if match:
                    entries.append((match.group(1).strip(), match.group(2)))
    return entries


@pytest.mark.parametrize("key", ["basic/a", "pdf-hant/tw", "pdf-hant/cn"])
def test_contents_page_numbers_point_at_headings(built: dict[str, Path], key: str) -> None:
    pdf = built[key]
    labels = pypdf.PdfReader(pdf).page_labels
    entries = toc_entries(pdf)
    assert len(entries) >= 3
    for title, page in entries:
        # pdftotext may print number, title (and a form's code) apart on the page
        on_page = squeeze(text(pdf, labels.index(page) + 1))
        assert all(part in on_page for part in title.split()), (title, page)


def test_contents_lists_chapters_and_sections_not_articles(built: dict[str, Path]) -> None:
    titles = [squeeze(t) for t, _ in toc_entries(built["pdf-hant/tw"])]
    assert titles[:3] == ["第一章總則", "第一節一般規定", "第二節細則"]
    assert not any(ARTICLE_LINE.match(t) for t in titles)


def outline_titles(pdf: Path) -> list[str]:
    def walk(items: list) -> list[str]:  # type: ignore[type-arg]
        out: list[str] = []
        for item in items:
            out.extend(walk(item) if isinstance(item, list) else [item.title])
        return out

    return walk(pypdf.PdfReader(pdf).outline)


def test_bookmarks_for_chapters_sections_and_articles(built: dict[str, Path]) -> None:
    titles = outline_titles(built["basic/a"])
    assert "第一章\u3000总则" in titles
    assert "第一节\u3000一般规定" in titles
    assert "第三条\u3000迟到" in titles and "第二条" in titles  # titled and untitled articles
    assert "修订记录" in titles and "附件一\u3000请假申请表\u3000F-1" in titles


def test_cross_references_are_internal_links(built: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(built["basic/a"])
    dests = set(reader.named_destinations)
    assert {"art-late", "leave", "ch-general", "sec-general"} <= dests
    links = [a.get_object() for page in reader.pages for a in page.get("/Annots", []) or []]
    targets = [link["/Dest"] for link in links if "/Dest" in link]
    named = {str(dest) for dest in targets if isinstance(dest, str)}
    explicit = [dest for dest in targets if not isinstance(dest, str)]
    assert {"art-late", "leave", "ch-general", "sec-general"} <= named <= dests
    assert len(explicit) >= 2  # the two item references (items have no named destination)


@pytest.mark.parametrize("key", ["basic/a", "pdf-hant/tw", "pdf-hant/cn"])
def test_fonts_embedded_as_subsets(built: dict[str, Path], key: str) -> None:
    out = subprocess.run(["pdffonts", str(built[key])], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        name, *_ = row.split()
        assert re.match(r"^[A-Z]{6}\+", name), row
        assert re.search(r"\byes\s+yes\s+yes\b", row), row


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
@pytest.mark.parametrize("key", ["basic/a", "pdf-special/x", "pdf-hant/tw", "pdf-hant/cn"])
def test_qpdf_check_clean(built: dict[str, Path], key: str) -> None:
    result = subprocess.run(["qpdf", "--check", str(built[key])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_metadata(built: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(built["basic/a"])
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "甲公司员工手册"
    assert "测试集团" in (meta.author or "") and "甲公司" in (meta.author or "")
    assert "T-001" in (meta.subject or "")
    keywords = meta.get("/Keywords", "")
    assert "v1.0" in keywords and "2026-01-01" in keywords
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert root["/PageMode"] == "/UseOutlines"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged


def test_running_header_and_footer(built: dict[str, Path]) -> None:
    pdf = built["basic/a"]
    labels = pypdf.PdfReader(pdf).page_labels
    page = squeeze(text(pdf, labels.index("1") + 1))
    total = sum(label.isdigit() for label in labels)
    assert "甲公司" in page and "第一章总则" in page
    assert f"第1页共{total}页" in page and "版本1.0" in page and "生效日期2026年1月1日" in page


def test_gbt9704_page_numbers(built: dict[str, Path]) -> None:
    pdf = built["pdf-hant/cn"]
    labels = pypdf.PdfReader(pdf).page_labels
    assert labels.index("1") % 2 == 0  # body starts on a right-hand (odd) page
    assert squeeze(text(pdf, labels.index("1") + 1)).endswith("—1—")
    assert squeeze(text(pdf, labels.index("2") + 1)).endswith("—2—")
    box = pypdf.PdfReader(pdf).pages[labels.index("1")].mediabox
    assert round(float(box.width) * 25.4 / 72) == 210 and round(float(box.height) * 25.4 / 72) == 297


def test_cover_and_revisions(built: dict[str, Path]) -> None:
    cover = squeeze(text(built["basic/a"], 1))
    for value in ("员工手册", "甲公司", "测试集团", "T-001", "1.0", "2026年1月1日"):
        assert value in cover
    revisions = squeeze(text(built["basic/a"], 2))
    assert "首次发布" in revisions and "2026年1月1日" in revisions and "2026-01-01" not in revisions


def test_appendix_lists_forms(built: dict[str, Path]) -> None:
    pdf = built["basic/a"]
    pages = [squeeze(text(pdf, n + 1)) for n in range(len(pypdf.PdfReader(pdf).pages))]
    listing = next(p for p in pages if all(w in p for w in ("名称", "编号", "版本", "《请假申请表》")))
    assert "附件一《请假申请表》" in listing and "F-1" in listing and "1.0" in listing


def test_appendix_is_the_form_as_it_prints(built: dict[str, Path], tmp_path: Path) -> None:
    """The form's page in the handbook is the blank form itself: same text, same drawing."""
    handbook = built["basic/a"]
    reader = pypdf.PdfReader(handbook)
    page = next(n for n in range(len(reader.pages)) if "F-1·V1.0·附件一" in squeeze(text(handbook, n + 1)))
    doc = check(ROOTS / "basic" / "handbook", ["a"]).documents["a"]
    alone = tmp_path / "form.pdf"
    alone.write_bytes(typeset(doc, doc.appendices[0]).pdf)
    on_page, form_text = Counter(squeeze(text(handbook, page + 1))), Counter(squeeze(text(alone, 1)))
    assert not form_text - on_page, "every character of the form, in the handbook"
    assert "版本1.0" in squeeze(text(handbook, page + 1)), "the book's edition line below the form"
    assert "/Annots" not in reader.pages[page], "the printed blank, no fields"
    inside, own = _gray(handbook, page + 1), _gray(alone, 1)
    assert inside.size == own.size
    above_mark = (0, 0, own.size[0], own.size[1] - 12)  # the edition line sits in the bottom 5 mm
    assert _mean_diff(inside.crop(above_mark), own.crop(above_mark)) < 1.0, "drawn like the form printed alone"


def _gray(pdf: Path, page: int) -> Image.Image:
    command = ["pdftoppm", "-r", "50", "-png", "-f", str(page), "-l", str(page), str(pdf)]
    return Image.open(io.BytesIO(subprocess.run(command, capture_output=True, check=True).stdout)).convert("L")


def _mean_diff(one: Image.Image, two: Image.Image) -> float:
    histogram = ImageChops.difference(one, two).histogram()
    return sum(i * n for i, n in enumerate(histogram)) / max(sum(histogram), 1)


def test_special_characters_print_literally(built: dict[str, Path]) -> None:
    pdf = built["pdf-special/x"]
    body = text(pdf)
    for literal in (
        '#import "x"',
        "] [",
        "$a + b$",
        "@label",
        "<b>粗体</b>",
        "#strong[不加粗]",
        "#emph[条]",
        "<label>",
        "#let x = 1",
        "#set text(red)",
        "\\",
    ):
        assert literal in body, literal
    assert "$1]" in squeeze(body) and "员工手册<b>" in squeeze(body)
    assert "#sym.dollar" in body


def test_traditional_chinese_uses_tc_fonts(built: dict[str, Path]) -> None:
    pdf = built["pdf-hant/tw"]
    body = text(pdf)
    assert "第一條" in body and "總則" in body
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"CJK(tc|hk)", fonts) and not re.search(r"CJKsc", fonts)
    assert pypdf.PdfReader(pdf).trailer["/Root"]["/Lang"] == "zh-TW"


def test_table_header_repeats_on_every_page(built: dict[str, Path]) -> None:
    pdf = built["pdf-hant/tw"]
    pages = [i + 1 for i, label in enumerate(pypdf.PdfReader(pdf).page_labels) if label.isdigit()]
    spanning = [p for p in pages if re.search(r"第\d+類", squeeze(text(pdf, p)))]
    assert len(spanning) >= 2
    assert "第1類" in squeeze(text(pdf, spanning[0])) and "第70類" in squeeze(text(pdf, spanning[-1]))
    for page in spanning:
        found = squeeze(text(pdf, page))
        first_row = re.search(r"第\d+類", found)
        assert first_row and "類別" in found[: first_row.start()] and "天數" in found[: first_row.start()], page


def test_same_source_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    doc = documents("basic")["a"]
    first = render(doc, PdfOptions())
    second = render(documents("basic")["a"], PdfOptions())
    assert first == second
    assert b"D:20260101000000" in first


def test_pdfa_2b_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("POLICYBOOK_PDF_STANDARD", "a-2b")
    pdf = write_pdf(documents("basic")["a"], tmp_path)[0]
    data = pdf.read_bytes()
    assert b"<pdfaid:part>2</pdfaid:part>" in data and b"<pdfaid:conformance>B</pdfaid:conformance>" in data
    if shutil.which("qpdf"):
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0 and "WARNING" not in result.stdout + result.stderr


def test_unknown_standard_is_a_diagnostic() -> None:
    with pytest.raises(SourceError, match="pdf.standard"):
        render(documents("basic")["a"], PdfOptions(standard="a-9z"))


def test_missing_fonts_are_a_diagnostic() -> None:
    doc = documents("basic")["a"]
    assert doc.brand is not None
    doc.brand.fonts = {**doc.brand.fonts, "body": ["No Such Font Family"]}
    with pytest.raises(SourceError, match=r"no body font .* is installed.*\[brand.font\]"):
        render(doc, PdfOptions())


@pytest.mark.parametrize("key", ["pdf-hant/tw", "pdf-hant/cn"])
def test_no_heading_left_alone_at_a_page_bottom(built: dict[str, Path], key: str) -> None:
    pdf = built[key]
    footer = re.compile(r"(第\d+[页頁]共\d+[页頁]|—\d+—|版本|生效日期)")
    for index, label in enumerate(pypdf.PdfReader(pdf).page_labels):
        if not label.isdigit():
            continue
        lines = [squeeze(line) for line in text(pdf, index + 1).splitlines() if line.strip()]
        body = [line for line in lines if not footer.search(line)]
        assert not re.fullmatch(r"第[一二三四五六七八九十百]+[条條]條款\d+", body[-1]), (label, body[-1])


def test_finish_edits_typst_catalog_without_reparsing() -> None:
    """Typst's own output takes the fast path, which sets the same keys pypdf would."""
    import importlib
    import io

    from pypdf import PdfReader

    from policybook.build import check
    from policybook.source.brand import default_brand
    from policybook.writers.pdf.engine import PdfOptions, compile_pdf

    finish = importlib.import_module("policybook.writers.pdf.finish")
    doc = check(ROOTS / "basic", ["a"]).documents["a"]
    raw = compile_pdf(doc, doc.brand or default_brand(), PdfOptions())
    fast = finish._finish_typst(raw)
    assert fast is not None and fast.startswith(raw)
    catalogs = [PdfReader(io.BytesIO(pdf)).trailer["/Root"] for pdf in (fast, finish._finish_any(raw))]
    for catalog in catalogs:
        assert catalog["/PageMode"] == "/UseOutlines"
        assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert finish._finish_typst(fast) is None  # an already updated file goes the careful way


def test_system_fonts_are_scanned_once_on_a_thread_while_the_source_is_read(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The build's early help for the PDF: the writers' font check finds the scan done, not started."""
    import threading

    import typst

    from policybook.writers import typst_fonts

    scans: list[tuple[str, tuple[str, ...]]] = []
    real = typst.Fonts

    def counted(font_paths: list[str]) -> typst.Fonts:
        scans.append((threading.current_thread().name, tuple(font_paths)))
        return real(font_paths=font_paths)

    monkeypatch.setattr(typst, "Fonts", lambda font_paths: counted(font_paths))
    typst_fonts._scanned.cache_clear()
    try:
        run = cli("build", ROOTS / "basic" / "handbook", "-s", "a", "-f", "pdf", "-o", tmp_path / "out", "--no-cache")
    finally:
        typst_fonts._scanned.cache_clear()  # the stand-in's scans are not kept for later tests
    assert run.code == 0, run.err
    assert [s for s in scans if s[1] == ()] == [("policybook-fonts", ())]
    assert "policybook-fonts" not in {t.name for t in threading.enumerate()}  # the build waited for it


def test_a_fork_waits_for_a_font_scan_under_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chapters may be parsed in forked workers while the early scan runs: no child starts with
    the scan cut off halfway, and the child can scan fonts itself."""
    import os
    import threading
    import time

    from policybook.writers import typst_fonts

    events: list[str] = []

    def slow(dirs: tuple[str, ...]) -> object:
        time.sleep(0.3)
        events.append("scanned")
        return object()

    monkeypatch.setattr(typst_fonts, "_scanned", slow)
    scan = threading.Thread(target=typst_fonts.fonts)
    scan.start()
    time.sleep(0.05)
    pid = os.fork()
    if pid == 0:  # the child: the lock is free here
        os._exit(0 if typst_fonts._SCANNING.acquire(timeout=1) else 1)
    events.append("forked")
    _, status = os.waitpid(pid, 0)
    scan.join()
    assert events == ["scanned", "forked"]
    assert os.waitstatus_to_exitcode(status) == 0


def test_an_early_font_scan_that_fails_is_left_to_the_writers_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """No traceback from the thread: the check that needs the fonts scans again and reports."""
    import threading

    from policybook.writers import typst_fonts

    def broken(dirs: tuple[str, ...]) -> object:
        raise RuntimeError("font folder unreadable")

    escaped: list[object] = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)  # what would print a traceback
    monkeypatch.setattr(typst_fonts, "_scanned", broken)
    with typst_fonts.early():
        pass
    assert escaped == []
    with pytest.raises(RuntimeError, match="unreadable"):
        typst_fonts.fonts()
