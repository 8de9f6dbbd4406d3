"""Procedure stage: write an evidence package — one folder and one PDF a lawyer can hand over.

The folder holds the release's full handbook PDF (its SHA-256 checked against the ledger
and the build's manifest), the pages where the article is printed, the 征求意见稿, signed
minutes, 公示 evidence and the acknowledgement's evidence — each copied from where it is
kept and re-hashed — plus ``index.json`` and ``SHA256SUMS``. The PDF states the gaps on its
first page, then the article, its history, the procedure, the 公示, the employee and the
acknowledgement, the index of files, and the article's pages as printed.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

from policybook.diagnostics import fail
from policybook.ledger.evidence import EvidenceStore
from policybook.naming import safe
from policybook.output import sha256
from policybook.procedure import sections
from policybook.procedure.evidence import Facts
from policybook.procedure.sections import File
from policybook.procedure.typeset import style_of, typeset

HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Package:
    folder: Path
    pdf: Path
    files: list[File] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


class _Folder:
    """The package being filled (a temporary folder, renamed into place at the end)."""

    def __init__(self, path: Path, store: EvidenceStore, facts: Facts) -> None:
        self.path, self.store, self.facts = path, store, facts
        self.files: list[File] = []

    def copy(self, source: Path, name: str, what: str, expected: str = "") -> File | None:
        target = self.path / safe_name(name)
        shutil.copyfile(source, target)
        digest = sha256(target)
        if expected and digest != expected:
            self.facts.gaps.append(f"{what}：文件的 SHA-256 与账本记录不符（{source.name}）")
            target.unlink()
            return None
        found = File(target.name, what, digest)
        self.files.append(found)
        return found

    def copy_bytes(self, data: bytes, name: str, what: str) -> File:
        target = self.path / safe_name(name)
        target.write_bytes(data)
        found = File(target.name, what, sha256(target))
        self.files.append(found)
        return found

    def kept(self, digest: str, name: str, what: str, prefix: str) -> File | None:
        """A file from the evidence folder, by the hash the ledger recorded."""
        if not digest:
            return None
        if not HEX64.fullmatch(digest):  # only a real SHA-256 may name a path in the evidence folder
            self.facts.gaps.append(f"{what}：账本中的 SHA-256 无效（{name}）")
            return None
        source = self.store.path_of(digest, Path(name).suffix)
        if not source.is_file():
            self.facts.gaps.append(f"{what}：证据文件 {name} 不在证据文件夹中（SHA-256 {digest[:12]}…）")
            return None
        return self.copy(source, f"{prefix}-{name}", what, digest)


def safe_name(name: str) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix
    return safe(stem) + re.sub(r"[^A-Za-z0-9.]", "", suffix)[:10]


def check_output(out: Path) -> None:
    """A package goes into a new or empty folder: it is never overwritten."""
    if out.exists() and not out.is_dir():
        raise fail(None, f"{out} is a file", "evidence.output", "name a new folder for the package")
    if out.exists() and any(out.iterdir()):
        raise fail(
            None,
            f"{out} exists and is not empty",
            "evidence.output",
            "name a new folder: a package is never overwritten",
        )


def write_package(facts: Facts, dists: list[Path], store: EvidenceStore, out: Path) -> Package:
    check_output(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".evidence-", dir=out.parent) as tmp:
        folder = _Folder(Path(tmp), store, facts)
        handbook, excerpt = _handbook(folder, dists)
        receipt = sections.copy_records(folder, facts)
        name = safe(f"证据包-{facts.roster.id}-{facts.label}-{facts.day.isoformat()}") + ".pdf"
        blocks = sections.blocks(facts, handbook, folder.files, receipt)
        pdf = typeset(blocks, "证据材料", f"{facts.roster.id} · {facts.label} · {facts.day}", style_of(facts.doc))
        (folder.path / name).write_bytes(_with_pages(pdf, excerpt))
        _index(folder, name)
        if out.exists():
            out.rmdir()
        Path(tmp).rename(out)
        Path(tmp).mkdir()  # for TemporaryDirectory's own clean-up
    return Package(out, out / name, folder.files, list(facts.gaps))


def _handbook(folder: _Folder, dists: list[Path]) -> tuple[sections.Handbook | None, bytes]:
    """The release's full PDF (re-hashed, checked against the ledger and the manifest), and its article pages."""
    facts = folder.facts
    recorded = facts.recorded
    if recorded is None or facts.release is None:
        return None, b""
    what = f"版本 {facts.release.version} 手册全文 PDF"
    for dist in dists:
        path = dist / recorded.path
        if path.is_file() and sha256(path) == recorded.sha256:
            copied = folder.copy(path, f"02-{Path(recorded.path).name}", what, recorded.sha256)
            manifest = _manifest_sha(dist, recorded.path)
            if manifest != recorded.sha256:
                facts.gaps.append(f"{what}：{dist}/manifest.json 中的 SHA-256 与账本不符或缺失")
            pages, excerpt = _excerpt(path, facts)
            if copied is not None and excerpt:
                folder.copy_bytes(
                    excerpt, f"01-条款页面摘录-{Path(recorded.path).stem}.pdf", "条款所在页面（摘自手册全文）"
                )
            return sections.Handbook(copied, manifest == recorded.sha256, pages), excerpt
    facts.gaps.append(f"{what}（{recorded.path}，SHA-256 {recorded.sha256[:12]}…）不在 --dist 给出的文件夹中或已被改动")
    return None, b""


