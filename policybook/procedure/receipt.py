"""Procedure stage: the receipt of an online 签收, as a PDF (from the receipt kept as evidence)."""

from __future__ import annotations

import json

from policybook.procedure.typeset import Block, mono, style_of, typeset

LABELS = {
    "name": "姓名",
    "employee": "工号",
    "subsidiary": "公司",
    "version": "手册版本",
    "confirmed_at": "确认时间",
    "ip": "IP 地址",
    "browser": "浏览器",
    "version_sha256": "手册 PDF SHA-256",
    "site_sha256": "所示网页 SHA-256",
    "link": "链接编号",
}


def receipt_pdf(receipt: dict[str, str], evidence_sha256: str) -> bytes:
    rows = [
        [label, mono(receipt[k]) if k.endswith("sha256") else receipt[k]] for k, label in LABELS.items() if k in receipt
    ]
    rows.append(["回执 SHA-256", mono(evidence_sha256)])
    answers = json.loads(receipt.get("quiz") or "[]")
    blocks: list[Block] = [
        {"k": "title", "text": "员工手册签收回执", "sub": "在线确认"},
        {"k": "ok", "text": receipt.get("statement", "")},
        {"k": "kv", "rows": rows},
    ]
    if answers:
        quiz = [[a.get("question", ""), a.get("answer", "")] for a in answers]
        blocks.append({"k": "table", "cols": [3, 2], "head": ["测验题目", "所选答案"], "rows": quiz})
    blocks.append(
        {"k": "p", "text": "本回执的内容以 JSON 形式存于签收账本的证据文件夹，其 SHA-256 见上表；可凭此核对。"}
    )
    return typeset(blocks, "签收回执", f"{receipt.get('employee', '')} · v{receipt.get('version', '')}", style_of(None))
