"""The round trip with real software: build the DOCX → LibreOffice reviews it with change tracking
on (replace, delete a paragraph, add a paragraph, comment) → policybook review import → git apply
→ build the PDF → the articles read as accepted (pdftotext). The Hong Kong handbook (Traditional,
from the Simplified source) is reviewed the same way and comes back in Simplified."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from policybook.build import build
from policybook.diagnostics import Diagnostics
from policybook.review import report
from policybook.review.importer import import_review
from tests.review_support import copy_project, libreoffice_review

ROOT = Path(__file__).resolve().parent.parent
STEPS = [
    ("replace", "按标准工作时间计算出勤", "按实际工作时间计算出勤"),
    ("replace", "3个工作日内在考勤系统中", "5个工作日内在考勤系统中"),
    ("delpara", "员工依法享有休息日和法定节假日。"),
    ("paragraph", "应当事先在办公系统中登记。", "员工应当妥善保管本人的考勤凭证。"),
    ("comment", "员工不得代他人打卡", "李律师", "建议明确处分依据"),
]
HK_STEPS = [  # the Hong Kong handbook is Traditional, built from the Simplified source
    ("replace", "維護公司和員工的合法權益", "維護公司和員工雙方的合法權益"),
    ("comment", "人力資源管理", "陳律師", "請核對適用條例"),
]


def test_libreoffice_review_comes_back_as_a_patch_that_rebuilds_to_the_accepted_text(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    source = copy_project(ROOT, tmp_path / "project")
    out = tmp_path / "dist"
    build(source, out, ["sz", "hk"], ["docx"], Diagnostics(), use_cache=False)
    sent = next((out / "sz").glob("*.docx"))
    reviewed = tmp_path / "reviewed.docx"
    libreoffice_review(sent, STEPS, "王律师", reviewed)
    hk_reviewed = tmp_path / "hk-reviewed.docx"
    libreoffice_review(next((out / "hk").glob("*.docx")), HK_STEPS, "陳律師", hk_reviewed)

    result = import_review(reviewed, source, Diagnostics())
    assert result.same_source and result.subsidiary == "sz"
    assert all(a.matches is not False and a.current is None for a in result.articles)
    values = [(v.name, v.new) for a in result.articles if a.proposal for v in a.proposal.values]
    assert values == [("attendance.missed_punch_days", "5")]
    text = report.render(result)
    assert "王律师" in text and "李律师" in text and "建议明确处分依据" in text

    hk = import_review(hk_reviewed, source, Diagnostics())
    purpose = next(a for a in hk.articles if a.article.label == "art-purpose")
    assert purpose.matches is True and not purpose.proposal.flags
    assert "+为规范{{ company }}" in hk.patch and "维护公司和员工双方的合法权益" in hk.patch  # back in Simplified
    assert "請核對適用條例" in report.render(hk)

    for n, found in enumerate((result, hk)):
        patch = tmp_path / f"review-{n}.patch"
        patch.write_text(found.patch, encoding="utf-8")
        subprocess.run(["git", "apply", str(patch)], cwd=source.parent, check=True, capture_output=True)
    again = tmp_path / "again"
    build(source, again, ["sz", "hk"], ["pdf"], Diagnostics(), use_cache=False)
    hk_pdf = next((again / "hk").glob("*.pdf"))
    hk_text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(hk_pdf), "-"], capture_output=True, text=True).stdout)
    assert "維護公司和員工雙方的合法權益" in hk_text
    pdf = next((again / "sz").glob("*.pdf"))
    printed = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    assert "维护公司和员工双方的合法权益" in printed  # one source: the other subsidiaries read it too
    assert "出差期间按实际工作时间计算出勤" in printed and "按标准工作时间计算出勤" not in printed
    assert "应当自未打卡之日起5个工作日内" in printed
    assert "员工依法享有休息日和法定节假日" not in printed
    assert "应当事先在办公系统中登记。员工应当妥善保管本人的考勤凭证。" in printed
    markdown = (source / "chapters" / "04-attendance.md").read_text(encoding="utf-8")
    assert "应当事先在办公系统中登记。\n\n员工应当妥善保管本人的考勤凭证。\n" in markdown  # a paragraph of its own
