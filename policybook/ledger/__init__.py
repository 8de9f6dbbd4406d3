"""Ledger stage: the 签收 ledger — proof that each employee received each version (劳动合同法 第四条).

db.py           open the database (SQLite file or URL), run migrations, one transaction per command
schema.py       tables: employees (+ their versions), releases (+ files, source copies), assignments, acknowledgements
migrations/     Alembic environment and versions, shipped inside the package
tabular.py      CSV (UTF-8/GBK/Big5/UTF-16) and XLSX files read by header, every cell with file:row:column
names.py        the words HR exports use: company spellings, status words, department paths
roster.py       roster import: check every row, then upsert in bulk, keeping every version (entry_as_of)
releases.py     record a release: each subsidiary's PDF SHA-256, and what changed in content
assignments.py  who must acknowledge which release; where everyone stands
acks.py         record acknowledgements (one, or a file of them); evidence.py keeps the files
report.py       table, JSON, CSV, XLSX, bar chart, reminder list — in Chinese for HR, English for machines
export.py       CSV and XLSX HR opens safely (no formulas); xlsx_parts.py the workbook's fixed parts
handout.py      who still needs the current release; sheets.py (签收单) and copies.py (personal copies)
stamp.py        QR/checksum box and footer line drawn over existing PDF pages
overlay.py      a footer stamped as an incremental update of the release PDF (personal copies)
pdfstream.py    one PDF written page by page to disk (sheets for thousands of employees)
"""
