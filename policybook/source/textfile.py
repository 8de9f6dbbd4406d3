"""Read stage: decode source text files (UTF-8, BOM and CRLF tolerated)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from policybook import limits
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
        hint = "the file looks GBK-encoded; " if looks_gbk(data) else ""
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


def looks_gbk(data: bytes) -> bool:
    """Bytes that are not UTF-8 but decode as GB18030 (GBK's superset): a Chinese Windows file."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def decode_table(data: bytes, path: Path, code: str) -> str:
    """A CSV file's text: UTF-8 (with or without Excel's BOM) or else GBK/GB18030, as Excel saves
    a CSV on a Chinese Windows; anything else is an error at the first line that is neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if looks_gbk(data):
            return data.decode("gb18030")
        line = data[: exc.start].count(b"\n") + 1
        hint = "save it as 'CSV UTF-8' (Excel) or convert it: iconv -f ENCODING -t UTF-8"
        raise fail(Loc(str(path), line), "the file is neither UTF-8 nor GBK", code, hint) from None
