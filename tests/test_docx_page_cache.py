"""The DOCX contents' page numbers: kept for drafts LibreOffice already laid out, and a
LibreOffice that fails or hangs costs only the page numbers, never a process left behind."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from policybook.cache import store, user_cache_dir
from policybook.writers.docx import libreoffice, page_cache, pagination
from policybook.writers.docx.pagination import Pages

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def package(body: str, title: str = "v1") -> bytes:
    """A minimal DOCX-like package: what LibreOffice lays out, and properties it does not."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", f"<document>{body}</document>")
        z.writestr("docProps/core.xml", f"<title>{title}</title>")
    return out.getvalue()


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[bytes]]:
    """A LibreOffice stand-in that records what it was asked to lay out (one page per byte)."""
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYBOOK_DOCX_PAGES", raising=False)
    monkeypatch.setattr(libreoffice, "soffice", lambda: "/usr/bin/soffice")
    asked: list[list[bytes]] = []

    def lay_out(datas: list[bytes]) -> list[Pages | None]:
        asked.append(datas)
        return [Pages({"h1": 3}, len(data)) for data in datas]

    monkeypatch.setattr(pagination, "page_numbers_many", lay_out)
    return asked


def test_pages_are_reused_when_the_laid_out_parts_are_identical(laid_out: list[list[bytes]]) -> None:
    first = page_cache.page_numbers_many([package("正文")])
    again = page_cache.page_numbers_many([package("正文", title="v2")])  # only the properties differ
    assert laid_out == [[package("正文")]]
    assert again == first and first[0] is not None and first[0].bookmarks == {"h1": 3}


def test_a_changed_body_is_laid_out_again_and_only_it(laid_out: list[list[bytes]]) -> None:
    page_cache.page_numbers_many([package("正文")])
    page_cache.page_numbers_many([package("正文"), package("改过的正文"), package("正文")])
    assert laid_out == [[package("正文")], [package("改过的正文")]]


def test_another_libreoffice_does_not_reuse_the_pages(laid_out: list[list[bytes]], monkeypatch) -> None:
    page_cache.page_numbers_many([package("正文")])
    monkeypatch.setattr(libreoffice, "libreoffice_identity", lambda soffice: "another build")
    page_cache.page_numbers_many([package("正文")])
    assert len(laid_out) == 2


def test_a_failed_pass_is_not_kept_and_a_damaged_entry_is_a_miss(laid_out, monkeypatch) -> None:
    monkeypatch.setattr(pagination, "page_numbers_many", lambda datas: [None] * len(datas))
    assert page_cache.page_numbers_many([package("正文")]) == [None]
    assert not list(user_cache_dir(page_cache.KIND).rglob("*"))
    entry = page_cache.key(package("正文"), "/usr/bin/soffice")
    store(page_cache.KIND, entry, b'{"bookmarks": [], "total": "x"}')  # intact, but not pages
    assert page_cache.load(entry) is None
    page_cache.save(entry, Pages({"ch-1": 3}, 40))
    assert page_cache.load(entry) == Pages({"ch-1": 3}, 40)
    [kept] = user_cache_dir(page_cache.KIND).rglob(entry)
    kept.write_bytes(kept.read_bytes()[:-2])  # truncated: its checksum no longer matches
    assert page_cache.load(entry) is None


def test_without_libreoffice_nothing_is_asked(laid_out: list[list[bytes]], monkeypatch) -> None:
    monkeypatch.setattr(libreoffice, "soffice", lambda: None)
    assert page_cache.page_numbers_many([package("正文")]) == [None]
    assert laid_out == []


