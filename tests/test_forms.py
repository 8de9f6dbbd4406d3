"""Forms: fillable PDF fields, CSV filling and flattening, pads, DOCX content controls, CSV errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from policybook.build import check
from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Document
from policybook.writers.forms import pdf, write
from policybook.writers.forms.acroform import read_values
from policybook.writers.forms.fill import Request, run
from tests.clients import libreoffice_pdf

ROOT = Path(__file__).parent / "roots" / "forms-leave"
STEM = "附件一-HR-F-003-请假申请表-SH-v2.0"
HEADER = "applicant,employee_no,department,leave_type,date_from,date_to,days,reason,rating,dept_sign,dept_sign_date\n"
ZHANG = (
    "张伟,HY0117,研发部,病假;年假,2026-12-03,2026-12-05,3,"
    "急性肠胃炎，遵医嘱休息三天。工作已交接给李娜。,良,王强,2026-12-02\n"
)
LI = "李喆,HY0301,市场部,事假,2026-12-10,2026-12-10,1,家中有事,优,,\n"


@pytest.fixture(scope="module")
def doc() -> Document:
    return check(ROOT, ["sh"]).documents["sh"]


@pytest.fixture(scope="module")
def blank(doc: Document, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("blank")
    files = write(doc, folder)
    assert {f.name for f in files} == {
        f"{STEM}.pdf",
        f"{STEM}.docx",
        "附件二-CS-F-001-客户服务记录单-SH-v1.3.pdf",
        "附件二-CS-F-001-客户服务记录单-SH-v1.3.docx",
    }
    return folder / "forms"


@pytest.fixture(scope="module")
def filled(doc: Document, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("filled")
    data = folder / "leave.csv"
    data.write_text(HEADER + ZHANG + LI, encoding="utf-8")
    editable = run(doc, Request("leave-request", fill=data), folder / "editable")
    flat = run(doc, Request("leave-request", fill=data, flatten=True), folder / "flat")
    return {"editable": editable[0], "flat": flat[0], "flat2": flat[1]}


def _text(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _qpdf_ok(path: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


# ---------------------------------------------------------------- blank fillable PDF


def test_fields_have_names_types_and_hints(blank: Path) -> None:
    fields = PdfReader(blank / f"{STEM}.pdf").get_fields() or {}
    text = ["serial_no", "applicant", "employee_no", "department", "days", "reason", "dept_sign"]
    parts = [f"{date}.{p}" for date in ("filled_on", "date_from", "date_to", "dept_sign_date") for p in "ymd"]
    for name in text + parts:
        assert fields[name].get("/FT") == "/Tx", name
    assert int(fields["reason"].get("/Ff", 0)) & (1 << 12), "multi-line flag"
    assert [int(fields[f"date_from.{p}"].indirect_reference.get_object()["/MaxLen"]) for p in "ymd"] == [4, 2, 2]
    assert fields["date_from.m"]["/TU"] == "起始日期（月）"
    assert [f"leave_type.{i}" for i in range(1, 6)] == [n for n in fields if n.startswith("leave_type.")]
    assert fields["leave_type.2"]["/TU"] == "请假类别：病假"
    assert set(fields["leave_type.2"]["/_States_"]) == {"/Yes", "/Off"}
    assert int(fields["rating"]["/Ff"]) & (1 << 15), "radio flag"
    assert {"/1", "/2", "/3", "/4"} <= set(fields["rating"]["/_States_"])
    assert not any(n.startswith("审批说明") for n in fields), "static cells are not fields"
    assert all(name.isascii() for name in fields), "field names are ASCII"


def test_tooltips_say_the_label_once(blank: Path) -> None:
    reader = PdfReader(blank / f"{STEM}.pdf")
    tips = {a.get_object().get("/T"): a.get_object().get("/TU") for a in reader.pages[0]["/Annots"]}
    fields = reader.get_fields() or {}
    assert tips["applicant"] == "姓名" and fields["dept_sign"]["/TU"] == "部门负责人签字"
    assert fields["dept_sign_date"]["/TU"] == "部门负责人签字日期"
    assert not any(re.search(r"(签字|日期)\1", str(tip)) for tip in tips.values())


def test_number_and_date_fields_take_digits_only(blank: Path) -> None:
    fields = PdfReader(blank / f"{STEM}.pdf").get_fields() or {}
    for name in ("days", "date_from.y", "date_from.d"):
        actions = fields[name].indirect_reference.get_object()["/AA"]
        assert "AFNumber_Keystroke" in actions["/K"]["/JS"], name
    month = fields["date_from.m"].indirect_reference.get_object()["/AA"]
    assert month["/V"]["/JS"] == "AFRange_Validate(true, 1, true, 12);"


def test_widgets_sit_in_their_cells(blank: Path) -> None:
    """The 姓名 widget starts right of its label and spans the label's line (no centring shift)."""
    bbox = _text(blank / f"{STEM}.pdf", "-bbox")
    label = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">姓名<', bbox)
    assert label, "label 姓名 in the page text"
    x_max, y_mid = float(label[3]), (float(label[2]) + float(label[4])) / 2
    reader = PdfReader(blank / f"{STEM}.pdf")
    height = float(reader.pages[0].mediabox.height)
    widget = next(a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/T") == "applicant")
    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    assert x0 > x_max and x1 - x0 > 40
    assert height - y1 < y_mid < height - y0, "widget box covers the label's line"


def test_typed_text_uses_a_standard_cjk_font(blank: Path) -> None:
    """Viewers draw typed text with Adobe's Song (any GB 18030 BMP character); a blank embeds no field
    font. Not named STSong-Light (pdftk-java fails on it); an identity /ToUnicode for pypdf."""
    pdf = blank / f"{STEM}.pdf"
    form = PdfReader(pdf).trailer["/Root"]["/AcroForm"]
    font = form["/DR"]["/Font"]["/PBS"].get_object()
    assert font["/BaseFont"] == "/AdobeSongStd-Light" and font["/Encoding"] == "/UniGB-UCS2-H"
    assert b"<4E00> <4EFF> <4E00>" in font["/ToUnicode"].get_object().get_data()
    assert "/FontFile3" not in font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    assert str(form["/DA"]).startswith("/PBS ") and "/PBF" not in form["/DR"]["/Font"]
    assert "/NeedAppearances" not in form
    assert pdf.stat().st_size < 150_000


def test_filled_form_embeds_only_the_characters_used(filled: dict[str, Path]) -> None:
    for key in ("editable", "flat"):
        reader = PdfReader(filled[key])
        fonts = [f for f in _fonts(reader) if "/FontFile3" in f and "Noto" in str(f["/FontName"])]
        cut = next(f for f in fonts if f["/FontFile3"].get_object().get("/Subtype") == "/CIDFontType0C")
        assert len(cut["/FontFile3"].get_object().get_data()) < 40_000, key
        assert filled[key].stat().st_size <= 150_000, key


def _fonts(reader: PdfReader) -> list[DictionaryObject]:
    """Every font descriptor reachable from the document catalog."""
    seen: set[int] = set()
    out: list[DictionaryObject] = []
    todo: list[object] = [reader.trailer["/Root"]]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if item.get("/Type") == "/FontDescriptor":
                out.append(item)
            todo.extend(v for k, v in item.items() if k not in ("/Parent", "/P"))
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return out


def test_blank_pdfs_pass_qpdf(blank: Path) -> None:
    for path in blank.glob("*.pdf"):
        _qpdf_ok(path)


def test_blank_shows_code_version_appendix_and_subsidiary(blank: Path) -> None:
    text = _text(blank / f"{STEM}.pdf")
    assert "HR-F-003 · V2.0 · 附件一" in text
    assert text.count("测试科技（上海）有限公司") >= 2, "header and footer"
    assert "请假应当提前3个工作日提交本表" in text.replace(" ", "")
    assert "□" not in text, "boxes are drawn, not font glyphs"


# ---------------------------------------------------------------- filling


def test_flattened_values_print_once_and_extract(filled: dict[str, Path]) -> None:
    text = _text(filled["flat"])
    for value in ("张伟", "HY0117", "研发部", "王强", "急性肠胃炎"):
        assert text.count(value) == 1, value
    assert re.search(r"2026\s*年\s*12\s*月\s*3\s*日", text), "date written into the 年/月/日 blanks"
    reader = PdfReader(filled["flat"])
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert "/Annots" not in reader.pages[0]
    assert "李喆" in _text(filled["flat2"]), "a name outside GB2312 still prints"


def test_flattened_tick_is_drawn(filled: dict[str, Path], blank: Path) -> None:
    """The 病假 box is darker once filled (Poppler shows our appearance stream)."""
    reader = PdfReader(blank / f"{STEM}.pdf")
    widget = next(
        a.get_object()
        for a in reader.pages[0]["/Annots"]
        if a.get_object().get("/T") == "2" and a.get_object()["/Parent"].get("/T") == "leave_type"
    )
    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    height = float(reader.pages[0].mediabox.height)
    crop = ["-r", "72", "-gray", "-x", str(int(x0) + 2), "-y", str(int(height - y1) + 2), "-W", "5", "-H", "5"]
    assert _ink(filled["flat"], crop) > _ink(blank / f"{STEM}.pdf", crop) + 20


def _ink(pdf: Path, crop: list[str]) -> float:
    out = subprocess.run(["pdftoppm", *crop, str(pdf)], capture_output=True, check=True).stdout
    pixels = out.split(b"\n", 3)[3]
    return sum(255 - p for p in pixels) / len(pixels)


def test_filled_fields_keep_values_and_states(doc: Document, filled: dict[str, Path]) -> None:
    reader = PdfReader(filled["editable"])
    fields = reader.get_fields() or {}
    assert fields["applicant"]["/V"] == "张伟"
    assert fields["leave_type.2"]["/V"] == "/Yes" and fields["leave_type.3"]["/V"] == "/Yes"
    assert fields["leave_type.1"]["/V"] == "/Off"
    assert fields["rating"]["/V"] == "/2"
    assert [fields[f"date_from.{p}"]["/V"] for p in "ymd"] == ["2026", "12", "3"]
    form = pdf.prepare(doc, doc.appendices[0])
    values = read_values(filled["editable"].read_bytes(), form.specs)
    assert values["leave_type"] == ["病假", "年假"] and values["rating"] == "良"
    assert values["date_from"] == "2026-12-03" and values["reason"].startswith("急性肠胃炎")
    _qpdf_ok(filled["editable"])
    _qpdf_ok(filled["flat"])


def test_multiline_text_is_wrapped(filled: dict[str, Path]) -> None:
    lines = [ln for ln in _text(filled["flat"], "-layout").splitlines() if "急性肠胃炎" in ln or "李娜" in ln]
    assert lines and "李娜" in _text(filled["flat"])


# ---------------------------------------------------------------- pads


def test_pad_has_consecutive_serials(doc: Document, tmp_path: Path) -> None:
    files = run(doc, Request("leave-request", serial_start=202611001, count=5, serial_format="{:09d}"), tmp_path)
    assert files[0].name == f"{STEM}-202611001-202611005.pdf"
    reader = PdfReader(files[0])
    assert len(reader.pages) == 5
    for page, number in enumerate(range(202611001, 202611006), start=1):
        assert re.findall(r"\b2026110\d\d\b", _text(files[0], "-f", str(page), "-l", str(page))) == [str(number)]
    _qpdf_ok(files[0])


def test_pad_prefix_format(doc: Document, tmp_path: Path) -> None:
    files = run(doc, Request("service-record", serial_start=42, count=2, serial_format="SZ-{n:05d}"), tmp_path)
    assert re.findall(r"SZ-\d+", _text(files[0])) == ["SZ-00042", "SZ-00043"]


# ---------------------------------------------------------------- DOCX


def test_docx_has_content_controls(blank: Path) -> None:
    with zipfile.ZipFile(blank / f"{STEM}.docx") as package:
        xml = package.read("word/document.xml").decode("utf-8")
        styles = package.read("word/styles.xml").decode("utf-8")
    tags = re.findall(r'<w:tag w:val="([^"]+)"/>', xml)
    for name in ("applicant", "reason", "date_from", "dept_sign", "dept_sign_date", "leave_type.2", "rating"):
        assert name in tags, name
    assert xml.count("<w14:checkbox>") == 5, "a checkbox per option of the checkbox group only"
    assert "<w:date>" in xml and 'w:multiLine="1"' in xml
    assert "请假申请表" in xml and "HR-F-003 · V2.0 · 附件一" in xml
    choice = re.search(r'<w:tag w:val="rating"/>.*?</w:sdtPr>', xml, re.S)
    assert choice and "<w:dropDownList>" in choice[0], "a single choice is one drop-down list"
    items = re.findall(r'<w:listItem w:displayText="([^"]+)" w:value="([^"]+)"/>', choice[0])
    assert items == [("优", "1"), ("良", "2"), ("中", "3"), ("差", "4")], "values are the PDF's on-states"
    assert "<w:showingPlcHdr/>" in choice[0]
    applicant = re.search(r'<w:tag w:val="applicant"/>.*?</w:sdt>', xml, re.S)
    assert applicant and "<w:showingPlcHdr/>" in applicant[0] and "\u3000" * 2 in applicant[0]
    assert "请填写" not in xml, "a printed blank shows empty fields, not 请填写"
    signer = re.search(r'<w:tag w:val="dept_sign"/>.*?</w:sdt>', xml, re.S)
    assert signer and '<w:u w:val="single"/>' in signer[0], "a signature's blank is a line to sign on"
    assert "\u00a0" * 4 not in xml, "no runs of blank spaces for placeholders"
    rows = re.findall(r"<w:tr[ >].*?</w:tr>", xml, re.S)
    assert rows and all("<w:cantSplit/>" in row for row in rows), "rows never split across pages"
    assert 'w:eastAsia="en-US"' not in styles and 'w:eastAsia="zh-CN"' in styles


def test_docx_rows_cover_the_grid(blank: Path) -> None:
    """Every row's cells span the whole column grid, and each cell is as wide as the columns it spans."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for form in blank.glob("*.docx"):
        with zipfile.ZipFile(form) as package:
            tbl = etree.fromstring(package.read("word/document.xml")).find(f".//{w}tbl")
        assert tbl is not None, form.name
        columns = [int(c.get(f"{w}w")) for c in tbl.iter(f"{w}gridCol")]
        for tr in tbl.iter(f"{w}tr"):
            first = 0
            for tc in tr.findall(f"{w}tc"):
                span = tc.find(f"{w}tcPr/{w}gridSpan")
                last = first + (int(span.get(f"{w}val")) if span is not None else 1)
                width = tc.find(f"{w}tcPr/{w}tcW")
                assert width is not None and width.get(f"{w}type") == "dxa", form.name
                assert int(width.get(f"{w}w")) == sum(columns[first:last]), form.name
                assert tc.find(f"{w}p") is not None, "a cell holds a paragraph"
                first = last
            assert first == len(columns), form.name


def test_hong_kong_docx_speaks_zh_hk_in_hk_faces(tmp_path: Path) -> None:
    doc = check(Path(__file__).parent.parent / "handbook", ["hk"]).documents["hk"]
    written = write(doc, tmp_path)
    docx_file = next(f for f in written if f.suffix == ".docx")
    with zipfile.ZipFile(docx_file) as package:
        xml = package.read("word/document.xml").decode("utf-8")
        styles = package.read("word/styles.xml").decode("utf-8")
    assert 'w:val="zh-HK" w:eastAsia="zh-HK"' in styles
    faces = set(re.findall(r'w:eastAsia="(Noto [^"]+)"', xml + styles))
    assert faces and all(f.endswith(" HK") for f in faces), faces
    pdf_file = docx_file.with_suffix(".pdf")
    fonts = subprocess.run(["pdffonts", str(pdf_file)], capture_output=True, text=True, check=True).stdout
    assert "CJKhk" in fonts and "CJKsc" not in fonts


def test_docx_fits_one_page_like_the_pdf(tmp_path: Path) -> None:
    """The service record is dense (the PDF uses compact metrics); its DOCX stays on one page too."""
    doc = check(Path(__file__).parent.parent / "handbook", ["sz"]).documents["sz"]
    files = run(doc, Request("service-record"), tmp_path)
    docx_file = next(f for f in files if f.suffix == ".docx")
    assert len(PdfReader(libreoffice_pdf(docx_file, tmp_path / "lo")).pages) == 1
    assert len(PdfReader(docx_file.with_suffix(".pdf")).pages) == 1


# ---------------------------------------------------------------- CSV errors


def _fill_error(doc: Document, tmp_path: Path, content: bytes) -> str:
    data = tmp_path / "data.csv"
    data.write_bytes(content)
    with pytest.raises(SourceError) as info:
        run(doc, Request("leave-request", fill=data), tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir()), "no partial output"
    return str(info.value)


def test_csv_unknown_column(doc: Document, tmp_path: Path) -> None:
    message = _fill_error(doc, tmp_path, (HEADER.replace("days", "day_count") + ZHANG).encode("utf-8"))
    assert "data.csv:1" in message and "day_count" in message and "forms.csv-column" in message


def test_csv_value_not_an_option_names_row_and_column(doc: Document, tmp_path: Path) -> None:
    bad = LI.replace(",事假,", ",调休,")
    message = _fill_error(doc, tmp_path, (HEADER + ZHANG + bad).encode("utf-8"))
    assert "data.csv:3" in message and "row 2, column 4 (leave_type)" in message and "调休" in message


def test_csv_saved_by_excel_on_a_chinese_windows_is_read(doc: Document, tmp_path: Path) -> None:
    """GBK, as Excel saves a CSV there: read as the ledger's roster import reads it."""
    data = tmp_path / "data.csv"
    data.write_bytes((HEADER + ZHANG).encode("gbk"))
    [written] = run(doc, Request("leave-request", fill=data, flatten=True), tmp_path / "out")
    assert "张伟" in _text(written) and "急性肠胃炎" in _text(written).replace(" ", "").replace("\n", "")


def test_csv_neither_utf8_nor_gbk_gets_a_clear_message(doc: Document, tmp_path: Path) -> None:
    message = _fill_error(doc, tmp_path, (HEADER + ZHANG).encode("utf-16"))
    assert "data.csv:1" in message and "neither UTF-8, GBK nor Big5" in message and "forms.csv-encoding" in message


def test_csv_saved_by_excel_in_taiwan_or_hong_kong_is_read(doc: Document, tmp_path: Path) -> None:
    """Big5 (cp950): its bytes also decode as GBK, into other characters; the names print as written."""
    data = tmp_path / "data.csv"
    row = "張偉,HY0117,研發部,事假,2026-12-03,2026-12-05,3,家中有事，需要處理。,良,王強,2026-12-02\n"
    data.write_bytes((HEADER + row).encode("cp950"))
    assert data.read_bytes().decode("gb18030") != HEADER + row  # the trap: it decodes as GBK too
    [written] = run(doc, Request("leave-request", fill=data, flatten=True), tmp_path / "out")
    assert "張偉" in _text(written) and "王強" in _text(written)


def test_cli_fill_error_exit_code_and_no_traceback(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data.csv"
    data.write_text(HEADER + LI.replace(",优,", ",极好,"), encoding="utf-8")
    result = cli(
        "forms", ROOT / "handbook", "-s", "sh", "--form", "leave-request", "--fill", data, "-o", tmp_path / "o"
    )
    assert result.code == 1
    assert "row 1, column 9 (rating): '极好' is not an option" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_cli_usage_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("forms", ROOT / "handbook", "-s", "sh", "--count", "3").code == 2
    assert (
        cli(
            "forms",
            ROOT / "handbook",
            "-s",
            "sh",
            "--form",
            "leave-request",
            "--serial-start",
            "1",
            "--serial-format",
            "{oops}",
        ).code
        == 2
    )
    result = cli("forms", ROOT / "handbook", "-s", "sh", "--form", "nope", "-o", tmp_path)
    assert result.code == 1 and "known: leave-request, service-record" in result.err


# ---------------------------------------------------------------- reader checks added for forms


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("{label: 姓名, name: 姓名, type: text}", "bad field name '姓名'"),
        ("{label: 评价, name: grade, type: choice, options: [优, 优, 差]}", "lists an option twice"),
    ],
)
def test_check_rejects_unusable_fields(cli, tmp_path: Path, cell: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(ROOT, tmp_path / "src")
    form = tmp_path / "src" / "forms" / "service-record.yaml"
    form.write_text(form.read_text(encoding="utf-8") + f"  - - {cell}\n", encoding="utf-8")
    result = cli("check", tmp_path / "src" / "handbook")
    assert result.code == 1 and expected in result.err and "service-record.yaml:" in result.err


def test_same_source_same_bytes(doc: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # DOCX dates follow it (else: now)
    first = run(doc, Request("leave-request"), tmp_path / "a")
    second = run(doc, Request("leave-request"), tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_every_font_is_embedded(blank: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(blank / f"{STEM}.pdf")], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes yes " in row for row in rows), fonts


def test_csv_headers_may_be_the_labels(doc: Document, tmp_path: Path) -> None:
    data = tmp_path / "labels.csv"
    data.write_text(
        "姓名,请假类别,起始日期,请假天数,工作表现,部门负责人签字,部门负责人签字日期\n"
        "李喆,事假|年假,2026年12月3日,1.5,优,王强,2026-12-02\n",
        encoding="utf-8",
    )
    files = run(doc, Request("leave-request", fill=data), tmp_path / "out")
    values = read_values(files[0].read_bytes(), pdf.prepare(doc, doc.appendices[0]).specs)
    assert values["applicant"] == "李喆" and values["leave_type"] == ["事假", "年假"]
    assert values["date_from"] == "2026-12-03" and values["days"] == "1.5" and values["rating"] == "优"
    assert values["dept_sign"] == "王强" and values["dept_sign_date"] == "2026-12-02"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2027-13-45", "row 1, column 5 (date_from): '2027-13-45' is not a date"),
        ("2026-02-30", "row 1, column 5 (date_from): '2026-02-30' is not a date"),
        ("明天", "row 1, column 5 (date_from): '明天' is not a date"),
    ],
)
def test_csv_impossible_date_is_an_error(doc: Document, tmp_path: Path, cell: str, expected: str) -> None:
    message = _fill_error(doc, tmp_path, (HEADER + LI.replace(",2026-12-10,", f",{cell},", 1)).encode("utf-8"))
    assert "data.csv:2" in message and expected in message and "[forms.csv-date]" in message


def test_csv_number_must_be_a_number(doc: Document, tmp_path: Path) -> None:
    message = _fill_error(doc, tmp_path, (HEADER + LI.replace(",1,家中", ",一天,家中")).encode("utf-8"))
    assert "row 1, column 7 (days): '一天' is not a number" in message and "[forms.csv-number]" in message


def test_creation_date_is_build_time_without_source_date_epoch(
    doc: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    files = run(doc, Request("leave-request"), tmp_path)
    info = PdfReader(next(f for f in files if f.suffix == ".pdf")).metadata
    assert info is not None and info.creation_date is not None
    assert info.creation_date.year >= 2025, "the build time, not 1970"


def test_merge_prints_every_row_in_one_pdf(doc: Document, tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text(HEADER + ZHANG + LI, encoding="utf-8")
    files = run(doc, Request("leave-request", fill=data, merge=True, serial_start=202611001), tmp_path / "out")
    assert [f.name for f in files] == [f"{STEM}-001-002.pdf"]
    reader = PdfReader(files[0])
    assert len(reader.pages) == 2 and "/AcroForm" not in reader.trailer["/Root"]
    first, second = _text(files[0], "-f", "1", "-l", "1"), _text(files[0], "-f", "2", "-l", "2")
    assert "张伟" in first and "李喆" not in first and "李喆" in second
    assert "202611001" in first and "202611002" in second, "rows numbered from --serial-start"
    assert len(_fonts(reader)) < 8, "copies share the form's fonts and one cut for the values"
    _qpdf_ok(files[0])


def test_cli_merge_needs_fill(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("forms", ROOT / "handbook", "-s", "sh", "--form", "leave-request", "--merge", "-o", tmp_path)
    assert result.code == 2 and "--merge needs --fill" in result.err


def _value_font_program(path: Path) -> bytes:
    """The font program of the cut a flattened copy draws its values with (/PBF of its drawings)."""
    page = PdfReader(path).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    drawing = next(
        xobjects[name].get_object()
        for name in xobjects
        if name.startswith("/PBv") and "/Resources" in xobjects[name].get_object()
    )
    font = drawing["/Resources"]["/Font"]["/PBF"].get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    return descriptor["/FontFile3"].get_object().get_data()


def test_a_small_batch_shares_one_cut_a_large_one_narrows_it(
    doc: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "leave.csv"
    data.write_text(HEADER + ZHANG + LI, encoding="utf-8")
    shared = run(doc, Request("leave-request", fill=data, flatten=True), tmp_path / "shared")
    assert _value_font_program(shared[0]) == _value_font_program(shared[1]), "one cut for the batch"
    monkeypatch.setattr(pdf, "SHARED_MAX", 0)  # as if the batch's cut were large
    narrowed = run(doc, Request("leave-request", fill=data, flatten=True), tmp_path / "narrowed")
    own = [_value_font_program(f) for f in narrowed]
    assert own[0] != own[1] and all(len(o) < len(_value_font_program(shared[0])) for o in own)
    for one, two in zip(shared, narrowed, strict=True):
        assert _text(one) == _text(two), "the same values printed either way"


LONG = "客户服务中心/深圳呼叫中心/客服一部/夜班A组"
VERY_LONG = "集团客户服务中心/华南大区深圳呼叫中心/客户服务一部/夜班A组/投诉与回访专线第三小组（临时借调）"


@pytest.mark.parametrize("how", ["editable", "flatten", "merge"])
def test_long_single_line_values_are_never_cut(doc: Document, tmp_path: Path, how: str) -> None:
    """A value too long for its one-line box wraps (or is set smaller), whole; below 7 pt it
    is still whole and the run warns, naming the CSV row and field."""
    data = tmp_path / "long.csv"
    data.write_text(f"applicant,department,employee_no\n张伟,{LONG},{VERY_LONG}\n", encoding="utf-8")
    diags = Diagnostics()
    request = Request("leave-request", fill=data, flatten=how == "flatten", merge=how == "merge")
    out = run(doc, request, tmp_path / "out", diags)
    text = re.sub(r"\s+", "", _text(out[0]))
    assert LONG in text and VERY_LONG in text
    warned = [d for d in diags.warnings if d.code == "forms.value-small"]
    assert len(warned) == 1 and "(employee_no)" in warned[0].message and warned[0].loc.path == str(data)


def test_service_record_fits_one_page_in_the_handbook_docx(tmp_path: Path) -> None:
    """Inside the handbook's DOCX (a shorter text area than the form's own page, its heading above)
    the 客户服务记录单 still ends on its first page: its last row (客户签字) is not alone on the next."""
    from policybook.build import build

    handbook = Path(__file__).parent.parent / "handbook"
    [docx_rel] = [f for f in build(handbook, tmp_path / "out", ["sz"], ["docx"]) if f.suffix == ".docx"]
    printed = libreoffice_pdf(tmp_path / "out" / docx_rel, tmp_path)
    pages = _text(printed).split("\f")
    start = next(i for i, page in enumerate(pages) if "CS-F-001 · V" in page)
    assert "客户签字" in pages[start] and "客户签字" not in pages[start + 1], pages[start + 1][:300]


def test_an_a5_form_fills_the_a4_handbook_page_and_long_labels_stay_legible(root_copy, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The A5 service record inside the A4 handbook is enlarged to the page, so its own footer
    sits at the foot of the page (not in the middle, above the handbook's line); a long label in
    a narrow A5 cell wraps rather than shrinking below 8 pt."""
    import pymupdf

    root = root_copy("forms-leave")
    form = root / "forms" / "service-record.yaml"
    form.write_text(
        form.read_text(encoding="utf-8").replace(
            "  - - {label: 客户单位, name: client, type: text}\n",
            "  - - {label: 客户单位, name: client, type: text}\n"
            "    - {label: 客户联系人及联系电话, name: contact, type: text}\n",
        ),
        encoding="utf-8",
    )
    assert cli("build", root / "handbook", "-s", "sh", "-f", "pdf,forms", "-o", tmp_path / "out").code == 0
    [book] = (tmp_path / "out" / "sh").glob("*.pdf")
    page = pymupdf.open(str(book))[-1]
    footer = [b for b in page.get_text("blocks") if "员工手册附件二" in b[4]]
    assert footer and footer[0][1] > 0.9 * page.rect.height, (footer, page.rect.height)
    [sheet] = (tmp_path / "out" / "sh" / "forms").glob("*客户服务记录单*.pdf")
    sizes = [
        span["size"]
        for block in pymupdf.open(str(sheet))[0].get_text("dict")["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
        if "客户联系" in span["text"] or "系电话" in span["text"]
    ]
    assert sizes and min(sizes) >= 7.9, sizes
