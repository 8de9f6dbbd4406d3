"""Import stage: write the detected regulation as a policybook source tree.

DIR/handbook/handbook.yaml, chapters/NN.md, subsidiaries/main.yaml and, for
appendices, DIR/forms/<id>.yaml — the format of docs/authoring.md.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybook.conversion import phrase_converter, target_of
from policybook.importers.forms import form_rows
from policybook.importers.markup import PIECES_RE, literal_braces, to_heading, to_markdown
from policybook.importers.paragraphs import Table
from policybook.importers.report import Record
from policybook.importers.tree import (
    Appendix,
    Article,
    Block,
    Chapter,
    Item,
    ItemList,
    Regulation,
    Section,
    TableBlock,
    Text,
    item_lists,
)

INDENT = "   "
UP, LEFT = "^^", "<<"  # merged-cell markers of the table syntax


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
    for index, appendix in enumerate(regulation.appendices, 1):
        if not appendix.form:
            written.append(_write(handbook / "appendices" / f"{index:02d}.md", appendix_markdown(appendix, record)))
            continue
        intro, notes, rows = form_rows(appendix, record)
        title = _form_text(appendix.title)  # a form's title is a template too
        form = {"id": appendix.label, "code": f"F-{appendix.number:02d}", "title": title, "version": "1.0"}
        written.append(_write(out / "forms" / f"{appendix.label}.yaml", form_yaml(form, intro, notes, rows)))
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def chapter_markdown(chapter: Chapter, record: Record) -> str:
    lines = [_heading("#", chapter.title, chapter.label), ""]
    lines += _intro_markdown(chapter.intro, record)
    for node in chapter.body:
        if isinstance(node, Section):
            lines += [_heading("##", node.title, node.label), ""]
            lines += _intro_markdown(node.intro, record)
            for article in node.articles:
                lines += article_markdown(article, record)
        else:
            lines += article_markdown(node, record)
    return "\n".join(lines).rstrip() + "\n"


def _intro_markdown(blocks: list[Block], record: Record) -> list[str]:
    """A chapter's (section's) opening text: Markdown between its heading and the first ###."""
    lines: list[str] = []
    for block in blocks:
        lines += block_markdown(block, record) + [""]
    return lines


def _heading(marks: str, title: str, label: str) -> str:
    words = [marks, to_heading(title)] if title else [marks]
    return " ".join(words + ([f"{{#{label}}}"] if label else []))


def appendix_markdown(appendix: Appendix, record: Record) -> str:
    """A document appendix: its title as the one # heading, then its paragraphs, lists and tables."""
    lines = [_heading("#", appendix.title or f"附件{appendix.number}", appendix.label), ""]
    for block in appendix.blocks:
        lines += block_markdown(block, record) + [""]
    return "\n".join(lines).rstrip() + "\n"


def article_markdown(article: Article, record: Record) -> list[str]:
    lines = [_heading("###", article.title, article.label), ""]
    for block in article.blocks:
        lines += block_markdown(block, record) + [""]
    return lines


def block_markdown(block: Block, record: Record) -> list[str]:
    if isinstance(block, Text):
        return [to_markdown(block.text)]
    if isinstance(block, ItemList):
        return _list_lines(block.items, 0)
    return table_markdown(block, record)


def _list_lines(items: list[Item], depth: int) -> list[str]:
    """A Markdown list; it starts at the source's first number (a list written from 3 keeps 3)."""
    lines: list[str] = []
    for number, item in enumerate(items, max(items[0].number, 1)):
        lines.append(f"{INDENT * depth}{number}. {to_markdown(item.text)}")
        if item.children:
            lines += _list_lines(item.children, depth + 1)
    return lines


