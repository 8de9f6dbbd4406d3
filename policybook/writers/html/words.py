"""Write stage (html): the fixed words of the site, per locale.

Written once in Simplified Chinese and English; a zh-Hant variant gets them
through the variant's language (policybook.language: the same phrase converter
as its text, so Hong Kong and Taiwan forms follow the region).
"""

from __future__ import annotations

from policybook.language import of as language_of
from policybook.model import Document

HANS = {
    "skip": "跳到正文",
    "contents": "目录",
    "chapters": "章节",
    "search": "搜索",
    "search_label": "搜索本手册",
    "search_hint": "例如：年休假、加班",
    "search_button": "搜索",
    "search_none": "没有找到包含“{q}”的条款。",
    "search_found": "找到 {n} 条包含“{q}”的条款",
    "search_times": "{n} 处",
    "search_needs_js": "搜索需要浏览器启用 JavaScript。",
    "version": "版本",
    "effective": "生效日期",
    "code": "文件编号",
    "issuer": "发布单位",
    "applies": "适用范围",
    "appendices": "附件",
    "revisions": "修订记录",
    "rev_cols": "版本|日期|修订内容",
    "changed": "本版修订",
    "changed_title": "与 {old} 版相比有修改",
    "added_title": "本版新增",
    "changes": "本版修订条款",
    "changes_intro": "以下条款与 {old} 版（{date} 施行）相比有修改或新增，共 {n} 条。",
    "changes_none": "与 {old} 版相比，本版条款内容没有修改。",
    "changes_cover": "与 {old} 版相比，本版修改或新增 {n} 条",
    "deleted_number": "原{n}（已删除）",
    "old_text": "原条款",
    "new_text": "修订后",
    "form_code": "表单编号",
    "form_pdf": "可填写 PDF",
    "form_docx": "Word 版",
    "form_notes": "填写说明",
    "articles": "{n} 条",
    "prev": "上一章",
    "next": "下一章",
    "home": "首页",
    "on_page": "本章条款",
    "permalink": "本条链接",
    "confidential": "内部资料　注意保存",
    "missing": "本页没有找到该条款，正在前往所在章节…",
}

EN = {
    "skip": "Skip to content",
    "contents": "Contents",
    "chapters": "Chapters",
    "search": "Search",
    "search_label": "Search this handbook",
    "search_hint": "e.g. annual leave, overtime",
    "search_button": "Search",
    "search_none": "No article contains “{q}”.",
    "search_found": "{n} articles contain “{q}”",
    "search_times": "{n}×",
    "search_needs_js": "Search needs JavaScript enabled in the browser.",
    "version": "Version",
    "effective": "Effective",
    "code": "Document code",
    "issuer": "Issued by",
    "applies": "Applies to",
    "appendices": "Appendices",
    "revisions": "Revision history",
    "rev_cols": "Version|Date|Changes",
    "changed": "Changed in this version",
    "changed_title": "Amended since version {old}",
    "added_title": "New in this version",
    "changes": "Changed in this version",
    "changes_intro": "These {n} articles were amended or added since version {old} (effective {date}).",
    "changes_none": "No article changed in content since version {old}.",
    "changes_cover": "{n} articles amended or added since version {old}",
    "deleted_number": "former {n} (deleted)",
    "old_text": "Before",
    "new_text": "After",
    "form_code": "Form code",
    "form_pdf": "Fillable PDF",
    "form_docx": "Word version",
    "form_notes": "Notes",
    "articles": "{n} articles",
    "prev": "Previous chapter",
    "next": "Next chapter",
    "home": "Home",
    "on_page": "Articles in this chapter",
    "permalink": "Link to this article",
    "confidential": "Internal — keep safe",
    "missing": "This article is not on this page; opening its chapter…",
}


HANT_TERMS = {"搜索": "搜尋"}  # words, not only characters, that differ in Taiwan and Hong Kong


def words_for(doc: Document) -> dict[str, str]:
    """The site's fixed words in the variant's language and script."""
    if doc.meta.locale == "en":
        return dict(EN)
    lang = language_of(doc.meta, doc.subsidiary)
    words = {key: lang.words(value) for key, value in HANS.items()}
    if doc.meta.locale == "zh-Hant":
        for simplified, local in HANT_TERMS.items():
            words = {key: value.replace(simplified, local) for key, value in words.items()}
    return words
