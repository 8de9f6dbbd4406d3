"""`make bench`: how fast policybook builds, against baselines measured in the same run.

Scenarios (sources made by bench/generate.py from the sample handbook, whose PDF
has ~30 pages a subsidiary; LARGE = 33 copies of every chapter ≈ 1,000 pages):
  sample      the sample (4 subsidiaries): full cold build, no-change rebuild, one chapter edited
  pdf         one subsidiary's PDF, 1x and LARGE: policybook vs the raw Typst compile of the same Typst source
  docx        one subsidiary's DOCX at LARGE, with and without LibreOffice pagination; Pandoc baseline
  html        every subsidiary's site, 1x and LARGE: the writer's own seconds per site
  subs        3 and 30 subsidiaries at 1x, 3 at LARGE: wall time and memory of the whole process tree

Prints a table; figures are wall seconds, pages per second and peak memory (MB).
Never run by the tests: wall-clock figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.generate import generate  # noqa: E402
from bench.measure import Measured, run  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764547200"}
LARGE = 33  # copies of every chapter: ~1,000 PDF pages for one subsidiary


def policybook(*args: str | Path, env: dict[str, str] | None = None) -> Measured:
    result = run([PY, "-m", "policybook", *map(str, args)], cwd=REPO, env={**ENV, **(env or {})})
    if result.code != 0:
        raise SystemExit(f"policybook {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def pages(folder: Path, pattern: str = "*.pdf") -> int:
    total = 0
    for pdf in folder.rglob(pattern):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
        total += next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), 0)
    return total


def row(name: str, m: Measured, pages_made: int = 0, extra: str = "") -> None:
    rate = f"{pages_made / m.seconds:8.1f}" if pages_made else "       -"
    print(
        f"{name:44s} {m.seconds:7.2f} s {pages_made:6d} {rate} {m.peak_total_mb:8.0f} {m.peak_process_mb:8.0f}  {extra}"
    )


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"{'scenario':44s} {'wall':>9s} {'pages':>6s} {'pages/s':>8s} {'MB tree':>8s} {'MB proc':>8s}  notes")


def sample_scenarios(work: Path) -> None:
    header("sample handbook (4 subsidiaries; PDF + DOCX + forms)")
    project = generate(work / "sample", 1, 4)
    out = work / "sample-dist"
    cold = policybook("build", project / "handbook", "-o", out, "--no-cache")
    row("full build, cold (target < 5 s)", cold, pages(out), f"{_count(cold.stderr)} outputs")
    warm = policybook("build", project / "handbook", "-o", out)
    row("rebuild, nothing changed (target < 0.5 s)", warm)
    chapter = project / "handbook" / "chapters" / "12-customer-service.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
    edit = policybook("build", project / "handbook", "-o", out)
    rebuilt = [
        line.split("] ")[1].split(" ")[0]
        for line in edit.stderr.splitlines()
        if line.startswith("[") and "unchanged" not in line
    ]
    row("rebuild after editing the 客服 chapter", edit, 0, f"rebuilt: {', '.join(rebuilt) or 'nothing'}")


def _count(stderr: str) -> int:
    return sum(1 for line in stderr.splitlines() if line.startswith("["))


def raw_typst(project: Path, sub: str, work: Path) -> Measured:
    """The engine floor: Typst compiling the very Typst source policybook generates."""
    root = work / f"raw-{project.name}-{sub}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    code = (
        "import sys; from pathlib import Path\n"
        "from policybook.build import check\n"
        "from policybook.writers.pdf.engine import TEMPLATE, payload, prepare_root\n"
        "from policybook.source.brand import default_brand\n"
        f"doc = check({str(project / 'handbook')!r}, [{sub!r}]).documents[{sub!r}]\n"
        "brand = doc.brand or default_brand()\n"
        f"print(prepare_root(TEMPLATE, lambda logo: payload(doc, brand, logo), brand, Path({str(root)!r})))\n"
    )
    main = subprocess.run(
        [PY, "-c", code], cwd=REPO, env=ENV, capture_output=True, text=True, check=True
    ).stdout.strip()
    compile_code = (
        "import sys, typst\n"
        f"pdf = typst.compile({main!r}, root={str(root)!r}, timestamp=1764547200)\n"
        f"open({str(root / 'raw.pdf')!r}, 'wb').write(pdf)\n"
    )
    return run([PY, "-c", compile_code], cwd=REPO, env=ENV)


def pdf_scenarios(work: Path, scales: list[int]) -> None:
    header("one PDF: policybook vs raw Typst compile of the same source (target ratio <= 1.3; memory <= 1.2)")
    for scale in scales:
        project = generate(work / f"pdf{scale}x", scale, 4)
        out = work / f"pdf{scale}x-dist"
        ours = policybook("build", project / "handbook", "-s", "sh", "-f", "pdf", "-o", out, "--no-cache", "-j", "1")
        again = policybook("build", project / "handbook", "-s", "sh", "-f", "pdf", "-o", out, "--no-cache", "-j", "1")
        raw = raw_typst(project, "sh", work)
        n = pages(out)
        for name, m in (
            (f"{scale}x policybook -f pdf (sh), first build", ours),
            (f"{scale}x same, Markdown parse cache warm", again),
        ):
            ratios = f"time ratio {m.seconds / raw.seconds:.2f}, memory ratio {m.peak_total_mb / raw.peak_total_mb:.2f}"
            row(name, m, n, ratios)
        row(f"{scale}x raw typst.compile (baseline)", raw, n)


def docx_scenarios(work: Path, scale: int) -> None:
    header(f"one DOCX at {scale}x (target < 3 s for ~1,000 pages)")
    project = work / f"pdf{scale}x"
    if not project.exists():
        generate(project, scale, 4)
    out = work / f"docx{scale}x-dist"
    n = pages(work / f"pdf{scale}x-dist") if (work / f"pdf{scale}x-dist").exists() else 0
    plain = policybook(
        "build",
        project / "handbook",
        "-s",
        "sh",
        "-f",
        "docx",
        "-o",
        out,
        "--no-cache",
        "-j",
        "1",
        env={"POLICYBOOK_DOCX_PAGES": "off"},
    )
    row(f"{scale}x build -f docx, TOC without page numbers", plain, n, "pages = the PDF's, same content")
    paged = policybook("build", project / "handbook", "-s", "sh", "-f", "docx", "-o", out, "--no-cache", "-j", "1")
    row(f"{scale}x build -f docx, TOC paginated by LibreOffice", paged, n)
    if shutil.which("pandoc"):
        md = work / "all-chapters.md"
        chapters = sorted((project / "handbook" / "chapters").glob("*.md"))
        md.write_text("\n\n".join(p.read_text(encoding="utf-8") for p in chapters), encoding="utf-8")
        pandoc = run(["pandoc", str(md), "-o", str(work / "pandoc.docx")])
        row(f"{scale}x pandoc markdown → docx (baseline)", pandoc, n, f"ratio {plain.seconds / pandoc.seconds:.2f}")
    else:
        print("  (pandoc not installed: no Pandoc baseline; apt-get install pandoc)")


def html_scenarios(work: Path, scales: list[int]) -> None:
    header("HTML sites, every subsidiary (target: well under 1 s a site)")
    for scale in scales:
        project = work / f"pdf{scale}x"
        if not project.exists():
            generate(project, scale, 4)
        out = work / f"html{scale}x-dist"
        m = policybook("build", project / "handbook", "-f", "html", "-o", out, "--no-cache", "-j", "1")
        per_site = [float(s) for s in re.findall(r"/html \(([0-9.]+) s", m.stderr)]
        index_kb = max(p.stat().st_size for p in out.glob("*/html/assets/search-index.js")) / 1024
        notes = f"writer per site: max {max(per_site):.2f} s, mean {sum(per_site) / len(per_site):.2f} s"
        row(f"{scale}x build -f html ({len(per_site)} sites)", m, 0, f"{notes}; search index {index_kb:.0f} KB")


def subsidiary_scenarios(work: Path, cases: list[tuple[int, int]]) -> None:
    header("many subsidiaries: full build, all formats, cold (memory bounded by workers, not subsidiaries)")
    for scale, count in cases:
        project = generate(work / f"subs{scale}x{count}", scale, count)
        out = work / f"subs{scale}x{count}-dist"
        m = policybook("build", project / "handbook", "-o", out, "--no-cache")
        row(f"{scale}x, {count} subsidiaries", m, pages(out, "HY-*.pdf"), f"{_count(m.stderr)} outputs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the large and 30-subsidiary scenarios")
    parser.add_argument("--full", action="store_true", help="also the large handbook for 30 subsidiaries (long)")
    args = parser.parse_args()
    print(f"policybook bench — {os.cpu_count()} cores, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="policybook-bench-") as tmp:
        work = Path(tmp)
        sample_scenarios(work)
        pdf_scenarios(work, [1] if args.quick else [1, LARGE])
        if not args.quick:
            docx_scenarios(work, LARGE)
        html_scenarios(work, [1] if args.quick else [1, LARGE])
        cases = [(1, 3)] if args.quick else [(1, 3), (1, 30), (LARGE, 3)] + ([(LARGE, 30)] if args.full else [])
        subsidiary_scenarios(work, cases)
    print(json.dumps({"note": "figures above are wall-clock on this machine; rerun with `make bench`"}))


if __name__ == "__main__":
    main()
