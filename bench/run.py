"""`make bench`: how fast policybook builds, against baselines measured in the same run.

Scenarios (sources made by bench/generate.py from the sample handbook, whose PDF
has ~30 pages a subsidiary; LARGE = 33 copies of every chapter ≈ 1,000 pages):
  pdf         one subsidiary's PDF, 1x and LARGE: policybook vs the raw Typst compile of the same Typst source
  sample      the sample (4 subsidiaries): full cold build (vs the same without DOCX pagination), no-change
              rebuilds with and without warnings (vs the interpreter starting policybook), one chapter edited
  watch       `policybook watch`: a chapter edited → the new PDF on disk (vs the raw Typst compile)
  docx        one subsidiary's DOCX at LARGE, with and without LibreOffice pagination; Pandoc baseline
  html        every subsidiary's site, 1x and LARGE: the writer's own seconds per site
  subs        3 and 30 subsidiaries at 1x, 3 at LARGE: wall time and memory of the whole process tree
  ledger      the 签收 ledger at 100,000 employees on SQLite and PostgreSQL (bench/ledger.py)

Every baseline is measured in the same run, so the ratios hold even on a busy machine
where wall seconds do not; CPU seconds (user + system of the whole process tree) are
printed too, being steadier than wall time under load. The figures go to
bench/results.json; a later run prints its change against the previous file.
Never run by the tests: wall-clock figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.generate import generate  # noqa: E402
from bench.measure import Measured, median, run  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764547200"}
LARGE = 33  # copies of every chapter: ~1,000 PDF pages for one subsidiary
RESULTS = HERE / "results.json"
RESULTS_NOW: dict[str, dict[str, Any]] = {}  # scenario key → figures, written to RESULTS at the end


CACHES: list[Path] = []  # the run's folder of user caches (POLICYBOOK_CACHE), set by main()


def policybook(*args: str | Path, env: dict[str, str] | None = None, cache: str = "") -> Measured:
    """``policybook ARGS`` measured; ``cache`` names its user cache (parsed chapters, typeset forms):
    a new name is a cold cache, as on a machine that never built this source."""
    folder = CACHES[0] / (cache or "shared")
    result = run(
        [PY, "-m", "policybook", *map(str, args)], cwd=REPO, env={**ENV, "POLICYBOOK_CACHE": str(folder), **(env or {})}
    )
    if result.code != 0:
        raise SystemExit(f"policybook {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def pages(folder: Path, pattern: str = "*.pdf") -> int:
    total = 0
    for pdf in folder.rglob(pattern):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
        total += next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), 0)
    return total


def row(
    name: str, m: Measured, pages_made: int = 0, extra: str = "", key: str = "", base: Measured | None = None
) -> None:
    """One line of the table; with ``base``, the wall, CPU and memory ratios against it."""
    rate = f"{pages_made / m.seconds:8.1f}" if pages_made else "       -"
    if base is not None:
        ratios = (
            f"x{m.seconds / base.seconds:.2f} wall, x{_ratio(m.cpu_seconds, base.cpu_seconds)} cpu, "
            f"x{_ratio(m.peak_total_mb, base.peak_total_mb)} memory"
        )
        extra = f"{ratios}; {extra}" if extra else ratios
    print(
        f"{name:44s} {m.seconds:7.2f} s {m.cpu_seconds:7.2f} s {pages_made:6d} {rate} "
        f"{m.peak_total_mb:8.0f} {m.peak_process_mb:8.0f}  {extra}",
        flush=True,
    )
    if key:
        RESULTS_NOW[key] = {
            "name": name,
            "seconds": round(m.seconds, 3),
            "cpu_seconds": round(m.cpu_seconds, 3),
            "peak_total_mb": round(m.peak_total_mb, 1),
            "pages": pages_made,
            **({"ratio": round(m.seconds / base.seconds, 3)} if base is not None else {}),
            **({"cpu_ratio": round(m.cpu_seconds / base.cpu_seconds, 3)} if base and base.cpu_seconds else {}),
            **({"memory_ratio": round(m.peak_total_mb / base.peak_total_mb, 3)} if base and base.peak_total_mb else {}),
        }


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "-"


def header(title: str) -> None:
    print(f"\n{title}")
    print(
        f"{'scenario':44s} {'wall':>9s} {'cpu':>9s} {'pages':>6s} {'pages/s':>8s} "
        f"{'MB tree':>8s} {'MB proc':>8s}  notes"
    )


def sample_scenarios(work: Path) -> None:
    header("sample handbook (4 subsidiaries; PDF + DOCX + forms)")
    project = generate(work / "sample", 1, 4)
    out = work / "sample-dist"
    # cold = a new user cache and a new output folder each time; medians of 3 (one cold build
    # varies by ±0.5 s on this machine)
    unpaged = median(
        [
            policybook(
                "build",
                project / "handbook",
                "-o",
                work / f"sample-unpaged-{i}",
                env={"POLICYBOOK_DOCX_PAGES": "off"},
                cache=f"sample-unpaged-{i}",
            )
            for i in range(3)
        ]
    )
    colds = [
        policybook("build", project / "handbook", "-o", work / f"sample-cold-{i}", cache=f"cold-{i}") for i in range(3)
    ]
    cold = median(colds)
    policybook("build", project / "handbook", "-o", out, "--no-cache", cache="sample")
    note = f"{_count(colds[0].stderr)} outputs; medians of 3"
    row("full build, cold (target < 5 s)", cold, pages(out), note, "sample.cold", unpaged)
    row("  baseline: same, DOCX not paginated", unpaged, 0, "POLICYBOOK_DOCX_PAGES=off", "sample.cold_unpaged")
    floor = median([run([PY, "-m", "policybook", "--version"], cwd=REPO, env=ENV) for _ in range(5)])
    warm = median([policybook("build", project / "handbook", "-o", out, cache="sample") for _ in range(5)])
    row("rebuild, nothing changed (target < 0.5 s)", warm, 0, _unchanged(warm.stderr), "sample.noop", floor)
    _add_warning(project)
    policybook("build", project / "handbook", "-o", out, cache="sample")
    warned = median([policybook("build", project / "handbook", "-o", out, cache="sample") for _ in range(5)])
    note = _unchanged(warned.stderr) + (", warning repeated" if "[form.unused]" in warned.stderr else "")
    row("same, source with a warning (target < 0.5 s)", warned, 0, note, "sample.noop_warnings", floor)
    row("  baseline: python -m policybook --version", floor, 0, "interpreter + command line; medians of 5", "floor")
    chapter = project / "handbook" / "chapters" / "12-customer-service.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
    edit = policybook("build", project / "handbook", "-o", out, cache="sample")
    rebuilt = [
        line.split("] ")[1].split(" ")[0]
        for line in edit.stderr.splitlines()
        if line.startswith("[") and "unchanged" not in line
    ]
    row("rebuild after editing the 客服 chapter", edit, 0, f"rebuilt: {', '.join(rebuilt) or 'nothing'}", "sample.edit")


def forms_scenario(work: Path, rows: int = 200) -> None:
    """Filling a form from a CSV of ``rows`` staff: one print-ready PDF, and one flattened PDF per row."""
    header(f"forms: {rows} CSV rows into 请假申请表 (target < 5 s)")
    project = generate(work / "forms", 1, 4)
    data = work / "staff.csv"
    names = ["张伟", "王芳", "李喆", "刘堃", "陈镕", "杨昇", "赵珺", "黄玥"]
    lines = ["姓名,工号,部门,请假类别,起始日期,截止日期,请假天数,请假事由"]
    for i in range(rows):
        day = f"2026-12-{i % 28 + 1:02d}"
        lines.append(f"{names[i % 8]},HY{i:04d},研发部,事假;年假,{day},{day},{i % 5 + 1},家中有事，需要处理。")
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = ("forms", project / "handbook", "-s", "sz", "--form", "leave-request", "--fill", data)
    merged = policybook(*base, "--merge", "-o", work / "forms-merged", cache="forms")
    size = sum(f.stat().st_size for f in (work / "forms-merged").glob("*.pdf")) / 1e6
    row(f"--fill --merge: {rows} rows, one PDF", merged, pages(work / "forms-merged"), f"{size:.1f} MB", "forms.merge")
    flat = policybook(*base, "--flatten", "-o", work / "forms-flat", cache="forms")
    files = list((work / "forms-flat").glob("*.pdf"))
    note = f"{len(files)} files, largest {max(f.stat().st_size for f in files) / 1e3:.0f} KB"
    row(f"--fill --flatten: {rows} rows, a PDF each", flat, len(files), note, "forms.flatten")


def _add_warning(project: Path) -> None:
    """A form no handbook attaches: a warning on every build."""
    forms = project / "forms"
    text = (forms / "leave-request.yaml").read_text(encoding="utf-8")
    (forms / "spare-form.yaml").write_text(text.replace("id: leave-request", "id: spare-form", 1), encoding="utf-8")


def _unchanged(stderr: str) -> str:
    if "nothing changed since the last build" in stderr:
        return "short-cut: nothing changed"
    lines = [line for line in stderr.splitlines() if line.startswith("[")]
    return f"{sum('unchanged' in line for line in lines)}/{len(lines)} outputs unchanged"


def watch_scenario(work: Path, raw: Measured | None, edits: int = 5) -> None:
    """`policybook watch` on the sample: a chapter edited → the new PDF on disk (median of ``edits``)."""
    header("policybook watch (sample, sh, PDF): edit a chapter, wait for the new PDF (target < 0.5 s)")
    project = generate(work / "watch", 1, 4)
    out = work / "watch-dist"
    cmd = [PY, "-m", "policybook", "watch", str(project / "handbook"), "-s", "sh", "-o", str(out), "--interval", "0.05"]
    env = {**ENV, "POLICYBOOK_CACHE": str(CACHES[0] / "watch")}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_collect, args=(proc, lines), daemon=True).start()
    try:
        _wait_line(lines, "first build")
        pdf = next((out / "sh").glob("*.pdf"))
        chapter = project / "handbook" / "chapters" / "05-leave.md"
        times, cpus = [], []
        for n in range(edits):
            before, used = pdf.stat().st_mtime_ns, _cpu_of(proc.pid)
            start = time.perf_counter()
            with chapter.open("a", encoding="utf-8") as handle:
                handle.write(f"\n第{n + 1}次修改。\n")
            while pdf.stat().st_mtime_ns == before and time.perf_counter() - start < 120:
                time.sleep(0.002)
            times.append(time.perf_counter() - start)
            _wait_line(lines, "changed")
            cpus.append(_cpu_of(proc.pid) - used)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    m = Measured(statistics.median(times), statistics.median(cpus), 0.0, 0.0, "", "", 0)
    note = f"median of {edits} edits ({', '.join(f'{t:.2f}' for t in times)} s), polling every 0.05 s"
    row("edit → new PDF", m, 0, note, "watch.edit")
    if raw is not None:
        print(
            f"  vs the raw Typst compile of the same source (cold process): x{m.seconds / raw.seconds:.2f} wall, "
            f"x{_ratio(m.cpu_seconds, raw.cpu_seconds)} cpu"
        )
        RESULTS_NOW["watch.edit"]["ratio"] = round(m.seconds / raw.seconds, 3)
        RESULTS_NOW["watch.edit"]["cpu_ratio"] = round(m.cpu_seconds / raw.cpu_seconds, 3) if raw.cpu_seconds else 0


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system, all threads) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _collect(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    for line in proc.stderr or []:
        lines.put(line)


def _wait_line(lines: queue.Queue[str], text: str) -> str:
    while True:
        line = lines.get(timeout=300)
        if text in line:
            return line


def _count(stderr: str) -> int:
    return sum(1 for line in stderr.splitlines() if line.startswith("["))


def raw_root(project: Path, sub: str, work: Path) -> Path:
    """The very Typst inputs policybook compiles for ``sub``'s PDF, written by bench/raw.py (not measured)."""
    root = work / f"raw-{project.name}-{sub}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = {**ENV, "POLICYBOOK_CACHE": str(CACHES[0] / "raw")}  # leaves the measured builds' caches alone
    raw = str(HERE / "raw.py")
    subprocess.run([PY, raw, "prepare", str(project / "handbook"), sub, str(root)], cwd=REPO, env=env, check=True)
    return root


