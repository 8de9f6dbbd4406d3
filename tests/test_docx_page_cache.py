"""The DOCX contents' page numbers: what LibreOffice lays out, kept for drafts it already laid
out; a LibreOffice that fails, hangs or never runs its macro costs only the page numbers, never
a process left behind."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn

from policybook.cache import store, user_cache_dir
from policybook.writers.docx import libreoffice, page_cache, pagination
from policybook.writers.docx.pagination import Pages

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def package(body: str, title: str = "v1") -> bytes:
    """A minimal DOCX-like package: what LibreOffice lays out, and properties it does not."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, xml in (
            ("word/document.xml", f"<document>{body}</document>"),
            ("docProps/core.xml", f"<title>{title}</title>"),
        ):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), xml)  # same bytes every call
    return out.getvalue()


class FakeLayout:
    """A LibreOffice stand-in that records what it was asked to lay out (one page per byte)."""

    asked: list[list[bytes]] = []

    def __init__(self) -> None:
        self.datas: list[bytes] = []

    def add(self, data: bytes) -> int:
        if not self.datas:
            self.asked.append(self.datas)
        self.datas.append(data)
        return len(self.datas) - 1

    def pages(self) -> list[Pages | None]:
        return [Pages({"h1": 3}, len(data)) for data in self.datas]

    def close(self) -> None:
        pass


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[bytes]]:
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYBOOK_DOCX_PAGES", raising=False)
    monkeypatch.setattr(libreoffice, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(FakeLayout, "asked", [])
    monkeypatch.setattr(page_cache, "Layout", FakeLayout)
    return FakeLayout.asked


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
    monkeypatch.setattr(FakeLayout, "pages", lambda self: [None] * len(self.datas))
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
    """A ``soffice`` on PATH that runs ``script`` when started on the pages macro (it records
    its pid in folder/pid); started to set up a profile, it ends at once."""
    binary = folder / "soffice"
    setup = '[ -n "$POLICYBOOK_PAGES" ] || exit 0'  # setting up the kept profile: done at once
    binary.write_text(f"#!/bin/sh\n{setup}\necho $$ > {folder / 'pid'}\n{script}\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("POLICYBOOK_CACHE", str(folder / "cache"))
    monkeypatch.delenv("POLICYBOOK_DOCX_PAGES", raising=False)


def assert_gone(folder: Path) -> None:
    """The stand-in whose pid is in folder/pid no longer runs (killed, not left behind)."""
    pid = int((folder / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_failing_libreoffice_means_contents_without_page_numbers(tmp_path, monkeypatch) -> None:
    fake_soffice(tmp_path, "exit 1", monkeypatch)
    assert page_cache.page_numbers_many([package("正文"), package("别的")]) == [None, None]


def test_a_hung_libreoffice_is_killed_not_left_behind(tmp_path, monkeypatch) -> None:
    fake_soffice(tmp_path, "exec sleep 60", monkeypatch)
    monkeypatch.setattr(libreoffice, "TIMEOUT_S", 0.5)
    assert page_cache.page_numbers_many([package("正文")]) == [None]
    assert_gone(tmp_path)


def test_libreoffice_asking_to_be_started_again_is_started_again(tmp_path, monkeypatch) -> None:
    """soffice.bin exits 81 after setting up a new profile, as its launcher knows; the second
    start finds the profile it set up and the job folder as they were (this stand-in answers
    for draft 0 only if its profile is still there)."""
    marker = tmp_path / "started"
    profile = 'p="${1#-env:UserInstallation=file://}"'
    answer = '[ -e "$p/set-up" ] && printf "2\\nh1\\t2\\n" > "$POLICYBOOK_PAGES/0.pages"'
    first = f'mkdir -p "$p" && touch "$p/set-up" {marker}; exit {libreoffice.RESTART}'
    fake_soffice(tmp_path, f"{profile}; [ -e {marker} ] && {{ {answer}; exit 0; }}; {first}", monkeypatch)
    assert page_cache.page_numbers_many([package("正文")]) == [Pages({"h1": 2}, 2)]
    assert marker.exists()


def test_a_libreoffice_whose_macro_never_runs_is_stopped_soon(tmp_path, monkeypatch) -> None:
    """A macro that does not start (it did not compile, the profile has no Basic) leaves a
    headless LibreOffice waiting for ever: it is killed after READY_S, not after the timeout."""
    fake_soffice(tmp_path, "exec sleep 60", monkeypatch)
    monkeypatch.setattr(pagination, "READY_S", 0.3)
    assert page_cache.page_numbers_many([package("正文")]) == [None]
    assert_gone(tmp_path)


def test_what_the_macro_writes_is_read_and_anything_else_is_no_answer(tmp_path: Path) -> None:
    answer = tmp_path / "0.pages"
    answer.write_text("40\nch_general\t6\nart_1 Copy 1\t7\n")
    assert pagination._read(answer) == Pages({"ch_general": 6, "art_1 Copy 1": 7}, 40)
    for broken in ("", "forty\nch\t6\n", "40\nch 6\n", "40\nch\t-1\n"):
        answer.write_text(broken)
        assert pagination._read(answer) is None, broken
    assert pagination._read(tmp_path / "missing.pages") is None


def processes_naming(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and text.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
    return found


def two_pages(first: str, second: str) -> bytes:
    """A DOCX with bookmark ``first`` on page 1 and ``second`` after a page break."""
    document = docx.Document()
    for name, text, index in ((first, "第一条　测试", 0), (second, "第二条　测试", 1)):
        paragraph = document.add_paragraph()
        if index:
            paragraph.add_run().add_break(WD_BREAK.PAGE)
        start = paragraph._p.makeelement(qn("w:bookmarkStart"), {qn("w:id"): str(index), qn("w:name"): name})
        paragraph._p.append(start)
        paragraph.add_run(text)
        paragraph._p.append(paragraph._p.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): str(index)}))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@needs_soffice
def test_libreoffice_finds_each_bookmarks_page_in_each_draft_and_is_gone_after(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYBOOK_DOCX_PAGES", raising=False)
    with pagination.Layout() as layout:
        layout.add(two_pages("ch_one", "art_two"))
        folder = Path(layout._folder.name)  # type: ignore[union-attr]
        assert processes_naming(folder.as_uri())
        layout.add(b"not a zip file")  # LibreOffice reads it as plain text: one page, no bookmark
        layout.add(two_pages("ch_three", "art_four"))
        answers = layout.pages()
    assert answers == [Pages({"ch_one": 1, "art_two": 2}, 2), Pages({}, 1), Pages({"ch_three": 1, "art_four": 2}, 2)]
    assert not processes_naming(folder.as_uri()) and not folder.exists()


def test_libreoffice_starts_with_the_first_draft_that_needs_it_and_only_then(tmp_path, monkeypatch) -> None:
    import policybook.writers.docx as writer

    events: list[str] = []

    class Draft:
        def __init__(self, doc: str) -> None:
            events.append(f"draft {doc}")
            self.data = doc.encode()

        def finish(self, pages: object) -> bytes:
            return self.data

    class Layout(FakeLayout):
        def add(self, data: bytes) -> int:
            events.append(f"{'office starts with' if not self.datas else 'office takes'} {data.decode()}")
            return super().add(data)

        def close(self) -> None:
            events.append("office stops")

    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(libreoffice, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(writer, "Draft", Draft)
    monkeypatch.setattr(writer, "handbook_stem", lambda doc: doc)
    monkeypatch.setattr(page_cache, "Layout", Layout)
    monkeypatch.setattr(page_cache, "key", lambda data, soffice: data.decode())
    monkeypatch.setattr(page_cache, "load", lambda entry: Pages({}, 1) if entry == "kept" else None)
    writer.write_many([("kept", tmp_path), ("new", tmp_path), ("other", tmp_path)])  # type: ignore[list-item]
    assert events == [
        "draft kept",
        "draft new",
        "office starts with new",
        "draft other",
        "office takes other",
        "office stops",
    ]
    events.clear()
    writer.write_many([("kept", tmp_path)])  # type: ignore[list-item]
    assert events == ["draft kept", "office stops"]


def test_the_office_started_early_is_taken_by_one_writer_only(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    fake_soffice(tmp_path, "exec sleep 60", monkeypatch)
    with pagination.early():
        [office] = pagination._EARLY
        assert pagination.claimed() is office
        assert pagination.claimed() is None  # a second DOCX task starts its own
        for _ in range(200):  # the stand-in writes its pid once it runs
            if (tmp_path / "pid").exists() and (tmp_path / "pid").read_text().strip():
                break
            time.sleep(0.02)
        pid = int((tmp_path / "pid").read_text())
    assert pagination._EARLY == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_writer_forked_after_the_office_started_waits_for_it_by_the_job_folder(tmp_path, monkeypatch) -> None:
    """The forked writer cannot wait for a process that is not its child: it waits for the
    macro's "done", and gives up on a LibreOffice that died (here: answering draft 0 only)."""
    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    wait = 'while [ ! -e "$POLICYBOOK_PAGES/end" ]; do sleep 0.05; done'
    answer = f'{wait}; printf "1\\nh1\\t1\\n" > "$POLICYBOOK_PAGES/0.pages"'
    fake_soffice(tmp_path, f'touch "$POLICYBOOK_PAGES/ready"; {answer}; exit 0', monkeypatch)
    with pagination.early():
        layout = pagination.claimed()
        assert layout is not None
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the DOCX writer's worker
            try:
                os.close(read)
                layout.add(package("正文"))
                layout.add(package("别的"))
                os.write(write, repr(layout.pages()).encode())
                layout.close()  # not its office: left running for the parent
            finally:
                os._exit(0)
        os.close(write)
        said = os.read(read, 10000).decode()
        os.waitpid(child, 0)
    assert said == repr([Pages({"h1": 1}, 1), None])


@needs_soffice
def test_a_build_hands_its_drafts_to_the_office_it_started_early(tmp_path, monkeypatch) -> None:
    from policybook.build import build

    monkeypatch.setenv("POLICYBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYBOOK_DOCX_PAGES", raising=False)
    started: list[str] = []
    start_macro = libreoffice.start_macro

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(str(args[0]))
        return start_macro(*args, **kwargs)

    monkeypatch.setattr(libreoffice, "start_macro", counted)
    root = Path(__file__).parent / "roots" / "docx-features"
    build(root, tmp_path / "dist", ["sh", "hk"], ["docx"], jobs=2)
    assert len(started) == 1  # the early office: the forked writer started none of its own
    for docx_file in (tmp_path / "dist").glob("*/*.docx"):
        xml = zipfile.ZipFile(docx_file).read("word/document.xml").decode("utf-8")
        assert "PAGEREF" in xml and re.search(r"<w:t>\d+</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"", xml)
    assert not processes_naming("pb-docx-pages-")
