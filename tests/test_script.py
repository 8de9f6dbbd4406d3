"""A handbook written in Traditional Chinese (tests/roots/hant-source) built for Taiwan, Hong Kong
and Shanghai: every output in its own script and region, names as written, fixed words, fonts and
language tags following the variant; the change table too; check's script and punctuation warnings."""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdf
import pytest

from policybook.conversion import SHARED, _char
from tests.conftest import ROOTS

ROOT = ROOTS / "hant-source"
TARGETS = {"tw": "zh-tw", "hk": "zh-hk", "cn": "zh-cn"}
TAGS = {"tw": "zh-TW", "hk": "zh-HK", "cn": "zh-CN"}
CUTS = {"tw": "CJKtc", "hk": "CJKhk", "cn": "CJKsc"}
NAMES = ("于美華", "華遠雲")  # kept as written in every variant (names:, -{…}-)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "policybook", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hant") / "dist"
    result = run("build", ROOT / "handbook", "-o", out, "-f", "pdf,docx,forms,json")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Change tables between the source and a copy whose pay article says something else."""
    base = tmp_path_factory.mktemp("hant-diff")
    old = base / "old"
    shutil.copytree(ROOT, old)
    chapter = old / "handbook" / "chapters" / "03-pay.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("每月五日", "每月十日"), encoding="utf-8")
    result = run("diff", old / "handbook", ROOT / "handbook", "-o", base / "out")
    assert result.returncode == 0, result.stderr
    return base / "out"


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        xml = "".join(z.read(n).decode("utf-8") for n in parts)
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def docx_part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def foreign(text: str, target: str) -> set[str]:
    """Characters of the other script: those the target variant writes differently."""
    for name in NAMES:
        text = text.replace(name, "")
    return {c for c in re.findall(r"[\u3400-\u9fff]", text) if c not in SHARED and _char(c, target) != c}


def outputs(dist: Path, sub: str) -> list[Path]:
    return sorted(p for p in (dist / sub).rglob("*") if p.suffix in (".pdf", ".docx", ".json"))


@pytest.mark.parametrize("sub", ["tw", "hk", "cn"])
def test_every_output_is_in_the_variants_script(dist: Path, sub: str) -> None:
    files = outputs(dist, sub)
    assert {p.suffix for p in files} == {".pdf", ".docx", ".json"} and len(files) == 5
    for path in files:
        text = {".pdf": pdf_text, ".docx": docx_text}.get(path.suffix, lambda p: p.read_text("utf-8"))(path)
        assert len(text) > 100, path
        assert not foreign(text + path.name, TARGETS[sub]), (path.name, foreign(text, TARGETS[sub]))


def test_phrases_names_quotes_and_own_words(dist: Path) -> None:
    tw, hk, cn = (pdf_text(next((dist / s).glob("TWR-001-*.pdf"))) for s in ("tw", "hk", "cn"))
    for text in (tw, hk):
        assert "台灣華遠控股股份有限公司" in text and "臺灣華遠" not in text  # the group's name as written
        assert "「本公司」" in text and "獎金發放" in text and "頭髮" in text
    assert "台灣華遠科技股份有限公司" in tw and "華遠（香港）有限公司" in hk
    assert "員工協助方案" in tw and "僱員支援計劃" in hk and "员工援助计划" in cn  # conversions:
    assert "华远控股集团有限公司" in cn and "华远（上海）科技有限公司" in cn  # the subsidiary's own spelling
    assert "于美華" in cn and "華遠雲" in cn  # names: and -{…}- kept as written
    for phrase in ("“本公司”", "奖金发放", "头发", "后勤", "并为员工", "表现", "销毁", "发放年终奖金", "准时"):
        assert phrase in cn, phrase
    for bad in ("獎金髮放", "併為員工", "對錶現", "銷燬"):
        assert bad not in tw + hk


@pytest.mark.parametrize("sub", ["tw", "hk", "cn"])
def test_fixed_words_fonts_and_language_tags(dist: Path, sub: str) -> None:
    pdf = next((dist / sub).glob("TWR-001-*.pdf"))
    text = pdf_text(pdf)
    contents, revisions, effective = (
        ("目录", "修订记录", "生效日期2027年1月1日") if sub == "cn" else ("目錄", "修訂記錄", "生效日期2027年1月1日")
    )
    assert contents in text and revisions in text and effective in text
    assert pypdf.PdfReader(pdf).trailer["/Root"]["/Lang"] == TAGS[sub]
    for path in [pdf, *(dist / sub / "forms").glob("*.pdf")]:
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        cjk = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if "CJK" in line}
        assert cjk and all(CUTS[sub] in name for name in cjk), (path.name, cjk)
    for path in [next((dist / sub).glob("TWR-001-*.docx")), *(dist / sub / "forms").glob("*.docx")]:
        styles = docx_part(path, "word/styles.xml")
        assert f'w:eastAsia="{TAGS[sub]}"' in styles, path.name
        assert CUTS[sub].replace("CJK", "CJK ").upper() in styles.upper(), path.name


@pytest.mark.parametrize("sub", ["tw", "hk", "cn"])
def test_change_tables_follow_the_variant(changes: Path, sub: str) -> None:
    files = sorted((changes / sub).iterdir())
    title = "修订对照表" if sub == "cn" else "修訂對照表"
    assert {p.suffix for p in files} == {".pdf", ".docx", ".json"} and all(title in p.name for p in files)
    text = pdf_text(next(p for p in files if p.suffix == ".pdf"))
    words = (
        ("序号", "原条款", "修订后条款", "说明", "修改")
        if sub == "cn"
        else ("序號", "原條款", "修訂後條款", "說明", "修改")
    )
    assert all(w in text for w in words) and re.search("第1[页頁]共1[页頁]", text)
    assert not foreign(text, TARGETS[sub])
    assert not foreign(docx_text(next(p for p in files if p.suffix == ".docx")), TARGETS[sub])
    assert title in next(p for p in files if p.suffix == ".json").read_text("utf-8")


def test_check_reports_mixed_script_and_half_width_punctuation(root_copy, cli) -> None:  # type: ignore[no-untyped-def]
    project = root_copy("hant-source")
    chapter = project / "handbook" / "chapters" / "01-general.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("本規則適用於本公司全體員工，", "本規则適用於本公司全體員工,"), encoding="utf-8")
    result = cli("check", project / "handbook")
    assert result.code == 0
    line = 1 + text.split("\n").index(next(x for x in text.split("\n") if "本規則適用於" in x))
    assert f"01-general.md:{line}: warning: half-width punctuation between Chinese characters" in result.err
    assert f"01-general.md:{line}: warning: characters of the other script left in this variant: 则" in result.err
    assert "[punctuation.half-width]" in result.err and "[script.mixed]" in result.err

    fixed = cli("fix", "--punctuation", project / "handbook")
    assert fixed.code == 0 and f"01-general.md:{line}:" in fixed.out and "changed 1 line(s)" in fixed.err
    assert "本規则適用於本公司全體員工，" in chapter.read_text(encoding="utf-8")
    assert "half-width" not in cli("check", project / "handbook").err


def test_conversions_are_validated_with_their_line(root_copy, cli) -> None:  # type: ignore[no-untyped-def]
    project = root_copy("hant-source")
    yaml = project / "handbook" / "handbook.yaml"
    text = yaml.read_text(encoding="utf-8").replace(
        "  - {zh-TW: 員工協助方案, zh-HK", "  - {zh-XX: 員工協助方案, zh-HK"
    )
    yaml.write_text(text.replace("zh-Hans: 员工援助计划}", "zh-Hans: ''}"), encoding="utf-8")
    result = cli("check", project / "handbook")
    line = 1 + text.split("\n").index(next(x for x in text.split("\n") if "zh-XX" in x))
    assert result.code == 1
    assert f"handbook.yaml:{line}: warning: unknown key 'zh-XX' in conversion" in result.err
    assert f"handbook.yaml:{line}: error: a conversion needs the word in at least two scripts" in result.err


def test_fix_refuses_links_out_and_reports_unwritable_files(root_copy, cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project = root_copy("hant-source")
    chapters = project / "handbook" / "chapters"
    outside = tmp_path / "elsewhere.md"
    outside.write_text("規定,員工\n", encoding="utf-8")
    (chapters / "99-link.md").symlink_to(outside)
    result = cli("fix", "--punctuation", project / "handbook")
    assert result.code == 1 and "99-link.md: error: chapter file is a link to a file outside" in result.err
    assert outside.read_text(encoding="utf-8") == "規定,員工\n"  # never rewritten through the link

    (chapters / "99-link.md").unlink()
    chapter = chapters / "01-general.md"
    chapter.write_bytes(chapter.read_bytes().replace("本規則適用於本公司全體員工，".encode(), "本規則,".encode()))
    before = chapter.read_bytes()

    def read_only(*_: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("policybook.output.os.replace", read_only)
    result = cli("fix", "--punctuation", project / "handbook")
    assert result.code == 1 and "01-general.md: error: cannot write: Read-only file system" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert chapter.read_bytes() == before and not list(chapters.glob(".*"))  # no temporary file left


def test_simplified_leftovers_read_alike_in_taiwan_and_hong_kong_and_every_line_is_reported(
    root_copy, cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Simplified characters left in a Traditional source: TW prints them as HK does (both run the
    region's tables: 于到職 → 於到職, 三日后 → 三日後), and check names every line that has them —
    the form's intro and notes at their own lines, not line 1."""
    project = root_copy("hant-source")
    chapter = project / "handbook" / "chapters" / "01-general.md"
    text = chapter.read_text(encoding="utf-8")
    text = text.replace("並應於到職時簽收", "並應于到職時簽收").replace("修正時亦同", "修正后亦同")
    chapter.write_text(text + "\n### 補充 {#art-extra}\n\n員工于離職時亦同，三日后生效。\n", encoding="utf-8")
    form = project / "forms" / "leave.yaml"
    form.write_text(form.read_text(encoding="utf-8").replace("得事後補辦", "得事后補辦"), encoding="utf-8")
    result = cli("check", project / "handbook")
    lines = text.split("\n")
    for needle in ("修正后亦同",):  # a paragraph is reported at its first line
        line = 1 + lines.index(next(x for x in lines if needle in x))
        assert f"01-general.md:{line}: warning: characters of the other script" in result.err, (needle, result.err)
    extra = 1 + (text + "\n### 補充 {#art-extra}\n\n員工于離職時亦同，三日后生效。\n").split("\n").index(
        "員工于離職時亦同，三日后生效。"
    )
    assert f"01-general.md:{extra}: warning: characters of the other script" in result.err
    intro = 1 + form.read_text(encoding="utf-8").split("\n").index(
        next(x for x in form.read_text(encoding="utf-8").split("\n") if x.startswith("intro:"))
    )
    assert f"leave.yaml:{intro}: warning: characters of the other script left in this variant: 后" in result.err
    assert "leave.yaml:1: warning" not in result.err
    printed = {}
    for sub in ("tw", "hk"):
        model = cli("model", project / "handbook", "-s", sub, "--json")
        assert model.code == 0, model.err
        printed[sub] = model.out
        assert (
            "並應於到職時簽收" in model.out
            and "三日後生效" in model.out
            and "于" not in model.out.replace("于美華", "")
        )


