"""Law stage writer: the legal reviewer's table of findings, per subsidiary (Markdown or XLSX).

Everything in it is Chinese; it lists waived findings with their reason too, so
the reviewer sees what was accepted and why.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policybook.law.checker import Finding, script
from policybook.law.rules import canonical, chain
from policybook.law.settings import as_of

if TYPE_CHECKING:
    from policybook.build import Checked

COLUMNS = ("序号", "条款", "位置", "原文", "问题", "法律依据", "说明", "建议", "处理")
DISCLAIMER = (
    "本报告由 policybook 按规则表自动检查生成，是法务审阅的辅助材料，不构成法律意见；未列出的问题不代表条款合法。"
)


@dataclass(frozen=True)
class Section:
    sub_id: str
    name: str
    jurisdiction: str  # 上海市（CN-SH）, or a note that none is set
    rows: list[list[str]]


def sections(checked: Checked, found: list[Finding]) -> list[Section]:
    out: list[Section] = []
    for sub_id, doc in checked.documents.items():
        mine = sorted((f for f in found if f.sub_id == sub_id), key=lambda f: (f.loc, f.rule.id))
        convert = script(doc)
        rows = [[convert(cell) for cell in row] for row in _rows(mine)]
        out.append(Section(sub_id, doc.subsidiary.name, convert(_jurisdiction(checked, sub_id)), rows))
    return out


def _jurisdiction(checked: Checked, sub_id: str) -> str:
    sub = checked.project.subsidiaries[sub_id]
    written = sub.jurisdiction or sub.info.region
    if not written:
        return "未设置（jurisdiction:），未检查"
    code = canonical(written)
    return f"{chain(code)[0].name}（{code}）" if code else f"{written}（无规则表，未检查）"


def _rows(mine: list[Finding]) -> list[list[str]]:
    rows: list[list[str]] = []
    for number, f in enumerate(mine, 1):
        status = (
            f"已豁免：{f.waiver.reason}" if f.waiver else ("待处理（错误）" if f.rule.level == "error" else "待处理")
        )
        where = f"{f.loc}"
        rows.append(
            [str(number), f.where, where, f.text, f.message, f.rule.citation, f.rule.explain, f.rule.suggest, status]
        )
    return rows


def markdown(checked: Checked, found: list[Finding]) -> str:
    meta = checked.project.meta
    day = as_of(checked.project)
    lines = [
        f"# 劳动法检查报告：{meta.title}（{meta.code}，第{meta.version}版）",
        "",
        f"检查基准日：{_cn_date(day)}（手册生效日）。{DISCLAIMER}",
        "",
    ]
    for section in sections(checked, found):
        waived = sum(1 for row in section.rows if row[-1].startswith("已豁免"))
        lines += [f"## {section.name}（{section.sub_id}）", "", f"适用法域：{section.jurisdiction}。"]
        lines += [f"发现 {len(section.rows)} 项，其中已豁免 {waived} 项。", ""]
        if section.rows:
            lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in section.rows]
            lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def _cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def write_xlsx(checked: Checked, found: list[Finding], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for section in sections(checked, found):
        sheet = book.create_sheet(section.sub_id[:31])
        sheet.append(
            [f"{section.name}：适用法域 {section.jurisdiction}；检查基准日 {_cn_date(as_of(checked.project))}"]
        )
        sheet.append([DISCLAIMER])
        sheet.append(list(COLUMNS))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append(row)
        for column, width in zip("ABCDEFGHI", (6, 22, 30, 50, 40, 36, 50, 40, 30), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A4"
        sheet.auto_filter.ref = f"A3:I{max(sheet.max_row, 3)}"
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    _atomic(path, lambda tmp: book.save(tmp))


def write(checked: Checked, found: list[Finding], path: Path) -> None:
    """The report to ``path``: .xlsx as a workbook (a sheet per subsidiary), anything else as Markdown."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(checked, found, path)
    else:
        text = markdown(checked, found)
        _atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _atomic(path: Path, save: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        save(tmp)  # type: ignore[operator]
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
