"""Write stage (DOCX): the brand kit and locale read once into Word units.

A :class:`Kit` is the read-only environment of one DOCX render: font names for
Latin and East Asian text, colours, sizes in half-points, lengths in twips and
the words the document prints around the model's numbers (目录, 第 X 页 …).
Nothing here knows about XML.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from policybook.language import Language
from policybook.language import of as language_of
from policybook.model import Brand, Document
from policybook.source.brand import default_brand
from policybook.writers.pdf.labels import EN, HANS
from policybook.writers.typst_fonts import families as families_installed
from policybook.writers.units import length_pt, page_twips, twips

REV_HANS, REV_EN = HANS["rev_cols"], EN["rev_cols"]  # one set of column words for PDF and DOCX

CJK_FONT = re.compile(r"CJK|Han |Hei|Song|Kai|Fang|Ming|YaHei|PingFang|Sim|GB2312|Gothic|Mincho|[\u3400-\u9fff]", re.I)


@dataclass(frozen=True)
class Words:
    """The fixed words of a handbook, per locale."""

    contents: str
    revisions: str
    appendices: str
    revision_columns: tuple[str, str, str]
    page: tuple[str, str, str]  # text before PAGE, between PAGE and NUMPAGES, after NUMPAGES
    cover_labels: tuple[str, str, str, str]  # document code, version, effective, issued by
    form_version: str
    gap: str  # between a number and its title
    edition: str = "版本 {}"  # the handbook's version in the footers, as the PDF prints it


WORDS = {
    "zh-Hans": Words(
        "目　录",
        "修订记录",
        "附　件",
        (REV_HANS[0], REV_HANS[1], REV_HANS[2]),  # the PDF's words (pdf/labels.py): 修订内容
        ("第 ", " 页　共 ", " 页"),
        ("文件编号", "版　　本", "生效日期", "发布单位"),
        "第{}版",
        "\u3000",
        HANS["version"] + " {}",
    ),
    "en": Words(
        "Contents",
        "Revision history",
        "Appendices",
        (REV_EN[0], REV_EN[1], REV_EN[2]),
        ("Page ", " of ", ""),
        ("Document", "Version", "Effective", "Issued by"),
        "v{}",
        "  ",
        EN["version"] + " {}",
    ),
}


@dataclass(frozen=True)
class Kit:
    brand: Brand
    locale: str
    lang: str
    words: Words
    body_font: tuple[str, str]  # (latin, east asian)
    heading_font: tuple[str, str]
    mono_font: tuple[str, str]
    body_size: int  # half-points
    heading_size: int
    line: int  # exact line pitch of body text (size + leading, as the PDF sets it), twips
    indent: int  # first-line indent of body text, twips
    page: tuple[int, int]  # width, height in twips
    margins: dict[str, int]  # top, bottom, inside, outside in twips

    def color(self, name: str) -> str:
        return self.brand.colors[name].lstrip("#").upper()

    @property
    def text_width(self) -> int:
        return self.page[0] - self.margins["inside"] - self.margins["outside"]

    @property
    def text_height(self) -> int:
        return self.page[1] - self.margins["top"] - self.margins["bottom"]

    def pt(self, half_points: int) -> float:
        return half_points / 2


def kit_for(doc: Document) -> Kit:
    brand = doc.brand or default_brand()
    lang = language_of(doc.meta, doc.subsidiary)
    size_pt = length_pt(brand.text["body-size"], 10.5)
    return Kit(
        brand=brand,
        locale=lang.locale,
        lang=lang.tag,
        words=words_for(lang),
        body_font=pick_fonts(brand.fonts["body"], lang),
        heading_font=pick_fonts(brand.fonts["heading"], lang),
        mono_font=pick_fonts(brand.fonts["mono"], lang),
        body_size=round(size_pt * 2),
        heading_size=round(length_pt(brand.text["heading-size"], 16, size_pt) * 2),
        line=round(20 * (size_pt + length_pt(brand.text["leading"], size_pt * 0.9, size_pt))),
        indent=round(20 * length_pt(brand.text["indent"], 2 * size_pt, size_pt)),
        page=page_twips(brand.page.get("size", "A4")),
        margins={k: twips(brand.page[f"margin-{k}"], 25) for k in ("top", "bottom", "inside", "outside")},
    )


def words_for(lang: Language) -> Words:
    """The fixed words in the variant's script (zh-Hant converted from the Simplified ones)."""
    if lang.locale == "en":
        return WORDS["en"]
    return Words(*lang.labels(dataclasses.astuple(WORDS["zh-Hans"])))


def pick_fonts(families: list[str], lang: Language) -> tuple[str, str]:
    """(Latin, East Asian) family names from a kit's list, in the variant's CJK cut (SC / TC / HK).

    Chinese text keeps Latin in the CJK face unless the kit names a Latin face
    first; English text takes the first non-CJK face.
    """
    installed = families_installed()
    families = [lang.family(f, installed) for f in families or ["Noto Serif CJK SC"]]
    cjk = [f for f in families if CJK_FONT.search(f)]
    east_asian = (cjk or families)[0]
    latin_faces = [f for f in families if not CJK_FONT.search(f)]
    if lang.locale == "en":
        return (latin_faces or families)[0], east_asian
    return (east_asian if CJK_FONT.search(families[0]) else families[0]), east_asian
