"""The engine floor for one handbook PDF: every Typst compile policybook's PDF needs, and nothing else.

    python bench/raw.py prepare HANDBOOK SUB FOLDER   # not measured: writes FOLDER/compiles.json
    python bench/raw.py compile FOLDER                # measured: the compiles, one process

``prepare`` lets policybook write the very Typst inputs it compiles: each form
appendix's layout.typ with its final data (compact metrics when the form needed
them) and the handbook's compile root with those forms' sheets. ``compile`` then
runs Typst on them the way a hand-written pipeline would at its best: one
process, the system fonts scanned once and shared, no query, no Python work
beyond reading the list. Compared with it, policybook's ratio is its whole
overhead: start-up, read, resolve, JSON, the field query, a form set twice
when it runs over a page, the finishing touches.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path


def prepare(handbook: str, sub: str, folder: Path) -> None:
    from policybook.build import check
    from policybook.source.brand import default_brand
    from policybook.writers.forms.typeset import TEMPLATE as FORM_TEMPLATE
    from policybook.writers.forms.typeset import form_data, typeset
    from policybook.writers.pdf.engine import TEMPLATE, payload, prepare_root
    from policybook.writers.pdf.forms import form_sheets, sheet_files
    from policybook.writers.pdf.settings import font_dirs

    doc = check(handbook, [sub], formats=["pdf"]).documents[sub]
    brand = doc.brand or default_brand()
    sheets = form_sheets(doc, brand)
    compiles = []
    for appendix in doc.appendices:
        root = folder / f"form-{appendix.ordinal}"
        root.mkdir(parents=True)
        shutil.copyfile(FORM_TEMPLATE, root / FORM_TEMPLATE.name)
        compact = typeset(doc, appendix, dated=False).compact  # as form_sheets set it (kept per process)
        data = form_data(doc, appendix, [], compact=compact)
        logo = data["header"]["logo"]
        if logo:
            name = "logo" + Path(logo).suffix.lower()
            shutil.copyfile(logo, root / name)
            data["header"]["logo"] = name
        compiles.append({"main": str(root / FORM_TEMPLATE.name), "root": str(root), "inputs": json.dumps(data)})
    root = folder / "handbook"
    root.mkdir(parents=True)
    main = prepare_root(TEMPLATE, lambda logo: payload(doc, brand, logo, sheets), brand, root, sheet_files(sheets))
    compiles.append({"main": str(main), "root": str(root), "inputs": ""})
    spec = {"fonts": list(font_dirs(brand)), "compiles": compiles}
    (folder / "compiles.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


def compile_all(folder: Path) -> None:
    import typst

    spec = json.loads((folder / "compiles.json").read_text(encoding="utf-8"))
    fonts = typst.Fonts(font_paths=spec["fonts"])
    for n, job in enumerate(spec["compiles"]):
        inputs = {"data": job["inputs"]} if job["inputs"] else {}
        compiler = typst.Compiler(job["main"], root=job["root"], font_paths=fonts, sys_inputs=inputs)
        pdf = compiler.compile(timestamp=1764547200)
        assert isinstance(pdf, bytes)
        (folder / f"raw-{n}.pdf").write_bytes(pdf)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3], Path(sys.argv[4]))
    else:
        compile_all(Path(sys.argv[2]))
