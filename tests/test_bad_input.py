"""The bad-input corpus: every tests/roots/bad-*/ gives its messages, exit 1, no traceback,
and a failed build leaves dist/ exactly as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOTS

BAD = sorted(p.name for p in ROOTS.glob("bad-*"))


def _expect(root: Path) -> dict[str, object]:
    return yaml.safe_load((root / "expect.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def bad_root(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    target = tmp_path / request.param
    shutil.copytree(ROOTS / request.param, target)
    return target


@pytest.mark.parametrize("bad_root", BAD, indirect=True)
def test_check_reports_each_problem(bad_root: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    expect = _expect(bad_root)
    monkeypatch.chdir(bad_root)
    args = ["check", "handbook", *(["--strict"] if expect.get("strict") else [])]
    run = cli(*args)
    assert run.code == 1, run.err
    for line in expect["diagnostics"]:  # type: ignore[attr-defined]
        assert line in run.err, f"expected {line!r} in:\n{run.err}"
    assert "Traceback" not in run.err


@pytest.mark.parametrize("bad_root", BAD, indirect=True)
def test_failed_build_leaves_dist_untouched(bad_root: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(bad_root)
    dist = bad_root / "dist"
    (dist / "a").mkdir(parents=True)
    (dist / "a" / "previous.pdf").write_bytes(b"%PDF- the last good build")
    before = _snapshot(dist)
    strict = ["--strict"] if _expect(bad_root).get("strict") else []
    run = cli("build", "handbook", "-f", "json,pdf", "-o", dist, *strict)
    assert run.code == 1, run.err
    assert _snapshot(dist) == before


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} | {
        "<dirs>": "\n".join(sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_dir())).encode()
    }


def test_unknown_key_is_only_a_warning_without_strict(cli, root_copy, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("bad-unknown-key")
    monkeypatch.chdir(root)
    run = cli("check", "handbook")
    assert run.code == 0
    assert "warning: unknown key 'colour'" in run.err


def test_bom_and_crlf_are_accepted(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    for path in (root / "handbook").rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    run = cli("model", root / "handbook", "-s", "a", "--json")
    assert run.code == 0, run.err
    titles = [c["title"] for c in run.json()["children"]]
    assert titles == ["总则", "请假"]


def test_process_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    """As a real process: exit 1 for source errors, 2 for a bad command line."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    bad = subprocess.run(
        [sys.executable, "-m", "policybook", "check", str(ROOTS / "bad-unknown-ref")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "unknown reference 'art-lat'" in bad.stderr
    usage = subprocess.run(
        [sys.executable, "-m", "policybook", "build", "--no-such-flag"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert usage.returncode == 2


def test_unknown_subsidiary_on_command_line(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("model", ROOTS / "basic", "-s", "zz", "--json")
    assert run.code == 2  # a bad command line, as README says
    assert "unknown subsidiary 'zz'" in run.err and "known: a, b" in run.err
    assert cli("build", ROOTS / "basic", "-f", "pdff", "-o", "unused").code == 2


def test_reader_closing_the_pipe_is_quiet(tmp_path: Path) -> None:
    """`policybook model … | head`: no 'internal error', no traceback, SIGPIPE's exit status."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    command = [sys.executable, "-m", "policybook", "model", str(ROOTS / "basic"), "-s", "a", "--json"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # what head does after its lines
    err = proc.stderr.read().decode()
    assert proc.wait() in (0, 141), err
    assert err == ""


def test_local_variables_and_html_comments(cli, root_copy) -> None:  # type: ignore[no-untyped-def]
    """A subsidiary's own variable lives under local:; HTML comments are notes, not text."""
    root = root_copy("basic")
    sub = root / "handbook" / "subsidiaries" / "a.yaml"
    sub.write_text(sub.read_text(encoding="utf-8") + "local:\n  canteen: 二楼食堂\n", encoding="utf-8")
    chapter = root / "handbook" / "chapters" / "01.md"
    text = chapter.read_text(encoding="utf-8").replace(
        "迟到每次扣款", "<!-- 待法务确认 -->\n\n迟到<!-- 注：按次 -->每次扣款"
    )
    chapter.write_text(text.replace("最后", "最后") + "\n就餐：{{ canteen }}。\n", encoding="utf-8")
    run = cli("model", root / "handbook", "-s", "a", "--json")
    assert run.code == 0, run.err
    assert "待法务确认" not in run.out and "注：按次" not in run.out
    assert "迟到每次扣款80元。" in run.out and "就餐：二楼食堂。" in run.out
    assert cli("check", root / "handbook").code == 1  # b has no canteen: undefined there


def test_symlink_out_of_the_project_is_refused(cli, root_copy, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    outside = root.parent / "outside.md"
    outside.write_text("# 外部\n\n### 外部条款\n\n不应被读取。\n", encoding="utf-8")
    (root / "handbook" / "chapters" / "02.md").unlink()
    (root / "handbook" / "chapters" / "02.md").symlink_to(outside)
    monkeypatch.chdir(root)
    run = cli("check", "handbook")
    assert run.code == 1
    assert "handbook/handbook.yaml:8: error: chapter file 'chapters/02.md' points outside the project folder" in run.err


@pytest.mark.parametrize(
    "template",
    ['{% include "/etc/hostname" %}', "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ lipsum.__globals__ }}"],
)
def test_templates_cannot_reach_files_or_python(cli, root_copy, template: str) -> None:  # type: ignore[no-untyped-def]
    root = root_copy("basic")
    chapter = root / "handbook" / "chapters" / "01.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("{{ company }}", template), encoding="utf-8")
    run = cli("model", root, "-s", "a", "--json")
    assert run.code == 1
    assert "01.md:9: error:" in run.err and "Traceback" not in run.err
    assert "hostname" not in run.out


@pytest.mark.parametrize(
    "template", ["{{ lipsum(1000000) }}", "{{ lipsum(2, max=10000000) }}", "{{ lipsum(n=200000) }}"]
)
def test_lipsum_asked_for_too_much_is_refused_at_once(template: str) -> None:
    """The sandbox refuses lipsum() calls whose text could pass the output limit before they run
    (lipsum(1000000) used to run for minutes: each count alone is within the limits)."""
    from policybook.limits import LimitExceeded
    from policybook.transforms.variables import environment

    env = environment()
    env.fresh()
    with pytest.raises(LimitExceeded, match="lipsum|too large"):
        env.from_string(template).render()
    env.fresh()
    assert len(env.from_string("{{ lipsum(3, html=False) }}").render()) > 100
