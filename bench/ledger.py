"""The 签收 ledger at scale: 100,000 employees in 4 subsidiaries, on SQLite and PostgreSQL.

    python bench/ledger.py [--employees 100000] [--db sqlite,postgresql] [--copies 200]

Steps, each a fresh `policybook` process (wall seconds and its peak memory, from wait4):
  roster import   a CSV export of N employees (GBK, as Excel saves it)
  ack assign      the sample's release, to every active employee
  ack import      N/2 signatures from a CSV
  ack report      CSV of everyone (and XLSX)
  ack remind      the list of who has not signed
  ack sheets      one subsidiary's 签收单 (N/4 × unsigned pages)    pages/s
  distribute      personalised copies of one department              copies/s, vs `qpdf --overlay` per copy
Targets (issue 26): import, assign, report ≤ 5 s and ≤ 300 MB; sheets ≥ 200 pages/s with
memory independent of the count; distribute ≥ 20 copies/s and at least as fast as qpdf.
Never run by the tests (wall time depends on the machine); `make bench` runs it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
PY = sys.executable
SUBS = {"sz": 0.45, "sh": 0.25, "bj": 0.2, "hk": 0.1}
DEPARTMENTS = {  # the last department of each is the small one (one in twenty)
    "sz": ["客服中心/客服一部", "客服中心/客服二部", "客服中心/质检部", "运营部", "客服中心/投诉处理组"],
    "sh": ["研发中心/平台研发部", "研发中心/测试部", "产品部"],
    "bj": ["人力资源部", "财务部", "行政部", "法务部"],
    "hk": ["財務部", "客戶服務部", "行政部"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def roster_csv(path: Path, count: int, seed: int = 26) -> dict[str, list[str]]:
    """N employees as an Excel GBK CSV; returns the ids of the active ones per subsidiary."""
    rng = random.Random(seed)
    ids: dict[str, list[str]] = {s: [] for s in SUBS}
    lines = ["工号,姓名,所属公司,部门,入职日期,员工状态,手机"]
    subs, weights = list(SUBS), list(SUBS.values())
    for n in range(count):
        sub = rng.choices(subs, weights)[0]
        emp = f"{sub.upper()}{n:06d}"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        status = "离职" if rng.random() < 0.03 else rng.choice(["在职", "正式", "试用"])
        if status != "离职":
            ids[sub].append(emp)
        hired = f"20{rng.randint(10, 26):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        depts = DEPARTMENTS[sub]
        shares = [19 / (len(depts) - 1)] * (len(depts) - 1) + [1.0]
        dept = rng.choices(depts, shares)[0]
        lines.append(f"{emp},{name},{sub},{dept},{hired},{status},138{n:08d}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return ids


def signatures_csv(path: Path, ids: dict[str, list[str]], share: float = 0.5) -> int:
    every = [e for sub in ("sh", "bj", "hk") for e in ids[sub]] + ids["sz"][: len(ids["sz"]) // 4]
    chosen = every[: int(sum(len(v) for v in ids.values()) * share)]
    lines = ["工号,版本,方式,签收日期"] + [f"{e},3.2,在线确认,2026-12-05" for e in chosen]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(chosen)


def run(args: list[str | Path], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system: steadier on a shared machine), peak memory (MB), stderr."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        env = os.environ | {"PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([str(a) for a in args], cwd=cwd, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        tail = "\n".join(text.splitlines()[-20:])
        raise SystemExit(f"bench: {' '.join(map(str, args))} failed:\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def build(work: Path) -> Path:
    project = work / "project"
    for part in ("handbook", "forms", "templates"):
        shutil.copytree(REPO / part, project / part)
    run([PY, "-m", "policybook", "build", "handbook", "-f", "pdf", "-o", "dist"], project)
    return project


def scenario(project: Path, db: str, employees: int, copies: int) -> dict[str, Any]:
    work = project / f"run-{abs(hash(db)) % 10000}"
    work.mkdir()
    ids = roster_csv(work / "roster.csv", employees)
    signed = signatures_csv(work / "signed.csv", ids)
    pb = [PY, "-m", "policybook"]
    ledger = ["--db", db]
    figures: dict[str, Any] = {}

    def step(name: str, args: list[str | Path], count: int = 0, unit: str = "") -> None:
        wall, cpu, mb, _err = run(pb + args, project)
        figures[name] = {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "peak_mb": round(mb), "count": count}
        # per wall second, and per CPU second (what the machine's load does not change much)
        rate = f"  {count / wall:7.0f} {unit}/s ({count / cpu:.0f} per cpu s)" if count and unit else ""
        print(f"  {name:32s} {wall:7.2f} s wall {cpu:7.2f} s cpu {mb:6.0f} MB{rate}", flush=True)

    step("roster import", ["roster", "import", work / "roster.csv", "--date", "2026-12-01", *ledger], employees)
    step("ack assign", ["ack", "assign", "handbook", "--date", "2026-12-01", *ledger], employees)
    step("ack import", ["ack", "import", work / "signed.csv", "--by", "bench", *ledger], signed)
    step("ack report (csv)", ["ack", "report", "--format", "csv", "-o", work / "r.csv", *ledger], employees)
    step("ack report (xlsx)", ["ack", "report", "--format", "xlsx", "-o", work / "r.xlsx", *ledger], employees)
    step("ack remind", ["ack", "remind", "-o", work / "remind.csv", *ledger])
    pages = _unsigned(work / "remind.csv", "sz")
    step("ack sheets (sz)", ["ack", "sheets", "handbook", "-s", "sz", "-o", work / "sheets", *ledger], pages, "pages")
    dept = "投诉处理组"  # by the last part of its path, as HR types it
    wanted = _unsigned(work / "remind.csv", "sz", dept)
    step(
        f"distribute ({dept})",
        ["distribute", "handbook", "-s", "sz", "--department", dept, "-o", work / "copies", *ledger],
        wanted,
        "copies",
    )
    shutil.rmtree(work / "copies", ignore_errors=True)  # ~1 MB a copy
    figures["qpdf_overlay_per_copy_s"] = round(_qpdf_overlay(project, work, min(copies, 20)), 3)
    print(f"  {'qpdf --overlay, one copy':28s} {figures['qpdf_overlay_per_copy_s']:7.3f} s (baseline)")
    return figures


def _unsigned(remind: Path, sub: str, department: str = "") -> int:
    import csv

    from policybook.ledger.names import department_matches

    with remind.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    return sum(1 for r in rows if r[0].lower().startswith(sub) and department_matches(department, r[3]))


def _qpdf_overlay(project: Path, work: Path, count: int) -> float:
    """The baseline: one footer PDF overlaid on the handbook with qpdf, per copy."""
    from pypdf import PdfReader, PdfWriter

    pdf = next((project / "dist" / "sz").glob("*.pdf"))
    footer = work / "footer.pdf"
    writer = PdfWriter()
    box = PdfReader(pdf).pages[0].mediabox
    writer.add_blank_page(float(box.width), float(box.height))
    writer.write(footer)
    start = time.perf_counter()
    for n in range(count):
        subprocess.run(
            ["qpdf", str(pdf), "--overlay", str(footer), "--repeat=1", "--", str(work / f"q{n}.pdf")], check=True
        )
    return (time.perf_counter() - start) / count


def postgres_url(work: Path) -> tuple[str, Any]:
    from tests.ledger_support import start_postgres

    server = start_postgres()
    found = next(server)
    return found.create_database("bench"), server


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--copies", type=int, default=20, help="copies for the qpdf baseline")
    args = parser.parse_args()
    return measure(args.employees, args.db.split(","), args.copies)


def measure(employees: int, databases: list[str], copies: int = 20) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="policybook-ledger-bench-") as tmp:
        project = build(Path(tmp))
        for kind in databases:
            print(f"ledger, {employees:,} employees, {kind}:", flush=True)
            if kind == "sqlite":
                results[kind] = scenario(project, str(project / "ledger.db"), employees, copies)
            else:
                url, server = postgres_url(Path(tmp))
                try:
                    results[kind] = scenario(project, url, employees, copies)
                finally:
                    server.close()
    return results


if __name__ == "__main__":
    main()