def raw_typst(root: Path) -> Measured:
    """The engine floor: Typst compiling those inputs, nothing else (bench/raw.py)."""
    result = run([PY, str(HERE / "raw.py"), "compile", str(root)], cwd=REPO, env=ENV)
    if result.code != 0:
        raise SystemExit(f"raw Typst compile failed:\n{result.stderr}")
    return result


def pdf_scenarios(work: Path, scales: list[int]) -> dict[int, Measured]:
    header("one PDF: policybook vs raw Typst compile of the same source (target ratio <= 1.3; memory <= 1.2)")
    raws: dict[int, Measured] = {}
    for scale in scales:
        project = generate(work / f"pdf{scale}x", scale, 4)
        out = work / f"pdf{scale}x-dist"
        args = ("build", project / "handbook", "-s", "sh", "-f", "pdf", "-o", out, "--no-cache", "-j", "1")
        root = raw_root(project, "sh", work)
        runs = 5 if scale == 1 else 3  # the median of several, taken in turns (this machine is shared)
        firsts, warms, floors = [], [], []
        for n in range(runs):
            # a new user cache, as on a new machine; POLICYBOOK_TIMINGS says where the time went
            firsts.append(policybook(*args, cache=f"pdf{scale}x-{n}", env={"POLICYBOOK_TIMINGS": "1"}))
            floors.append(raw_typst(root))
            warms.append(policybook(*args, cache=f"pdf{scale}x-{n}"))
        raw = median(floors)
        raws[scale] = raw
        n = pages(out)
        note = f"median of {runs}" if runs > 1 else ""
        for label, kind, results in (
            ("policybook -f pdf (sh), first build", "first", firsts),
            ("same, user cache warm (chapters, forms)", "warm", warms),
        ):
            paired = _paired(results, floors)
            extra = f"{note}; turn by turn x{paired[0]:.2f} wall, x{paired[1]:.2f} cpu" if paired else note
            row(f"{scale}x {label}", median(results), n, extra, f"pdf{scale}x.{kind}", raw)
            if paired:
                RESULTS_NOW[f"pdf{scale}x.{kind}"].update(
                    turn_ratio=round(paired[0], 3), turn_cpu_ratio=round(paired[1], 3)
                )
        row(f"{scale}x raw Typst compiles (baseline)", raw, n, note, f"pdf{scale}x.raw")
        for line in firsts[-1].stderr.splitlines():
            if line.startswith("policybook: timings"):
                print(f"  first build, {line.removeprefix('policybook: ')}")
    return raws


