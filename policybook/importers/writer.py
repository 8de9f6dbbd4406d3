"""Import stage: write the detected regulation as a policybook source tree.

DIR/handbook/handbook.yaml, chapters/NN.md, subsidiaries/main.yaml and, for
appendices, DIR/forms/<id>.yaml — the format of docs/authoring.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybook.importers.forms import form_rows
from policybook.importers.markup import JINJA_RE, PIECES_RE, to_markdown
from policybook.importers.paragraphs import Table
from policybook.importers.report import Record
from policybook.importers.tree import Article, Block, Chapter, Item, ItemList, Regulation, Section, TableBlock, Text

INDENT = "   "


@dataclass
class Settings:
    title: str
    company: str
    locale: str
    effective: str
    sources: list[str]


def write_tree(
    regulation: Regulation, variables: dict[str, str], settings: Settings, out: Path, record: Record
) -> list[Path]:
    handbook = out / "handbook"
    (handbook / "chapters").mkdir(parents=True, exist_ok=True)
    (handbook / "subsidiaries").mkdir(exist_ok=True)
    written = []
    names = []
    for index, chapter in enumerate(regulation.chapters, 1):
        name = f"chapters/{index:02d}.md"
        names.append(name)
        written.append(_write(handbook / name, chapter_markdown(chapter, record)))
    written.append(_write(handbook / "handbook.yaml", handbook_yaml(regulation, names, variables, settings, record)))
    written.append(_write(handbook / "subsidiaries" / "main.yaml", subsidiary_yaml(settings)))
    for appendix in regulation.appendices:
        intro, notes, rows = form_rows(appendix, record)
        form = {"id": appendix.label, "code": f"F-{appendix.number:02d}", "title": appendix.title, "version": "1.0"}
        written.append(_write(out / "forms" / f"{appendix.label}.yaml", form_yaml(form, intro, notes, rows)))
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def chapter_markdown(chapter: Chapter, record: Record) -> str:
    lines = [_heading("#", chapter.title, chapter.label), ""]
    for node in chapter.body:
        if isinstance(node, Section):
            lines += [_heading("##", node.title, node.label), ""]
            for article in node.articles:
                lines += article_markdown(article, record)
        else:
            lines += article_markdown(node, record)
    return "\n".join(lines).rstrip() + "\n"


def _heading(marks: str, title: str, label: str) -> str:
    words = [marks, to_markdown(title)] if title else [marks]
    return " ".join(words + ([f"{{#{label}}}"] if label else []))


def article_markdown(article: Article, record: Record) -> list[str]:
    lines = [_heading("###", article.title, article.label), ""]
    for block in article.blocks:
        lines += block_markdown(block, record) + [""]
    return lines


def block_markdown(block: Block, record: Record) -> list[str]:
    if isinstance(block, Text):
        return [to_markdown(block.text)]
    if isinstance(block, ItemList):
        return [line for item in block.items for line in _item_lines(item, block.items.index(item) + 1, 0)]
    return table_markdown(block, record)


def _item_lines(item: Item, number: int, depth: int) -> list[str]:
    lines = [f"{INDENT * depth}{number}. {to_markdown(item.text)}"]
    for index, child in enumerate(item.children, 1):
        lines += _item_lines(child, index, depth + 1)
    return lines


def table_markdown(block: TableBlock, record: Record) -> list[str]:
    table = block.table
    rows = [_flat_row(table, row) for row in _grid(table)]
    if table.merged():
        record.doubt(
            block.where,
            f"table: {table.merged()} merged cell(s) written as plain cells, text in the first of each "
            "(the source format has no merged cells) — check the table",
        )
    if len(rows) < 2:
        record.doubt(block.where, "a one-row table: its row became the header of an empty table")
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return lines + ["| " + " | ".join(r) + " |" for r in rows[1:]]


def _grid(table: Table) -> list[list[str]]:
    """The table as a full grid: a merged cell's text in its first slot, the others empty."""
    width = table.width()
    grid: list[list[str]] = [[""] * width for _ in table.rows]
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            if c >= width:
                break
            grid[r][c] = cell.text
            taken |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan
    return grid


def _flat_row(table: Table, row: list[str]) -> list[str]:
    return [to_markdown(cell.replace("\n", " ")) or " " for cell in row]


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def handbook_yaml(
    regulation: Regulation, chapters: list[str], variables: dict[str, str], s: Settings, record: Record
) -> str:
    effective = s.effective
    lines = [
        f"# Imported by `policybook import` from {', '.join(s.sources)}; review ../import-report.md first.",
        f"title: {_q(s.title)}",
        'code: "TODO-001"                 # TODO: the document code (file names, footer)',
        'version: "1.0"',
        f"effective: {effective}" + ("" if regulation.effective else "            # TODO: the effective date"),
        f"locale: {s.locale}",
        "numbering: zh-regulation",
        f"group: {_q(s.company or s.title)}",
        "chapters:",
        *[f"  - {c}" for c in chapters],
    ]
    if regulation.appendices:
        lines += ["appendices:", *[f"  - {a.label}" for a in regulation.appendices]]
    if variables:
        lines += ["variables:", "  todo:                          # blanks of the source: set the real values"]
        lines += [f"    {name}: {_q(value)}   # TODO" for name, value in variables.items()]
    lines += [
        "revisions:",
        f'  - {{version: "1.0", date: {effective}, summary: {_q("导入自 " + "、".join(s.sources))}}}',
    ]
    return "\n".join(lines) + "\n"


def subsidiary_yaml(s: Settings) -> str:
    name = s.company or "（公司名称）"
    todo = "" if s.company else "   # TODO: the company's name (give --company)"
    return f"name: {_q(name)}{todo}\ncode: MAIN\n"


def form_yaml(form: dict[str, str], intro: str, notes: list[str], rows: list[Any]) -> str:
    lines = [f"{key}: {_q(value)}" for key, value in form.items()]
    if intro:
        lines.append(f"intro: {_q(_form_text(intro))}")
    if notes:
        lines += ["notes:", *[f"  - {_q(_form_text(n))}" for n in notes]]
    lines.append("rows:")
    lines += [f"  - {json.dumps(_form_row(row), ensure_ascii=False)}" for row in rows]
    return "\n".join(lines) + "\n"


def _form_row(row: Any) -> Any:
    if isinstance(row, dict):
        return {k: _form_text(v) if isinstance(v, str) else v for k, v in row.items()}
    return [_form_row(cell) for cell in row]


def _form_text(text: str) -> str:
    """Form texts are templates but not Markdown: escape Jinja only; keep inserted variables."""
    parts = PIECES_RE.split(text)
    return "".join(p if i % 2 else JINJA_RE.sub(lambda m: "{{ '" + m.group(1) + "' }}", p) for i, p in enumerate(parts))
