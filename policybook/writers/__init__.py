"""Write stage: a registry of writers by name; each renders a resolved Document.

A writer never numbers or resolves: it prints what the model holds. Each
module registers itself with :func:`register`; ``policybook build -f`` picks by
name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from policybook.model import Document


@dataclass(frozen=True)
class Writer:
    name: str  # pdf | docx | forms | json
    description: str
    write: Callable[[Document, Path], list[Path]]  # (document, output folder) → files written


WRITERS: dict[str, Writer] = {}
MODULES = ("policybook.writers.json",)
OPTIONAL_MODULES = ("policybook.writers.pdf", "policybook.writers.docx", "policybook.writers.forms")


def register(writer: Writer) -> Writer:
    WRITERS[writer.name] = writer
    return writer


def available() -> dict[str, Writer]:
    """Writers by name, importing the writer modules that exist."""
    for module in MODULES + OPTIONAL_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return dict(WRITERS)
