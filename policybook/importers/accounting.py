"""Import stage: every character of the input is kept in the tree or listed as removed, with the reason.

Characters are counted without whitespace: joining lines, collapsing spaces and
making punctuation full-width change no count, so the detected tree (markers
such as 第一条 and （一） included) plus what was removed must add up to what the
readers read. A difference is a bug that lost or invented text — it is
reported, never hidden.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from policybook.importers.paragraphs import Para, Table
from policybook.importers.report import Record
from policybook.importers.tree import Block, Item, ItemList, Regulation, Section, TableBlock, Text

SPACE_RE = re.compile(r"\s+")


def chars(text: str) -> int:
    return len(SPACE_RE.sub("", text))


def table_chars(table: Table) -> int:
    return sum(chars(cell.text) for row in table.rows for cell in row)


def para_chars(paras: list[Para]) -> int:
    return sum(table_chars(p.table) if p.table is not None else chars(p.text) for p in paras)


@dataclass
class Accounting:
    total: int  # M: what the readers read, page furniture included
    kept: int  # N: in the detected tree
    removed: Counter[str]  # reason → characters

    def missing(self) -> int:
        return self.total - self.kept - sum(self.removed.values())

    def line(self) -> str:
        removed = ", ".join(f"{reason} {count}" for reason, count in self.removed.most_common()) or "nothing"
        text = f"kept {self.kept} of {self.total} characters; removed: {removed}"
        missing = self.missing()
        if missing:
            text += f"; UNACCOUNTED: {missing} (please report this import)"
        return text


def account(regulation: Regulation, record: Record, total: int) -> Accounting:
    removed: Counter[str] = Counter()
    for removal in record.removed:
        removed[removal.reason] += chars(removal.text)
    result = Accounting(total, tree_chars(regulation), removed)
    if result.missing():
        record.doubt("document", f"{result.missing()} characters neither imported nor listed as removed")
    return result


def tree_chars(regulation: Regulation) -> int:
    count = chars(regulation.title)
    for chapter in regulation.chapters:
        count += chars(chapter.head + ("" if chapter.made else chapter.title)) + _blocks(chapter.intro)
        for node in chapter.body:
            if isinstance(node, Section):
                count += chars(node.head + node.title) + _blocks(node.intro)
        for article in chapter.articles():
            count += chars(article.head + article.title) + _blocks(article.blocks)
    for appendix in regulation.appendices:
        count += chars(appendix.head + appendix.title) + _blocks(appendix.blocks)
    return count


def _blocks(blocks: list[Block]) -> int:
    count = 0
    for block in blocks:
        if isinstance(block, Text):
            count += chars(block.text)
        elif isinstance(block, ItemList):
            count += sum(_item(item) for item in block.items)
        elif isinstance(block, TableBlock):
            count += table_chars(block.table)
    return count


def _item(item: Item) -> int:
    return chars(item.head + item.text) + sum(_item(child) for child in item.children)
