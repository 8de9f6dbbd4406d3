"""Incremental builds: unchanged outputs are skipped, changed inputs always rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest


def _rebuilt(err: str) -> set[str]:
    """Jobs that were written this run (progress lines without 'unchanged')."""
    return {
        line.split("] ")[1].split(" ")[0]
        for line in err.splitlines()
        if line.startswith("[") and "unchanged" not in line
    }


@pytest.fixture
def project(root_copy, cli) -> Path:  # type: ignore[no-untyped-def]
    root = root_copy("variants")
    (root / "templates" / "kit").mkdir(parents=True)
    (root / "templates" / "kit" / "brand.yaml").write_text(
        "name: Kit\ncolors: {primary: '#112233'}\n", encoding="utf-8"
    )
    sub = root / "handbook" / "subsidiaries" / "plain.yaml"
    sub.write_text(sub.read_text(encoding="utf-8") + "brand: kit\n", encoding="utf-8")
    first = cli("build", root, "-f", "json", "-o", root / "dist", "-j", "1")
    assert first.code == 0, first.err
    assert _rebuilt(first.err) == {"cs/json", "hk/json", "plain/json"}
    return root  # type: ignore[no-any-return]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_nothing_rebuilt(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("build", project, "-f", "json", "-o", project / "dist")
    assert run.code == 0 and _rebuilt(run.err) == set()
    assert "nothing changed since the last build" in run.err
    manifest = (project / "dist" / "manifest.json").read_text(encoding="utf-8")
    assert manifest.count('"path"') == 3  # the release still lists every file


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [
        ("handbook/chapters/02.md", "只有非 plain", "仅有非 plain", {"cs/json", "hk/json"}),  # plain leaves ch-two out
        ("handbook/chapters/local/cs.md", "交接班时", "交班时", {"cs/json"}),
        ("handbook/subsidiaries/hk.yaml", "香港公司", "香港有限公司", {"hk/json"}),
        ("handbook/handbook.yaml", "fine: 50", "fine: 60", set()),  # no chapter prints {{ fine }}
        ("handbook/handbook.yaml", "summary: 改版", "summary: 全面改版", {"cs/json", "hk/json", "plain/json"}),
        ("forms/service.yaml", "姓名", "客户名称", {"cs/json"}),  # only cs attaches the service form
        ("templates/kit/brand.yaml", "#112233", "#445566", {"plain/json"}),
    ],
)
def test_each_input_kind_rebuilds_what_depends_on_it(
    project: Path, cli, path: str, old: str, new: str, expected: set[str]
) -> None:  # type: ignore[no-untyped-def]
    _edit(project / path, old, new)
    run = cli("build", project, "-f", "json", "-o", project / "dist", "-j", "1")
    assert run.code == 0, run.err
    assert _rebuilt(run.err) == expected


def test_deleted_or_edited_output_is_rebuilt(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = next((project / "dist" / "hk").glob("*.json"))
    out.write_text("tampered", encoding="utf-8")
    next((project / "dist" / "cs").glob("*.json")).unlink()
    run = cli("build", project, "-f", "json", "-o", project / "dist")
    assert _rebuilt(run.err) == {"cs/json", "hk/json"}
    assert out.read_text(encoding="utf-8") != "tampered"


def test_environment_changes_rebuild(project: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    run = cli("build", project, "-f", "json", "-o", project / "dist")
    assert _rebuilt(run.err) == {"cs/json", "hk/json", "plain/json"}


def test_no_cache_rebuilds_everything(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("build", project, "-f", "json", "-o", project / "dist", "--no-cache")
    assert _rebuilt(run.err) == {"cs/json", "hk/json", "plain/json"}


def test_parallel_build_gives_same_files(project: Path, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("build", project, "-f", "json", "-o", tmp_path / "par", "-j", "2")
    assert run.code == 0, run.err
    for path in (project / "dist").glob("*/*.json"):
        assert (tmp_path / "par" / path.relative_to(project / "dist")).read_bytes() == path.read_bytes()


def test_forms_do_not_depend_on_chapters(root_copy, cli) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("variants")
    first = cli("build", root, "-f", "json,forms", "-o", root / "dist", "-s", "plain", "-j", "1")
    assert first.code == 0, first.err
    _edit(root / "handbook" / "chapters" / "01.md", "第一条正文。", "第一条正文，有改动。")
    run = cli("build", root, "-f", "json,forms", "-o", root / "dist", "-s", "plain", "-j", "1")
    assert _rebuilt(run.err) == {"plain/json"}
    _edit(root / "forms" / "leave.yaml", "姓名", "申请人姓名")
    run = cli("build", root, "-f", "json,forms", "-o", root / "dist", "-s", "plain", "-j", "1")
    assert _rebuilt(run.err) == {"plain/json", "plain/forms"}  # the appendix list is in the handbook too


def test_batch_writer_gets_all_its_documents_at_once(project: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A writer with write_many (the DOCX writer: one LibreOffice run) is called once for all stale documents."""
    from policybook import writers
    from policybook.writers import Writer
    from policybook.writers import json as json_writer

    calls: list[int] = []

    def many(work):  # type: ignore[no-untyped-def]
        calls.append(len(work))
        return [json_writer.write(doc, folder) for doc, folder in work]

    monkeypatch.setitem(writers.WRITERS, "json", Writer("json", "test", json_writer.write, write_many=many))
    run = cli("build", project, "-f", "json", "-o", project / "dist", "-j", "1", "--no-cache")
    assert run.code == 0, run.err
    assert calls == [3]
    assert "for 3" in run.err


