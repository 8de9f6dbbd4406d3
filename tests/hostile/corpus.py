# ruff: noqa: E501 - the cases are long lines of hostile text
"""An adversarial corpus: hostile or clumsy inputs and environment faults, each run as a
real ``policybook`` process under a timeout and resource limits.

A case passes when the process ends by itself with exit 0, 1 or 2 (the one it should),
prints no traceback, leaves an output folder it failed to build exactly as it was and
says what the case expects it to say. ``python -m tests.hostile.corpus [NAME…]`` prints a
table; ``tests/test_hostile.py`` runs the quick ones in ``make test`` and all of them in
``make fuzz``.
"""

from __future__ import annotations

import os
import resource
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
ROOTS = REPO / "tests" / "roots"
MB = 1 << 20


@dataclass
class Case:
    name: str
    area: str
    setup: Callable[[Path], list[str]]  # prepares the copied project, returns the command line
    codes: tuple[int, ...] = (1,)  # acceptable exit codes
    says: str = ""  # stderr must contain this
    shows: str = ""  # stdout must contain this (text that must not vanish)
    root: str = "basic"
    slow: bool = False  # only in `make fuzz`
    env: dict[str, str] = field(default_factory=dict)
    fsize: int = 0  # RLIMIT_FSIZE in bytes (0: none)


@dataclass
class Outcome:
    case: Case
    code: int | None  # None: killed by the timeout
    err: str
    seconds: float
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


CASES: list[Case] = []


