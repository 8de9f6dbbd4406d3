"""The reviewed-DOCX reader on small WordprocessingML written by hand the way Word 2016+ saves a
review: runs with rsids, w:ins/w:del, a paragraph-level tracked move (range marks at body level,
moved paragraph marks), formatting changes, table rows and cells, fields, comments with
commentsExtended and people; and packages it must refuse."""

from __future__ import annotations

import io
import zipfile

import pytest

from policybook.review.wordml import NotADocx, read

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)
A = 'w:author="Zhang San" w:date="2026-11-20T09:30:00Z"'
BODY = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NS}><w:body>
<w:p w:rsidR="00A1" w:rsidRDefault="00A1"><w:pPr><w:pStyle w:val="Heading3"/></w:pPr>
  <w:bookmarkStart w:id="1" w:name="pb_art_one"/><w:r w:rsidRPr="00B2"><w:t>第一条</w:t></w:r>
  <w:r><w:t xml:space="preserve">　考勤</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">员工应当</w:t></w:r>
  <w:ins w:id="12" {A}><w:del w:id="13" w:author="Li Si" w:date="2026-11-21T09:30:00Z"><w:r>
  <w:delText>每日</w:delText></w:r></w:del></w:ins>
  <w:del w:id="10" {A}><w:r w:rsidDel="00C3"><w:delText>按时</w:delText></w:r></w:del>
  <w:ins w:id="11" {A}><w:r w:rsidR="00C3"><w:t>准时</w:t></w:r></w:ins><w:r><w:t>打卡。</w:t></w:r>
  <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> REF art2 \\h </w:instrText></w:r>
  <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>第二条</w:t></w:r>
  <w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
<w:moveFromRangeStart w:id="20" {A} w:name="move1"/>
<w:p><w:pPr><w:rPr><w:moveFrom w:id="21" {A}/></w:rPr></w:pPr>
  <w:moveFrom w:id="22" {A}><w:r><w:t>被移动的段落。</w:t></w:r></w:moveFrom></w:p>
<w:moveFromRangeEnd w:id="20"/>
<w:p><w:pPr><w:rPr><w:del w:id="30" {A}/></w:rPr></w:pPr><w:r><w:t>前半段，</w:t></w:r></w:p>
<w:p><w:pPr><w:jc w:val="center"/><w:pPrChange w:id="31" {A}><w:pPr/></w:pPrChange></w:pPr>
  <w:r><w:rPr><w:b/><w:rPrChange w:id="32" {A}><w:rPr/></w:rPrChange></w:rPr><w:t>后半段。</w:t></w:r></w:p>
<w:p><w:bookmarkStart w:id="2" w:name="pb_art_two"/>
  <w:commentRangeStart w:id="0"/><w:r><w:t>第二条</w:t></w:r><w:commentRangeEnd w:id="0"/>
  <w:r><w:commentReference w:id="0"/></w:r>
  <w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>甲</w:t></mc:Choice>
  <mc:Fallback><w:t>甲</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:moveToRangeStart w:id="40" {A} w:name="move1"/>
<w:p><w:pPr><w:rPr><w:moveTo w:id="41" {A}/></w:rPr></w:pPr>
  <w:moveTo w:id="42" {A}><w:r><w:t>被移动的段落。</w:t></w:r></w:moveTo></w:p>
<w:moveToRangeEnd w:id="40"/>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>情形</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>处理</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:trPr><w:ins w:id="50" {A}/></w:trPr>
  <w:tc><w:p><w:ins w:id="51" {A}><w:r><w:t>代打卡</w:t></w:r></w:ins></w:p></w:tc>
  <w:tc><w:p><w:ins w:id="52" {A}><w:r><w:t>警告</w:t></w:r></w:ins></w:p></w:tc></w:tr>
<w:tr><w:trPr><w:del w:id="53" {A}/></w:trPr>
  <w:tc><w:p><w:del w:id="54" {A}><w:r><w:delText>旷工</w:delText></w:r></w:del></w:p></w:tc>
  <w:tc><w:p><w:del w:id="55" {A}><w:r><w:delText>扣减</w:delText></w:r></w:del></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>迟到</w:t></w:r></w:p></w:tc>
  <w:tc><w:tcPr><w:cellIns w:id="56" {A}/></w:tcPr><w:p><w:r><w:t>扣款</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:sectPr/></w:body></w:document>"""
COMMENTS = f"""<w:comments {NS}>
<w:comment w:id="0" w:author="李律师" w:date="2026-11-21T08:00:00Z" w:initials="李">
  <w:p w14:paraId="0A000001"><w:r><w:t>引用是否准确？</w:t></w:r></w:p></w:comment>