def _manifest_sha(dist: Path, rel: str) -> str:
    try:
        data = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return next((str(f.get("sha256")) for f in data.get("files", []) if f.get("path") == rel), "")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _excerpt(path: Path, facts: Facts) -> tuple[list[int], bytes]:
    """The pages (1-based) where the article is printed, as a PDF of their own: found by the
    PDF's bookmarks (one per article), confirmed by the text on those pages; a PDF without
    them is searched page by page."""
    if facts.article is None:
        return [], b""
    reader = PdfReader(path)
    found = _bookmarked(reader, facts.article.number) or _searched(reader, facts)
    if not found:
        facts.gaps.append(f"在手册 PDF 中未能定位 {facts.article.number} 所在页面")
        return [], b""
    writer = PdfWriter()
    for i in found:
        writer.add_page(reader.pages[i])
    buffer = io.BytesIO()
    writer.write(buffer)
    return [i + 1 for i in found], buffer.getvalue()


def _bookmarked(reader: PdfReader, number: str) -> list[int]:
    """From the article's bookmark to the page where the next bookmark begins (0-based)."""
    marks: list[tuple[str, int]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                page = reader.get_destination_page_number(item)
                if page is not None:
                    marks.append((str(item.title), page))

    try:
        walk(reader.outline)
    except (KeyError, ValueError, TypeError):
        return []
    for index, (title, page) in enumerate(marks):
        if title == number or title.startswith(number + "\u3000") or title.startswith(number + " "):
            after = marks[index + 1][1] if index + 1 < len(marks) else page
            pages = list(range(page, max(page, after) + 1))
            head = _squeeze(number)
            return pages if head in _squeeze(reader.pages[page].extract_text() or "") else []
    return []


def _searched(reader: PdfReader, facts: Facts) -> list[int]:
    article = facts.article
    assert article is not None
    lines = [line for line in article.body.split("\n") if line and "\t" not in line]
    if not lines:
        return []
    first, last = _squeeze(lines[0])[:14], _squeeze(lines[-1])[-12:]
    texts = [_squeeze(page.extract_text() or "") for page in reader.pages]
    starts = [i for i, t in enumerate(texts) if first in t]
    if not starts:
        return []
    start = starts[-1]
    end = next((i for i in range(start, min(start + 3, len(texts))) if last in texts[i]), start)
    return list(range(start, end + 1))


def _with_pages(pdf: bytes, excerpt: bytes) -> bytes:
    if not excerpt:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.append(PdfReader(io.BytesIO(excerpt)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _index(folder: _Folder, main: str) -> None:
    facts = folder.facts
    listed = [*folder.files, File(main, "证据材料汇编（本 PDF）", sha256(folder.path / main))]
    index = {
        "employee": facts.roster.id,
        "article": facts.label,
        "date": facts.day.isoformat(),
        "release": facts.release.version if facts.release else "",
        "roster_basis": facts.roster.basis,
        "gaps": facts.gaps,
        "files": [{"name": f.name, "what": f.what, "sha256": f.sha256} for f in listed],
    }
    (folder.path / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in listed)
    (folder.path / "SHA256SUMS").write_text(sums, encoding="utf-8")
