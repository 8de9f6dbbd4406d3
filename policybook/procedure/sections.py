"""Procedure stage: the evidence package's PDF as blocks — gaps first, then each of the five things.

Plain data for ``typeset.py``; the gathering is ``evidence.py``, the folder ``package.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from policybook.dates import long_date
from policybook.model import Segment
from policybook.procedure.evidence import Facts
from policybook.procedure.schema import CHANNEL_NAMES, MEETING_KINDS
from policybook.procedure.typeset import Block, mono

METHOD_NAMES = {"paper": "纸质签收", "click": "在线确认", "esign": "电子签名", "proxy": "代签"}
REASONS = {
    "first": "首次分派",
    "changed": "内容修订",
    "new-hire": "新入职",
    "transfer": "调动",
    "renewed": "未签收顺延",
}


@dataclass
class File:
    name: str  # in the package folder
    what: str  # 说明
    sha256: str


@dataclass
class Handbook:
    file: File | None  # the release's full PDF in the package
    manifest_ok: bool  # its SHA-256 is the one in the build's manifest.json
    pages: list[int]  # where the article is printed (1-based)


class Keeper(Protocol):
    path: Path

    def kept(self, digest: str, name: str, what: str, prefix: str) -> File | None: ...


def copy_records(folder: Keeper, facts: Facts) -> dict[str, str]:
    """Copy every evidence file the records name; returns an online receipt's details (if any)."""
    if facts.consultation is not None:
        for draft in json.loads(facts.consultation.drafts):
            if draft["subsidiary"] == facts.subsidiary:
                folder.kept(draft["sha256"], draft["name"], "征求意见稿", "03")
        for m in facts.consultation.meetings:
            folder.kept(m.minutes_sha256, m.minutes_name, f"会议纪要（{MEETING_KINDS[m.kind]} {m.held_on}）", "03")
    for f in facts.filings:
        folder.kept(f.evidence_sha256, f.evidence_name, f"核備文件（{f.reference}）", "03")
    for p in facts.publications:
        for e in p.evidence:
            folder.kept(
                e.sha256, e.name, f"公示证据（{CHANNEL_NAMES.get(p.channel, p.channel)} {p.published_on}）", "04"
            )
    if facts.ack is None:
        return {}
    copied = folder.kept(facts.ack.evidence_sha256, facts.ack.evidence_name, "签收凭证", "05")
    if copied is None or facts.ack.method != "click" or not copied.name.endswith(".json"):
        return {}
    data = json.loads((folder.path / copied.name).read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def blocks(facts: Facts, handbook: Handbook | None, files: list[File], receipt: dict[str, str]) -> list[Block]:
    out = _first_page(facts, handbook)
    out += _article(facts, handbook)
    out += _history(facts)
    out += _procedure(facts)
    out += _publicity(facts)
    out += _employee(facts, receipt)
    out += _files(files)
    if handbook and handbook.pages:
        out += [
            {"k": "break"},
            {"k": "h", "text": f"附：条款所在页面（手册 PDF 文件第 {_pages(handbook.pages)} 页，原样附后）"},
        ]
    return out


def _pages(pages: list[int]) -> str:
    return f"{pages[0]}" if len(pages) == 1 else f"{pages[0]}—{pages[-1]}"


def _first_page(facts: Facts, handbook: Handbook | None) -> list[Block]:
    e = facts.roster
    article = facts.article
    named = f"{article.number}　{article.title}" if article else facts.label
    rows: list[list[object]] = [
        ["员工", f"{e.name}（工号 {e.id}）"],
        ["所属公司", facts.doc.subsidiary.name if facts.doc else facts.subsidiary],
        ["条款", f"{named}（标签 {facts.label}）"],
        ["所涉日期", long_date(facts.day)],
    ]
    if facts.release is not None:
        rows.append(
            [
                "当日有效版本",
                f"{facts.release.code} 版本 {facts.release.version}，{long_date(facts.release.effective)}起施行",
            ]
        )
    if facts.recorded is not None:
        rows.append(["手册 SHA-256", mono(facts.recorded.sha256)])
    out: list[Block] = [
        {"k": "title", "text": "劳动争议证据材料", "sub": "规章制度的内容、制定程序、公示与送达签收"},
        {"k": "kv", "rows": rows},
    ]
    if facts.gaps:
        out.append({"k": "box", "title": "缺失与说明（如实列明，未作隐瞒）", "lines": facts.gaps})
    else:
        out.append({"k": "ok", "text": "五项材料齐备：条款原文、制定程序、公示、员工信息、签收记录。"})
    out.append({"k": "table", "cols": [1, 4], "head": ["材料", "状况"], "rows": _checklist(facts, handbook)})
    return out


def _checklist(facts: Facts, handbook: Handbook | None) -> list[list[object]]:
    text = "已附条款原文" + (
        "及手册全文（SHA-256 与账本、构建清单一致）" if handbook and handbook.manifest_ok else "；手册全文未附"
    )
    if facts.consultation is not None:
        c = facts.consultation
        procedure = f"征求意见 {c.opened_on}—{c.until}，意见 {len(c.opinions)} 条，会议 {len(c.meetings)} 次"
        procedure += f"，{c.closes[0].closed_on} 结束：{c.closes[0].outcome}" if c.closes else "，未结束"
    elif facts.filings:
        procedure = "；".join(f"{f.filed_on} 經 {f.authority} 核備（{f.reference}）" for f in facts.filings)
    elif facts.needs:
        procedure = "无记录"
    else:
        procedure = "该地区法律未要求"
    pub = (
        "；".join(f"{p.published_on} {CHANNEL_NAMES.get(p.channel, p.channel)}" for p in facts.publications) or "无记录"
    )
    ack = facts.ack
    signed = f"{METHOD_NAMES.get(ack.method, ack.method)}，{long_date(ack.signed_on)}" if ack else "无签收记录"
    return [
        ["条款内容", text],
        ["制定程序", procedure],
        ["公示", pub],
        ["送达签收", signed],
        ["员工信息", facts.roster.basis],
    ]


def _article(facts: Facts, handbook: Handbook | None) -> list[Block]:
    out: list[Block] = [{"k": "h", "text": "一、条款原文（当日有效版本）"}]
    if facts.article is None:
        return [*out, {"k": "p", "text": "条款原文无法从该版本的源文件副本读出，见附后的手册页面。"}]
    out.append({"k": "p", "text": f"{facts.article.number}　{facts.article.title}".strip()})
    out += [{"k": "p", "text": line.replace("\t", " | ")} for line in facts.article.body.split("\n") if line]
    if handbook and handbook.file:
        where = (
            f"手册 PDF 文件第 {_pages(handbook.pages)} 页（原样附于本 PDF 末尾）" if handbook.pages else "页面未能定位"
        )
        out.append(
            {
                "k": "kv",
                "rows": [
                    ["所在页面", where],
                    ["手册文件", handbook.file.name],
                    ["SHA-256", mono(handbook.file.sha256)],
                ],
            }
        )
    return out


def _history(facts: Facts) -> list[Block]:
    rows = []
    for step in facts.history:
        old = {"segs": [seg for r in step.rows for seg in _segs(r.old_number, r.old)]}
        new = (
            {"segs": [seg for r in step.rows for seg in _segs(r.new_number, r.new)]} if step.rows else step.text or "—"
        )
        rows.append([step.version, long_date(step.effective), step.what, old, new])
    return [
        {"k": "h", "text": "二、条款沿革（修订对照表，截至所涉日期）"},
        {
            "k": "table",
            "cols": [0.8, 1.6, 1, 3.5, 3.5],
            "head": ["版本", "施行日期", "变动", "修订前", "修订后"],
            "rows": rows,
        },
    ]


def _segs(number: str, segments: list[Segment]) -> list[dict[str, object]]:
    return [{"text": f"{number} ", "changed": False}, *({"text": s.text, "changed": s.changed} for s in segments)]


def _procedure(facts: Facts) -> list[Block]:
    out: list[Block] = [{"k": "h", "text": "三、制定程序（民主程序 / 核備）"}]
    c = facts.consultation
    if c is None:
        if facts.filings:
            rows = [
                [str(f.filed_on), f.authority, f.reference, mono(f.evidence_sha256 or "—", True)] for f in facts.filings
            ]
            return [
                *out,
                {
                    "k": "table",
                    "cols": [1, 2, 2, 4],
                    "head": ["核備日期", "主管機關", "文號", "文件 SHA-256"],
                    "rows": rows,
                },
            ]
        text = "本版本没有征求意见或核備记录。" if facts.needs else "该公司所在地区法律未要求征求意见或核備。"
        return [*out, {"k": "p", "text": text}]
    out.append(
        {
            "k": "kv",
            "rows": [
                ["征求意见期间", f"{long_date(c.opened_on)} — {long_date(c.until)}"],
                ["渠道", CHANNEL_NAMES.get(c.channel, c.channel)],
                ["记录人", c.recorded_by or "—"],
            ],
        }
    )
    out.append({"k": "p", "text": f"通知：{c.notice}"})
    drafts = [d for d in json.loads(c.drafts) if d["subsidiary"] == facts.subsidiary]
    for d in drafts:
        out.append({"k": "kv", "rows": [["征求意见稿", d["name"]], ["SHA-256", mono(d["sha256"])]]})
    opinions = [[str(o.received_on), o.author, o.article, o.opinion, o.answer or "（未答复）"] for o in c.opinions]
    out.append(
        {
            "k": "table",
            "cols": [1.2, 1.2, 1.2, 3.5, 3.5],
            "head": ["日期", "提出人", "条款", "意见", "答复"],
            "rows": opinions or [["—", "", "", "没有收到意见", ""]],
        }
    )
    meetings = [
        [
            str(m.held_on),
            MEETING_KINDS[m.kind],
            str(m.attendees),
            m.resolution,
            mono(m.minutes_sha256 or "无纪要文件", True),
        ]
        for m in c.meetings
    ]
    out.append(
        {
            "k": "table",
            "cols": [1.2, 1.5, 0.8, 3.5, 3.2],
            "head": ["日期", "形式", "人数", "决议", "签字纪要 SHA-256"],
            "rows": meetings or [["—", "", "", "没有会议记录", ""]],
        }
    )
    if c.closes:
        out.append({"k": "kv", "rows": [["结束日期", long_date(c.closes[0].closed_on)], ["结论", c.closes[0].outcome]]})
    return out


def _publicity(facts: Facts) -> list[Block]:
    out: list[Block] = [{"k": "h", "text": "四、公示"}]
    rows = []
    for p in facts.publications:
        files = "\n".join(f"{e.name} {e.sha256}" for e in p.evidence) or "—"
        rows.append([str(p.published_on), CHANNEL_NAMES.get(p.channel, p.channel), p.note or "—", mono(files, True)])
    if not rows:
        return [*out, {"k": "p", "text": "所涉日期前没有该版本的公示记录。"}]
    return [
        *out,
        {
            "k": "table",
            "cols": [1.2, 1.3, 3, 4.5],
            "head": ["日期", "方式", "说明", "证据文件与 SHA-256"],
            "rows": rows,
        },
    ]


def _employee(facts: Facts, receipt: dict[str, str]) -> list[Block]:
    e = facts.roster
    out: list[Block] = [
        {"k": "h", "text": "五、员工信息、分派与签收"},
        {
            "k": "kv",
            "rows": [
                ["工号", e.id],
                ["姓名", e.name],
                ["公司", e.subsidiary],
                ["部门", e.department],
                ["入职日期", long_date(e.hire_date)],
                ["状态", "在职" if e.status == "active" else "离职"],
            ],
        },
        {"k": "p", "text": f"说明：{facts.roster.basis}"},
    ]
    a = facts.assignment
    if a is None:
        return [*out, {"k": "p", "text": "没有向该员工分派签收的记录。"}]
    out.append(
        {
            "k": "kv",
            "rows": [
                ["分派版本", a.release.version],
                ["分派时间", str(a.assigned_at)],
                ["签收期限", long_date(a.due)],
                ["原因", REASONS.get(a.reason, a.reason)],
            ],
        }
    )
    ack = facts.ack
    if ack is None:
        return [*out, {"k": "box", "title": "签收", "lines": [f"该员工没有签收版本 {a.release.version} 的记录。"]}]
    rows: list[list[object]] = [
        ["签收方式", METHOD_NAMES.get(ack.method, ack.method)],
        ["签收日期", long_date(ack.signed_on)],
        ["记录时间", str(ack.recorded_at)],
        ["记录人", ack.recorded_by or "—"],
        ["凭证文件", ack.evidence_name or "无凭证文件"],
    ]
    if ack.evidence_sha256:
        rows.append(["凭证 SHA-256", mono(ack.evidence_sha256)])
    labels = {
        "confirmed_at": "确认时间（UTC）",
        "ip": "IP 地址",
        "browser": "浏览器",
        "version_sha256": "所示版本 SHA-256",
        "site_sha256": "所示网页 SHA-256",
        "statement": "确认声明",
    }
    rows += [
        [label, mono(receipt[k]) if k.endswith("sha256") else receipt[k]] for k, label in labels.items() if k in receipt
    ]
    return [*out, {"k": "kv", "rows": rows}]


def _files(files: list[File]) -> list[Block]:
    rows = [[f.name, f.what, mono(f.sha256, True)] for f in files]
    return [
        {"k": "h", "text": "六、文件清单"},
        {"k": "table", "cols": [3, 2.2, 4], "head": ["文件", "说明", "SHA-256"], "rows": rows or [["—", "", ""]]},
        {
            "k": "p",
            "text": "本 PDF 自身的 SHA-256 见同一文件夹中的 SHA256SUMS 与 index.json"
            "（可用 sha256sum -c SHA256SUMS 核对全部文件）。",
        },
    ]
