"""Write stage (pdf): the fixed words the handbook prints around the content, per locale.

Written once in Simplified Chinese and once in English; a zh-Hant variant reads
them converted to its region (language.Language.labels).

``page`` is split around the two numbers: ("第 ", " 页 共 ", " 页") → 第 3 页 共 98 页.
"""

from __future__ import annotations

from typing import Any

from policybook.language import Language

HANS: dict[str, Any] = {
    "contents": "目　录",
    "revisions": "修订记录",
    "rev_cols": ["版本", "日期", "修订内容"],
    "version": "版本",
    "effective": "生效日期",
    "code": "文件编号",
    "issuer": "发布单位",
    "applies": "适用范围",
    "page": ["第 ", " 页 共 ", " 页"],
    "appendices": "附　件",
    "app_cols": ["附件", "名称", "编号", "版本"],
    "confidential": "内部资料　注意保存",
}

EN: dict[str, Any] = {
    "contents": "Contents",
    "revisions": "Revision history",
    "rev_cols": ["Version", "Date", "Changes"],
    "version": "Version",
    "effective": "Effective",
    "code": "Document code",
    "issuer": "Issued by",
    "applies": "Applies to",
    "page": ["Page ", " of ", ""],
    "appendices": "Appendices",
    "app_cols": ["Appendix", "Title", "Code", "Version"],
    "confidential": "Internal — keep safe",
}


def labels_for(lang: Language) -> dict[str, Any]:
    """The handbook's fixed words in the variant's script (Traditional ones converted from these)."""
    return EN if lang.locale == "en" else lang.labels(HANS)
