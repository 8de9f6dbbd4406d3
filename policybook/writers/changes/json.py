"""Write stage: a change table as JSON, for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policybook.language import of as language_of
from policybook.model import ChangeTable
from policybook.writers.changes import changes_stem, full_title, labels_for, register


def table_json(table: ChangeTable) -> dict[str, Any]:
    return {
        "kind": "change-table",
        "code": table.meta.code,
        "subsidiary": table.subsidiary.id,
        "language": language_of(table.meta, table.subsidiary).tag,
        "title": full_title(table),
        "labels": {key: labels_for(table)[key] for key in ("title", "columns", "legend")},
        "old_version": table.old_version,
        "new_version": table.meta.version,
        "old_effective": table.old_effective,
        "new_effective": table.meta.effective,
        "rows": [
            {
                "seq": r.seq,
                "kind": r.kind,
                "label": r.label,
                "old_number": r.old_number,
                "new_number": r.new_number,
                "old_text": "".join(s.text for s in r.old),
                "new_text": "".join(s.text for s in r.new),
                "old_changed": [s.text for s in r.old if s.changed],
                "new_changed": [s.text for s in r.new if s.changed],
                "note": r.note,
            }
            for r in table.rows
        ],
        "renumbered": [{"old": o, "new": n} for o, n in table.renumbered],
        "renumbered_summary": table.renumbered_summary,
    }


def write(table: ChangeTable, out: Path) -> list[Path]:
    path = out / f"{changes_stem(table)}.json"
    path.write_text(json.dumps(table_json(table), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path]


register("json", write)