def case(
    name: str, area: str, **kwargs: object
) -> Callable[[Callable[[Path], list[str]]], Callable[[Path], list[str]]]:
    def register(setup: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        CASES.append(Case(name, area, setup, **kwargs))  # type: ignore[arg-type]
        return setup

    return register


# ------------------------------------------------------------------ helpers


def chapter(root: Path, body: str, name: str = "01.md") -> Path:
    path = root / "handbook" / "chapters" / name
    path.write_text(path.read_text(encoding="utf-8").replace("{{ company }}", body), encoding="utf-8")
    return path


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def png(width: int, height: int) -> bytes:
    """A valid RGB PNG header of any claimed size with a tiny (wrong-sized) image body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\0" + b"\xff\0\0" * min(width, 4))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def good_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x20\x60\xa0" * 8 for _ in range(8))
    ihdr = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def kit(root: Path, logo_name: str, logo: bytes | None, extra: str = "") -> Path:
    """templates/kit with a logo, used by subsidiary a."""
    folder = root / "templates" / "kit"
    folder.mkdir(parents=True, exist_ok=True)
    if logo is not None:
        (folder / logo_name).write_bytes(logo)
    (folder / "brand.yaml").write_text(f"name: Kit\nlogo: {logo_name}\n{extra}", encoding="utf-8")
    append(root / "handbook" / "subsidiaries" / "a.yaml", "brand: kit\n")
    return folder


def outside(root: Path, name: str, text: str) -> Path:
    path = root.parent / "elsewhere" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def relink(path: Path, target: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(target)


CHECK = ["check", "handbook"]
BUILD = ["build", "handbook", "-f", "pdf,docx,forms", "-o", "dist"]
JSON = ["build", "handbook", "-f", "json", "-o", "dist"]


# ------------------------------------------------------------------ templates: unbounded work

TEMPLATE_BOMBS = {
    "loop-1e9": "{% for i in range(10**9) %}x{% endfor %}",
    "loop-nested": "{% for a in range(10**5) %}{% for b in range(10**5) %}{% endfor %}{% endfor %}",
    "string-times-1e9": "{{ 'x' * 10**9 }}",
    "list-times-1e9": "{{ [1] * 10**9 }}",
    "power-tower": "{{ 9**(9**9) }}",
    "big-power": "{{ 10**(10**8) }}",
    "range-list": "{{ range(10**8)|list|length }}",
    "join-bomb": "{{ 'ab'|center(10**9) }}",
    "format-width": "{{ '%1000000000d' % 1 }}",
    "format-method": "{{ '{:>1000000000}'.format(1) }}",
    "macro-recursion": "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
    "nested-parens": "{{ " + "(" * 300 + "1" + ")" * 300 + " }}",
    "nested-ifs": "{% if true %}" * 300 + "x" + "{% endif %}" * 300,
    "nested-fors": "{% for a in [1] %}" * 120 + "x" + "{% endfor %}" * 120,
    "set-doubling": "{% set s = namespace(v='x') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v|length }}",
    "repeat-filter": "{{ 'x'|indent(10**9) }}",
    "wordwrap": "{{ ('x ' * 10**6)|wordwrap(1) }}",
    "int-digits": "{{ (2**200000)|string }}",
    "huge-float": "{{ 1e308 * 10 }}",
    "dict-items": "{% for k in dict(a=1).items() * 10**8 %}{% endfor %}",
    "sum-range": "{{ range(10**9)|sum }}",
    "batch": "{{ range(10**8)|batch(3)|list|length }}",
}

for _name, _body in TEMPLATE_BOMBS.items():

    def _setup(root: Path, body: str = _body) -> list[str]:
        chapter(root, body)
        return CHECK

    CASES.append(Case(f"jinja-{_name}", "template", _setup, says="01.md:9: error:"))


@case("jinja-condition-bomb", "template", says="01.md:")
def _(root: Path) -> list[str]:
    replace(root / "handbook/chapters/01.md", "### 迟到 {#art-late}", '### 迟到 {#art-late when="range(10**9)|list"}')
    return CHECK


@case("jinja-form-title-bomb", "template", says="leave.yaml")
def _(root: Path) -> list[str]:
    replace(root / "forms/leave.yaml", "title: 请假申请表", "title: \"{{ 'x' * 10**9 }}\"")
    return CHECK


@case("jinja-variable-value-bomb", "template", codes=(0, 1))
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", '  evil: "{% for i in range(10**9) %}x{% endfor %}"\n')
    return CHECK


@case("jinja-output-huge-but-legal", "template", says="01.md:9: error:")
def _(root: Path) -> list[str]:
    chapter(root, "{% for i in range(2000000) %}很长的文字{% endfor %}")
    return CHECK


# ------------------------------------------------------------------ YAML


def laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    lines.append(f"boom: *a{levels - 1}")
    return "\n".join(lines) + "\n"


@case("yaml-laughs-handbook", "yaml", says="handbook.yaml")
def _(root: Path) -> list[str]:
    path = root / "handbook/handbook.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "variables:\n", "variables:\n" + "".join("  " + line + "\n" for line in laughs().splitlines())
    )
    path.write_text(text, encoding="utf-8")
    return CHECK


@case("yaml-laughs-subsidiary", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", "".join("  " + line + "\n" for line in laughs().splitlines()))
    return CHECK


@case("yaml-laughs-form", "yaml", says="leave.yaml")
def _(root: Path) -> list[str]:
    append(root / "forms/leave.yaml", "notes: " + "[*a8]\n")
    replace(
        root / "forms/leave.yaml",
        "id: leave\n",
        "id: leave\nx: \n" + "".join("  " + line + "\n" for line in laughs().splitlines()),
    )
    return CHECK


@case("yaml-laughs-front-matter", "yaml", says="01.md")
def _(root: Path) -> list[str]:
    path = root / "handbook/chapters/01.md"
    path.write_text("---\n" + laughs() + "---\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return CHECK


@case("yaml-nesting-300-flow", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", "  deep: " + "[" * 300 + "1" + "]" * 300 + "\n")
    return CHECK


@case("yaml-nesting-300-block", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    lines = "".join("  " * (i + 1) + f"k{i}:\n" for i in range(300))
    append(root / "handbook/subsidiaries/a.yaml", lines + "  " * 301 + "v: 1\n")
    return CHECK


@case("yaml-nesting-100k-flow", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", "  deep: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n")
    return CHECK


@case("yaml-python-tag", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", "  evil: !!python/object/apply:os.system [echo pwned]\n")
    return CHECK


@case("yaml-binary-title", "yaml", codes=(0, 1))
def _(root: Path) -> list[str]:
    replace(root / "handbook/subsidiaries/a.yaml", "name: 甲公司", "name: !!binary aGVsbG8=")
    return JSON


@case("yaml-set-key", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", "  ? [a, b]\n  : 1\n")
    return CHECK


@case("yaml-top-level-list", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    (root / "handbook/subsidiaries/a.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    return CHECK


@case("yaml-empty-handbook", "yaml", says="handbook.yaml")
def _(root: Path) -> list[str]:
    (root / "handbook/handbook.yaml").write_text("", encoding="utf-8")
    return CHECK


@case("yaml-huge-span", "yaml", says="leave.yaml")
def _(root: Path) -> list[str]:
    replace(
        root / "forms/leave.yaml",
        "{label: 姓名, name: name, type: text}",
        "{label: 姓名, name: name, type: text, span: 1000000000}",
    )
    return ["build", "handbook", "-f", "forms", "-o", "dist"]


@case("yaml-huge-lines", "yaml", says="leave.yaml")
def _(root: Path) -> list[str]:
    replace(
        root / "forms/leave.yaml",
        "{label: 姓名, name: name, type: text}",
        "{label: 姓名, name: name, type: multiline, lines: 100000000}",
    )
    return ["build", "handbook", "-f", "forms", "-o", "dist"]


@case("yaml-nul-byte", "yaml", says="a.yaml")
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", '  nul: "a\\0b"\n  raw: a\0b\n')
    return CHECK


@case("yaml-10k-variables", "yaml", codes=(0, 1))  # 10,000 overrides of nothing: 10,000 errors, quickly
def _(root: Path) -> list[str]:
    append(root / "handbook/subsidiaries/a.yaml", "".join(f"  v{i}: {i}\n" for i in range(10_000)))
    return CHECK


# ------------------------------------------------------------------ Markdown


@case("md-line-5M", "markdown", says="01.md")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n" + "长" * 5_000_000 + "\n")
    return CHECK


@case("md-blockquote-10k", "markdown", says="01.md")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n" + "> " * 10_000 + "x\n")
    return CHECK


@case("md-list-nesting-2k", "markdown", says="01.md")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n" + "".join("  " * i + "- x\n" for i in range(2000)))
    return CHECK


@case("md-emphasis-50k", "markdown", codes=(0, 1))
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n" + "*_" * 50_000 + "x" + "_*" * 50_000 + "\n")
    return CHECK


@case("md-brackets-50k", "markdown", codes=(0, 1))
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n" + "[" * 50_000 + "x" + "](#a)" * 50_000 + "\n")
    return CHECK


@case("md-100k-refs", "markdown", says="01.md")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n" + "[](#nowhere)" * 100_000 + "\n")
    return CHECK


@case("md-paragraph-starts-with-jinja-block", "dropped", codes=(0,), shows="这段文字不能消失")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n{% if true %}这段文字不能消失{% endif %}\n")
    return ["model", "handbook", "-s", "a", "--json"]


@case("md-link-reference-definition", "dropped", says="01.md:20: warning")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n[规定]: https://example.com/这一行会消失\n")
    return [*CHECK, "--strict"]


@case("md-attributes-for-nothing", "dropped", codes=(0,), shows="{#lonely}")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n{#lonely}\n")
    return ["model", "handbook", "-s", "a", "--json"]


@case("md-unknown-block-attribute", "dropped", says="01.md:21: warning: unknown attribute 'class'")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n{.important}\n重要的文字\n")
    return [*CHECK, "--strict"]


@case("md-html-comment", "dropped", codes=(0,))  # an author's comment, removed on purpose
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n<!-- 注释也是文字 -->\n")
    return ["model", "handbook", "-s", "a", "--json"]


@case("md-heading-level-4-text", "dropped", says="01.md:20")
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n#### 四级标题的文字\n")
    return CHECK


@case("md-nul-byte", "markdown", codes=(0, 1))
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n文字\0文字\n")
    return JSON


@case("md-control-chars", "markdown", codes=(0, 1))
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n文字\x01\x02\x1b[31m\x7f\ufffe\U0010ffff文字\n")
    return ["build", "handbook", "-f", "pdf,docx", "-o", "dist"]


@case("md-lone-surrogate-escape", "markdown", codes=(0, 1))
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "\n&#xD800; &#0; &#x110000;\n")
    return ["build", "handbook", "-f", "pdf,docx", "-o", "dist"]


@case("md-source-200MB", "limits", says="01.md", slow=True)
def _(root: Path) -> list[str]:
    with (root / "handbook/chapters/01.md").open("a", encoding="utf-8") as handle:
        for _ in range(2_000):
            handle.write("\n" + "文字。" * 33_000 + "\n")
    return CHECK


@case("md-many-articles", "limits", codes=(0,), slow=True)
def _(root: Path) -> list[str]:
    append(root / "handbook/chapters/01.md", "".join(f"\n### 条{i}\n\n内容{i}。\n" for i in range(5000)))
    return CHECK


@case("md-fifo-chapter", "confinement", says="02.md")
def _(root: Path) -> list[str]:
    path = root / "handbook/chapters/02.md"
    path.unlink()
    os.mkfifo(path)
    return CHECK


@case("md-chapter-is-folder", "confinement", says="02.md")
def _(root: Path) -> list[str]:
    path = root / "handbook/chapters/02.md"
    path.unlink()
    path.mkdir()
    return CHECK


@case("md-dev-zero-link", "confinement", says="02.md")
def _(root: Path) -> list[str]:
    relink(root / "handbook/chapters/02.md", Path("/dev/zero"))
    return CHECK


# ------------------------------------------------------------------ confinement


@case("escape-subsidiary-symlink", "confinement", says="a.yaml")
def _(root: Path) -> list[str]:
    target = outside(root, "a.yaml", (root / "handbook/subsidiaries/a.yaml").read_text(encoding="utf-8"))
    relink(root / "handbook/subsidiaries/a.yaml", target)
    return CHECK


@case("escape-form-symlink", "confinement", says="leave.yaml")
def _(root: Path) -> list[str]:
    target = outside(root, "leave.yaml", (root / "forms/leave.yaml").read_text(encoding="utf-8"))
    relink(root / "forms/leave.yaml", target)
    return CHECK


@case("escape-handbook-yaml-symlink", "confinement", codes=(0, 1))
def _(root: Path) -> list[str]:
    # the source named on the command line is the user's own choice: following it is fine
    target = outside(root, "handbook.yaml", (root / "handbook/handbook.yaml").read_text(encoding="utf-8"))
    relink(root / "handbook/handbook.yaml", target)
    return CHECK


@case("escape-brand-yaml-symlink", "confinement", says="brand.yaml")
def _(root: Path) -> list[str]:
    folder = kit(root, "logo.png", good_png())
    target = outside(root, "brand.yaml", "name: Evil\nlogo: logo.png\n")
    relink(folder / "brand.yaml", target)
    return CHECK


@case("escape-brand-dotdot", "confinement", says="a.yaml")
def _(root: Path) -> list[str]:
    elsewhere = root.parent / "elsewhere" / "kit"
    elsewhere.mkdir(parents=True)
    (elsewhere / "brand.yaml").write_text("name: Evil\n", encoding="utf-8")
    append(root / "handbook/subsidiaries/a.yaml", "brand: ../../elsewhere/kit\n")
    return CHECK


@case("escape-brand-absolute", "confinement", says="a.yaml")
def _(root: Path) -> list[str]:
    elsewhere = root.parent / "elsewhere" / "kit"
    elsewhere.mkdir(parents=True)
    (elsewhere / "brand.yaml").write_text("name: Evil\n", encoding="utf-8")
    append(root / "handbook/subsidiaries/a.yaml", f"brand: {elsewhere}\n")
    return CHECK


@case("escape-brand-folder-symlink", "confinement", says="a.yaml")
def _(root: Path) -> list[str]:
    elsewhere = root.parent / "elsewhere" / "kit"
    elsewhere.mkdir(parents=True)
    (elsewhere / "brand.yaml").write_text("name: Evil\n", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "kit").symlink_to(elsewhere)
    append(root / "handbook/subsidiaries/a.yaml", "brand: kit\n")
    return CHECK


@case("escape-logo-symlink", "confinement", says="brand.yaml")
def _(root: Path) -> list[str]:
    folder = kit(root, "logo.png", None)
    secret = root.parent / "elsewhere" / "secret.png"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(good_png())
    (folder / "logo.png").symlink_to(secret)
    return CHECK


@case("escape-logo-sibling-symlink", "confinement", says="brand.yaml")
def _(root: Path) -> list[str]:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    folder = kit(root, "logo.svg", svg)
    secret = root.parent / "elsewhere" / "secret.png"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(good_png())
    (folder / "logo.png").symlink_to(secret)
    return ["build", "handbook", "-s", "a", "-f", "docx", "-o", "dist"]


@case("escape-reference-docx-symlink", "confinement", says="brand.yaml")
def _(root: Path) -> list[str]:
    folder = kit(root, "logo.png", good_png(), "reference_docx: ref.docx\n")
    secret = root.parent / "elsewhere" / "ref.docx"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b"PK\3\4 not really")
    (folder / "ref.docx").symlink_to(secret)
    return CHECK


@case("escape-paths-absolute", "confinement", says="handbook.yaml")
def _(root: Path) -> list[str]:
    append(root / "handbook/handbook.yaml", "paths:\n  forms: /etc\n")
    return CHECK


@case("escape-subsidiaries-folder-symlink", "confinement", says="subsidiaries")
def _(root: Path) -> list[str]:
    subs = root / "handbook/subsidiaries"
    elsewhere = root.parent / "elsewhere" / "subs"
    shutil.copytree(subs, elsewhere)
    shutil.rmtree(subs)
    subs.symlink_to(elsewhere)
    return CHECK


@case("escape-forms-folder-symlink", "confinement", says="forms")
def _(root: Path) -> list[str]:
    elsewhere = root.parent / "elsewhere" / "forms"
    shutil.copytree(root / "forms", elsewhere)
    shutil.rmtree(root / "forms")
    (root / "forms").symlink_to(elsewhere)
    return CHECK


@case("escape-add-chapter-dotdot", "confinement", says="a.yaml")
def _(root: Path) -> list[str]:
    outside(root, "x.md", "# 外\n\n### 条\n\n外部。\n")
    append(root / "handbook/subsidiaries/a.yaml", "add:\n  - file: ../../elsewhere/x.md\n")
    return CHECK


@case("diff-option-injection", "confinement", codes=(1, 2), says="")
def _(root: Path) -> list[str]:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], cwd=root, check=True)
    return ["diff", "--source", "handbook", "-o", "dist", "--", f"--output={root.parent}/elsewhere-pwned", "HEAD"]


@case("diff-option-injection-new", "confinement", codes=(1, 2))
def _(root: Path) -> list[str]:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], cwd=root, check=True)
    return ["diff", "--source", "handbook", "-o", "dist", "--", "HEAD", f"--output={root.parent}/elsewhere-pwned"]


@case("name-subsidiary-code-300", "names", says="a.yaml")
def _(root: Path) -> list[str]:
    replace(root / "handbook/subsidiaries/a.yaml", "code: A", "code: " + "A" * 300)
    return ["build", "handbook", "-f", "pdf", "-o", "dist"]


@case("name-subsidiary-code-slash", "names", says="a.yaml")
def _(root: Path) -> list[str]:
    replace(root / "handbook/subsidiaries/a.yaml", "code: A", "code: ../../A")
    return ["build", "handbook", "-f", "pdf", "-o", "dist"]


@case("name-form-title-300", "names", says="leave.yaml")
def _(root: Path) -> list[str]:
    replace(root / "forms/leave.yaml", "title: 请假申请表", "title: " + "请" * 300)
    return ["build", "handbook", "-f", "forms", "-o", "dist"]


@case("name-form-title-nul", "names", says="leave.yaml")
def _(root: Path) -> list[str]:
    replace(root / "forms/leave.yaml", "title: 请假申请表", 'title: "请假\\0申请表"')
    return ["build", "handbook", "-f", "forms", "-o", "dist"]


@case("name-form-code-dotdot", "names", says="leave.yaml")
def _(root: Path) -> list[str]:
    replace(root / "forms/leave.yaml", "code: F-1", "code: ..")
    return ["build", "handbook", "-f", "forms", "-o", "dist"]


@case("name-version-300", "names", says="handbook.yaml")
def _(root: Path) -> list[str]:
    v = "1." + "0" * 300
    replace(root / "handbook/handbook.yaml", '"1.0"', f'"{v}"')
    return ["build", "handbook", "-f", "pdf", "-o", "dist"]


@case("name-subsidiary-file-300", "names", says="subsidiaries")
def _(root: Path) -> list[str]:
    path = root / "handbook/subsidiaries/a.yaml"
    path.rename(path.with_name("a" * 250 + ".yaml"))
    return ["build", "handbook", "-f", "pdf", "-o", "dist"]


# ------------------------------------------------------------------ assets


@case("asset-truncated-png", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    kit(root, "logo.png", good_png()[:40])
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-magic-only-png", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    kit(root, "logo.png", b"\x89PNG\r\n\x1a\n")
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-corrupt-jpeg", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    kit(root, "logo.jpg", b"\xff\xd8\xff\xe0" + os.urandom(200))
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-huge-png-dimensions", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    kit(root, "logo.png", png(100_000, 100_000))
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-svg-external-entity", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    svg = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text></svg>'
    kit(root, "logo.svg", svg)
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-svg-laughs", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    ents = '<!ENTITY a0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">' for i in range(1, 10)
    )
    svg = f'<?xml version="1.0"?><!DOCTYPE svg [{ents}]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&a9;</text></svg>'
    kit(root, "logo.svg", svg.encode())
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-svg-huge-size", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1000000" height="1000000"><rect width="10" height="10"/></svg>'
    )
    kit(root, "logo.svg", svg)
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-svg-broken-xml", "assets", says="brand.yaml:2")
def _(root: Path) -> list[str]:
    kit(root, "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><rect")
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-svg-image-href-outside", "assets", codes=(0, 1))
def _(root: Path) -> list[str]:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>'
    kit(root, "logo.svg", svg)
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("asset-logo-200MB", "assets", says="brand.yaml:2", slow=True)
def _(root: Path) -> list[str]:
    folder = kit(root, "logo.png", good_png())
    with (folder / "logo.png").open("ab") as handle:
        handle.truncate(200 * MB)
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("brand-margins-larger-than-page", "assets", says="brand.yaml")
def _(root: Path) -> list[str]:
    kit(root, "logo.png", good_png(), "page:\n  margin-top: 200mm\n  margin-bottom: 200mm\n")
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("brand-side-margins-too-wide", "assets", says="brand.yaml")
def _(root: Path) -> list[str]:
    kit(root, "logo.png", good_png(), "page:\n  margin-inside: 150mm\n  margin-outside: 150mm\n")
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("brand-huge-font-size", "assets", says="brand.yaml")
def _(root: Path) -> list[str]:
    kit(root, "logo.png", good_png(), "text:\n  body-size: 100000pt\n")
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("brand-nonsense-length", "assets", says="brand.yaml")
def _(root: Path) -> list[str]:
    kit(root, "logo.png", good_png(), "text:\n  leading: banana\npage:\n  margin-top: -5mm\n")
    return ["build", "handbook", "-s", "a", "-f", "pdf,docx", "-o", "dist"]


@case("brand-extends-loop", "assets", codes=(0, 1))
def _(root: Path) -> list[str]:
    kit(root, "logo.png", good_png(), "extends: kit\n")
    return CHECK


# ------------------------------------------------------------------ forms


def fill_root(root: Path, rows: list[str], header: str = "applicant,reason") -> Path:
    csv = root / "staff.csv"
    csv.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return csv


FILL = ["forms", "handbook", "-s", "sh", "--form", "leave-request", "--fill", "staff.csv", "-o", "out"]


@case("forms-csv-cell-200k", "forms", root="forms-leave", says="staff.csv:2")
def _(root: Path) -> list[str]:
    fill_root(root, ["张三," + "长" * 200_000])
    return FILL


@case("forms-csv-5000-rows", "forms", root="forms-leave", codes=(0,), slow=True)
def _(root: Path) -> list[str]:
    fill_root(root, [f"员工{i},事由{i}" for i in range(5000)])
    return FILL


@case("forms-csv-nul", "forms", root="forms-leave", says="staff.csv:2")
def _(root: Path) -> list[str]:
    fill_root(root, ["张\0三,事由"])
    return FILL


@case("forms-csv-100k-columns", "forms", root="forms-leave", says="staff.csv:1")
def _(root: Path) -> list[str]:
    fill_root(root, ["a"], ",".join(f"c{i}" for i in range(100_000)))
    return FILL


@case("forms-csv-10k-line-cell", "forms", root="forms-leave", says="staff.csv:2")
def _(root: Path) -> list[str]:
    fill_root(root, ['张三,"' + "行\n" * 10_000 + '"'])
    return FILL


@case("forms-csv-huge-field-limit", "forms", root="forms-leave", says="staff.csv")
def _(root: Path) -> list[str]:
    fill_root(root, ['张三,"' + "x" * 200_000])  # unclosed quote: csv's own field limit
    return FILL


@case("forms-csv-is-folder", "forms", root="forms-leave", codes=(1, 2), says="staff.csv")
def _(root: Path) -> list[str]:
    (root / "staff.csv").mkdir()
    return FILL


@case("forms-csv-fifo", "forms", root="forms-leave", codes=(1, 2), says="staff.csv")
def _(root: Path) -> list[str]:
    os.mkfifo(root / "staff.csv")
    return FILL


@case("forms-csv-missing", "forms", root="forms-leave", codes=(1, 2), says="staff.csv")
def _(root: Path) -> list[str]:
    return FILL


@case("forms-count-1e9", "forms", root="forms-leave", codes=(1, 2), says="--count")
def _(root: Path) -> list[str]:
    return [
        "forms",
        "handbook",
        "-s",
        "sh",
        "--form",
        "leave-request",
        "--serial-start",
        "1",
        "--count",
        "1000000000",
        "-o",
        "out",
    ]


@case("forms-serial-format-width", "forms", root="forms-leave", codes=(1, 2))
def _(root: Path) -> list[str]:
    return [
        "forms",
        "handbook",
        "-s",
        "sh",
        "--form",
        "leave-request",
        "--serial-start",
        "1",
        "--count",
        "2",
        "--serial-format",
        "{n:>1000000000}",
        "-o",
        "out",
    ]


@case("forms-serial-format-attr", "forms", root="forms-leave", codes=(1, 2))
def _(root: Path) -> list[str]:
    return [
        "forms",
        "handbook",
        "-s",
        "sh",
        "--form",
        "leave-request",
        "--serial-start",
        "1",
        "--count",
        "2",
        "--serial-format",
        "{n.__class__.__mro__}",
        "-o",
        "out",
    ]


@case("forms-serial-format-slash", "forms", root="forms-leave", codes=(0, 1, 2))
def _(root: Path) -> list[str]:
    return [
        "forms",
        "handbook",
        "-s",
        "sh",
        "--form",
        "leave-request",
        "--serial-start",
        "1",
        "--count",
        "2",
        "--serial-format",
        "../../../x{n}",
        "-o",
        "out",
    ]


@case("forms-serial-start-huge", "forms", root="forms-leave", codes=(1, 2))
def _(root: Path) -> list[str]:
    return [
        "forms",
        "handbook",
        "-s",
        "sh",
        "--form",
        "leave-request",
        "--serial-start",
        "1" + "0" * 400,
        "--count",
        "2",
        "-o",
        "out",
    ]


@case("forms-output-is-file", "faults", root="forms-leave", codes=(1, 2), says="out")
def _(root: Path) -> list[str]:
    (root / "out").write_text("a file", encoding="utf-8")
    return ["forms", "handbook", "-s", "sh", "--form", "leave-request", "-o", "out"]


@case("forms-fsize-limit", "faults", root="forms-leave", codes=(1,), fsize=20_000)
def _(root: Path) -> list[str]:
    return ["forms", "handbook", "-s", "sh", "--form", "leave-request", "-o", "out"]


# ------------------------------------------------------------------ environment faults


@case("fault-output-is-file", "faults", codes=(1, 2), says="dist")
def _(root: Path) -> list[str]:
    (root / "dist").write_text("a file", encoding="utf-8")
    return JSON


@case("fault-output-parent-is-file", "faults", codes=(1, 2), says="dist")
def _(root: Path) -> list[str]:
    (root / "dist").write_text("a file", encoding="utf-8")
    return ["build", "handbook", "-f", "json", "-o", "dist/sub"]


@case(
    "fault-output-read-only", "faults", codes=(1,) if os.geteuid() else (0,), says="" if os.geteuid() == 0 else "dist"
)
def _(root: Path) -> list[str]:
    (root / "dist").mkdir()
    (root / "dist").chmod(0o555)
    return JSON


@case("fault-fsize-limit", "faults", codes=(1,), fsize=50_000, says="dist")
def _(root: Path) -> list[str]:
    return ["build", "handbook", "-f", "pdf", "-o", "dist"]


def _built(root: Path) -> None:
    code_dir = os.environ.get("HOSTILE_CODE", str(REPO))
    env = {**os.environ, "POLICYBOOK_CACHE": str(root / ".cache"), "PYTHONPATH": code_dir}
    subprocess.run([sys.executable, "-m", "policybook", *JSON], cwd=root, env=env, check=True, capture_output=True)


for _label, _bytes in {
    "garbage": b"\x00\xffnot json",
    "truncated": b'{"a/json": {"key": "',
    "empty": b"",
    "wrong-type-list": b"[1, 2, 3]",
    "wrong-type-entries": b'{"release": 5, "a/json": "x", "b/json": {"key": 1, "files": [1], "seconds": "slow"}}',
    "wrong-type-files": b'{"release": {"fingerprint": 1, "files": 7}, "a/json": {"key": "k", "files": {"../../etc/passwd": "x"}}}',
}.items():

    def _corrupt_index(root: Path, data: bytes = _bytes) -> list[str]:
        _built(root)
        (root / "dist/.policybook-cache.json").write_bytes(data)
        return JSON

    CASES.append(Case(f"cache-index-{_label}", "cache", _corrupt_index, codes=(0,), env={"POLICYBOOK_CACHE": ".cache"}))


@case("cache-release-file-deleted", "cache", codes=(0,), env={"POLICYBOOK_CACHE": ".cache"})
def _(root: Path) -> list[str]:
    _built(root)
    next((root / "dist").rglob("*.model.json")).unlink()
    return JSON


@case("cache-chapter-pickles-corrupt", "cache", codes=(0,), env={"POLICYBOOK_CACHE": ".cache"})
def _(root: Path) -> list[str]:
    _built(root)
    for path in (root / ".cache").rglob("*.pickle"):
        path.write_bytes(b"\x80\x05garbage" if path.stat().st_size % 2 else b"")
    return JSON


@case("cache-chapter-pickle-wrong-type", "cache", codes=(0,), env={"POLICYBOOK_CACHE": ".cache"})
def _(root: Path) -> list[str]:
    import pickle

    _built(root)
    for path in (root / ".cache").rglob("*.pickle"):
        path.write_bytes(pickle.dumps({"not": "a chapter"}))
    return JSON


@case("cache-dir-is-file", "cache", codes=(0,), env={"POLICYBOOK_CACHE": ".cache"})
def _(root: Path) -> list[str]:
    (root / ".cache").write_text("a file", encoding="utf-8")
    return JSON


@case("cache-dir-read-only", "cache", codes=(0,), env={"POLICYBOOK_CACHE": ".cache"})
def _(root: Path) -> list[str]:
    (root / ".cache").mkdir()
    (root / ".cache").chmod(0o555)
    return JSON


@case("cache-fonts-corrupt", "cache", root="forms-leave", codes=(0,), env={"POLICYBOOK_CACHE": ".cache"}, slow=True)
def _(root: Path) -> list[str]:
    env = {
        **os.environ,
        "POLICYBOOK_CACHE": str(root / ".cache"),
        "PYTHONPATH": os.environ.get("HOSTILE_CODE", str(REPO)),
    }
    args = ["forms", "handbook", "-s", "sh", "--form", "leave-request", "-o", "out"]
    subprocess.run([sys.executable, "-m", "policybook", *args], cwd=root, env=env, check=True, capture_output=True)
    for path in (root / ".cache").rglob("*"):
        if path.is_file() and "chapters" not in path.parts:
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    return args


@case("fault-stale-staging", "faults", codes=(0,))
def _(root: Path) -> list[str]:
    (root / "dist/.staging-old1/a").mkdir(parents=True)
    (root / "dist/.staging-old1/a/x.pdf").write_bytes(b"half")
    return JSON


@case("cli-jobs-negative", "cli", codes=(0, 2))
def _(root: Path) -> list[str]:
    return ["build", "handbook", "-f", "json", "-o", "dist", "-j", "-5"]


@case("cli-jobs-huge", "cli", codes=(0, 2))
def _(root: Path) -> list[str]:
    return ["build", "handbook", "-f", "json", "-o", "dist", "-j", "100000"]


@case("cli-source-missing", "cli", codes=(1, 2), says="nowhere")
def _(root: Path) -> list[str]:
    return ["check", "nowhere"]


@case("cli-subsidiary-dotdot", "cli", codes=(1, 2), says="../a")
def _(root: Path) -> list[str]:
    return ["build", "handbook", "-s", "../a", "-f", "json", "-o", "dist"]


# ------------------------------------------------------------------ running


def limits(fsize: int) -> Callable[[], None]:
    def apply() -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
        resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
        if fsize:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return apply


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {"<not a folder>": folder.read_bytes() if folder.is_file() else b""}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run(item: Case, workdir: Path, timeout: float = float(os.environ.get("HOSTILE_TIMEOUT", "60"))) -> Outcome:
    root = workdir / item.name / "project"
    if root.parent.exists():
        _unlock(root.parent)
        shutil.rmtree(root.parent)
    shutil.copytree(ROOTS / item.root, root)
    args = item.setup(root)
    out = root / ("out" if "out" in args else "dist")
    before = snapshot(out) if out.exists() else None
    code_dir = os.environ.get("HOSTILE_CODE", str(REPO))  # another checkout's policybook, for a baseline
    env = {**os.environ, "PYTHONPATH": code_dir, **item.env}
    if "POLICYBOOK_CACHE" in item.env:
        env["POLICYBOOK_CACHE"] = str(root / item.env["POLICYBOOK_CACHE"])
    start = time.perf_counter()
    timeout = max(timeout, 600) if item.slow else timeout  # slow cases are long, not hung
    proc = subprocess.Popen(
        [sys.executable, "-m", "policybook", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limits(item.fsize),  # noqa: PLW1509 (no threads here)
    )
    try:
        out_bytes, err_bytes = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out_bytes, err_bytes = proc.communicate()
        code = None
    seconds = time.perf_counter() - start
    err = err_bytes.decode("utf-8", errors="replace")
    problems = _judge(item, code, err, root, out, before)
    if item.shows and item.shows not in out_bytes.decode("utf-8", errors="replace"):
        problems.append(f"output lacks {item.shows!r}")
    _unlock(root.parent)
    return Outcome(item, code, err, seconds, problems)


def _judge(item: Case, code: int | None, err: str, root: Path, out: Path, before: dict[str, bytes] | None) -> list[str]:
    problems = []
    if code is None:
        problems.append("hang (timeout)")
    elif code < 0:
        problems.append(f"killed by signal {-code}")
    elif code not in item.codes:
        problems.append(f"exit {code}, expected {item.codes}")
    if "Traceback" in err:
        problems.append("traceback on stderr")
    if item.says and item.says not in err:
        problems.append(f"stderr lacks {item.says!r}")
    if code not in (0, None) and before is not None and out.exists() and snapshot(out) != before:
        problems.append("output folder changed by a failed run")
    if list(root.rglob("*.part")):
        problems.append(".part files left")
    if out.is_dir() and list(out.glob(".staging-*")):
        problems.append("staging folders left in the output folder")
    if (root.parent / "elsewhere-pwned").exists():
        problems.append("wrote outside the project")
    return problems


def _unlock(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")] if folder.exists() else []:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def main(names: list[str]) -> int:
    import tempfile

    if names[:1] == ["--from"]:  # resume a run: --from CASE
        first = next(i for i, c in enumerate(CASES) if c.name == names[1])
        names = [c.name for c in CASES[first:]]
    chosen = [c for c in CASES if not names or c.name in names or c.area in names]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        for item in chosen:
            outcome = run(item, Path(tmp))
            failed += not outcome.ok
            status = "ok  " if outcome.ok else "FAIL"
            last = outcome.err.strip().splitlines()[-1:] or [""]
            print(
                f"{status} {item.area:12} {item.name:40} {outcome.code!s:>4} {outcome.seconds:6.1f}s  "
                f"{'; '.join(outcome.problems)}  | {last[0][:150]}",
                flush=True,
            )
    print(f"{len(chosen)} cases, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
