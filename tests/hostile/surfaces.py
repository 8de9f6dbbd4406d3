# ruff: noqa: E501 - the cases are long lines of hostile text
"""The corpus of issue 25: hostile input on the site, the importer and the ledger's files.

Each case is a real ``policybook`` process run by :func:`tests.hostile.corpus.run`
(timeout, 6 GB address space, CPU limit; exit 0/1/2 only, no traceback, nothing
written outside the project, no ``.part`` files), plus a ``verify`` of its own
where the outcome needs more than an exit code: a page that must stay the landing
page, text that must print as written, a link that must not become a scheme.
``serve`` and the ledger's database faults are covered by tests/test_serve.py and
tests/test_ledger_hostile.py (they need a live server or a database); the browser
side of the site by tests/test_site_hostile.py.

``python -m tests.hostile.surfaces [NAME|AREA…]`` prints a table.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from tests.hostile import files
from tests.hostile.corpus import Case, Outcome, replace, run


@dataclass
class Surface(Case):
    verify: Callable[[Path], list[str]] | None = None  # the project folder after the run → problems


SURFACES: list[Surface] = []
HTML = ["build", "handbook", "-f", "html", "-o", "dist"]
JSON = ["build", "handbook", "-f", "json", "-o", "dist"]


def surface(
    name: str, area: str, **kwargs: object
) -> Callable[[Callable[[Path], list[str]]], Callable[[Path], list[str]]]:
    def register(setup: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        SURFACES.append(Surface(name, area, setup, **kwargs))  # type: ignore[arg-type]
        return setup

    return register


def run_surface(item: Surface, workdir: Path, timeout: float = 120) -> Outcome:
    outcome = run(item, workdir, timeout)
    if item.verify is not None and outcome.ok:
        outcome.problems += item.verify(workdir / item.name / "project")
    return outcome


# ------------------------------------------------------------------ site: names from the source

CHAPTER = "handbook/chapters/02.md"


def chapter_id(value: str) -> Callable[[Path], list[str]]:
    def setup(root: Path) -> list[str]:
        replace(root / CHAPTER, "id: ch-leave", f"id: {json.dumps(value)}")
        return HTML

    return setup


BAD_IDS = {
    "dotdot": "../../elsewhere-pwned/x",
    "dotdot-windows": "..\\..\\elsewhere-pwned\\x",
    "absolute": "/tmp/elsewhere-pwned",
    "javascript": "javascript:alert(document.domain)//",
    "javascript-upper": "JaVaScRiPt:alert(1)",
    "data-url": "data:text/html,<script>alert(1)</script>",
    "vbscript": "vbscript:msgbox(1)",
    "url": "https://evil.example/x",
    "space": "ch leave",
    "dot-html": "ch.html",
    "percent": "%2e%2e%2fx",
    "nul": "ch\u0000x",
    "newline": "ch\nx",
    "quote": 'ch"onmouseover="alert(1)',
    "angle": "<img src=x onerror=alert(1)>",
    "hash": "ch#x",
    "query": "ch?x=1",
    "unicode": "第一章",
    "rtl-override": "ch\u202egnp.exe",
    "proto": "__proto__",
    "leading-digit": "1chapter",
    "empty-braces": "{}",
}
for _name, _value in BAD_IDS.items():
    _says = "02.md:2: error:" if _name == "nul" else "02.md:2: error: bad chapter id"  # NUL: a control character
    SURFACES.append(Surface(f"site-id-{_name}", "site", chapter_id(_value), codes=(1,), says=_says))


def page_kept(page: str, marker: str) -> Callable[[Path], list[str]]:
    def verify(root: Path) -> list[str]:
        html = root / "dist" / "a" / "html"
        text = (html / page).read_text(encoding="utf-8") if (html / page).is_file() else ""
        problems = [] if marker in text else [f"{page} is not the site's own page any more"]
        chapters = [
            p
            for p in html.glob("*.html")
            if "请假" in p.read_text(encoding="utf-8") and "page-chapter" in p.read_text(encoding="utf-8")
        ]
        return problems + ([] if chapters else ["the chapter's page is missing"])

    return verify


RESERVED = {
    "index": ("index.html", 'class="page-index"'),
    "search": ("search.html", 'class="page-search"'),
    "Index": ("index.html", 'class="page-index"'),
    "SEARCH": ("search.html", 'class="page-search"'),
    "appendices": ("appendices.html", 'class="page-appendices"'),
    "revisions": ("revisions.html", 'class="page-revisions"'),
    "assets": ("index.html", 'class="page-index"'),
}
for _name, (_page, _marker) in RESERVED.items():
    SURFACES.append(
        Surface(f"site-id-reserved-{_name}", "site", chapter_id(_name), codes=(0,), verify=page_kept(_page, _marker))
    )


class _LiveMarkup(HTMLParser):
    """Elements and attributes of a page that could run script: inline scripts, event handlers,
    links and sources with a scheme other than the site's own, http(s) and mailto."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            linked = name in ("href", "src", "action", "formaction") and ":" in value.split("/")[0]
            if linked and not value.startswith(("http:", "https:", "mailto:")):
                self.found.append(f"<{tag} {name}={value[:30]}>")
        if tag == "script":
            self.in_script = not any(name == "src" for name, _ in attrs)
        if tag in ("iframe", "object", "embed", "style", "base"):
            self.found.append(f"<{tag}>")

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append("inline <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False


def no_live_markup(root: Path) -> list[str]:
    problems = []
    for page in (root / "dist").rglob("*.html"):
        parser = _LiveMarkup()
        parser.feed(page.read_text(encoding="utf-8"))
        problems += [f"{page.name}: {found}" for found in parser.found]
    for script in (root / "dist").rglob("*.js"):
        if "</script" in script.read_text(encoding="utf-8").lower():
            problems.append(f"{script.name} can close its script element")
    return problems


INJECTIONS = {
    "article-title-script": ("### 迟到 {#art-late}", "### 迟到<script>alert(1)</script> {#art-late}"),
    "body-img-onerror": ("迟到每次扣款", "<img src=x onerror=alert(1)>迟到每次扣款"),
    "link-javascript": ("迟到每次扣款", "[点此](javascript:alert(1))迟到每次扣款"),
    "link-javascript-entity": ("迟到每次扣款", "[点此](java&#x09;script:alert(1))迟到每次扣款"),
    "link-data": ("迟到每次扣款", "[点此](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)迟到每次扣款"),
    "link-vbscript-spaces": ("迟到每次扣款", "[点此](<  vbscript:msgbox(1)>)迟到每次扣款"),
    "autolink-javascript": ("迟到每次扣款", "<javascript:alert(1)>迟到每次扣款"),
    "title-closes-script": ("### 迟到 {#art-late}", "### 迟到</script><script>alert(1)</script> {#art-late}"),
    "u2028-in-title": ("### 迟到 {#art-late}", "### 迟到\u2028\u2029x {#art-late}"),
    "html-comment": ("迟到每次扣款", "<!-- x --><style>body{display:none}</style>迟到每次扣款"),
}
for _name, (_old, _new) in INJECTIONS.items():

    def _setup(root: Path, old: str = _old, new: str = _new) -> list[str]:
        replace(root / "handbook/chapters/01.md", old, new)
        return HTML

    SURFACES.append(Surface(f"site-{_name}", "site", _setup, codes=(0, 1), verify=no_live_markup))


@surface("site-company-name-markup", "site", codes=(0, 1), verify=no_live_markup)
def _(root: Path) -> list[str]:
    replace(root / "handbook/subsidiaries/a.yaml", "name:", 'name: "<script>alert(1)</script>" #')
    return HTML


@surface("site-label-constructor", "site", codes=(0,))
def _(root: Path) -> list[str]:
    replace(root / "handbook/chapters/01.md", "{#art-purpose}", "{#constructor}")
    replace(root / "handbook/subsidiaries/b.yaml", "art-purpose", "constructor")
    return HTML


@surface("site-same-id-different-case", "site", codes=(0, 1))
def _(root: Path) -> list[str]:
    replace(root / CHAPTER, "id: ch-leave", "id: ch-General")
    return HTML


# ------------------------------------------------------------------ import: Word


def imported(*expected: str, absent: tuple[str, ...] = ()) -> Callable[[Path], list[str]]:
    """The imported tree builds, and its model prints ``expected`` as written."""

    def verify(root: Path) -> list[str]:
        import os
        import subprocess

        env = {**os.environ, "PYTHONPATH": os.environ.get("HOSTILE_CODE", str(Path(__file__).resolve().parents[2]))}
        done = subprocess.run(
            [sys.executable, "-m", "policybook", "build", "handbook", "-f", "json", "-o", "dist"],
            cwd=root / "out",
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            return [f"the imported tree does not build: {done.stderr.strip().splitlines()[-2:]}"]
        model = "".join(p.read_text(encoding="utf-8") for p in (root / "out" / "dist").rglob("*.json"))
        problems = [
            f"{e!r} not printed as written" for e in expected if json.dumps(e, ensure_ascii=False)[1:-1] not in model
        ]
        return problems + [
            f"{a!r} still in the model" for a in absent if json.dumps(a, ensure_ascii=False)[1:-1] in model
        ]

    return verify


def _docx_case(
    name: str,
    build: Callable[[Path], object],
    codes: tuple[int, ...] = (1,),
    says: str = "",
    slow: bool = False,
    verify: Callable[[Path], list[str]] | None = None,
) -> None:
    def setup(root: Path) -> list[str]:
        build(root / "reg.docx")
        return ["import", "reg.docx", "-o", "out"]

    SURFACES.append(Surface(f"import-docx-{name}", "import", setup, codes=codes, says=says, slow=slow, verify=verify))


DOC = "word/document.xml"
_docx_case("plain", files.docx, codes=(0,), verify=imported("为规范考勤管理"))
_docx_case(
    "zip-bomb-member", lambda p: files.zeros_member(files.docx(p), "word/media/bomb.bin", 64 << 20), says="zip bomb"
)
_docx_case(
    "zip-bomb-document",
    lambda p: files.docx(p, parts={DOC: files.document(files.regulation_body() + " " * (300 << 20))}),
    says="reg.docx",
    slow=True,
)
_docx_case(
    "text-3m-chars",
    lambda p: files.docx(
        p,
        body="".join(
            files.paragraph(f"第{i}条　为规范考勤管理，维护正常的工作秩序，根据有关规定，结合公司实际，制定本办法。")
            for i in range(1, 300000)
        ),
    ),
    says="characters of text",
    slow=True,
)
_docx_case("lying-size", lambda p: files.lying_member(p, DOC, 50 << 20, 1000), says="reg.docx")
_docx_case(
    "billion-laughs-document",
    lambda p: files.docx(p, parts={DOC: files.document("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", files.LAUGHS)}),
    says="DTD",
)
_docx_case(
    "billion-laughs-numbering",
    lambda p: files.docx(p, parts={"word/numbering.xml": files.numbering().replace("?>", "?>" + files.LAUGHS, 1)}),
    says="DTD",
)
_docx_case(
    "external-entity-styles",
    lambda p: files.docx(p, parts={"word/styles.xml": files.styles().replace("?>", "?>" + files.EXTERNAL, 1)}),
    says="DTD",
)
_docx_case(
    "external-entity-document",
    lambda p: files.docx(
        p,
        body="<w:p><w:r><w:t>&ext;</w:t></w:r></w:p>",
        parts={DOC: files.document("<w:p><w:r><w:t>&ext;</w:t></w:r></w:p>", files.EXTERNAL)},
    ),
    says="DTD",
)
_docx_case(
    "network-entity",
    lambda p: files.docx(p, parts={DOC: files.document(files.regulation_body(), files.NETWORK)}),
    says="DTD",
)
_docx_case(
    "parameter-entity",
    lambda p: files.docx(p, parts={DOC: files.document(files.regulation_body(), files.PARAMETER)}),
    says="DTD",
)
_docx_case(
    "dtd-utf16",
    lambda p: files.docx(
        p,
        parts={
            "word/styles.xml": files.styles()
            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
            .replace("?>", "?>" + files.LAUGHS, 1)
            .encode("utf-16")
        },
    ),
    says="DTD",
)
_docx_case(
    "deep-nesting",
    lambda p: files.docx(
        p, body="<w:sdt><w:sdtContent>" * 5000 + files.regulation_body() + "</w:sdtContent></w:sdt>" * 5000
    ),
    says="reg.docx",
)
_docx_case(
    "nesting-200",
    lambda p: files.docx(
        p, body="<w:sdt><w:sdtContent>" * 120 + files.regulation_body() + "</w:sdtContent></w:sdt>" * 120
    ),
    codes=(0, 1),
)
_docx_case(
    "many-members", lambda p: files.docx(p, extra={f"word/media/{i}.bin": b"x" for i in range(5000)}), says="parts"
)
_docx_case("truncated", lambda p: p.write_bytes(files.docx(p).read_bytes()[:700]), says="reg.docx")
_docx_case("not-a-zip", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100), says="reg.docx")
_docx_case("empty-file", lambda p: p.write_bytes(b""), says="reg.docx")
_docx_case("text-renamed", lambda p: p.write_text("第一条 这不是 Word 文件。", encoding="utf-8"), says="reg.docx")
_docx_case("no-document-part", lambda p: files.docx(p, parts={DOC: ""}), says="reg.docx")
_docx_case("malformed-xml", lambda p: files.docx(p, parts={DOC: "<w:document><w:body><w:p>"}), says="reg.docx")
_docx_case(
    "control-chars-xml",
    lambda p: files.docx(p, parts={DOC: files.document(files.regulation_body()).replace("为规范", "为&#1;规范")}),
    codes=(0, 1),
)

for _label, _start in {
    "0": "0",
    "minus-5": "-5",
    "1e13": "10000000000000",
    "abc": "abc",
    "float": "1.5",
    "empty": "",
    "huge-digits": "9" * 5000,
}.items():
    _docx_case(
        f"numbering-start-{_label}",
        lambda p, s=_start: files.docx(
            p,
            body=files.regulation_body(numbered=True),
            parts={"word/numbering.xml": files.numbering(start=s, fmt="chineseCounting")},
        ),
        codes=(0, 1),
    )
    _docx_case(
        f"numbering-override-{_label}",
        lambda p, s=_start: files.docx(
            p,
            body=files.regulation_body(numbered=True),
            parts={"word/numbering.xml": files.numbering(override=s, fmt="upperRoman")},
        ),
        codes=(0, 1),
    )
for _label, _ilvl in {"abc": "abc", "minus": "-1", "99": "99", "huge": "10000000000000"}.items():
    _docx_case(
        f"ilvl-{_label}",
        lambda p, v=_ilvl: files.docx(p, body=files.regulation_body(numbered=True, ilvl=v)),
        codes=(0, 1),
    )
    _docx_case(
        f"abstract-ilvl-{_label}",
        lambda p, v=_ilvl: files.docx(
            p, body=files.regulation_body(numbered=True), parts={"word/numbering.xml": files.numbering(ilvl=v)}
        ),
        codes=(0, 1),
    )
_docx_case(
    "lvl-restart-abc",
    lambda p: files.docx(
        p, body=files.regulation_body(numbered=True), parts={"word/numbering.xml": files.numbering(restart="abc")}
    ),
    codes=(0, 1),
)
_docx_case(
    "roman-1e6",
    lambda p: files.docx(
        p,
        body=files.regulation_body(numbered=True),
        parts={"word/numbering.xml": files.numbering(start="32767", fmt="lowerRoman")},
    ),
    codes=(0, 1),
)


def _table(span: str) -> str:
    return f'<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'


for _label, _span in {"abc": "abc", "zero": "0", "minus": "-3", "huge": "100000000", "1e13": "10000000000000"}.items():
    _docx_case(
        f"gridspan-{_label}", lambda p, s=_span: files.docx(p, body=files.regulation_body() + _table(s)), codes=(0, 1)
    )

_docx_case(
    "template-syntax",
    lambda p: files.docx(
        p,
        body=files.regulation_body().replace("为规范考勤管理", "为规范{{7*7}}考勤{%if true%}管理{%endif%}{#x#}"),
    ),
    codes=(0,),
    verify=imported("为规范{{7*7}}考勤{%if true%}管理{%endif%}{#x#}", absent=("49考勤",)),
)
_docx_case(
    "nul-and-escape",
    lambda p: files.docx(p, body=files.regulation_body().replace("为规范考勤管理", "为规范\x1b[31m考勤管理")),
    codes=(0, 1),
)


# ------------------------------------------------------------------ import: text and Markdown


def _text_case(
    name: str,
    text: str | bytes,
    suffix: str = ".txt",
    codes: tuple[int, ...] = (0,),
    says: str = "",
    slow: bool = False,
    verify: Callable[[Path], list[str]] | None = None,
) -> None:
    def setup(root: Path) -> list[str]:
        target = root / f"reg{suffix}"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return ["import", target.name, "-o", "out"]

    SURFACES.append(Surface(f"import-text-{name}", "import", setup, codes=codes, says=says, slow=slow, verify=verify))


REG = "\n\n".join(files.REGULATION) + "\n"


def inbody(text: str) -> str:
    """The sample regulation with ``text`` as a paragraph of its own in the first article (a first line
    after 第一条 may become the article's title, cut at a space)."""
    return REG.replace("\n\n第二条", f"\n\n{text}\n\n第二条", 1)


_text_case(
    "template-expression",
    inbody("为规范{{ 7*7 }}考勤管理"),
    verify=imported("为规范{{ 7*7 }}考勤管理", absent=("为规范49",)),
)
_text_case(
    "template-statement",
    inbody("{% for i in range(10**9) %}x{% endfor %}"),
    verify=imported("{% for i in range(10**9) %}x{% endfor %}"),
)
_text_case("template-comment", inbody("{# 注释 #}考勤管理"), verify=imported("{# 注释 #}考勤管理"))
_text_case(
    "template-raw",
    inbody("{% raw %}{{ x }}{% endraw %}"),
    verify=imported("{% raw %}{{ x }}{% endraw %}"),
)
_text_case(
    "template-in-title",
    REG.replace("员工考勤管理办法", "员工{{ 7*7 }}办法").replace("第一章　总则", "第一章　总则{{ 6*6 }}"),
    verify=imported("总则{{ 6*6 }}"),
)
_text_case(
    "template-in-item",
    REG.replace("第三条　员工应当按时上下班。", "第三条　员工应当：\n（一）按时{{ 5*5 }}上班；\n（二）不早退{#x}。"),
    verify=imported("按时{{ 5*5 }}上班", "不早退{#x}"),
)
_text_case(
    "attr-line-label",
    REG.replace("第二条　本办法适用于全体员工。", "第二条　本办法适用于全体员工。\n\n{#label}\n\n全体员工。"),
    verify=imported("{#label}"),
)
_text_case(
    "attr-line-class",
    REG.replace("第二条　本办法适用于全体员工。", "第二条　本办法适用于全体员工。\n\n{: .class}\n\n全体员工。"),
    verify=imported("{: .class}"),
)
_text_case(
    "attr-line-when",
    REG.replace("第二条　本办法适用于全体员工。", '第二条　本办法适用于全体员工。\n\n{when="false"}\n\n全体员工。'),
    verify=imported('{when="false"}'),
)
_text_case(
    "attr-trailing-heading", REG.replace("第一章　总则", "第一章　总则 {#ch-x}"), verify=imported("总则 {#ch-x}")
)
_text_case(
    "attr-trailing-item",
    REG.replace(
        "第三条　员工应当按时上下班。", '第三条　员工应当：\n（一）按时上班{when="false"}；\n（二）不早退 {a=b}'
    ),
    verify=imported('按时上班{when="false"}', "不早退 {a=b}"),
)
_text_case(
    "markdown-specials",
    inbody("为*规范* _考勤_ [管理](javascript:alert(1)) <b>x</b> | a | `c`"),
    verify=imported("为*规范* _考勤_ [管理](javascript:alert(1)) <b>x</b> | a | `c`"),
)
_text_case(
    "line-start-markers",
    REG.replace(
        "第二条　本办法适用于全体员工。",
        "第二条　本办法适用于全体员工：\n\n# 不是标题\n\n> 不是引用\n\n- 不是列表\n\n1) 不是编号\n\n=== \n\n+ 加号",
    ),
    verify=imported("# 不是标题", "> 不是引用", "- 不是列表"),
)
_text_case("nul-bytes", inbody("为规范\x00考勤\x00管理"), verify=imported("为规范考勤管理"))
_text_case(
    "escape-sequences",
    inbody("为规范\x1b[2J\x1b]0;pwned\x07考勤管理\x7f"),
    verify=imported("为规范[2J]0;pwned考勤管理"),
)
_text_case(
    "sentinels",
    inbody("为规范\ue000{{ 7*7 }}\ue001考勤管理"),
    verify=imported("为规范{{ 7*7 }}考勤管理"),
)
_text_case("bidi-override", inbody("为规范\u202e考勤管理"), codes=(0, 1))
_text_case("size-20mb", REG + "第四条　" + "很长的文字。" * ((20 << 20) // 18), says="MB", codes=(1,))
_text_case("size-50mb", REG + "x" * (50 << 20), says="MB", codes=(1,), slow=True)
_text_case("one-line-10mb", "第一条　" + "字" * (3 << 20), codes=(0, 1), slow=True)
_text_case("binary", bytes(range(256)) * 100, codes=(1,), says="reg.txt")
_text_case("utf16", REG.encode("utf-16"), codes=(0, 1))
_text_case("empty", b"", codes=(1,), says="reg.txt")
_text_case(
    "md-html",
    inbody("<script>alert(1)</script>考勤管理"),
    suffix=".md",
    verify=imported("<script>alert(1)</script>考勤管理"),
)
_text_case("md-pipe-table-template", REG + "\n| {{ 1*1 }} | {#x} |\n|---|---|\n| a | b |\n", suffix=".md", codes=(0, 1))
_text_case("many-articles", "\n".join(f"第{i}条　内容{i}。" for i in range(1, 20001)), codes=(0, 1), slow=True)


# ------------------------------------------------------------------ import: PDF


def _pdf_case(
    name: str, build: Callable[[Path], object], codes: tuple[int, ...] = (1,), says: str = "", slow: bool = False
) -> None:
    def setup(root: Path) -> list[str]:
        build(root / "reg.pdf")
        return ["import", "reg.pdf", "-o", "out"]

    SURFACES.append(Surface(f"import-pdf-{name}", "import", setup, codes=codes, says=says, slow=slow))


ASCII_REG = ["Article 1 Purpose of these rules.", "Article 2 Scope of these rules."]
_pdf_case("pages-10000", lambda p: files.pdf(p, [files.text_stream(["Page text"])] * 10000), says="10,000 pages")
_pdf_case("pages-2001", lambda p: files.pdf(p, [files.text_stream(["x"])] * 2001), says="pages")
_pdf_case("flate-bomb", lambda p: files.pdf(p, [files.flate_bomb_stream(400 << 20)]), says="reg.pdf", slow=True)
_pdf_case("flate-bomb-small", lambda p: files.pdf(p, [files.flate_bomb_stream(96 << 20)]), says="reg.pdf")
_pdf_case("garbage", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 50), says="reg.pdf")
_pdf_case(
    "truncated",
    lambda p: p.write_bytes(files.pdf(p, [files.text_stream(ASCII_REG)]).read_bytes()[:300]),
    says="reg.pdf",
)
_pdf_case("empty", lambda p: p.write_bytes(b""), says="reg.pdf")
_pdf_case("not-pdf", lambda p: p.write_text("第一条 文本", encoding="utf-8"), says="reg.pdf")
_pdf_case(
    "page-tree-loop",
    lambda p: p.write_bytes(
        files.pdf(p, [files.text_stream(ASCII_REG)]).read_bytes().replace(b"/Kids [5 0 R]", b"/Kids [2 0 R]")
    ),
    says="reg.pdf",
    codes=(1,),
)
_pdf_case(
    "huge-count",
    lambda p: p.write_bytes(
        files.pdf(p, [files.text_stream(ASCII_REG)]).read_bytes().replace(b"/Count 1", b"/Count 999999999")
    ),
    codes=(0, 1),
)
_pdf_case("text-only-ascii", lambda p: files.pdf(p, [files.text_stream(ASCII_REG)]), codes=(0, 1))


# ------------------------------------------------------------------ the ledger's import files (XLSX, CSV)


ACK_HEADER = ["工号", "版本", "方式", "签收日期"]
ACK_ROW = ["SZ001", "3.2", "paper", "2026-12-03"]


def _sheet_case(
    name: str,
    build: Callable[[Path], object],
    codes: tuple[int, ...] = (1,),
    says: str = "",
    slow: bool = False,
    suffix: str = ".xlsx",
) -> None:
    def setup(root: Path) -> list[str]:
        build(root / f"acks{suffix}")
        return ["ack", "import", f"acks{suffix}", "--db", "ledger.db"]

    SURFACES.append(Surface(f"ledger-{suffix[1:]}-{name}", "ledger", setup, codes=codes, says=says, slow=slow))


_sheet_case("plain", lambda p: files.xlsx(p, [ACK_HEADER, ACK_ROW]), says="unknown employee")
_sheet_case(
    "far-used-range", lambda p: files.xlsx(p, [ACK_HEADER, ACK_ROW], dimension="A1:XFD1048576"), says="unknown employee"
)
_sheet_case("far-cell", lambda p: files.xlsx(p, [ACK_HEADER, ACK_ROW], far_cell="XFD1048576"), says="unknown employee")
_sheet_case(
    "far-cell-row", lambda p: files.xlsx(p, [ACK_HEADER, ACK_ROW], far_cell="A1048576"), says="unknown employee"
)
_sheet_case(
    "entity-bomb",
    lambda p: files.xlsx(p, [ACK_HEADER, ["&lol9;", "3.2", "paper", "2026-12-03"]], sheet_prolog=files.LAUGHS),
    says="DTD",
)
_sheet_case(
    "external-entity",
    lambda p: files.xlsx(p, [ACK_HEADER, ["&ext;", "3.2", "paper", "2026-12-03"]], sheet_prolog=files.EXTERNAL),
    says="DTD",
)
_sheet_case(
    "zip-bomb",
    lambda p: files.zeros_member(files.xlsx(p, [ACK_HEADER, ACK_ROW]), "xl/media/bomb.bin", 64 << 20),
    says="zip bomb",
)
_sheet_case(
    "zip-bomb-sheet",
    lambda p: files.xlsx(p, [ACK_HEADER, ACK_ROW] + [["x" * 100, "", "", ""]] * 3_000_000),
    says="acks.xlsx",
    slow=True,
)
_sheet_case(
    "truncated", lambda p: p.write_bytes(files.xlsx(p, [ACK_HEADER, ACK_ROW]).read_bytes()[:600]), says="acks.xlsx"
)
_sheet_case("not-a-zip", lambda p: p.write_text("工号,版本\n", encoding="utf-8"), says="acks.xlsx")
_sheet_case(
    "csv-field-200k",
    lambda p: p.write_text(",".join(ACK_HEADER) + "\nSZ001,3.2,paper," + "x" * 200_000 + "\n", encoding="utf-8"),
    suffix=".csv",
    says="acks.csv:",
)
_sheet_case(
    "csv-nul",
    lambda p: p.write_bytes((",".join(ACK_HEADER) + "\nSZ\x0001,3.2,paper,2026-12-03\n").encode()),
    suffix=".csv",
    codes=(1,),
)
_sheet_case(
    "csv-formula-name",
    lambda p: p.write_text(",".join(ACK_HEADER) + '\n=HYPERLINK("http://x"),3.2,paper,2026-12-03\n', encoding="utf-8"),
    suffix=".csv",
    says="unknown employee",
)
_sheet_case(
    "csv-escape-employee",
    lambda p: p.write_text(",".join(ACK_HEADER) + "\n\x1b]0;x\x07SZ,3.2,paper,2026-12-03\n", encoding="utf-8"),
    suffix=".csv",
    codes=(1,),
)
_sheet_case(
    "csv-evidence-dotdot",
    lambda p: p.write_text(
        ",".join([*ACK_HEADER, "凭证"]) + "\nSZ001,3.2,paper,2026-12-03,../../elsewhere-pwned\n", encoding="utf-8"
    ),
    suffix=".csv",
    says="outside the folders",
)
_sheet_case(
    "csv-evidence-absolute",
    lambda p: p.write_text(
        ",".join([*ACK_HEADER, "凭证"]) + "\nSZ001,3.2,paper,2026-12-03,/etc/shadow\n", encoding="utf-8"
    ),
    suffix=".csv",
    says="outside the folders",
)


def main(names: list[str]) -> int:
    import tempfile

    chosen = [c for c in SURFACES if not names or c.name in names or c.area in names]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="hostile-surfaces-") as tmp:
        for item in chosen:
            outcome = run_surface(item, Path(tmp))
            failed += not outcome.ok
            last = outcome.err.strip().splitlines()[-2:-1] or [""]
            status = "ok  " if outcome.ok else "FAIL"
            print(
                f"{status} {item.area:8} {item.name:44} {outcome.code!s:>4} {outcome.seconds:6.1f}s  {'; '.join(outcome.problems)}  | {last[0][:140]}",
                flush=True,
            )
    areas = sorted({c.area for c in chosen})
    print(
        f"{len(chosen)} cases ({', '.join(f'{a}: {sum(c.area == a for c in chosen)}' for a in areas)}), {failed} failed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
