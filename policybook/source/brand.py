"""Read stage: brand kits — ``templates/<kit>/brand.yaml`` (+ logo, reference.docx).

A kit is data: colours, font lists, page and text settings, a logo. Every key
has a default (the built-in kit), so a kit says only what differs. Logos are
confined to the kit's project and must really be images.
"""

from __future__ import annotations

import re
from pathlib import Path

from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Brand, Loc
from policybook.source.images import image_problem
from policybook.source.paths import confined, name_problem
from policybook.source.schema import Key, check_mapping, text
from policybook.source.yamlfile import LocDict, load_yaml, scalar_text

BUILTIN = Path(__file__).resolve().parent.parent / "data" / "brand"
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
LENGTH_RE = re.compile(r"^\d+(\.\d+)?(mm|cm|pt|in|em)$")
BRAND = {
    "name": Key("text"),
    "extends": Key("text"),
    "colors": Key("map"),
    "fonts": Key("map"),
    "page": Key("map"),
    "text": Key("map"),
    "style": Key("text", choices=("standard", "gbt9704")),
    "cover": Key("text", choices=("band", "plain", "official")),
    "chapter_break": Key("text", choices=("page", "none")),
    "logo": Key("text"),
    "reference_docx": Key("text"),
}
COLORS = ("primary", "accent", "text", "muted", "rule", "shade")
FONTS = ("body", "heading", "mono")
PAGE = ("size", "margin-top", "margin-bottom", "margin-inside", "margin-outside")
TEXT = ("body-size", "heading-size", "leading", "indent")


def default_brand() -> Brand:
    brand = _load(BUILTIN / "default", BUILTIN, None, Diagnostics())
    assert brand is not None, "the built-in brand kit is broken"
    return brand


def read_brand(
    templates: Path, root: Path, name: str, loc: Loc, diags: Diagnostics, seen: tuple[str, ...] = ()
) -> Brand | None:
    """The kit ``name`` (``""`` = built-in default); problems go to ``diags``."""
    if not name:
        return default_brand()
    problem = name_problem(name)
    if problem:
        diags.error(loc, f"brand kit '{name}' {problem}", "brand.name", "name a folder of templates/, e.g. jade")
        return None
    folder = templates / name
    builtin = BUILTIN / name
    try:
        confined(root, templates, f"{name}/brand.yaml", loc, "brand kit")
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return None
    seen = seen or (name,)
    if not (folder / "brand.yaml").is_file():
        if (builtin / "brand.yaml").is_file():
            return _load(builtin, BUILTIN, default_brand(), diags)
        diags.error(loc, f"unknown brand kit '{name}'", "brand.unknown", f"create {folder}/brand.yaml")
        return None
    brand = _load(folder, root, _base(templates, root, folder, diags, seen), diags)
    if brand is not None:
        check_page(brand, diags)
    return brand


def _base(templates: Path, root: Path, folder: Path, diags: Diagnostics, seen: tuple[str, ...]) -> Brand | None:
    """The kit named by ``extends:`` (the built-in default when there is none)."""
    try:
        data = load_yaml(folder / "brand.yaml")
    except SourceError:
        return default_brand()  # _load reports it
    parent = text(data, "extends") if isinstance(data, LocDict) else ""
    if not parent or parent == "default":
        return default_brand()
    loc = data.loc("extends")
    if parent in seen:
        diags.error(loc, f"brand kits extend each other in a circle ({' → '.join([*seen, parent])})", "brand.extends")
        return default_brand()
    return read_brand(templates, root, parent, loc, diags, (*seen, parent)) or default_brand()


def _load(folder: Path, root: Path, base: Brand | None, diags: Diagnostics) -> Brand | None:
    path = folder / "brand.yaml"
    try:
        raw = load_yaml(path)
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return None
    data = check_mapping(raw, BRAND, Loc(str(path), 1), f"brand kit {folder.name}", diags)
    if data is None:
        return None
    return Brand(
        name=text(data, "name", folder.name),
        folder=str(folder),
        colors=_table(data, "colors", COLORS, base.colors if base else {}, COLOR_RE, "a colour #RRGGBB", diags),
        fonts=_fonts(data, base.fonts if base else {}, diags),
        page=_table(data, "page", PAGE, base.page if base else {}, None, "", diags),
        text=_table(data, "text", TEXT, base.text if base else {}, None, "", diags),
        style=text(data, "style", base.style if base else "standard"),
        cover=text(data, "cover", base.cover if base else "band"),
        chapter_break=text(data, "chapter_break", base.chapter_break if base else "page"),
        logo=_file(data, "logo", folder, root, diags, image=True) or (base.logo if base else ""),
        reference_docx=_file(data, "reference_docx", folder, root, diags, image=False)
        or (base.reference_docx if base else ""),
        loc=data.loc(),
        locs=_locs(data, base),
    )