def item_samples(regulation: Regulation, record: Record) -> list[str]:
    """The item format per level the source used most (一、（一）1.…); lists that differ are reported."""
    by_depth: dict[int, Counter[str]] = {}
    for items, depth in item_lists(regulation):
        by_depth.setdefault(depth, Counter()).update(i.sample for i in items if i.sample)
    samples = [by_depth[d].most_common(1)[0][0] for d in sorted(by_depth) if by_depth[d]]
    for items, depth in item_lists(regulation):
        if depth < len(samples) and items[0].sample and items[0].sample != samples[depth]:
            record.doubt(
                items[0].where,
                f"items written {items[0].sample} print as {samples[depth]} (the document's usual format)",
            )
    return samples


def table_markdown(block: TableBlock, record: Record) -> list[str]:
    """A pipe table; merged cells as ``^^`` (joins the cell above) and ``<<`` (joins the cell to the left)."""
    grid, lost = _grid(block.table)
    if block.table.merged():
        record.infer(block.where, f"table: {block.table.merged()} merged cell(s) kept (^^ / <<)")
    if lost:
        record.doubt(
            block.where, f"table: {lost} cell(s) merged from the header row into the body written as empty cells"
        )
    if len(grid) < 2:
        record.doubt(block.where, "a one-row table: its row became the header of an empty table")
    rows = [[_cell_markdown(cell) for cell in row] for row in grid]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return lines + ["| " + " | ".join(r) + " |" for r in rows[1:]]


def _cell_markdown(text: str) -> str:
    if text in (UP, LEFT):
        return text
    return "<br>".join(to_markdown(line.strip()) for line in text.split("\n")) or " "


def _grid(table: Table) -> tuple[list[list[str]], int]:
    """The table as a full grid with merge markers; how many merged slots the syntax could not express."""
    width = table.width()
    grid: list[list[str | None]] = [[None] * width for _ in table.rows]
    lost = 0
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while c < width and grid[r][c] is not None:
                c += 1
            if c >= width:
                break
            lost += _place(grid, r, c, cell.text, cell.rowspan, cell.colspan)
            c += cell.colspan
    return [[slot or "" for slot in row] for row in grid], lost


def _place(grid: list[list[str | None]], r: int, c: int, text: str, rowspan: int, colspan: int) -> int:
    lost = 0
    for dr in range(min(rowspan, len(grid) - r)):
        for dc in range(min(colspan, len(grid[0]) - c)):
            if dr == 0:
                grid[r][c + dc] = text if dc == 0 else LEFT
            elif r == 0:  # the header cannot reach into the body
                grid[r + dr][c + dc] = ""
                lost += 1
            else:
                grid[r + dr][c + dc] = UP
    return lost


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
        *_numbering(item_samples(regulation, record)),
        f"group: {_q(s.company or s.title)}",
        "chapters:",
        *[f"  - {c}" for c in chapters],
    ]
    if regulation.appendices:
        lines += ["appendices:"]
        for index, appendix in enumerate(regulation.appendices, 1):
            lines.append(f"  - {appendix.label}" if appendix.form else f"  - file: appendices/{index:02d}.md")
    if variables:
        lines += ["variables:", "  todo:                          # blanks of the source: set the real values"]
        lines += [f"    {name}: {_q(value)}   # TODO" for name, value in variables.items()]
    summary = _in_script("导入自", s.locale) + " " + "、".join(s.sources)
    lines += ["revisions:", f'  - {{version: "1.0", date: {effective}, summary: {_q(summary)}}}']
    return "\n".join(lines) + "\n"


def _in_script(words: str, locale: str) -> str:
    """Words of the importer's own (written in Simplified) in the source's script: a Traditional
    source prints them as its readers write them (導入自, not 导入自)."""
    target = target_of(locale, "")
    return phrase_converter(target)(words) if target else words


def _numbering(samples: list[str]) -> list[str]:
    if not samples:
        return ["numbering: zh-regulation"]
    listed = ", ".join(_q(sample) for sample in samples)
    return [
        "numbering:",
        "  style: zh-regulation",
        f"  items: [{listed}]            # item formats as the source wrote them",
    ]


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
    return "".join(p if i % 2 else literal_braces(p) for i, p in enumerate(parts))
