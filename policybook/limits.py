"""Limits on the work a source can ask for, in one place.

A source tree comes from many hands and is not trusted: a template loop, a YAML
alias or a picture can each ask for more time, memory or disk than a machine
has. Every limit here is far above what a real handbook needs (the sample uses
well under a hundredth of each) and, when exceeded, is reported as a user error
naming the file and line, never as a hang or a crash. README's "When the build
fails" lists them.
"""

from __future__ import annotations

from policybook.diagnostics import SourceError, fail
from policybook.model import Loc

# templates ({{ … }} and {% … %}), per piece of text rendered
TEMPLATE_STEPS = 1_000_000  # loop iterations + calls
TEMPLATE_OUTPUT = 1_000_000  # characters produced (also any string or list built on the way)
TEMPLATE_DEPTH = 100  # nested macro / function calls
TEMPLATE_NUMBER_DIGITS = 1_000  # decimal digits of an integer

# YAML (handbook.yaml, subsidiaries, forms, brand kits, front matter)
YAML_DEPTH = 50  # nested mappings / lists
YAML_NODES = 1_000_000  # values after expanding aliases (*name)

# source files
SOURCE_FILE_BYTES = 20_000_000  # one file
SOURCE_TOTAL_BYTES = 200_000_000  # all chapters together
MARKDOWN_LINE = 100_000  # characters on one line
MARKDOWN_DEPTH = 8  # lists and quotes inside each other (a handbook needs 3)

# pictures (logos)
IMAGE_BYTES = 20_000_000
IMAGE_PIXELS = 100_000_000  # width × height, e.g. 10,000 × 10,000

# names that become file names (form titles, codes, versions)
NAME_BYTES = 200  # UTF-8 bytes of one output file name (most file systems allow 255)

# forms
FORM_SPAN = 24  # columns one cell spans
FORM_LINES = 60  # lines of one multi-line field
CSV_ROWS = 10_000
CSV_CELL = 10_000  # characters in one CSV cell
PAD_COUNT = 10_000  # copies in one numbered pad


class LimitExceeded(Exception):
    """A limit was reached while evaluating source text (turned into a diagnostic)."""

    def __init__(self, what: str, limit: int) -> None:
        self.what, self.limit = what, limit
        super().__init__(f"{what} (limit {limit:,})")


def too_big(loc: Loc | None, what: str, limit: int, code: str, hint: str = "") -> SourceError:
    """The SourceError for a limit exceeded at ``loc``."""
    return fail(loc, f"{what} (limit {limit:,})", f"limit.{code}", hint)