PAPER_MM = {"a3": (297, 420), "a4": (210, 297), "a5": (148, 210), "b5": (176, 250), "letter": (216, 279)}
TO_MM = {"mm": 1.0, "cm": 10.0, "pt": 25.4 / 72, "in": 25.4}
TEXT_MAX_PT = {"body-size": 36.0, "heading-size": 72.0}  # larger fits no line of a handbook
MIN_TEXT_AREA_MM = 40.0  # what the margins leave of the page, each way


def check_page(brand: Brand, diags: Diagnostics) -> None:
    """Margins that leave room for text on the paper, and font sizes a page can hold."""
    paper = PAPER_MM.get(brand.page.get("size", "A4").lower().removeprefix("us-"))
    margins = {key: _mm(value) for key, value in brand.page.items() if key.startswith("margin-")}
    if paper is not None:
        width, height = paper
        for (first, second), room in (
            (("margin-top", "margin-bottom"), height),
            (("margin-inside", "margin-outside"), width),
        ):
            left = room - margins.get(first, 0.0) - margins.get(second, 0.0)
            if left < MIN_TEXT_AREA_MM:
                diags.error(
                    brand.loc_of(f"page.{first}"),
                    f"page.{first} and page.{second} leave {left:.0f}mm of a {room}mm page for text",
                    "brand.page",
                    f"leave at least {MIN_TEXT_AREA_MM:.0f}mm",
                )
    for key, limit in TEXT_MAX_PT.items():
        size = _mm(brand.text.get(key, "")) * 72 / 25.4
        if size > limit:
            diags.error(
                brand.loc_of(f"text.{key}"),
                f"text.{key} {brand.text[key]} is too large",
                "brand.value",
                f"at most {limit:.0f}pt",
            )


def _mm(value: str) -> float:
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|pt|in)\s*$", value)
    return float(match.group(1)) * TO_MM[match.group(2)] if match else 0.0


def _locs(data: LocDict, base: Brand | None) -> dict[str, Loc]:
    """Where each setting was made: this kit's line, else the kit it extends."""
    locs = dict(base.locs) if base else {}
    for key, value in data.items():
        locs[key] = data.loc(key)
        if isinstance(value, LocDict):
            locs.update({f"{key}.{inner}": value.loc(inner) for inner in value})
    return locs


def _table(
    data: LocDict,
    key: str,
    known: tuple[str, ...],
    base: dict[str, str],
    pattern: re.Pattern[str] | None,
    what: str,
    diags: Diagnostics,
) -> dict[str, str]:
    values = dict(base)
    given = data.get(key)
    if not isinstance(given, LocDict):
        return values
    for name, value in given.items():
        value_text = scalar_text(value)
        if name not in known:
            diags.warning(
                given.loc(name), f"unknown {key} entry '{name}'", "brand.unknown-key", f"known: {', '.join(known)}"
            )
        elif pattern is not None and not pattern.match(value_text):
            diags.error(given.loc(name), f"{key}.{name} must be {what}, found '{value_text}'", "brand.value")
        else:
            values[name] = value_text
    return values


def _fonts(data: LocDict, base: dict[str, list[str]], diags: Diagnostics) -> dict[str, list[str]]:
    fonts = {k: list(v) for k, v in base.items()}
    given = data.get("fonts")
    if not isinstance(given, LocDict):
        return fonts
    for name, value in given.items():
        if name not in FONTS:
            diags.warning(
                given.loc(name), f"unknown font role '{name}'", "brand.unknown-key", f"known: {', '.join(FONTS)}"
            )
            continue
        families = [scalar_text(v) for v in value] if isinstance(value, list) else [scalar_text(value)]
        fonts[name] = [f for f in families if f]
    return fonts


def _file(data: LocDict, key: str, folder: Path, root: Path, diags: Diagnostics, image: bool) -> str:
    name = text(data, key)
    if not name:
        return ""
    try:
        path = confined(root, folder, name, data.loc(key), key)
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return ""
    if not path.is_file():
        diags.error(data.loc(key), f"{key} file '{name}' not found", "brand.missing-file", f"put it in {folder}")
        return ""
    problem = image_problem(path) if image else ""
    if problem:
        diags.error(data.loc(key), f"{key} '{name}' {problem}", "brand.not-image")
        return ""
    if image and path.suffix.lower() == ".svg" and not _raster_siblings_ok(path, root, data.loc(key), diags):
        return ""
    return str(path)


def _raster_siblings_ok(svg: Path, root: Path, loc: Loc, diags: Diagnostics) -> bool:
    """The PNG or JPEG next to an SVG logo (what DOCX embeds) is checked like the logo itself."""
    for sibling in (svg.with_suffix(".png"), svg.with_suffix(".jpg")):
        if not sibling.exists() and not sibling.is_symlink():
            continue
        try:
            path = confined(root, svg.parent, sibling.name, loc, "the logo's raster copy")
        except SourceError as exc:
            diags.extend(exc.diagnostics)
            return False
        problem = image_problem(path) if path.is_file() else "is not a file"
        if problem:
            diags.error(loc, f"the logo's raster copy '{sibling.name}' {problem}", "brand.not-image")
            return False
    return True
