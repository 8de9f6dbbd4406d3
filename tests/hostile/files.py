"""Hostile files built in code: Word and Excel archives, PDFs (for tests/hostile/surfaces.py).

Every builder writes a small file that claims or does something large: a zip
bomb, an entity bomb, an external entity, numbers no Word writes, a used range
at the far corner of a sheet, ten thousand pages.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="bin" ContentType="application/octet-stream"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/numbering.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOC_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'numbering" Target="numbering.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/></Relationships>'
)
REGULATION = [
    "员工考勤管理办法",
    "第一章　总则",
    "第一条　为规范考勤管理，制定本办法。",
    "第二条　本办法适用于全体员工。",
    "第二章　考勤",
    "第三条　员工应当按时上下班。",
]


def paragraph(text: str, numbered: bool = False, ilvl: str = "0", num_id: str = "1") -> str:
    num = f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>' if numbered else ""
    return f"<w:p>{num}<w:r><w:t>{text}</w:t></w:r></w:p>"


def document(body: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )


def numbering(start: str = "1", ilvl: str = "0", restart: str = "", override: str = "", fmt: str = "decimal") -> str:
    restart_xml = f'<w:lvlRestart w:val="{restart}"/>' if restart else ""
    override_xml = (
        f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{override}"/></w:lvlOverride>' if override else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{W_NS}">'
        f'<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="第%1条"/>{restart_xml}</w:lvl></w:abstractNum>'
        f'<w:num w:numId="1"><w:abstractNumId w:val="0"/>{override_xml}</w:num></w:numbering>'
    )


def styles() -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W_NS}">'
        '<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>'
    )


def regulation_body(numbered: bool = False, ilvl: str = "0") -> str:
    out = []
    for text in REGULATION:
        if numbered and text.startswith("第") and "条" in text[:5]:
            out.append(paragraph(text.split("　", 1)[1], numbered=True, ilvl=ilvl))
        else:
            out.append(paragraph(text))
    return "".join(out)


def docx(
    path: Path,
    body: str | None = None,
    parts: dict[str, str | bytes] | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A Word file: the sample regulation unless ``body``; ``parts`` replace parts, ``extra`` adds members."""
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "word/_rels/document.xml.rels": DOC_RELS,
        "word/document.xml": document(body if body is not None else regulation_body()),
        "word/numbering.xml": numbering(),
        "word/styles.xml": styles(),
        **(parts or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**members, **(extra or {})}.items():
            archive.writestr(name, data)
    return path


def zeros_member(path: Path, name: str, size: int, base: dict[str, str | bytes] | None = None) -> Path:
    """Add a member of ``size`` zero bytes (streamed: a bomb costs little to build)."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w", force_zip64=True) as out:
        block = bytes(1 << 20)
        for _ in range(size >> 20):
            out.write(block)
    return path


def lying_member(path: Path, name: str, size: int, claimed: int) -> Path:
    """A Word file with a member of ``size`` zero bytes whose directory entry claims ``claimed`` bytes."""
    docx(path, parts={name: bytes(size)})
    data = bytearray(path.read_bytes())
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(name.encode()))  # its central directory entry
    data[entry + 24 : entry + 28] = claimed.to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    return path


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
NETWORK = '<!DOCTYPE x [<!ENTITY ext SYSTEM "http://127.0.0.1:9/x">]>'
PARAMETER = '<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'


# ------------------------------------------------------------------ XLSX


def xlsx(path: Path, rows: list[list[str]], dimension: str = "", sheet_prolog: str = "", far_cell: str = "") -> Path:
    """A minimal workbook (inline strings), optionally claiming a used range or holding a far cell."""
    from openpyxl.utils import get_column_letter

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = "".join(cell(f"{get_column_letter(c)}{r}", v) for c, v in enumerate(row, 1))
        xml_rows.append(f'<row r="{r}">{cells}</row>')
    if far_cell:
        row_number = "".join(ch for ch in far_cell if ch.isdigit())
        xml_rows.append(f'<row r="{row_number}">{cell(far_cell, "x")}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{sheet_prolog}<worksheet xmlns="{ns}">'
        f"{dim}<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
    )
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# ------------------------------------------------------------------ PDF


def pdf(path: Path, pages: list[bytes], extra_objects: list[bytes] | None = None) -> Path:
    """A PDF with one content stream per page (already encoded, with its /Filter in the dict)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # 2: pages, filled below
    font = len(objects) + 1
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for stream in pages:
        content = len(objects) + 1
        objects.append(stream)
        page = len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        kids.append(f"{page} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    objects += extra_objects or []
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def text_stream(lines: list[str]) -> bytes:
    ops = "BT /F1 12 Tf 72 770 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in lines) + " ET"
    data = ops.encode("latin-1")
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def flate_bomb_stream(size: int) -> bytes:
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(bytes(1 << 20)) for _ in range(size >> 20)) + packer.flush()
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
