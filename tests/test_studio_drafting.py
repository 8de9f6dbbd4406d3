"""A draft applied to the released source: article edits, additions, moves, deletions and values compose;
a change made on released text that changed since is a conflict; the publisher's git commit."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
import yaml

from policybook.build import check
from policybook.diagnostics import Diagnostics
from policybook.studio.drafting import WorkingCopy, apply, released_article, sha256
from policybook.studio.handbook import Index, build_index
from policybook.studio.publish import _commit, new_version_files
from policybook.studio.schema import DraftChange
from policybook.studio.yamledit import scalar, set_value
from tests.studio_support import copy_sample


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Index]:
    source = copy_sample(tmp_path_factory.mktemp("drafting"))
    return source, build_index(check(source, diags=Diagnostics(), formats=[]))


def change(kind: str, file: str, target: str, text: str = "", base: str = "") -> DraftChange:
    return DraftChange(id=0, kind=kind, file=file, target=target, text=text, base_sha256=sha256(base) if base else "")


def test_edits_additions_moves_and_deletions_compose(released: tuple[Path, Index], tmp_path: Path) -> None:
    source, index = released
    conduct = "chapters/03-conduct.md"
    dress = released_article(source, index, "art-dress")
    changes = [
        change("article", conduct, "art-dress", "### 仪容仪表 {#art-dress}\n\n员工应当衣着整洁。\n", dress),
        change("add", conduct, "art-dress", "### 工牌\n\n员工在岗时应当佩戴工牌。\n"),
        change("move", conduct, "art-gifts", "art-conduct-principle"),
        change("delete", conduct, "art-media", "", released_article(source, index, "art-media")),
        change("value", "subsidiaries/sz.yaml", "variables.attendance.late_fine", "100"),
    ]
    applied = apply(source, index, changes)
    assert not applied.conflicts and not applied.problems
    text = applied.files[conduct]
    assert "员工应当衣着整洁。" in text and "佩戴工作证" not in text
    assert text.index("员工应当衣着整洁。") < text.index("### 工牌") < text.index("### 公共财物")
    assert text.index("### 礼品与招待") < text.index("### 仪容仪表")  # moved up, after the first article
    assert "### 对外发言" not in text
    assert yaml.safe_load(applied.files["subsidiaries/sz.yaml"])["variables"]["attendance"]["late_fine"] == 100
    result = WorkingCopy(source, tmp_path / "copy").check(applied)
    assert not result.diagnostics.errors, [str(d) for d in result.diagnostics.errors]
    sz = result.checked.documents["sz"]  # type: ignore[union-attr]
    titles = [a.title for ch in sz.chapters for a in ch.articles()]
    assert "工牌" in titles and "对外发言" not in titles
    assert (source / conduct).read_text(encoding="utf-8").count("### 对外发言") == 1  # the released source untouched


def test_a_change_on_text_changed_since_is_a_conflict(released: tuple[Path, Index]) -> None:
    source, index = released
    stale = change("article", "chapters/03-conduct.md", "art-dress", "### 仪容仪表 {#art-dress}\n\n新。\n", "旧的文字")
    applied = apply(source, index, [stale])
    assert [c.target for c in applied.conflicts] == ["art-dress"] and "chapters/03-conduct.md" not in applied.files


def test_values_keep_comments_and_types() -> None:
    text = 'variables:\n  attendance:\n    late_fine: 80   # 迟到\n    work_start: "08:30"\n'
    changed = set_value(set_value(text, ("variables", "attendance", "late_fine"), scalar("100")),
                        ("variables", "attendance", "work_start"), scalar("09:00"))  # fmt: skip
    assert "late_fine: 100  # 迟到" in changed
    assert yaml.safe_load(changed)["variables"]["attendance"] == {"late_fine": 100, "work_start": "09:00"}
    added = set_value(text, ("variables", "leave", "marriage_days"), scalar("13"))
    assert yaml.safe_load(added)["variables"]["leave"] == {"marriage_days": 13}


def test_a_new_version_and_the_publishers_commit(released: tuple[Path, Index], tmp_path: Path) -> None:
    source, index = released
    applied = new_version_files(source, apply(source, index, []), "3.3", "2027-01-01", "调整迟到扣款。")
    meta = yaml.safe_load(applied.files["handbook.yaml"])
    assert meta["version"] == "3.3" and meta["effective"] == datetime.date(2027, 1, 1)
    assert meta["revisions"][0] == {"version": "3.3", "date": datetime.date(2027, 1, 1), "summary": "调整迟到扣款。"}
    repo = tmp_path / "repo"
    (repo / "handbook").mkdir(parents=True)
    (repo / "handbook" / "handbook.yaml").write_text("version: 1\n", encoding="utf-8")
    git = ["git", "-C", str(repo), "-c", "user.name=x", "-c", "user.email=x@x"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    (repo / "handbook" / "handbook.yaml").write_text("version: 2\n", encoding="utf-8")
    commit = _commit(repo / "handbook", ["handbook.yaml"], ("钱发布", "草稿 #1: 编辑 李编辑, 审批 赵经理"))
    assert len(commit) == 40
    log = subprocess.run([*git, "log", "-1", "--format=%an|%B"], capture_output=True, text=True, check=True).stdout
    assert log.startswith("钱发布|") and "编辑 李编辑, 审批 赵经理" in log
    assert _commit(source, ["handbook.yaml"], ("a", "b")) == ""  # not a git repository
