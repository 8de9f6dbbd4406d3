"""Write stage (pdf): the fixed words the handbook prints around the content, per locale.

``page`` is split around the two numbers: ("第 ", " 页 共 ", " 页") → 第 3 页 共 98 页.
"""

from __future__ import annotations

from typing import Any

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
    "app_cols": ["附件", "表单名称", "表单编号", "版本"],
    "confidential": "内部资料　注意保存",
}

HANT: dict[str, Any] = {
    **HANS,
    "contents": "目　錄",
    "revisions": "修訂記錄",
    "rev_cols": ["版本", "日期", "修訂內容"],
    "code": "文件編號",
    "issuer": "發布單位",
    "applies": "適用範圍",
    "page": ["第 ", " 頁 共 ", " 頁"],
    "appendices": "附　件",
    "app_cols": ["附件", "表單名稱", "表單編號", "版本"],
    "confidential": "內部資料　注意保存",
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
    "app_cols": ["Appendix", "Form", "Code", "Version"],
    "confidential": "Internal — keep safe",
}


def labels_for(locale: str) -> dict[str, Any]:
    return {"zh-Hant": HANT, "en": EN}.get(locale, HANS)
