"""Drafts through the test client: saves checked (errors at the field), stale saves refused with both
versions, the values grid's rules, preview, submit, 修订对照表, own approval refused, sent back.

The release (3.3, only 深圳 re-assigned) is the browser story's (tests/test_studio_browser.py)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from policybook.ledger.db import opened
from policybook.studio.schema import AuditEntry
from tests.studio_support import Studio, make_studio, token

LOCAL = "art-sz-breaks"  # an article only Shenzhen prints (chapters/local/sz-call-center-safety.md)
ADDED = "每连续工作两小时，可另行申请十分钟护眼休息。"


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    return make_studio(tmp_path_factory.mktemp("flow"))


def _page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _body(page: str) -> str:
    found = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert found
    return html.unescape(found.group(1))


def test_draft_preview_submit_review_and_send_back(studio: Studio) -> None:
    li, zhao = studio.client("li"), studio.client("zhao")
    start = li.post(f"/drafts/start/{LOCAL}", data={"csrf_token": token(_page(li, "/"))})
    edit = start.headers["Location"]
    draft = int(re.search(r"/drafts/(\d+)/", edit).group(1))  # type: ignore[union-attr]
    page = _page(li, edit)
    assert '<span class="chip"' in page  # a variable shown as a labelled chip, not as {{ }}
    saved = li.post(edit, data={"csrf_token": token(page), "title": "工间休息", "body": _body(page) + "\n" + ADDED})
    assert saved.status_code == 302
    grid = _page(li, f"/drafts/{draft}/values")
    assert "只能加不能减" in grid and 'min="50"' in grid  # the rule shown, and enforced by the field itself
    lowered = li.post(f"/drafts/{draft}/values", data={"csrf_token": token(grid), "v:sz:attendance.late_fine": "30"})
    assert lowered.status_code == 422 and "该值只能加不能减" in lowered.get_data(as_text=True)
    raised = li.post(f"/drafts/{draft}/values", data={"csrf_token": token(grid), "v:sz:attendance.late_fine": "100"})
    assert raised.status_code == 302
    preview = _page(li, f"/drafts/{draft}".replace("drafts", "review") + "/preview/art-late?sub=sz")
    png = re.search(r'<img[^>]*src="([^"]+)"', preview)
    assert png and li.get(png.group(1)).data.startswith(b"\x89PNG")
    frame = html.unescape(re.search(r'<iframe[^>]*src="([^"#]+)', preview).group(1))  # type: ignore[union-attr]
    assert "每次扣减考勤绩效100元" in _page(li, frame)

    show = _page(li, f"/drafts/{draft}")
    assert (
        li.post(
            f"/review/{draft}/submit", data={"csrf_token": token(show), "summary": "调整深圳公司迟到扣款标准"}
        ).status_code
        == 302
    )
    assert li.post(f"/review/{draft}/decide", data={"csrf_token": token(show), "verdict": "approve"}).status_code == 403

    diff = _page(zhao, f"/review/{draft}/diff")
    assert "华远客户服务（深圳）有限公司" in diff and "<ins>100</ins>" in diff and ADDED[:8] in diff
    assert "内容不变的公司" in diff and "华远科技（上海）有限公司" in diff.split("内容不变的公司")[1]
    returned = zhao.post(f"/review/{draft}/decide", data={"csrf_token": token(diff), "verdict": "return"})
    assert returned.status_code == 302
    assert "已退回" in _page(li, f"/drafts/{draft}")
    assert li.get(edit).status_code == 200  # editable again
    with opened(studio.db) as ledger, ledger.transaction() as session:
        actions = [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    for step in [("li", "save"), ("li", "submit"), ("zhao", "return")]:
        assert step in actions, step


def test_errors_at_the_field_and_stale_saves(studio: Studio) -> None:
    li, wang = studio.client("li"), studio.client("wang")
    start = li.post("/drafts/start/art-dress", data={"csrf_token": token(_page(li, "/"))})
    edit = start.headers["Location"]
    page = _page(li, edit)
    form = {"csrf_token": token(page), "title": "仪容仪表", "revision": "0"}
    bad = li.post(edit, data={**form, "body": _body(page) + "\n{{ attendance.nope }}"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "未定义的变量“attendance.nope”" in text and 'aria-invalid="true"' in text
    assert "条文内容第" in text  # located by the article's own lines
    assert li.post(edit, data={**form, "body": _body(page) + "\n第一次。"}).status_code == 302
    stale = li.post(edit, data={**form, "body": _body(page) + "\n第二次。"})  # made on revision 0 again
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "第一次。" in text and "第二次。" in text
    assert wang.get(edit).status_code == 403  # another editor's draft
    theirs = wang.post("/drafts/start/art-dress", data={"csrf_token": token(_page(wang, "/"))})
    page = _page(wang, theirs.headers["Location"])  # a second person on the same article: both versions shown
    assert "也在修改本条" in page and "第一次。" in page


def test_an_approver_never_approves_a_draft_they_edited(studio: Studio) -> None:
    zhao = studio.client("zhao")  # approver and editor
    start = zhao.post("/drafts/start/art-property", data={"csrf_token": token(_page(zhao, "/"))})
    edit = start.headers["Location"]
    draft = int(re.search(r"/drafts/(\d+)/", edit).group(1))  # type: ignore[union-attr]
    page = _page(zhao, edit)
    form = {"csrf_token": token(page), "title": "公共财物", "body": _body(page) + "\n节约用纸。"}
    assert zhao.post(edit, data=form).status_code == 302
    summary = {"csrf_token": token(page), "summary": "节约用纸"}
    assert zhao.post(f"/review/{draft}/submit", data=summary).status_code == 302
    diff = _page(zhao, f"/review/{draft}/diff")
    assert 'value="approve"' not in diff  # no button for the draft's own editor
    verdict = {"csrf_token": token(diff), "verdict": "approve"}
    assert zhao.post(f"/review/{draft}/decide", data=verdict).status_code == 403


def test_labour_law_warnings_are_shown_not_blocking(studio: Studio) -> None:
    li, zhao = studio.client("li"), studio.client("zhao")
    start = li.post("/drafts/start/art-dress", data={"csrf_token": token(_page(li, "/"))})
    edit = start.headers["Location"]
    draft = int(re.search(r"/drafts/(\d+)/", edit).group(1))  # type: ignore[union-attr]
    page = _page(li, edit)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token(page), "title": "仪容仪表", "revision": revision}
    saved = li.post(edit, data={**form, "body": _body(page) + "\n加班每月不超过48小时。"})
    assert saved.status_code == 302  # a warning does not block the save
    shown = _page(li, f"/drafts/{draft}")
    assert 'class="diag warning"' in shown and "超过上限36小时" in shown and "劳动法" in shown
    assert 'class="diag note"' in shown and "已豁免" in shown  # the sample's waived findings, with their reason
    assert shown.index('<details class="waived">') < shown.index('class="diag note"')  # folded, the diff stays in view
    li.post(f"/review/{draft}/submit", data={"csrf_token": token(shown), "summary": "加班上限"})
    review = _page(zhao, f"/review/{draft}/diff")
    assert "超过上限36小时" in review and "建议" in review  # the approver sees it, with the suggestion
