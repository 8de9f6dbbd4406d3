"""The studio's story through the test client: draft → check → preview → 修订对照表 → approve → release 3.3."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from policybook.ledger.db import opened
from policybook.ledger.schema import Assignment, Release
from policybook.studio.schema import AuditEntry
from tests.studio_support import Studio, make_studio, released_32, token

LOCAL = "art-sz-breaks"  # an article only Shenzhen prints (chapters/local/sz-call-center-safety.md)
ADDED = "每连续工作两小时，可另行申请十分钟护眼休息。"


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    made = make_studio(tmp_path_factory.mktemp("flow"), release_formats=("pdf",))
    released_32(made)
    return made


def _page(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _body(page: str) -> str:
    found = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert found
    return html.unescape(found.group(1))


def test_the_whole_story(studio: Studio) -> None:
    li, zhao, qian = studio.client("li"), studio.client("zhao"), studio.client("qian")
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
    decided = zhao.post(f"/review/{draft}/decide", data={"csrf_token": token(diff), "verdict": "approve"})
    assert decided.status_code == 302

    form = _page(qian, "/release/")
    data = {"csrf_token": token(form), "drafts": str(draft), "version": "3.3", "effective": "2027-01-01"}
    released = qian.post("/release/", data={**data, "summary": "调整深圳公司迟到扣款标准。"})
    assert released.status_code == 302
    source = studio.source
    assert 'version: "3.3"' in (source / "handbook.yaml").read_text(encoding="utf-8")
    assert "late_fine: 100" in (source / "subsidiaries" / "sz.yaml").read_text(encoding="utf-8")
    assert ADDED in (source / "chapters" / "local" / "sz-call-center-safety.md").read_text(encoding="utf-8")
    with opened(studio.db) as ledger, ledger.transaction() as session:
        release = session.scalar(select(Release).where(Release.version == "3.3"))
        assert release is not None
        new = session.scalars(select(Assignment).where(Assignment.release_id == release.id)).all()
        assert sorted((a.employee_id, a.reason) for a in new) == [("SZ001", "changed"), ("SZ002", "changed")]
        actions = [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    for step in [("li", "save"), ("li", "submit"), ("zhao", "approve"), ("qian", "release")]:
        assert step in actions, step
