"""Write stage (DOCX): the kit's logo as an image Word can embed (PNG or JPEG).

python-docx cannot embed SVG. A PNG or JPEG logo is used as is; for an SVG
logo a PNG of the same name next to it is preferred, otherwise the SVG is
rasterised with Typst (already a dependency, no system tools). If that fails
the logo is left out and the caller says so.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from policybook.writers.typst_fonts import compiler

RASTER_PPI = 300


def logo_image(path: str) -> bytes | None:
    """The logo as PNG/JPEG bytes, or ``None`` when there is none or it cannot be converted."""
    if not path:
        return None
    logo = Path(path)
    if logo.suffix.lower() != ".svg":
        return logo.read_bytes()
    for sibling in (logo.with_suffix(".png"), logo.with_suffix(".jpg")):
        if sibling.is_file() and sibling.resolve().parent == logo.parent:  # never a link to elsewhere
            return sibling.read_bytes()
    return _rasterise(str(logo), logo.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _rasterise(svg: str, _mtime: int) -> bytes | None:
    """Typst draws the SVG on a page exactly its size; one PNG at print resolution."""
    with tempfile.TemporaryDirectory(prefix="pb-logo-") as tmp:
        shutil.copyfile(svg, Path(tmp) / "logo.svg")
        source = Path(tmp) / "logo.typ"
        source.write_text(
            '#set page(width: auto, height: auto, margin: 0pt, fill: none)\n#image("logo.svg", height: 3cm)\n',
            encoding="utf-8",
        )
        try:
            data = compiler(str(source), tmp).compile(format="png", ppi=RASTER_PPI)
        except Exception:  # a broken SVG: the caller leaves the logo out
            return None
    return data if isinstance(data, bytes) else None
