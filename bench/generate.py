"""Generate large synthetic sources from the sample handbook, for benchmarks.

    python bench/generate.py --scale 10 --subsidiaries 30 OUT

Scale k repeats every chapter k times (labels get a -k suffix so they stay
unique, references follow their copy); subsidiaries beyond the sample's are
clones of them with new ids and codes. The result is a complete project
folder (handbook/, forms/, templates/) that `policybook build` accepts.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABEL_RE = re.compile(r"(\{#|\]\(#|id: |after: )([A-Za-z][A-Za-z0-9_-]*)")


def _relabel(text: str, copy: int, keep: set[str]) -> str:
    if copy == 0:
        return text
    return LABEL_RE.sub(lambda m: m.group(1) + (m.group(2) if m.group(2) in keep else f"{m.group(2)}-{copy}"), text)


def generate(out: Path, scale: int, subsidiaries: int) -> Path:
    if out.exists():
        shutil.rmtree(out)
    for part in ("handbook", "forms", "templates"):
        shutil.copytree(REPO / part, out / part)
    forms = {p.stem for p in (REPO / "forms").glob("*.yaml")}
    _scale_chapters(out / "handbook", scale, forms)
    _more_subsidiaries(out / "handbook" / "subsidiaries", subsidiaries)
    return out


def _scale_chapters(handbook: Path, scale: int, forms: set[str]) -> None:
    yaml_path = handbook / "handbook.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    chapters = re.findall(r"^  - (chapters/[^\n]+\.md)$", text, flags=re.M)
    listing = []
    for copy in range(scale):
        for name in chapters:
            source = (handbook / name).read_text(encoding="utf-8")
            target = name if copy == 0 else name.replace(".md", f"-{copy}.md")
            (handbook / target).write_text(_relabel(source, copy, forms), encoding="utf-8")
            listing.append(f"  - {target}")
    block = "\n".join(f"  - {c}" for c in chapters)
    yaml_path.write_text(text.replace(block, "\n".join(listing)), encoding="utf-8")


def _more_subsidiaries(folder: Path, count: int) -> None:
    originals = sorted(folder.glob("*.yaml"))
    for path in originals[count:]:
        path.unlink()
    for n in range(len(originals), count):
        template = originals[n % len(originals)]
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"^code: .*$", f"code: X{n:02d}", text, count=1, flags=re.M)
        text = re.sub(r"^name: (.*)$", rf"name: \1（第{n}分公司）", text, count=1, flags=re.M)
        (folder / f"{template.stem}{n:02d}.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--subsidiaries", type=int, default=4)
    args = parser.parse_args()
    print(generate(args.out, args.scale, args.subsidiaries))


if __name__ == "__main__":
    main()
