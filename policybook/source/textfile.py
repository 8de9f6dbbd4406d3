"""Read stage: decode source text files (UTF-8, BOM and CRLF tolerated)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from policybook import limits
from policybook.conversion import HAN
from policybook.diagnostics import Loc, fail
from policybook.limits import too_big


def read_bytes(path: Path, limit: int = limits.SOURCE_FILE_BYTES) -> bytes:
    """A regular file's bytes (never a pipe or device, which could block or never end), at most ``limit``."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise fail(Loc(str(path)), "not a regular file", "source.not-file", "name a file, not a folder or device")
        if info.st_size > limit:
            raise too_big(Loc(str(path)), f"file too large ({info.st_size:,} bytes)", limit, "file-size")
        return path.read_bytes()
    except FileNotFoundError:
        raise fail(Loc(str(path)), "file not found", "source.missing") from None
    except OSError as exc:
        raise fail(Loc(str(path)), f"cannot read file: {exc.strerror}", "source.unreadable") from None


def read_text(path: Path) -> str:
    """The text of a source file, newlines normalised; bad encodings are user errors."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        readings = legacy_readings(data)
        hint = f"the file looks {readings[0][0]}-encoded; " if len(readings) == 1 else ""
        raise fail(
            Loc(str(path), line),
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "source.encoding",
            hint + "save it as UTF-8",
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    check_controls(text, str(path))
    return text


CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_controls(text: str, path: str, line_offset: int = 0) -> None:
    """No control characters (NUL, escape …): no document format can hold them, and no author means them."""
    found = CONTROL_RE.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1 + line_offset
        raise fail(
            Loc(path, line),
            f"control character U+{ord(found.group()):04X} in the text",
            "source.control-character",
            "delete it (it is invisible in most editors)",
        )


# the encodings Excel and Notepad write on a Chinese Windows: name, codec, and where the
# encoding keeps its common characters (GB2312 level 1: lead bytes B0–D7; Big5's frequent
# characters: A4–C6)
LEGACY = (("GBK", "gb18030", "gb2312", 0xB0, 0xD7), ("Big5", "cp950", "big5", 0xA4, 0xC6))
MARGIN = 0.2  # how much more of one reading must be common characters to choose it


def legacy_readings(data: bytes) -> list[tuple[str, str]]:
    """The readings (encoding name, text) of bytes that are not UTF-8 but come from a Chinese
    Windows: GBK (mainland) or Big5 (Taiwan, Hong Kong). Their byte ranges overlap, so the same
    bytes often decode both ways; a right reading has its Han characters mostly among its
    encoding's common characters, a wrong one scatters over rare ones. Empty: neither decodes;
    two: they read alike (a short file), and only the author can tell."""
    scored = []
    for name, codec, table, low, high in LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        han = HAN.findall(text)
        common = sum(1 for ch in han if low <= _lead(ch, table) <= high)
        scored.append((common / len(han) if han else 0.0, name, text))
    scored.sort(reverse=True)
    if len(scored) == 2 and scored[0][0] - scored[1][0] >= MARGIN:
        scored = scored[:1]
    return [(name, text) for _share, name, text in scored]


def _lead(ch: str, table: str) -> int:
    try:
        return ch.encode(table)[0]
    except UnicodeEncodeError:
        return 0


def decode_table(data: bytes, path: Path, code: str) -> str:
    """A CSV file's text: UTF-8 (with or without Excel's BOM), else GBK or Big5 as Excel saves a
    CSV on a Chinese Windows (:func:`legacy_readings`); anything else is an error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        readings = legacy_readings(data)
        if len(readings) == 1:
            return readings[0][1]
        line = data[: exc.start].count(b"\n") + 1
        hint = "save it as 'CSV UTF-8' (Excel) or convert it: iconv -f ENCODING -t UTF-8"
        problem = "reads as GBK and as Big5 alike" if readings else "is neither UTF-8, GBK nor Big5"
        raise fail(Loc(str(path), line), f"the file {problem}", code, hint) from None