def _paired(ours: list[Measured], raws: list[Measured]) -> tuple[float, float] | None:
    """The median of each turn's own wall and CPU ratio: the machine's speed drifts between turns
    (a shared host), and a build and the raw compile taken in the same turn drift together."""
    if len(ours) < 2:
        return None
    pairs = list(zip(ours, raws, strict=True))
    return (
        statistics.median(o.seconds / r.seconds for o, r in pairs),
        statistics.median(o.cpu_seconds / r.cpu_seconds for o, r in pairs),
    )


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
        cache="docx-plain",
    )
    row(f"{scale}x build -f docx, TOC without page numbers", plain, n, "pages = the PDF's", f"docx{scale}x.plain")
    paged = policybook(
        "build", project / "handbook", "-s", "sh", "-f", "docx", "-o", out, "--no-cache", "-j", "1", cache="docx-paged"
    )
    row(f"{scale}x build -f docx, TOC paginated by LibreOffice", paged, n, "", f"docx{scale}x.paged", plain)
    if shutil.which("pandoc"):
        md = work / "all-chapters.md"
        chapters = sorted((project / "handbook" / "chapters").glob("*.md"))
        md.write_text("\n\n".join(p.read_text(encoding="utf-8") for p in chapters), encoding="utf-8")
        pandoc = run(["pandoc", str(md), "-o", str(work / "pandoc.docx")])
        row(f"{scale}x pandoc markdown → docx (baseline)", pandoc, n, f"ours: x{plain.seconds / pandoc.seconds:.2f}")
        RESULTS_NOW[f"docx{scale}x.plain"]["ratio"] = round(plain.seconds / pandoc.seconds, 3)
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
        extra = f"{notes}; search index {index_kb:.0f} KB"
        row(f"{scale}x build -f html ({len(per_site)} sites)", m, 0, extra, f"html{scale}x")


