"""Import stage: the whole import, file paths in → source tree and report out."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from policybook.diagnostics import Loc, fail
from policybook.importers import normalise
from policybook.importers.blanks import replace_blanks, replace_company
from policybook.importers.forms import is_form
from policybook.importers.links import link_references
from policybook.importers.markup import CLOSE, OPEN
from policybook.importers.paragraphs import Para
from policybook.importers.report import Record, render
from policybook.importers.structure import detect
from policybook.importers.tree import Regulation
from policybook.importers.writer import Settings, write_tree

LINE_SOURCES = (".txt", ".md", ".pdf")
MAX_TEXT_BYTES = 16 * 2**20  # a text regulation: 16 MB is ~5 million Chinese characters
MAX_FILE_BYTES = 200 * 2**20  # a Word file or PDF (its parts and pages are bounded again inside)
# what the source checker refuses (policybook.source.textfile.CONTROL_RE), markup's sentinels, surrogates
UNSAFE_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{OPEN}{CLOSE}\ud800-\udfff\ufffe\uffff]")


@dataclass
class Result:
    regulation: Regulation
    record: Record
    written: list[Path]
    locale: str


def read_paragraphs(path: Path, record: Record) -> list[Para]:
    """Any supported file → paragraphs (line sources get their wrapped lines joined), with
    characters no source can hold removed and counted."""
    return _clean(_read(path, record), path, record)


def _read(path: Path, record: Record) -> list[Para]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise fail(Loc(str(path)), "file not found", "import.missing")
    limit = MAX_TEXT_BYTES if suffix in (".txt", ".md", ".text") else MAX_FILE_BYTES
    if path.stat().st_size > limit:
        raise fail(
            Loc(str(path)),
            f"the file is {path.stat().st_size / 2**20:.0f} MB; the importer reads at most {limit // 2**20} MB",
            "import.size",
            "a regulation is far smaller: split the file, or check that it is the right one",
        )
    if suffix == ".docx":
        from policybook.importers.docx_reader import read_docx

        return read_docx(path, record)
    if suffix == ".pdf":
        from policybook.importers.pdf_reader import read_pdf

        return normalise.join_lines(read_pdf(path, record), record)
    if suffix in (".txt", ".md", ".text"):
        from policybook.importers.text_reader import read_text_file

        return normalise.join_lines(read_text_file(path, record), record)
    raise fail(
        Loc(str(path)), f"cannot import '{suffix or path.name}' files", "import.format", "give .docx, .txt, .md or .pdf"
    )


def _clean(paras: list[Para], path: Path, record: Record) -> list[Para]:
    """Control characters (NUL, escape …), the importer's own markup sentinels and lone
    surrogates are removed — a source tree cannot hold them — and counted in the report."""
    removed = 0
    for para in paras:
        para.text, n = UNSAFE_RE.subn("", para.text)
        removed += n
        for row in para.table.rows if para.table else []:
            for cell in row:
                cell.text, n = UNSAFE_RE.subn("", cell.text)
                removed += n
    record.fixed(f"control characters (NUL, escape …) removed from {path.name}", removed)
    return paras


def run_import(paths: list[Path], out: Path, company: str = "") -> Result:
    record = Record()
    paras = [p for path in paths for p in read_paragraphs(path, record)]
    if not any(p.text.strip() or p.table for p in paras):
        raise fail(Loc(str(paths[0])), "no text found", "import.empty")
    regulation = detect(paras, record)
    if not regulation.articles():
        raise fail(
            Loc(str(paths[0])),
            "no article or item structure found",
            "import.structure",
            "the importer looks for 第X章/第X条 or 一、（一）1. at the start of paragraphs",
        )
    locale, simplified, traditional = normalise.detect_script(" ".join(p.text for p in paras))
    record.infer(
        "document", f"script {locale} ({simplified} simplified-only, {traditional} traditional-only characters)"
    )
    for appendix in regulation.appendices:
        appendix.form = is_form(appendix)
        what = "a form (forms/)" if appendix.form else "a document appendix (handbook/appendices/)"
        record.infer(appendix.where, f"appendix {appendix.number} “{appendix.title}” becomes {what}")
    variables = replace_blanks(regulation, record)
    replace_company(regulation, company, record)
    link_references(regulation, record)
    settings = Settings(
        title=regulation.title or paths[0].stem,
        company=company,
        locale=locale,
        effective=regulation.effective or datetime.date.today().isoformat(),
        sources=[p.name for p in paths],
    )
    written = write_tree(regulation, variables, settings, out, record)
    report = out / "import-report.md"
    report.write_text(render(record, settings.sources, summary(regulation, locale)), encoding="utf-8")
    return Result(regulation, record, [*written, report], locale)


def summary(regulation: Regulation, locale: str) -> list[str]:
    articles = regulation.articles()
    titled = sum(1 for a in articles if a.title)
    return [
        f"title: {regulation.title or '(none found)'}; script: {locale}",
        f"{len(regulation.chapters)} chapter(s), {len(articles)} article(s) "
        f"({titled} titled, {len(articles) - titled} untitled), {len(regulation.appendices)} appendix/appendices",
        f"references linked: {sum(1 for a in articles if a.label)} target article(s) labelled",
    ]