@pytest.mark.parametrize(("error", "code"), [("source", 1), ("bug", 3)])
def test_writer_failing_in_a_worker_leaves_dist_alone(  # type: ignore[no-untyped-def]
    project: Path, cli, monkeypatch: pytest.MonkeyPatch, error: str, code: int
) -> None:
    from policybook import writers
    from policybook.diagnostics import fail
    from policybook.writers import Writer
    from policybook.writers import json as json_writer

    def broken(doc, folder):  # type: ignore[no-untyped-def]
        if doc.subsidiary.id == "hk":
            if error == "source":
                raise fail(doc.subsidiary.loc, "the kit's logo cannot be drawn", "brand.logo")
            raise RuntimeError("a bug")
        return json_writer.write(doc, folder)

    before = {p: p.read_bytes() for p in (project / "dist").rglob("*") if p.is_file()}
    monkeypatch.setitem(writers.WRITERS, "json", Writer("json", "test", broken))
    run = cli("build", project, "-f", "json", "-o", project / "dist", "-j", "2", "--no-cache")
    assert run.code == code
    assert ("hk.yaml:1: error: the kit's logo cannot be drawn" in run.err) == (error == "source")
    assert {p: p.read_bytes() for p in (project / "dist").rglob("*") if p.is_file()} == before
    assert not list((project / "dist").glob(".staging-*"))


def test_no_fork_after_typst_ran_in_this_process(project: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Typst's threads make fork unsafe: once this process compiled, writers run here, one by one."""
    import multiprocessing

    from policybook.writers import typst_fonts

    monkeypatch.setattr(typst_fonts, "compiled", True)

    def no_pool(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(multiprocessing.context.ForkContext, "Pool", no_pool)
    run = cli("build", project, "-f", "json", "-o", project / "dist", "-j", "2", "--no-cache")
    assert run.code == 0, run.err
    assert run.err.count("json (") == 3


def test_nothing_changed_takes_the_short_cut_and_repeats_the_warnings(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (project / "forms" / "spare.yaml").write_text(
        (project / "forms" / "service.yaml").read_text(encoding="utf-8").replace("id: service", "id: spare"),
        encoding="utf-8",
    )
    first = cli("build", project, "-f", "json", "-o", project / "dist")
    assert first.code == 0 and "[form.unused]" in first.err
    again = cli("build", project, "-f", "json", "-o", project / "dist")
    assert again.code == 0 and "nothing changed since the last build" in again.err
    warning = next(line for line in again.err.splitlines() if "[form.unused]" in line)
    assert warning == next(line for line in first.err.splitlines() if "[form.unused]" in line)
    assert "0 error(s), 1 warning(s)" in again.err
    strict = cli("build", project, "-f", "json", "-o", project / "dist", "--strict")
    assert strict.code == 1 and "[form.unused]" in strict.err