HALF_WIDTH = [
    ("得聯繫{{ hr.office }}{{ hr.contact }}，或來信詢問。", "得聯繫{{ hr.office }}{{ hr.contact }},或來信詢問。"),
    ("本規則適用於本公司全體員工，包括", "本規則適用於本公司全體員工,“包括"),
    ("修正時亦同。員工得隨時", "修正時亦同,\n員工得隨時"),
]


def test_half_width_punctuation_beside_templates_links_quotes_digits_and_line_ends(root_copy, cli) -> None:  # type: ignore[no-untyped-def]
    """Reported and fixed: next to a template, a quotation mark, a digit, at a line's end, and in a
    form's intro and notes; digits on both sides (1,000 · 09:00) and Latin text stay."""
    project = root_copy("hant-source")
    chapter = project / "handbook" / "chapters" / "01-general.md"
    text = chapter.read_text(encoding="utf-8")
    for good, bad in HALF_WIDTH:
        assert good in text, good
        text = text.replace(good, bad)
    extra = "每次扣款80,另依[目的](#art-purpose),辦理。共1,000元,09:00上班。Note: see HR, later."
    text += f"\n### 補充 {{#art-extra}}\n\n{extra}\n"
    chapter.write_text(text, encoding="utf-8")
    form = project / "forms" / "leave.yaml"
    form.write_text(
        form.read_text(encoding="utf-8")
        .replace("請假應於事前提出；", "請假應於事前提出;")
        .replace("由人力資源處存檔，", "由人力資源處存檔,"),
        encoding="utf-8",
    )
    result = cli("check", project / "handbook")
    warned = [line for line in result.err.splitlines() if "[punctuation.half-width]" in line]
    assert sum("01-general.md" in line for line in warned) == 4 and sum("leave.yaml" in line for line in warned) == 2, (
        warned
    )
    assert "leave.yaml:5:" in result.err and "leave.yaml:7:" in result.err

    fixed = cli("fix", "--punctuation", project / "handbook")
    assert fixed.code == 0, fixed.err
    after = chapter.read_text(encoding="utf-8")
    assert "{{ hr.contact }}，或來信" in after and "全體員工，“包括" in after and "修正時亦同，\n" in after
    assert "扣款80，另依[目的](#art-purpose)，辦理。共1,000元，09:00上班。Note: see HR, later." in after
    assert "事前提出；" in form.read_text(encoding="utf-8") and "存檔，" in form.read_text(encoding="utf-8")
    assert "half-width" not in cli("check", project / "handbook").err


def test_the_sample_handbook_has_no_half_width_punctuation_warnings(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", Path(__file__).resolve().parent.parent / "handbook")
    assert result.code == 0 and "[punctuation.half-width]" not in result.err