def subsidiary_scenarios(work: Path, cases: list[tuple[int, int]]) -> None:
    header("many subsidiaries: full build, all formats, cold (memory bounded by workers, not subsidiaries)")
    for scale, count in cases:
        project = generate(work / f"subs{scale}x{count}", scale, count)
        out = work / f"subs{scale}x{count}-dist"
        m = policybook("build", project / "handbook", "-o", out, "--no-cache", cache=f"subs{scale}x{count}")
        made = pages(out, "HY-*.pdf")
        row(f"{scale}x, {count} subsidiaries", m, made, f"{_count(m.stderr)} outputs", f"subs{scale}x{count}")


def compare(previous: dict[str, Any], now: dict[str, dict[str, Any]]) -> None:
    """Each scenario's change against the previous results.json (wall and CPU seconds)."""
    before: dict[str, dict[str, Any]] = previous.get("scenarios", {})
    common = [key for key in now if key in before]
    if not common:
        return
    print(f"\nchange against {RESULTS.name} of {previous.get('date', '?')} (wall; cpu)")
    for key in common:
        old, new = before[key], now[key]
        wall = _change(old["seconds"], new["seconds"])
        cpu = _change(old.get("cpu_seconds", 0), new.get("cpu_seconds", 0))
        ratio = f"; ratio {old['ratio']:.2f} → {new['ratio']:.2f}" if "ratio" in old and "ratio" in new else ""
        print(f"  {new['name']:44s} {old['seconds']:7.2f} → {new['seconds']:7.2f} s ({wall}; {cpu}){ratio}")