<w:comment w:id="1" w:author="王主席" w:date="2026-11-22T08:00:00Z" w:initials="王">
  <w:p w14:paraId="0A000002"><w:r><w:t>已核对。</w:t></w:r></w:p></w:comment></w:comments>"""
EXTENDED = f"""<w15:commentsEx {NS}><w15:commentEx w15:paraId="0A000001" w15:done="1"/>
<w15:commentEx w15:paraId="0A000002" w15:paraIdParent="0A000001" w15:done="0"/></w15:commentsEx>"""
PEOPLE = f"""<w15:people {NS}><w15:person w15:author="李律师"/><w15:person w15:author="王主席"/></w15:people>"""
CUSTOM = """<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="policybook.subsidiary"><vt:lpwstr>sz</vt:lpwstr>
</property></Properties>"""


def package(**parts: str | bytes) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name.replace("__", "/").replace("_xml", ".xml"), data)
    out.seek(0)
    return out


@pytest.fixture(scope="module")
def reviewed():  # type: ignore[no-untyped-def]
    return read(
        package(
            word__document_xml=BODY,
            word__comments_xml=COMMENTS,
            word__commentsExtended_xml=EXTENDED,
            word__people_xml=PEOPLE,
            docProps__custom_xml=CUSTOM,
        )
    )


def test_insertions_and_deletions_give_the_text_sent_and_the_text_accepted(reviewed):
    unit = reviewed.units[1]
    assert unit.old == "员工应当按时打卡。第二条\n"  # a field's result is text, its code is not
    assert unit.new == "员工应当准时打卡。第二条\n"
    assert [(c.kind, c.text, c.author, c.date) for c in unit.changes] == [
        ("delete", "每日", "Li Si", "2026-11-21T09:30:00Z"),  # inserted by one, deleted by another: in neither
        ("delete", "按时", "Zhang San", "2026-11-20T09:30:00Z"),
        ("insert", "准时", "Zhang San", "2026-11-20T09:30:00Z"),
    ]


def test_a_moved_paragraph_is_read_once_where_it_arrives(reviewed):
    old = "".join(u.old for u in reviewed.units)
    new = "".join(u.new for u in reviewed.units)
    assert old.count("被移动的段落。") == 1 and new.count("被移动的段落。") == 1
    assert old.index("被移动的段落。") < old.index("前半段") and new.index("被移动的段落。") > new.index("后半段")
    kinds = [c.kind for u in reviewed.units for c in u.changes if c.name == "" and "move" in c.kind]
    assert kinds == ["move-from", "move-to"]


def test_a_deleted_paragraph_mark_joins_and_formatting_changes_are_only_reported(reviewed):
    new = "".join(u.new for u in reviewed.units)
    assert "前半段，后半段。\n" in new
    assert "前半段，\n后半段。\n" in "".join(u.old for u in reviewed.units)
    formats = [c for u in reviewed.units for c in u.changes if c.kind == "format"]
    assert sorted(c.text for c in formats) == ["paragraph properties", "run properties"]


def test_identities_cut_the_body_and_alternate_content_is_read_once(reviewed):
    assert reviewed.units[0].identities == ["pb_art_one"]
    assert reviewed.units[5].identities == ["pb_art_two"] and reviewed.units[5].new == "第二条甲\n"


def test_table_rows_and_cells_inserted_and_deleted(reviewed):
    rows = [u for u in reviewed.units if u.table]
    assert [(r.old, r.new) for r in rows] == [
        ("情形\t处理\n", "情形\t处理\n"),
        ("", "代打卡\t警告\n"),
        ("旷工\t扣减\n", ""),
        ("迟到\n", "迟到\t扣款\n"),
    ]
    assert {c.kind for r in rows for c in r.changes} >= {"row-insert", "row-delete", "cell-insert"}


def test_comments_with_anchor_replies_resolution_and_people(reviewed):
    first, reply = reviewed.comments["0"], reviewed.comments["1"]
    assert (first.author, first.date, first.text, first.anchor, first.done) == (
        "李律师",
        "2026-11-21T08:00:00Z",
        "引用是否准确？",
        "第二条",
        True,
    )
    assert reply.parent == "0" and not reply.done
    assert reviewed.people == ["李律师", "王主席"]
    assert reviewed.units[5].comments == ["0"]
    assert reviewed.properties == {"subsidiary": "sz"}


def test_packages_it_refuses(monkeypatch):
    with pytest.raises(NotADocx):
        read(io.BytesIO(b"not a zip"))
    with pytest.raises(NotADocx):
        read(package(word__other_xml="<x/>"))
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(NotADocx):
        read(package(word__document_xml=bomb))
    monkeypatch.setattr("policybook.review.wordml.MAX_MEMBER", 1000)
    with pytest.raises(NotADocx, match="too large"):
        read(package(word__document_xml=b"<x>" + b" " * 1001 + b"</x>"))
