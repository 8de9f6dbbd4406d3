"""A whole release: every output for every subsidiary, reproducible to the byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOTS


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The variants root built twice from scratch with the same SOURCE_DATE_EPOCH."""
    outs = []
    for n in (1, 2):
        out = tmp_path_factory.mktemp(f"build{n}")
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
        done = subprocess.run(
            [sys.executable, "-m", "policybook", "build", str(ROOTS / "variants"), "-o", str(out), "--no-cache"],
            cwd=Path(__file__).parent.parent,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outs.append(out)
    return outs[0], outs[1]


def _files(out: Path) -> dict[str, bytes]:
    """The release: every output and the manifest (not the build cache's own index)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_every_format_for_every_subsidiary(two_builds: tuple[Path, Path]) -> None:
    files = _files(two_builds[0])
    for sub in ("cs", "hk", "plain"):
        names = [n for n in files if n.startswith(f"{sub}/")]
        assert any(n.endswith(".pdf") and "/forms/" not in n for n in names)
        assert any(n.endswith(".docx") and "/forms/" not in n for n in names)
        assert any("/forms/" in n and n.endswith(".pdf") for n in names)
        assert any("/forms/" in n and n.endswith(".docx") for n in names)
    assert "cs/forms/附件二-F-service-客户服务记录单-CS-v1.0.pdf" in files
    assert "hk/forms/附件二-F-ack-員工手冊簽收單-HK-v1.0.pdf" in files


def test_rebuild_gives_identical_bytes(two_builds: tuple[Path, Path]) -> None:
    first, second = (_files(out) for out in two_builds)
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_manifest_matches_files(two_builds: tuple[Path, Path]) -> None:
    out = two_builds[0]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {n for n in _files(out) if n != "manifest.json"}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256((out / path).read_bytes()).hexdigest()
    kinds = {f["kind"] for f in manifest["files"]}
    site = {f"site-{ext}" for ext in ("html", "css", "js")}
    assert kinds == {"handbook-pdf", "handbook-docx", "form-pdf", "form-docx"} | site
    assert {f["version"] for f in manifest["files"] if f["kind"].startswith("handbook")} == {"2.0"}


def test_version_in_names_metadata_and_pages(two_builds: tuple[Path, Path]) -> None:
    pdf = two_builds[0] / "cs" / "V-001-CS-v2.0.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "v2.0" in info and "2026-06-01" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    # every page after the cover carries version and (Chinese) effective date
    assert len(pages) > 4 and all("2.0" in p and "2026年6月1日" in p.replace(" ", "") for p in pages[1:])
