"""policybook review import on DOCX files reviewed as Word writes them (hand-written WordprocessingML):
identities in the DOCX, tracked changes and comments read, mapped to articles, turned into a patch
that `git apply` takes and that rebuilds to the accepted text; variables, generated text, lost
identities, conflicts and a Traditional variant."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from lxml import etree

from policybook.build import check
from policybook.diagnostics import Diagnostics
from policybook.model import Article
from policybook.review import report
from policybook.review.importer import Mapper, Review, import_review, proposed_changes
from policybook.review.units import cut, known_nodes
from policybook.review.wordml import read
from policybook.writers.docx import Draft
from tests.review_support import W, WordReview, copy_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(ROOT, tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def drafts(project: Path) -> dict[str, bytes]:
    checked = check(project, ["sz", "hk"], Diagnostics(), formats=[])
    return {sub: Draft(doc).data for sub, doc in checked.documents.items()}


def reviewed(tmp_path: Path, review: WordReview) -> Path:
    path = tmp_path / "reviewed.docx"
    path.write_bytes(review.data())
    return path


def imported(tmp_path: Path, review: WordReview, project: Path) -> Review:
    return import_review(reviewed(tmp_path, review), project, Diagnostics())


def article(result: Review, label: str):  # type: ignore[no-untyped-def]
    found = [a for a in result.articles if a.article.label == label]
    assert len(found) == 1, [a.article.label for a in result.articles]
    return found[0]


def applied(result: Review, project: Path, tmp_path: Path) -> Path:
    """The patch applied with git apply to a fresh copy of the project; its handbook folder."""
    copy = copy_project(project.parent, tmp_path / "applied")
    patch = tmp_path / "review.patch"
    patch.write_text(result.patch, encoding="utf-8")
    subprocess.run(["git", "apply", str(patch)], cwd=copy.parent, check=True, capture_output=True)
    return copy


# ---------------------------------------------------------------- the DOCX that can come back


def test_every_article_has_an_identity_spanning_it_and_the_docx_says_what_it_is(drafts):
    with zipfile.ZipFile(io.BytesIO(drafts["sz"])) as z:
        xml = z.read("word/document.xml").decode()
        custom = z.read("docProps/custom.xml").decode()
    starts = re.findall(r'<w:bookmarkStart w:id="(\d+)" w:name="(pb_[^"]+)"/>', xml)
    ends = set(re.findall(r'<w:bookmarkEnd w:id="(\d+)"/>', xml))
    assert len(starts) > 150 and all(i in ends for i, _ in starts)
    # the article's bookmark ends after its last paragraph, not after its heading
    start, _ = next((i, n) for i, n in starts if n.startswith("pb_art_missed_punch"))
    between = xml[xml.index(f'w:id="{start}" w:name=') : xml.index(f'<w:bookmarkEnd w:id="{start}"/>')]
    assert "补卡" in between and "按迟到或者早退处理" in between
    for name in ("release", "subsidiary", "source", "locale"):
        assert f'name="policybook.{name}"' in custom
    assert ">sz<" in custom


def test_an_untitled_article_has_the_same_identity_in_every_variant_whatever_its_number(drafts):
    def untitled(data: bytes) -> tuple[str, str]:
        units = read(io.BytesIO(data)).units
        unit = next(u for u in units if "依法享有休息日和法定" in u.old)
        return next(n for n in unit.identities if "attendance_md" in n), unit.old.split("\u3000")[0]

    (sz_name, sz_number), (hk_name, hk_number) = untitled(drafts["sz"]), untitled(drafts["hk"])
    assert sz_name == hk_name
    assert sz_number != hk_number  # hk leaves articles out before it: another number, the same identity


def test_every_article_of_every_subsidiary_traces_to_its_source(project):
    """Sent text and the source as printed agree except for generated text (numbers): nothing of
    the source is unaccounted for, so any edit anywhere has a place to go."""
    checked = check(project, [], Diagnostics(), formats=[])
    generated = re.compile(r"[第零一二三四五六七八九十百千条條（）\d.、\t\u3000\n•]*")
    for sub, doc in checked.documents.items():
        mapper = Mapper(checked.project, doc, sub, True)
        for piece in cut(read(io.BytesIO(Draft(doc).data)).units, known_nodes(doc)):
            if not isinstance(piece.node, Article):
                continue
            printed, _ = mapper.printed(piece.node)
            shown = mapper.forward(printed.text) if mapper.forward else printed.text
            ops = SequenceMatcher(None, piece.old, shown, autojunk=False).get_opcodes()
            unsent = [shown[j1:j2] for tag, _, _, j1, j2 in ops if tag != "equal" and j2 > j1]
            unmapped = [piece.old[i1:i2] for tag, i1, i2, _, _ in ops if tag != "equal" and i2 > i1]
            assert sum(map(len, unsent)) <= 2, (sub, piece.node.number, unsent)
            assert all(generated.fullmatch(chunk) for chunk in unmapped), (sub, piece.node.number, unmapped)


# ---------------------------------------------------------------- tracked changes → patch


def test_insertion_and_deletion_become_a_markdown_patch_that_git_applies_and_rebuilds(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.replace("按标准工作时间计算出勤", "按实际工作时间计算出勤")
    review.insert_after("经部门负责人批准。", "未经批准擅自外出的，按旷工处理。")
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert trip.matches is True and not trip.proposal.flags
    assert trip.shared == ["bj", "hk", "sh"]  # the Markdown is shared: the report says whom else it reaches
    assert "修改同样适用于 bj、hk、sh" in report.render(result)
    assert "按实际工作时间计算出勤" in result.patch and "-员工因公外出或者出差" in result.patch
    copy = applied(result, project, tmp_path)
    text = (copy / "chapters" / "04-attendance.md").read_text(encoding="utf-8")
    assert "经部门负责人批准。未经批准擅自外出的，按旷工处理。出差期间按实际工作时间计算出勤" in text
    assert proposed_changes(result) == {
        "handbook/chapters/04-attendance.md": (
            (project / "chapters" / "04-attendance.md").read_text(encoding="utf-8"),
            text,
        )
    }


def test_a_move_is_read_once_at_its_destination(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.move("出差期间按标准工作时间计算出勤；", "但公司安排在休息日开展工作的除外。")
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    accepted = trip.piece.new
    assert accepted.count("出差期间按标准工作时间计算出勤") == 1
    assert "经部门负责人批准。出差途中" in accepted and "开展工作的除外。出差期间按标准工作时间计算出勤；" in accepted
    kinds = {c.kind for c in trip.piece.changes}
    assert {"move-from", "move-to"} <= kinds
    assert trip.matches is True


def test_a_deleted_paragraph_mark_joins_two_paragraphs_and_a_deleted_paragraph_goes(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.delete_paragraph("员工依法享有休息日和法定节假日。")
    result = imported(tmp_path, review, project)
    rest = next(a for a in result.articles if "员工依法享有休息日" in a.piece.old)
    assert "员工依法享有休息日" not in rest.piece.new
    assert rest.matches is True
    copy = applied(result, project, tmp_path)
    assert "员工依法享有休息日" not in (copy / "chapters" / "04-attendance.md").read_text(encoding="utf-8")


def test_a_last_paragraph_joined_with_the_next_article_is_not_joined(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.delete_paragraph_mark("但公司安排在休息日开展工作的除外。")
    review.replace("但公司安排在休息日开展工作的除外。", "但公司安排在休息日开展工作的除外；")
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert any("不合并" in f for f in trip.proposal.flags) and trip.matches is True
    markdown = (applied(result, project, tmp_path) / "chapters" / "04-attendance.md").read_text(encoding="utf-8")
    assert "开展工作的除外；\n\n###\n\n人力资源部于每月" in markdown


def test_an_inserted_table_row_becomes_a_markdown_table_row(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.insert_row_after("按旷工半日处理", ["代打卡", "经查实", "按旷工处理"])
    result = imported(tmp_path, review, project)
    late = article(result, "art-late")
    assert any(c.kind == "row-insert" for c in late.piece.changes)
    assert "| 代打卡 | 经查实 | 按旷工处理 |" in result.patch
    assert late.matches is True


def test_a_paragraph_typed_after_a_list_item_is_the_next_item(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.insert_paragraph_after("以虚假理由或者伪造、变造的证明骗取假期的；", "（四）\t冒用他人身份打卡的；")
    result = imported(tmp_path, review, project)
    absent = article(result, "art-absent")
    assert "\n+4. 冒用他人身份打卡的；\n" in result.patch
    copy = applied(result, project, tmp_path)
    markdown = (copy / "chapters" / "04-attendance.md").read_text(encoding="utf-8")
    assert "3. 以虚假理由或者伪造、变造的证明骗取假期的；\n4. 冒用他人身份打卡的；\n4. 不服从" in markdown
    assert absent.matches is True


def test_a_deleted_row_and_a_deleted_item_leave_no_markup_or_empty_value_behind(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.delete_row("在下班时间前")  # the 早退 row: two variables in it
    review.delete_paragraph("请假期满未续假，或者续假未获批准而逾期不归的；")
    result = imported(tmp_path, review, project)
    assert [(a.article.label, a.matches) for a in result.articles] == [("art-late", True), ("art-absent", True)]
    assert not result.overrides  # the row's values went with it, no variable was emptied
    markdown = (applied(result, project, tmp_path) / "chapters" / "04-attendance.md").read_text(encoding="utf-8")
    assert "早退 | 在下班时间前" not in markdown and "\n| 迟到、早退超过时限 |" in markdown
    assert "请假期满未续假" not in markdown and "\n1. 未请假或者请假未获批准，擅自不到岗的；\n3. 以虚假理由" in markdown


def test_formatting_changes_are_reported_not_applied(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.format_change("员工上下班应当通过公司考勤系统打卡")
    result = imported(tmp_path, review, project)
    clock = article(result, "art-clock")
    assert [c.kind for c in clock.piece.changes] == ["format"]
    assert not result.patch
    assert "格式修改（仅报告，未采用）" in report.render(result)


def test_comments_keep_their_authors_dates_replies_and_resolution(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    first = review.comment("员工不得代他人打卡", "建议明确处分依据", author="李律师")
    review.comment("也不得委托他人代为打卡", "同意，已补充。", author="工会王主席", done=True, reply_to=first)
    result = imported(tmp_path, review, project)
    proxy = article(result, "art-clock-proxy")
    comments = [result.reviewed.comments[c] for c in proxy.piece.comments]
    assert [(c.author, c.text, c.date) for c in comments] == [
        ("李律师", "建议明确处分依据", "2026-11-20T10:00:00Z"),
        ("工会王主席", "同意，已补充。", "2026-11-20T10:00:00Z"),
    ]
    assert comments[1].done and comments[1].parent == first and comments[0].anchor == "员工不得代他人打卡"
    assert result.reviewed.people == ["李律师", "工会王主席"]
    text = report.render(result)
    assert "李律师，2026-11-20T10:00:00Z：建议明确处分依据" in text and "（已解决）" in text


def test_a_chapter_title_edited_goes_to_its_heading_line(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.replace("第四章\u3000考勤管理", "第四章\u3000考勤与工时管理")
    result = imported(tmp_path, review, project)
    chapter = next(a for a in result.articles if a.article.label == "ch-attendance")
    assert chapter.matches is True
    assert "+# 考勤与工时管理 {#ch-attendance}" in result.patch


def test_an_article_struck_out_whole_is_removed_from_the_source(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.delete_paragraph("外出与出差")
    review.delete_paragraph("应当事先在办公系统中提交申请")
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert trip.matches is True and any("整条删除" in f for f in trip.proposal.flags)
    copy = applied(result, project, tmp_path)
    markdown = (copy / "chapters" / "04-attendance.md").read_text(encoding="utf-8")
    assert "art-business-trip" not in markdown and "### 补卡 {#art-missed-punch}" in markdown
    assert "###\n\n人力资源部于每月" in markdown  # the next article is untouched


def test_an_article_typed_as_new_paragraphs_becomes_a_new_article(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    number = next(u.old for u in read(io.BytesIO(drafts["sz"])).units if "外出与出差\n" in u.old).split("\u3000")[0]
    review.insert_paragraph_after("但公司安排在休息日开展工作的除外。", "员工因公使用公司车辆的，应当事先登记。")
    review.insert_paragraph_after("但公司安排在休息日开展工作的除外。", f"{_next(number)}\u3000公务用车")
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert any("新增条款" in f for f in trip.proposal.flags)
    copy = applied(result, project, tmp_path)
    markdown = (copy / "chapters" / "04-attendance.md").read_text(encoding="utf-8")
    assert "的除外。\n\n### 公务用车\n\n员工因公使用公司车辆的，应当事先登记。\n" in markdown
    assert trip.matches is True


def _next(number: str) -> str:
    from policybook.transforms.numerals import cn_number

    digits = "零一二三四五六七八九"
    value = 0
    body = number[1:-1]
    tens, _, ones = body.partition("十")
    value = (
        (digits.index(tens) if tens else 1) * 10 + (digits.index(ones) if ones else 0)
        if "十" in body
        else digits.index(body)
    )
    return f"第{cn_number(value + 1)}条"


# ---------------------------------------------------------------- variables and generated text


def test_a_changed_variable_value_is_an_override_of_that_subsidiary(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.replace("3个工作日内在考勤系统中", "5个工作日内在考勤系统中")
    result = imported(tmp_path, review, project)
    punch = article(result, "art-missed-punch")
    assert [(v.name, v.old, v.new) for v in punch.proposal.values] == [("attendance.missed_punch_days", "3", "5")]
    assert "chapters/04-attendance.md" not in result.patch  # the Markdown keeps {{ attendance.missed_punch_days }}
    assert "+    missed_punch_days: 5" in result.patch
    assert [o.also for o in result.overrides] == [["attendance.missed_punch_quota"]]  # also prints 3: named
    assert punch.matches is True
    copy = applied(result, project, tmp_path)
    again = check(copy, ["sz", "bj"], Diagnostics(), formats=[])
    texts = {sub: "".join(_text(doc, "art-missed-punch")) for sub, doc in again.documents.items()}
    assert "5个工作日内" in texts["sz"] and "3个工作日内" in texts["bj"]  # only sz's value changed


def test_an_item_and_a_value_in_a_table_come_back_together(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.replace("擅自不到岗的", "擅自不到岗或者擅自离岗的")  # item （一） of art-absent
    review.replace("每次扣减考勤绩效80元", "每次扣减考勤绩效100元")  # the 迟到 row of art-late's table
    result = imported(tmp_path, review, project)
    assert [(a.article.label, a.matches) for a in result.articles] == [("art-late", True), ("art-absent", True)]
    assert "+1. 未请假或者请假未获批准，擅自不到岗或者擅自离岗的；" in result.patch
    assert "+    late_fine: 100" in result.patch
    late = next(o for o in result.overrides if o.name == "attendance.late_fine")
    assert "attendance.early_leave_fine" in late.also  # the next row prints 80 too: named in the report


def test_a_value_the_group_does_not_allow_is_proposed_and_the_failed_check_reported(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.replace("每次扣减考勤绩效80元", "每次扣减考勤绩效20元")  # late_fine is raise-only (group: 50)
    result = imported(tmp_path, review, project)
    assert "+    late_fine: 20" in result.patch
    assert any("无法通过检查" in note and "late_fine" in note for note in result.notes)
    assert "无法通过检查" in report.render(result)


def _text(doc, label):  # type: ignore[no-untyped-def]
    from policybook.model import block_text

    found = next(a for c in doc.chapters for a in c.articles() if a.label == label)
    return [block_text(b) for b in found.blocks]


def test_a_changed_article_number_is_reported_and_ignored(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    punch_number = next(u.old for u in read(io.BytesIO(drafts["sz"])).units if "补卡\n" in u.old).split("\u3000")[0]
    review.replace(punch_number, "第九十九条")
    result = imported(tmp_path, review, project)
    punch = article(result, "art-missed-punch")
    assert not punch.proposal.edits and not punch.proposal.values and punch.proposal.ignored
    assert not result.patch


# ---------------------------------------------------------------- mapping, conflicts, scripts


def test_lost_identities_fall_back_to_the_heading_and_text_and_say_so(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.strip_identities()
    review.replace("按标准工作时间计算出勤", "按实际工作时间计算出勤")
    review.replace("不计入工作时间", "不计入工作时间和加班时间")  # the first article after 第四章's heading
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert trip.piece.how == "heading" and trip.matches is True
    hours = article(result, "art-hours")
    assert "考勤管理" not in hours.piece.old and hours.matches is True  # the chapter heading is not in it
    assert [a.article.label for a in result.articles] == ["art-hours", "art-business-trip"]
    assert "“第X条”标题与文字相似度" in report.render(result) and result.notes


def test_an_article_changed_in_the_source_since_the_build_is_a_three_way_conflict(drafts, tmp_path):
    source = copy_project(ROOT, tmp_path / "moved-on")
    review = WordReview(drafts["sz"])
    review.replace("按标准工作时间计算出勤", "按实际工作时间计算出勤")
    review.replace("3个工作日内在考勤系统中", "5个工作日内在考勤系统中")
    chapter = source / "chapters" / "04-attendance.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace("经部门负责人批准。出差", "经部门负责人书面批准。出差")
    )
    result = imported(tmp_path, review, source)
    assert not result.same_source
    trip = article(result, "art-business-trip")
    assert trip.current is not None and "书面批准" in trip.current and trip.proposal is None
    assert "chapters/04-attendance.md" not in result.patch  # never overwritten
    assert article(result, "art-missed-punch").matches is True  # the unchanged article still comes back
    text = report.render(result)
    assert "三方冲突" in text
    assert "按[-标准-]{+实际+}工作时间" in text and "经部门负责人{+书面+}批准" in text  # both sides' changes marked


def test_an_unlabelled_article_moved_by_an_article_added_above_it_is_followed(drafts, tmp_path):
    source = copy_project(ROOT, tmp_path / "grown")
    review = WordReview(drafts["sz"])
    review.replace("汇总并公布上月考勤结果", "汇总并书面公布上月考勤结果")  # an unlabelled article (#6 of its file)
    chapter = source / "chapters" / "04-attendance.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("### 考勤方式 {#art-clock}", "###\n\n新增的一条。\n\n### 考勤方式 {#art-clock}"))
    result = imported(tmp_path, review, source)
    report_ = next(a for a in result.articles if "上月考勤结果" in a.piece.old)
    assert report_.piece.how == "moved" and report_.current is None and report_.matches is True
    assert "+人力资源部于每月{{ attendance.report_day }}日前汇总并书面公布上月考勤结果" in result.patch


def test_a_traditional_variant_maps_back_to_the_simplified_source(drafts, project, tmp_path):
    review = WordReview(drafts["hk"])
    review.replace("出差期間按標準工作時間計算出勤", "出差期間按實際工作時間計算出勤")
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert "+员工因公外出或者出差" in result.patch and "出差期间按实际工作时间计算出勤" in result.patch
    assert trip.matches is True and not trip.proposal.flags
    text = report.render(result)  # the report's own words in the variant's script, the texts as they are
    assert text.startswith("# 審閱意見導入報告") and "對應方式：條款標識" in text
    assert "按[-標準-]{+實際+}工作時間" in text


def test_traditional_text_that_does_not_convert_back_exactly_is_flagged(drafts, project, tmp_path):
    review = WordReview(drafts["hk"])
    review.insert_after("經部門負責人批准。", "髮")  # 髮 (hair) → 发 → 發: not what the reviewer wrote
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert trip.proposal.flags and "不能精确转换" in trip.proposal.flags[0]


def test_changes_outside_any_article_are_listed(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.replace("员工手册", "员工守则")  # the cover's title: generated from handbook.yaml
    review.comment("附件", "附件请附最新版本", author="工会王主席")
    footer = etree.fromstring(review.parts["word/footer1.xml"])
    text = next(t for t in footer.iter(f"{W}t") if t.text and t.text.strip())
    deleted = etree.SubElement(etree.SubElement(text.getparent().getparent(), f"{W}del"), f"{W}r")
    etree.SubElement(deleted, f"{W}delText").text = "（草稿）"
    review.parts["word/footer1.xml"] = etree.tostring(footer)
    result = imported(tmp_path, review, project)
    assert result.outside and not result.patch
    text = report.render(result)
    assert "条款以外的修改" in text and "员工守则" in text and "附件请附最新版本" in text
    assert "### 页眉页脚" in text and "（草稿）" in text


def test_not_a_docx_is_one_diagnostic_and_exit_1(tmp_path):
    bad = tmp_path / "reviewed.docx"
    bad.write_bytes(b"PK\x03\x04 not really")
    run = subprocess.run(
        [sys.executable, "-m", "policybook", "review", "import", str(bad), str(ROOT / "handbook"), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 1, run.stderr
    assert "error: cannot read the reviewed DOCX" in run.stderr and "Traceback" not in run.stderr


def test_an_edit_made_without_tracking_changes_is_found_against_the_unchanged_source(drafts, project, tmp_path):
    review = WordReview(drafts["sz"])
    review.overwrite("按标准工作时间计算出勤", "按实际工作时间计算出勤")
    result = imported(tmp_path, review, project)
    trip = article(result, "art-business-trip")
    assert trip.current is None and trip.matches is True
    assert "未开启修订" in trip.proposal.flags[0]
    assert "按实际工作时间计算出勤" in result.patch


def test_a_simplified_variant_of_a_traditional_source_maps_back_to_traditional(tmp_path):
    source = ROOT / "tests" / "roots" / "hant-source" / "handbook"
    doc = check(source, ["cn"], Diagnostics(), formats=[]).documents["cn"]
    review = WordReview(Draft(doc).data)
    review.replace("每周工作总时数不得超过四十小时", "每周工作总时数原则上不得超过四十小时")
    review.replace("中午休息一小时", "中午休息一个半小时")
    result = imported(tmp_path, review, source)
    hours = article(result, "art-hours")
    assert hours.matches is True and not hours.proposal.flags
    assert "+員工每日正常工作時間為八小時，每週工作總時數原則上不得超過四十小時。" in result.patch
    assert "+上班時間為上午九時，下班時間為下午六時，中午休息一個半小時。" in result.patch  # the soft break kept
