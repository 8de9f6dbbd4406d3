"""Write stage: the handbook as a static site — ``<folder>/html/``, readable on a phone.

site.py     which page holds what; ids from labels (stable across renumbering)
render.py   model blocks and inlines → escaped HTML
pages.py    the pages (Jinja2 templates in templates/, autoescaped)
search.py   the exact search index (substring over every article's text)
style.py    the stylesheet from the brand kit's colours; system font stacks
words.py    the fixed words per locale

No external resources: scripts, styles and the logo are files of the site, so
it works from a file share without a network.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from policybook.language import of as language_of
from policybook.model import Document
from policybook.source.brand import default_brand
from policybook.writers import Writer, register
from policybook.writers.html.pages import Pages
from policybook.writers.html.search import index_script
from policybook.writers.html.site import plan
from policybook.writers.html.style import stylesheet

ASSETS = Path(__file__).resolve().parent / "assets"


def write(doc: Document, folder: Path) -> list[Path]:
    out = folder / "html"
    (out / "assets").mkdir(parents=True, exist_ok=True)
    brand = doc.brand or default_brand()
    site = plan(doc)
    logo = _copy_logo(brand.logo, out / "assets")
    files = dict(Pages(doc, site, language_of(doc.meta, doc.subsidiary).tag, logo).all())
    files["assets/site.css"] = stylesheet(brand, doc)
    files["assets/search-index.js"] = index_script(doc, site)
    files["assets/places.js"] = _places_script({place.id: place.page for place in site.places.values()})
    written = [_save(out / name, text) for name, text in files.items()]
    for name in ("site.js", "search.js"):
        shutil.copyfile(ASSETS / name, out / "assets" / name)
        written.append(out / "assets" / name)
    if logo:
        written.append(out / "assets" / logo)
    return sorted(written)


def _places_script(places: dict[str, str]) -> str:
    """``assets/places.js``: element id → page, so a permanent link finds its article on any page."""
    text = json.dumps(places, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    return "window.PB_PLACES = " + text + ";\n"


def _copy_logo(logo: str, assets: Path) -> str:
    """The brand kit's logo as ``assets/logo.<ext>`` (an <img>, so an SVG's scripts never run)."""
    if not logo or not Path(logo).is_file():
        return ""
    name = "logo" + Path(logo).suffix.lower()
    shutil.copyfile(logo, assets / name)
    return name


def _save(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


register(
    Writer(
        "html",
        "static site: one page per chapter, exact Chinese search, works offline",
        write,
        reads=("meta", "subsidiary", "chapters", "appendices", "revisions", "brand", "changes"),
    )
)
