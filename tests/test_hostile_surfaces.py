"""Issue 25's corpus (tests/hostile/surfaces.py): the site, the importer and the ledger's files.

``make test`` runs a few cases of every kind; ``make fuzz`` (POLICYBOOK_FUZZ=1) all of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.surfaces import SURFACES, Surface, run_surface

FULL = bool(os.environ.get("POLICYBOOK_FUZZ"))
QUICK = {
    "site-id-javascript",
    "site-id-reserved-index",
    "import-docx-zip-bomb-member",
    "import-docx-billion-laughs-numbering",
    "import-docx-numbering-start-1e13",
    "import-docx-template-syntax",
    "import-text-attr-line-class",
    "import-pdf-pages-2001",
    "import-pdf-flate-bomb-small",
    "ledger-xlsx-far-cell-row",
    "ledger-xlsx-entity-bomb",
    "ledger-csv-csv-field-200k",
}
CHOSEN = [c for c in SURFACES if FULL or c.name in QUICK]


def test_quick_cases_exist() -> None:
    assert {c.name for c in SURFACES} >= QUICK
    assert len({c.name for c in SURFACES}) == len(SURFACES)


@pytest.mark.parametrize("case", CHOSEN, ids=[c.name for c in CHOSEN])
def test_hostile_surface(case: Surface, tmp_path: Path) -> None:
    outcome = run_surface(case, tmp_path, timeout=120 if FULL else 60)
    assert outcome.ok, f"{'; '.join(outcome.problems)}\n{outcome.err[-2000:]}"
