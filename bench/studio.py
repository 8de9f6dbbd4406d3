"""Benchmark the studio: page time at the 782-page source and save → preview, through the WSGI app.

    python bench/studio.py [--scale 33] [--work /tmp/policybook-bench-studio]

Targets (issue 24): a page < 300 ms at the 782-page source (scale 33, 4 subsidiaries);
save → preview < 1 s on the sample (the preview kept warm, as ``watch`` keeps it).
Each time is the median of several requests after one warm-up; the machine is shared.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402
from policybook.ledger.db import opened  # noqa: E402
from policybook.studio import StudioConfig, create_app, users  # noqa: E402

PASSWORD = "bench password 1"
RUNS = 7


def client_for(project: Path) -> object:
    db = str(project / "policybook.db")
    with opened(db) as ledger, ledger.transaction() as session:
        users.add_user(session, "bench", "测试", PASSWORD, ["editor", "approver", "clerk"])
    app = create_app(StudioConfig(source=project / "handbook", db=db, output=project / "dist"))
    app.config["WTF_CSRF_ENABLED"] = False  # the benchmark measures pages, not tokens
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": PASSWORD})
    return client


def timed(client: object, method: str, path: str, data: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    response = getattr(client, method)(path, data=data)
    return time.perf_counter() - start, response.status_code


def pages(client: object, label: str) -> None:
    paths = {
        "handbook home": "/",
        "contents (sz)": "/sub/sz/",
        "one chapter (sz)": "/sub/sz/4",
        "one article, 4 variants": "/article/art-late",
        "search 迟到 (sz)": "/search?q=%E8%BF%9F%E5%88%B0&sub=sz",
        "forms page": "/forms/?sub=sz",
    }
    first, _ = timed(client, "get", "/")  # the first request reads and checks the source once
    print(f"{label:<14} {'first page (checks the source)':<28} {first * 1000:7.0f} ms")
    for name, path in paths.items():
        times = []
        for _ in range(RUNS):
            seconds, status = timed(client, "get", path)
            assert status == 200, (path, status)
            times.append(seconds)
        print(f"{label:<14} {name:<28} {median(times) * 1000:7.0f} ms   (median of {RUNS})")


def save_to_preview(client: object, label: str = "sample", runs: int = RUNS) -> None:
    start = client.post("/drafts/start/art-late")  # type: ignore[attr-defined]
    edit = start.headers["Location"]
    page = client.get(edit).get_data(as_text=True)  # type: ignore[attr-defined]
    body = html.unescape(re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page, re.S).group(1))  # type: ignore[union-attr]
    draft = edit.split("/drafts/")[1].split("/")[0]
    preview = f"/review/{draft}/preview/art-late?sub=sz"
    timed(client, "get", preview)  # the first preview compiles cold
    saves, previews = [], []
    for n in range(runs):
        revision = re.search(r'name="revision" value="(\d+)"', client.get(edit).get_data(as_text=True)).group(1)  # type: ignore[attr-defined,union-attr]
        seconds, status = timed(
            client, "post", edit, {"title": "迟到与早退", "body": body + f"\n第{n}次修改。", "revision": revision}
        )
        assert status == 302, status
        saves.append(seconds)
        seconds, status = timed(client, "get", preview)
        previews.append(seconds)
    total = [s + p for s, p in zip(saves, previews, strict=True)]
    print(f"{label:<14} {'save (checked)':<28} {median(saves) * 1000:7.0f} ms")
    print(f"{label:<14} {'preview after save (warm)':<28} {median(previews) * 1000:7.0f} ms")
    print(f"{label:<14} {'save → preview':<28} {median(total) * 1000:7.0f} ms   (target < 1000 on the sample)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=33)  # 33: 782 pages for Shanghai (bench/run.py LARGE)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--large-saves", action="store_true", help="also save → preview at the large source (slow)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybook-bench-studio-"))
    try:
        big = generate(work / f"studio{args.scale}x", args.scale, 4)
        large = client_for(big)
        pages(large, f"{args.scale}x source")
        if args.large_saves:
            save_to_preview(large, f"{args.scale}x source", runs=3)
        sample = generate(work / "sample", 1, 4)
        small = client_for(sample)
        pages(small, "sample")
        save_to_preview(small)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
