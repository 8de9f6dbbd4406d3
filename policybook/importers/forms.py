"""Import stage: an appendix (附件) → a form definition (``forms/<id>.yaml`` rows).

A table row whose only cell spans it is a section bar; a label followed by an
empty cell is a field (signature, date, multi-line or text, guessed from the
label); "□事假 □病假" is a checkbox group; other text prints as it is.
"""

from __future__ import annotations

import re
from typing import Any

from policybook.importers.paragraphs import Cell, Table
from policybook.importers.report import Record
from policybook.importers.tree import Appendix, Item, ItemList, TableBlock, Text

BOX_RE = re.compile(r"[□☐■☑]\s*([^□☐■☑]+)")
FieldRow = list[dict[str, Any]]


def is_form(appendix: Appendix) -> bool:
    """A table with blanks to fill (a label beside an empty cell) or boxes to tick (□) makes a form."""
    for block in appendix.blocks:
        if isinstance(block, TableBlock):
            for row in block.table.rows:
                texts = [c.text.strip() for c in row]
                if any(BOX_RE.search(t) for t in texts):
                    return True
                if any(a and not b for a, b in zip(texts, texts[1:], strict=False)):
                    return True
    return False


def form_rows(appendix: Appendix, record: Record) -> tuple[str, list[str], list[Any]]:
    """(intro, notes, rows) of the form an appendix becomes."""
    texts = [_text(b) for b in appendix.blocks if not isinstance(b, TableBlock)]
    tables = [b for b in appendix.blocks if isinstance(b, TableBlock)]
    rows: list[Any] = []
    for index, block in enumerate(tables):
        rows += TableMapper(block.table, index + 1).rows()
        record.infer(block.where, f"table mapped to form fields of {appendix.label} (check the field types)")
    if not tables:
        rows = [
            [{"label": appendix.title, "name": f"text_{i + 1}", "type": "static", "text": t}]
            for i, t in enumerate(texts)
        ]
        record.doubt(appendix.where, f"appendix {appendix.number} has no table: its text became printed rows of a form")
        return "", [], rows or [[{"label": appendix.title, "name": "content", "type": "multiline", "lines": 8}]]
    intro, notes = (texts[0], texts[1:]) if texts else ("", [])
    return intro, notes, rows


def _text(block: Text | ItemList | TableBlock) -> str:
    if isinstance(block, Text):
        return block.text
    if isinstance(block, ItemList):
        return "；".join(_item_text(i) for i in block.items)
    return ""


def _item_text(item: Item) -> str:
    return item.text + "".join("；" + _item_text(c) for c in item.children)


class TableMapper:
    def __init__(self, table: Table, index: int) -> None:
        self.table = table
        self.width = table.width()
        self.prefix = f"t{index}" if index > 1 else "f"

    def rows(self) -> list[Any]:
        return [row for r, cells in enumerate(self.table.rows) if (row := self.row(r + 1, cells))]

    def row(self, r: int, cells: list[Cell]) -> Any:
        filled = [c for c in cells if c.text.strip()]
        if len(filled) == 1 and filled[0].colspan >= self.width > 1:
            return {"section": filled[0].text.strip()}
        out: FieldRow = []
        index = 0
        while index < len(cells):
            index = self.cell(r, cells, index, out)
        return out

    def cell(self, r: int, cells: list[Cell], index: int, out: FieldRow) -> int:
        cell, name = cells[index], f"{self.prefix}{r}_{index + 1}"
        label = cell.text.strip()
        following = cells[index + 1] if index + 1 < len(cells) else None
        if not label:
            out.append({"label": "", "name": name, "type": "text", "span": cell.colspan})
            return index + 1
        if following is not None and not following.text.strip():
            end = index + 1
            while end < len(cells) and not cells[end].text.strip():  # the blank runs to the next label
                end += 1
            out.append(_field(label, name, sum(c.colspan for c in cells[index:end])))
            return end
        if following is not None and BOX_RE.search(following.text):
            options = [o.strip() for o in BOX_RE.findall(following.text)]
            out.append(
                {
                    "label": label,
                    "name": name,
                    "type": "checkbox",
                    "options": options,
                    "span": following.colspan + cell.colspan,
                }
            )
            return index + 2
        out.append({"label": label, "name": name, "type": "static", "text": "", "span": cell.colspan})
        return index + 1


def _field(label: str, name: str, span: int) -> dict[str, Any]:
    if re.search(r"签[字名章]|簽[字名章]", label):
        return {"label": label, "name": name, "type": "signature", "span": span}
    if re.search(r"日期|时间|時間", label):
        return {"label": label, "name": name, "type": "date", "span": span}
    if re.search(r"事由|意见|意見|说明|說明|原因|内容|內容", label):
        return {"label": label, "name": name, "type": "multiline", "lines": 3, "span": span}
    return {"label": label, "name": name, "type": "text", "span": span}
