"""Write stage: a registry of writers by name; each renders a resolved Document.

A writer never numbers or resolves: it prints what the model holds. Each
module registers itself with :func:`register`; ``policybook build -f`` picks by
name.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from policybook.diagnostics import Diagnostics
from policybook.model import Document


@dataclass(frozen=True)
class Writer:
    name: str  # pdf | docx | forms | json | html
    description: str
    write: Callable[[Document, Path], list[Path]]  # (document, output folder) → files written
    # what only this writer can check before anything is written (fonts, image formats);
    # raises SourceError or returns silently
    check: Callable[[Document], None] | None = None
    # the parts of the model (Document attributes: meta, subsidiary, chapters, appendices,
    # revisions, brand, variables) the output depends on; empty = all. The build cache keys on them.
    reads: tuple[str, ...] = ()
    # several documents in one call, when that is cheaper than one at a time (e.g. one
    # LibreOffice run for all DOCX); returns the files of each document, in order
    write_many: Callable[[list[tuple[Document, Path]]], list[list[Path]]] | None = None
    # a quicker version for `watch`, rebuilding after every edit (e.g. a DOCX whose contents
    # page has no page numbers, without the LibreOffice pass); None = ``write``
    draft: Callable[[Document, Path], list[Path]] | None = None
    # slow help to start while the build reads and checks the source, for the writer's workers
    # to use (e.g. LibreOffice starting up); a context manager that stops it when the build ends
    early: Callable[[], AbstractContextManager[None]] | None = None


WRITERS: dict[str, Writer] = {}
MODULES = {  # name → module that registers it; imported only when the writer is used
    "json": "policybook.writers.json",
    "pdf": "policybook.writers.pdf",
    "docx": "policybook.writers.docx",
    "forms": "policybook.writers.forms",
    "html": "policybook.writers.html",
}


def register(writer: Writer) -> Writer:
    WRITERS[writer.name] = writer
    return writer


def names() -> list[str]:
    """The writers this installation has, without importing them."""
    return [name for name, module in MODULES.items() if importlib.util.find_spec(module) is not None]


def get(name: str) -> Writer:
    """The writer called ``name`` (its module imported on first use)."""
    if name not in WRITERS:
        importlib.import_module(MODULES[name])
    return WRITERS[name]


def require_known(formats: list[str], known: list[str], diags: Diagnostics) -> None:
    """Stop with one error per format name that no writer has (for build and diff alike)."""
    for name in formats:
        if name not in known:
            diags.error(None, f"unknown format '{name}'", "cli.format", f"available: {', '.join(sorted(known))}")
    diags.raise_if_errors()


def available() -> dict[str, Writer]:
    """Every writer by name (imports them all)."""
    return {name: get(name) for name in names()}
