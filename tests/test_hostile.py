"""The adversarial corpus (tests/hostile/corpus.py), each case a real policybook process
under a timeout and resource limits: never exit 3, a signal, a hang or a traceback; every
refusal names its file and line; a failed run leaves its output folder as it was.

``make test`` runs one or two cases of every kind; ``make fuzz`` (POLICYBOOK_FUZZ=1) all of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.corpus import CASES, Case, run

FULL = bool(os.environ.get("POLICYBOOK_FUZZ"))
QUICK = {
    "jinja-loop-nested",
    "jinja-string-times-1e9",
    "jinja-power-tower",
    "jinja-macro-recursion",
    "jinja-nested-fors",
    "jinja-condition-bomb",
    "yaml-laughs-subsidiary",
    "yaml-nesting-300-block",
    "yaml-huge-span",
    "md-line-5M",
    "md-blockquote-10k",
    "md-paragraph-starts-with-jinja-block",
    "md-link-reference-definition",
    "md-fifo-chapter",
    "escape-subsidiary-symlink",
    "escape-brand-dotdot",
    "escape-logo-sibling-symlink",
    "diff-option-injection",
    "name-form-title-300",
    "name-subsidiary-code-slash",
    "asset-truncated-png",
    "asset-huge-png-dimensions",
    "asset-svg-external-entity",
    "brand-margins-larger-than-page",
    "forms-csv-cell-200k",
    "forms-count-1e9",
    "cache-index-wrong-type-files",
}
CHOSEN = [c for c in CASES if FULL or c.name in QUICK]


def test_quick_cases_exist() -> None:
    assert {c.name for c in CASES} >= QUICK


@pytest.mark.parametrize("case", CHOSEN, ids=[c.name for c in CHOSEN])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    outcome = run(case, tmp_path, timeout=120 if FULL else 60)
    assert outcome.ok, f"{'; '.join(outcome.problems)}\n{outcome.err[-2000:]}"
