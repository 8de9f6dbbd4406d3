"""`policybook fix --punctuation`: rewrite the source's half-width punctuation between Chinese."""

from __future__ import annotations

import argparse
import sys

from policybook.commands import EXIT_OK, EXIT_USAGE
from policybook.diagnostics import Diagnostics


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("fix", help="rewrite the source files: --punctuation (，：；（） between Chinese)")
    cmd.add_argument("source", nargs="?", default="handbook", help="folder holding handbook.yaml (default handbook/)")
    cmd.add_argument("--punctuation", action="store_true", help="half-width , : ; ? ! ( ) between Chinese → full-width")
    cmd.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    from policybook.model import Loc
    from policybook.source.paths import find_source, inside
    from policybook.source.punctuation import fix_file

    if not args.punctuation:
        print("policybook fix: say what to fix (--punctuation)", file=sys.stderr)
        return EXIT_USAGE
    source = find_source(args.source)
    root = source.parent
    changed = 0
    forms = sorted((root / "forms").glob("*.yaml")) if (root / "forms").is_dir() else []
    for path in [*sorted(source.rglob("*.md")), *forms]:
        kind = "chapter file" if path.suffix == ".md" else "form file"
        inside(root, path, Loc(str(path)), kind)  # a link out of the project is never rewritten
        found = fix_file(path, write=not args.dry_run)
        for item in found:
            print(f"{path.relative_to(source.parent)}:{item.line}: {item.before.strip()}")
            print(f"{' ' * len(str(path.relative_to(source.parent)))}  → {item.after.strip()}")
        changed += len(found)
    verb = "would change" if args.dry_run else "changed"
    print(f"policybook: {verb} {changed} line(s)", file=sys.stderr)
    return EXIT_OK