def _change(old: float, new: float) -> str:
    return f"{(new - old) / old * 100:+.0f} %" if old else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the large and 30-subsidiary scenarios")
    parser.add_argument("--full", action="store_true", help="also the large handbook for 30 subsidiaries (long)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the figures (JSON)")
    parser.add_argument(
        "--skip",
        type=lambda v: set(v.split(",")),
        default=set(),
        help="leave out: pdf,sample,forms,watch,docx,subs,ledger",
    )
    args = parser.parse_args()
    # bytecode as an installed package has it (pip compiles at install; an editable install under
    # PYTHONDONTWRITEBYTECODE=1 would otherwise compile policybook's source again in every run)
    subprocess.run([PY, "-m", "compileall", "-q", str(REPO / "policybook")], check=True)
    load = os.getloadavg()[0]
    print(f"policybook bench — {os.cpu_count()} cores, load {load:.1f}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="policybook-bench-") as tmp:
        work = Path(tmp)
        CACHES.append(work / "caches")
        raws = pdf_scenarios(work, [1] if args.quick else [1, LARGE]) if "pdf" not in args.skip else {}
        if "sample" not in args.skip:
            sample_scenarios(work)
        if "forms" not in args.skip:
            forms_scenario(work)
        if "watch" not in args.skip:
            watch_scenario(work, raws.get(1))
        if not args.quick and "docx" not in args.skip:
            docx_scenarios(work, LARGE)
        html_scenarios(work, [1] if args.quick else [1, LARGE])
        cases = [(1, 3)] if args.quick else [(1, 3), (1, 30), (LARGE, 3)] + ([(LARGE, 30)] if args.full else [])
        if "subs" not in args.skip:
            subsidiary_scenarios(work, cases)
    if "ledger" not in args.skip:  # the 签收 ledger at 100,000 employees, SQLite and PostgreSQL (bench/ledger.py)
        from bench import ledger

        RESULTS_NOW["ledger"] = ledger.measure(10_000 if args.quick else 100_000, ["sqlite", "postgresql"])
    previous = json.loads(args.results.read_text(encoding="utf-8")) if args.results.is_file() else {}
    compare(previous, RESULTS_NOW)
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "load_at_start": round(load, 1),
        "quick": args.quick,
        "skipped": sorted(args.skip),
        "scenarios": RESULTS_NOW,
    }
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nfigures written to {args.results} (wall-clock on this machine; rerun with `make bench`)")


if __name__ == "__main__":
    main()
