"""Import stage: the common list every reader produces — paragraphs and tables, each with its origin."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    rows: list[list[Cell]]

    def merged(self) -> int:
        """How many cells span more than one row or column."""
        return sum(1 for row in self.rows for cell in row if cell.colspan > 1 or cell.rowspan > 1)

    def width(self) -> int:
        return max((sum(c.colspan for c in row) for row in self.rows), default=0)


@dataclass
class Para:
    """One paragraph of the source as its reader saw it.

    ``where`` names its origin for the report ("line 12", "paragraph 7", "page 3");
    ``numbered`` is the number Word printed in front of it from its numbering
    definitions ("" when the number, if any, was typed as text).
    """

    text: str
    where: str
    numbered: str = ""
    table: Table | None = None
    toc: bool = False
    lines: list[str] = field(default_factory=list)
