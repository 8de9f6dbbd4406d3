"""Import stage: the whole import, file paths in → source tree and report out."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from policybook.diagnostics import Loc, SourceError, fail
from policybook.importers import normalise
from policybook.importers.accounting import Accounting, account, chars, para_chars
from policybook.importers.blanks import replace_blanks, replace_company
from policybook.importers.debris import strip_debris, strip_furniture
from policybook.importers.forms import is_form
from policybook.importers.links import link_references
from policybook.importers.markup import CLOSE, OPEN
from policybook.importers.paragraphs import Para
from policybook.importers.report import Record, removed_text, render
from policybook.importers.runin import looked_for, split_run_in
from policybook.importers.structure import detect
from policybook.importers.tree import Regulation
from policybook.importers.writer import Settings, write_tree
from policybook.safetext import printable
from policybook.source.punctuation import fix_file

LINE_SOURCES = (".txt", ".md", ".pdf")
MAX_TEXT_BYTES = 8 * 2**20  # a text regulation: 8 MB is ~2.7 million Chinese characters (peak memory ~0.4 GB)
MAX_CHARS = 3_000_000  # of text from any one file (Word: its XML parts are bounded by archives.py too)
MAX_FILE_BYTES = 200 * 2**20  # a Word file or PDF (its parts and pages are bounded again inside)
# what the source checker refuses (policybook.source.textfile.CONTROL_RE), markup's sentinels, surrogates
UNSAFE_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{OPEN}{CLOSE}\ud800-\udfff\ufffe\uffff]")


@dataclass
class Result:
    regulation: Regulation
    record: Record
    written: list[Path]
    locale: str
    accounting: Accounting
    others: list[Result] = field(default_factory=list)  # documents imported separately (--split)


def read_paragraphs(path: Path, record: Record) -> list[Para]:
    """Any supported file → paragraphs (line sources get their wrapped lines joined), with
    characters no source can hold removed and counted."""
    paras = _read(path, record)
    if sum(len(p.text) for p in paras) > MAX_CHARS:
        raise fail(
            Loc(str(path)),
            f"the file holds more than {MAX_CHARS:,} characters of text; the importer reads at most that",
            "import.size",
            "a regulation is far shorter: split the file, or check that it is the right one",
        )
    return _clean(paras, path, record)


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

        return normalise.join_broken(strip_furniture(read_docx(path, record), record), record)
    if suffix == ".pdf":
        from policybook.importers.pdf_reader import read_pdf

        return normalise.join_lines(strip_furniture(read_pdf(path, record), record), record)
    if suffix in (".txt", ".md", ".text"):
        from policybook.importers.text_reader import read_text_file

        return normalise.join_lines(strip_furniture(read_text_file(path, record), record), record)
    raise fail(
        Loc(str(path)), f"cannot import '{suffix or path.name}' files", "import.format", "give .docx, .txt, .md or .pdf"
    )


def _clean(paras: list[Para], path: Path, record: Record) -> list[Para]:
    """Control characters (NUL, escape …), the importer's own markup sentinels and lone
    surrogates are removed — a source tree cannot hold them — and listed as removed (shown
    as escapes such as ``\\x00``), so the accounting still adds up."""
    for para in paras:
        texts = [para.text] if para.table is None else [c.text for row in para.table.rows for c in row]
        found = "".join(UNSAFE_RE.findall("".join(texts)))
        if not found:
            continue
        para.text = UNSAFE_RE.sub("", para.text)
        for row in para.table.rows if para.table else []:
            for cell in row:
                cell.text = UNSAFE_RE.sub("", cell.text)
        record.remove(para.where, "control characters (NUL, escape …)", printable(found))
    return paras


def run_import(paths: list[Path], out: Path, company: str = "", split: bool = False) -> Result:
    record = Record()
    paras = [p for path in paths for p in read_paragraphs(path, record)]
    if not any(p.text.strip() or p.table for p in paras):
        raise fail(Loc(str(paths[0])), "no text found", "import.empty")
    paras = split_run_in(paras, record)
    return import_paragraphs(paras, record, out, company, [p.name for p in paths], split)


def import_paragraphs(
    paras: list[Para], record: Record, out: Path, company: str, sources: list[str], split: bool = False
) -> Result:
    """Paragraphs read → the tree and its report in ``out``; with ``split``, a document appended after the
    regulation's end is imported the same way into ``out/split-N``."""
    total = para_chars(paras) + sum(chars(r.text) for r in record.removed)  # what the readers read
    paras, appended = strip_debris(paras, record, split)
    regulation = detect(paras, record)
    accounting = account(regulation, record, total)
    if not regulation.articles():
        raise fail(
            Loc(paras[0].where if paras else sources[0]),
            "no article or item structure found",
            "import.structure",
            looked_for(paras),
        )
    others = _import_appended(appended, record, out, company, sources)
    result = _finish(regulation, record, paras, out, company, sources, accounting)
    result.others = others
    return result


def _import_appended(appended: list[Para], record: Record, out: Path, company: str, sources: list[str]) -> list[Result]:
    """--split: the document after the regulation's end, imported into ``split-N`` beside it (and so on)."""
    if not appended:
        return []
    top = out.parent if out.name.startswith("split-") else out
    number = int(out.name.removeprefix("split-")) + 1 if out.name.startswith("split-") else 2
    try:
        other = import_paragraphs(appended, Record(), top / f"split-{number}", company, sources, split=True)
    except SourceError:
        for removal in record.removed:
            if removal.reason.endswith("imported separately"):
                removal.reason = "another document after the regulation (no structure of its own)"
        return []
    return [other, *other.others]


def _finish(
    regulation: Regulation,
    record: Record,
    paras: list[Para],
    out: Path,
    company: str,
    sources: list[str],
    accounting: Accounting,
) -> Result:
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
        title=regulation.title or Path(sources[0]).stem,
        company=company,
        locale=locale,
        effective=regulation.effective or datetime.date.today().isoformat(),
        sources=sources,
    )
    written = write_tree(regulation, variables, settings, out, record)
    for path in written:
        if path.suffix == ".md":  # what `policybook fix --punctuation` would still change (headings, cells)
            record.fixed("half-width punctuation in the written Markdown → full-width", len(fix_file(path)))
    report = out / "import-report.md"
    lines = [*summary(regulation, locale), accounting.line()]
    if record.counts["run-in"]:
        lines.append(
            f"run-in text: {record.counts['run-in']} heading/item marker(s) split out where their numbers run in order"
        )
    report.write_text(render(record, settings.sources, lines), encoding="utf-8")
    if record.removed:
        removed = out / "import-removed.txt"
        removed.write_text(removed_text(record.removed), encoding="utf-8")
        written.append(removed)
    return Result(regulation, record, [*written, report], locale, accounting)


def summary(regulation: Regulation, locale: str) -> list[str]:
    articles = regulation.articles()
    titled = sum(1 for a in articles if a.title)
    return [
        f"title: {regulation.title or '(none found)'}; script: {locale}",
        f"{len(regulation.chapters)} chapter(s), {len(articles)} article(s) "
        f"({titled} titled, {len(articles) - titled} untitled), {len(regulation.appendices)} appendix/appendices",
        f"references linked: {sum(1 for a in articles if a.label)} target article(s) labelled",
    ]
