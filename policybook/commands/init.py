"""`policybook init DIR`: write a small, working source tree to start from.

A handbook with two chapters, two subsidiaries that differ, one form, one
Markdown appendix and one brand kit (``policybook/data/init``) — every file
commented, so a new user can build at once and then edit.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from policybook.commands import EXIT_OK, EXIT_USAGE
from policybook.diagnostics import Diagnostics

SKELETON = Path(__file__).resolve().parent.parent / "data" / "init"


def add(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = commands.add_parser("init", help="write a small working source tree to start from")
    cmd.add_argument("folder", type=Path, help="where to write it (must not exist, or be empty)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    folder: Path = args.folder
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        print(f"policybook: {folder} already exists and is not empty; name a new folder", file=sys.stderr)
        return EXIT_USAGE
    shutil.copytree(SKELETON, folder, dirs_exist_ok=True)
    written = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    for path in written:
        print(folder / path)
    print(
        f"policybook: {len(written)} files in {folder}; next: cd {folder} && policybook build handbook",
        file=sys.stderr,
    )
    return EXIT_OK
