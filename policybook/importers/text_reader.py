"""Import stage: read a plain-text or Markdown regulation into lines (joined into paragraphs later)."""

from __future__ import annotations

import re
from pathlib import Path

from policybook.diagnostics import Loc, fail
from policybook.importers.paragraphs import Cell, Para, Table
from policybook.importers.report import Record
from policybook.source.textfile import legacy_readings

MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
MD_STRONG_RE = re.compile(r"\*\*(.+?)\*\*")
PIPE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
PIPE_RULE_RE = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*\|?\s*$")


def read_text_file(path: Path, record: Record) -> list[Para]:
    """One ``Para`` per line (``where`` = "line N"); Markdown pipe tables become tables."""
    text = decode(path, record)
    markdown = path.suffix.lower() == ".md"
    out: list[Para] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        if PIPE_ROW_RE.match(lines[index]):
            index = _table(lines, index, path, out, record)
            continue
        line, where = lines[index], f"{path.name} line {index + 1}"
        if markdown:
            line = _plain(line, where, record)
        out.append(Para(line, where))
        index += 1
    return out


def _plain(line: str, where: str, record: Record) -> str:
    """A Markdown line without its heading marks and ``**`` (listed as removed markup)."""
    heading = MD_HEADING_RE.match(line)
    head = heading.group(0) if heading else ""
    body = line[len(head) :]
    record.remove(where, "Markdown markup", head + "**" * len(MD_STRONG_RE.findall(body)))
    return MD_STRONG_RE.sub(r"\1", body)


def decode(path: Path, record: Record) -> str:
    """UTF-8 (with or without BOM); GBK or Big5 from a Chinese Windows, noted in the report."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(Loc(str(path)), f"cannot read file: {exc.strerror}", "import.unreadable") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        readings = legacy_readings(data)
        if len(readings) != 1:
            problem = "reads as GBK and as Big5 alike" if readings else "is not a text file in UTF-8, GBK or Big5"
            raise fail(Loc(str(path)), f"the file {problem}", "import.encoding", "save it as UTF-8") from None
        name, text = readings[0]
        record.infer(path.name, f"decoded as {name} (not UTF-8)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _table(lines: list[str], start: int, path: Path, out: list[Para], record: Record) -> int:
    end = start
    rows: list[list[Cell]] = []
    while end < len(lines) and PIPE_ROW_RE.match(lines[end]):
        if not PIPE_RULE_RE.match(lines[end]):
            cells = re.split(r"(?<!\\)\|", lines[end].strip()[1:-1])
            rows.append([Cell(c.strip().replace("\\|", "|")) for c in cells])
        end += 1
    table = Table(rows)
    markup = "".join(lines[start:end])
    kept = sum(len(re.sub(r"\s", "", cell.text)) for row in rows for cell in row)
    # the pipes, rules and escapes around the cells (as many characters as the cells do not hold)
    record.remove(
        f"{path.name} line {start + 1}", "table markup (| and ---)", "|" * (len(re.sub(r"\s", "", markup)) - kept)
    )
    out.append(Para("", f"{path.name} line {start + 1}", table=table))
    return end