def fake_soffice(folder: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``soffice`` on PATH that runs ``script`` (it records its pid in folder/pid)."""
    binary = folder / "soffice"
    binary.write_text(f"#!/bin/sh\necho $$ > {folder / 'pid'}\n{script}\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("POLICYBOOK_CACHE", str(folder / "cache"))
    monkeypatch.delenv("POLICYBOOK_DOCX_PAGES", raising=False)


def test_a_failing_libreoffice_means_contents_without_page_numbers(tmp_path, monkeypatch) -> None:
    fake_soffice(tmp_path, "exit 1", monkeypatch)
    assert page_cache.page_numbers_many([package("正文"), package("别的")]) == [None, None]


def test_a_hung_libreoffice_is_killed_not_left_behind(tmp_path, monkeypatch) -> None:
    fake_soffice(tmp_path, "exec sleep 60", monkeypatch)
    monkeypatch.setattr(libreoffice, "TIMEOUT_S", 0.5)
    assert page_cache.page_numbers_many([package("正文")]) == [None]
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_libreoffice_asking_to_be_started_again_is_started_again(tmp_path, monkeypatch) -> None:
    """soffice.bin exits 81 after setting up a new profile, as its launcher knows."""
    marker = tmp_path / "started"
    fake_soffice(tmp_path, f"[ -e {marker} ] && exit 0; touch {marker}; exit {libreoffice.RESTART}", monkeypatch)
    with pytest.raises(RuntimeError, match="did not convert"):  # the stand-in writes no PDF
        libreoffice.convert_many([tmp_path / "a.docx"], tmp_path / "out")
    assert marker.exists()


def test_a_failing_early_office_leaves_the_conversion_to_a_libreoffice_of_its_own(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(libreoffice, "_EARLY", [tmp_path / "early-profile"])
    monkeypatch.setattr(libreoffice, "_seed_profile", lambda profile, soffice: None)
    profiles: list[str] = []

    def run(command: list[str]) -> None:
        profiles.append(command[1])
        if len(profiles) == 1:
            raise subprocess.CalledProcessError(1, command)  # the early office did not answer
        (tmp_path / "out" / "a.pdf").write_bytes(b"%PDF")

    monkeypatch.setattr(libreoffice, "run_alone", run)
    (tmp_path / "out").mkdir()
    assert libreoffice.convert_many([tmp_path / "a.docx"], tmp_path / "out") == [tmp_path / "out" / "a.pdf"]
    assert profiles[0].endswith("early-profile") and "pb-lo-profile-" in profiles[1]


def processes_naming(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and text.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
    return found


@needs_soffice
def test_the_office_started_early_converts_and_is_stopped_after(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYBOOK_DOCX_PAGES", raising=False)
    source = tmp_path / "a.docx"
    document = docx.Document()
    document.add_paragraph("第一条　测试")
    document.save(str(source))
    with libreoffice.early():
        [profile] = libreoffice._EARLY
        assert processes_naming(profile.as_uri())
        monkeypatch.setattr(libreoffice, "_seed_profile", lambda *_: pytest.fail("converted without the office"))
        [pdf] = libreoffice.convert_many([source], tmp_path / "out")
    assert "测试" in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert not processes_naming(profile.as_uri()) and not profile.exists()


def test_a_libreoffice_that_cannot_start_early_is_no_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(libreoffice, "soffice", lambda: str(tmp_path / "missing" / "soffice"))
    with libreoffice.early():
        assert libreoffice._EARLY == []


def test_libreoffice_starts_with_the_first_draft_that_needs_it_and_only_then(tmp_path, monkeypatch) -> None:
    import policybook.writers.docx as writer

    events: list[str] = []

    class Draft:
        def __init__(self, doc: str) -> None:
            events.append(f"draft {doc}")
            self.data = doc.encode()

        def finish(self, pages: object) -> bytes:
            return self.data

    @contextlib.contextmanager
    def early():  # type: ignore[no-untyped-def]
        events.append("office starts")
        monkeypatch.setattr(libreoffice, "_EARLY", [tmp_path])
        yield
        libreoffice._EARLY.clear()
        events.append("office stops")

    monkeypatch.setattr(writer, "Draft", Draft)
    monkeypatch.setattr(writer, "handbook_stem", lambda doc: doc)
    monkeypatch.setattr(libreoffice, "early", early)
    monkeypatch.setattr(page_cache, "wanted", lambda data: data != b"kept")
    monkeypatch.setattr(page_cache, "page_numbers_many", lambda datas: [None] * len(datas))
    writer.write_many([("kept", tmp_path), ("new", tmp_path), ("other", tmp_path)])  # type: ignore[list-item]
    assert events == ["draft kept", "draft new", "office starts", "draft other", "office stops"]
    events.clear()
    writer.write_many([("kept", tmp_path)])  # type: ignore[list-item]
    assert events == ["draft kept"]
