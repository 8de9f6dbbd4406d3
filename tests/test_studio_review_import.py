"""The studio's 导入审阅意见 page: a lawyer's reviewed DOCX → the per-article report → a draft whose
修订对照表 shows the lawyer's change; the patch to download; roles, CSRF, uploads."""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

import pytest

from policybook.build import check
from policybook.diagnostics import Diagnostics
from policybook.studio import review_pages
from policybook.writers.docx import Draft
from tests.review_support import WordReview
from tests.studio_support import Studio, make_studio, token

PAGE = "/review-import/"


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    return make_studio(tmp_path_factory.mktemp("review-import"))


@pytest.fixture(scope="module")
def reviewed(studio: Studio) -> bytes:
    """深圳's DOCX as a lawyer sends it back: a text change, a value change and a comment with a script in it."""
    doc = check(studio.source, ["sz"], Diagnostics(), formats=[]).documents["sz"]
    review = WordReview(Draft(doc).data, author="张律师")
    review.replace("按标准工作时间计算出勤", "按实际工作时间计算出勤")
    review.replace("每次扣减考勤绩效80元", "每次扣减考勤绩效100元")
    body = escape("<script>alert(1)</script>请确认旷工的认定标准")  # the helper writes XML as given
    review.comment("擅自不到岗的", body, author="李律师")
    return review.data()


def upload(client, data: bytes, name: str = "审阅稿.docx", sub: str = ""):  # type: ignore[no-untyped-def]
    csrf = token(client.get(PAGE).get_data(as_text=True))
    form = {"csrf_token": csrf, "docx": (io.BytesIO(data), name), "subsidiary": sub}
    return client.post(PAGE, data=form, content_type="multipart/form-data")


def test_roles_tokens_and_uploads(studio: Studio, reviewed: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    for other in ("qian", "sun", "zhou"):
        assert studio.client(other).get(PAGE).status_code == 403
    editor = studio.client("li")
    no_token = editor.post(PAGE, data={"docx": (io.BytesIO(reviewed), "a.docx")}, content_type="multipart/form-data")
    assert no_token.status_code == 400
    wrong = upload(editor, b"%PDF-1.4", "审阅稿.pdf")
    assert wrong.status_code == 422 and "类型不允许" in wrong.get_data(as_text=True)
    fake = upload(editor, b"MZ\x90\0 not a zip", "审阅稿.docx")
    assert fake.status_code == 422 and "内容与其类型不符" in fake.get_data(as_text=True)
    monkeypatch.setattr(review_pages, "MAX_DOCX", 1024 * 1024)
    big = upload(editor, b"PK\x03\x04" + b"\0" * (1024 * 1024), "审阅稿.docx")
    assert big.status_code == 422 and "超过 1 MB" in big.get_data(as_text=True)
    broken = upload(editor, b"PK\x03\x04broken", "审阅稿.docx")
    assert broken.status_code == 422  # a zip header but no DOCX: the importer's own message
    outside = upload(editor, reviewed, sub="../../etc")
    assert outside.status_code == 422, outside.get_data(as_text=True)[:2000]
    for path in ("/review-import/..%2F..%2Fetc", "/review-import/../x/review.patch", "/review-import/" + "0" * 32):
        assert editor.get(path).status_code == 404


def test_report_draft_and_patch(studio: Studio, reviewed: bytes) -> None:
    editor = studio.client("li")
    made = upload(editor, reviewed)
    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    report_url = made.headers["Location"]
    page = editor.get(report_url).get_data(as_text=True)
    assert "审阅意见导入报告" in page and "审阅稿.docx" in page and "张律师" in page and "李律师" in page
    assert "接受修订后的文本" in page and "按实际工作时间计算出勤" in page and "<del>标准</del><ins>实际</ins>" in page
    assert "attendance.late_fine" in page and "「80」→「100」" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;请确认" in page and "<script>alert" not in page
    assert studio.client("wang").get(report_url).status_code == 404  # another editor's upload
    patch = editor.get(report_url + "/review.patch")
    assert patch.status_code == 200 and "+    late_fine: 100" in patch.get_data(as_text=True)

    markdown = editor.get(report_url + "/review-report.md").get_data(as_text=True)
    assert markdown.startswith("# 审阅意见导入报告") and "李律师" in markdown

    done = editor.post(report_url + "/draft", data={"csrf_token": token(page)})
    assert done.status_code == 302 and "/drafts/" in done.headers["Location"]
    draft_id = int(re.findall(r"/drafts/(\d+)", done.headers["Location"])[0])
    shown = editor.get(done.headers["Location"]).get_data(as_text=True)
    assert "审阅意见：审阅稿.docx" in shown and "检查通过" in shown, shown[:3000]
    diff = editor.get(f"/review/{draft_id}/diff").get_data(as_text=True)
    audit = studio.client("admin").get("/audit/").get_data(as_text=True)
    assert "导入审阅意见" in audit and "审阅意见转草稿" in audit
    assert "按<ins>实际</ins>工作时间计算出勤" in diff and "<ins>100</ins>" in diff  # the lawyer's change
    assert "深圳" in diff


def test_a_chapter_file_becomes_article_changes() -> None:
    """Edited, struck-out and added articles of one chapter file, each as the draft pages make it;
    a change outside every article is named, not dropped."""
    old = "# 第一章\n\n### 甲 {#a}\n\n甲文。\n\n### 乙 {#b}\n\n乙文。\n\n### 丙 {#c}\n\n丙文。\n"
    new = "# 第一章（修订）\n\n### 甲 {#a}\n\n甲文改。\n\n### 丙 {#c}\n\n丙文。\n\n### 丁\n\n丁文。\n"
    at = {("ch.md", 3): "a", ("ch.md", 7): "b", ("ch.md", 11): "c"}
    out = review_pages.Proposed()
    review_pages._markdown("ch.md", old, new, at, out)
    kinds = [(kind, target, text.split("\n")[0] if text else "") for kind, _, target, text, _ in out.changes]
    assert kinds == [("article", "a", "### 甲 {#a}"), ("delete", "b", ""), ("add", "c", "### 丁")]
    assert "甲文改" in out.changes[0][3] and "乙文" in out.changes[1][4]
    assert len(out.unplaced) == 1 and "章节标题" in out.unplaced[0]


def test_an_article_changed_since_is_a_conflict_not_a_change(studio: Studio, reviewed: bytes) -> None:
    """Last in this module: it changes the studio's source after the DOCX was built."""
    chapter = studio.source / "chapters" / "04-attendance.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("经部门负责人批准。出差", "经部门负责人书面批准。出差"), encoding="utf-8")
    editor = studio.client("li")
    made = upload(editor, reviewed)
    assert made.status_code == 302
    page = editor.get(made.headers["Location"]).get_data(as_text=True)
    assert "三方冲突" in page and "源文件现在的文本" in page and "书面批准" in page
    assert "修改条文 · art-business-trip" not in page  # never overwritten: not a draft change
    assert "修改数值 · attendance.late_fine" in page  # the other article still is
