"""Review stage: the whole import of a reviewed DOCX — pieces, proposals, conflicts, patch.

The DOCX says which subsidiary and release it is (custom properties). The
current source is resolved for that subsidiary and its DOCX drafted in memory
(no LibreOffice): each article's text as it would be sent today. An article
whose text sent differs from that was changed in the source since the DOCX was
built — a three-way conflict (sent · reviewed · source now), never overwritten.
Every other changed article gets a proposal (``propose.py``); together they
make one patch, which is then tried: applied to a copy of the source and
drafted again, each article must read as the reviewer accepted it (generated
text aside), or the report names it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policybook.build import check
from policybook.conversion import CURLY, phrase_converter, target_of
from policybook.diagnostics import Diagnostics, Loc, SourceError
from policybook.model import Article, Chapter, Document, Ref, Section
from policybook.review import patch, wordml
from policybook.review.printed import Printed, Renderer, article_lines, evaluator, judge
from policybook.review.propose import Back, Edit, Proposal, ValueChange, propose
from policybook.review.units import Piece, cut, cut_by_heading, known_nodes
from policybook.source.project import Project
from policybook.transforms.walk import all_inlines

ITEM_START = re.compile(r"^(（[一二三四五六七八九十百]+）|\(\d+\)|\d+[.、)]|[一二三四五六七八九十百]+、|•)\t", re.M)
NUMBER_START = re.compile(r"^\s*第[零〇一二三四五六七八九十百千两]+[条條章节節]")


@dataclass
class ArticleReview:
    piece: Piece
    article: Article | Chapter | Section  # the source node reviewed (headings of chapters and sections too)
    file: Path
    proposal: Proposal | None = None
    current: str | None = None  # the source's text now, when it differs from the text sent (a conflict)
    shared: list[str] = field(default_factory=list)  # other subsidiaries printing this article (text edits reach them)
    rebuilt: str | None = None  # the article as the patched source prints it
    matches: bool | None = None  # whether that reads as accepted (generated text aside)


@dataclass
class Override:
    name: str
    old: str
    new: str
    file: Path
    also: list[str] = field(default_factory=list)  # other variables printing the same value


@dataclass
class Review:
    docx: Path
    properties: dict[str, str]
    subsidiary: str
    same_source: bool
    reviewed: wordml.Reviewed
    articles: list[ArticleReview]
    outside: list[Piece]
    overrides: list[Override]
    files: dict[Path, tuple[str, str]]
    patch: str
    root: Path
    notes: list[str] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)  # each article's text as the source prints it (number aside)


def import_review(docx: Path, source: str | Path, diags: Diagnostics, subsidiary: str = "") -> Review:
    """Read ``docx`` against the source; raises SourceError (with diagnostics) on a user mistake."""
    try:
        reviewed = wordml.read(docx)
    except (wordml.NotADocx, OSError) as exc:
        diags.error(Loc(str(docx)), f"cannot read the reviewed DOCX: {exc}", "review.docx", "give the .docx file")
        raise SourceError(diags) from None
    sub = subsidiary or reviewed.properties.get("subsidiary", "")
    if not sub:
        diags.error(
            Loc(str(docx)),
            "the DOCX does not say which subsidiary it is",
            "review.subsidiary",
            "name it with --subsidiary ID (DOCX built by policybook record it)",
        )
        raise SourceError(diags)
    checked = check(source, [sub], diags, formats=[])
    review = _review(docx, reviewed, checked.project, checked.documents[sub], sub)
    _shared(review, checked.project, sub)
    return review


def _review(docx: Path, reviewed: wordml.Reviewed, project: Project, doc: Document, sub: str) -> Review:
    from policybook.writers.docx import identity

    known = known_nodes(doc)
    current = {p.key: p for p in cut(_draft_units(doc), known)}
    pieces = cut(reviewed.units, known)
    notes: list[str] = []
    if not any(p.node is not None for p in pieces):
        pieces = cut_by_heading(reviewed.units, list(current.values()))
        notes.append("文件中没有条款标识（书签丢失）：按“第X条”标题与文字相似度对应，请逐条核对。")
    same_source = reviewed.properties.get("source", "") == identity.fingerprint(doc)
    if not same_source:
        _follow_moved(pieces, current)
    mapper = Mapper(project, doc, sub, same_source)
    articles = [mapper.article(p, current.get(p.key)) for p in pieces if _reviewed(p, current.get(p.key))]
    taken = {id(a.piece) for a in articles}
    outside = [p for p in pieces if id(p) not in taken and (p.changed or p.comments or p.changes)]
    outside += _margins(reviewed)
    release = reviewed.properties.get("release", "")
    if release and release != doc.meta.version:
        notes.append(f"审阅的 DOCX 为 {release} 版，源文件现为 {doc.meta.version} 版。")
    files, overrides = mapper.files(articles)
    review = Review(
        docx,
        reviewed.properties,
        sub,
        same_source,
        reviewed,
        articles,
        outside,
        overrides,
        files,
        "",
        project.root,
        notes,
    )
    review.sent = {_body(p.old) for p in current.values()}
    review.patch = patch.unified(files, project.root)
    if review.patch:
        _try_patch(review, project, sub)
    return review


def _follow_moved(pieces: list[Piece], current: dict[str, Piece]) -> None:
    """An unlabelled article's key is its place in its file: an article added or removed above it
    in the source since the build moves it. A piece whose text as sent is not what its key prints
    now, but is exactly what one other unlabelled article of the same file prints, is that article."""
    by_text: dict[str, list[Piece]] = {}
    for printed in current.values():
        if isinstance(printed.node, Article) and not printed.node.label:
            by_text.setdefault(_body(printed.old), []).append(printed)
    for piece in pieces:
        node, now = piece.node, current.get(piece.key)
        lost = node is None and piece.key.startswith("pb_")  # a key the source no longer has
        if not lost and (not isinstance(node, Article) or node.label or (now is not None and _as_sent(now, piece))):
            continue
        same = [p for p in by_text.get(_body(piece.old), []) if lost or _same_file(p.node, node)]
        if len(same) == 1:
            piece.key, piece.node, piece.how = same[0].key, same[0].node, "moved"


def _as_sent(now: Piece, piece: Piece) -> bool:
    """Whether the source prints today what was sent (its numbers aside: they follow other articles)."""
    return _body(now.old) == _body(piece.old)


def _same_file(a: object, b: object) -> bool:
    return isinstance(a, Article) and isinstance(b, Article) and a.loc.path == b.loc.path


def _reviewed(piece: Piece, now: Piece | None) -> bool:
    """An article with tracked changes, comments, or text not as sent (edited untracked, or the
    source moved on); a chapter or section only when its heading's text changed."""
    differs = piece.changed or (now is not None and not _as_sent(now, piece))
    if isinstance(piece.node, Article):
        return differs or bool(piece.comments or piece.changes)
    return isinstance(piece.node, Chapter | Section) and differs


def _margins(reviewed: wordml.Reviewed) -> list[Piece]:
    """Headers and footers, as one piece, when something in them was changed."""
    margins = Piece("页眉页脚", None)
    for unit in reviewed.margins:
        if unit.old != unit.new or unit.changes:
            margins.old, margins.new = margins.old + unit.old, margins.new + unit.new
            margins.changes.extend(unit.changes)
    return [margins] if margins.changes or margins.changed else []


def _draft_units(doc: Document) -> list[wordml.Unit]:
    """The DOCX the source makes today (no page numbers), read back the same way."""
    from policybook.writers.docx import Draft

    return wordml.read(io.BytesIO(Draft(doc).data)).units


class Mapper:
    """Proposals for one subsidiary's articles, and the files they change."""

    def __init__(self, project: Project, doc: Document, sub: str, same_source: bool) -> None:
        from policybook.transforms.context import build_context

        self.project, self.doc = project, doc
        self.source = project.subsidiaries[sub]
        self.context: dict[str, Any] = build_context(project, self.source)
        self.value = evaluator(self.context)
        self.condition = judge(self.context)
        self.refs = {n.target: n.display for n in all_inlines(doc.chapters) if isinstance(n, Ref)}
        self.forward, self.back = _converters(project, self.source)
        self.texts: dict[Path, str] = {}
        self.same_source = same_source  # the DOCX was built from the source as it is

    def text(self, path: Path) -> str:
        if path not in self.texts:
            self.texts[path] = path.read_text(encoding="utf-8")
        return self.texts[path]

    def article(self, piece: Piece, now: Piece | None) -> ArticleReview:
        article = piece.node
        assert isinstance(article, Article | Chapter | Section)
        path = Path(article.loc.path)
        result = ArticleReview(piece, article, path)
        untracked = now is not None and not _as_sent(now, piece) and self.same_source and piece.how == "identity"
        if untracked:  # the source is as it was: the reviewer edited without tracking changes
            assert now is not None
            piece.old = now.old
        elif now is None or not _as_sent(now, piece):
            result.current = now.old if now is not None else ""
            return result
        joined = piece.old.endswith("\n") and piece.new.strip() != "" and not piece.new.endswith("\n")
        if joined:  # its last paragraph mark deleted: joined with the next article's heading, which stays
            piece.new += "\n"
        if piece.changed:
            printed, (begin, end) = self.printed(article)
            result.proposal = propose(piece.old, piece.new, printed, self.forward, self.back)
            if joined:
                result.proposal.flags.append("本条最后一段与下一条合并（删除了段落标记）：未采用，条款之间不合并")
            if isinstance(article, Article) and not _body(piece.new).strip():
                result.proposal.edits = [Edit(begin, end, "")]  # the whole article struck out
                result.proposal.flags.append("整条删除：删除了源文件中本条的全部内容（含标题行）")
            if untracked:
                result.proposal.flags.insert(0, "未开启修订的修改：与发送的文本比对得出，请确认")
        return result

    def printed(self, node: Article | Chapter | Section) -> tuple[Printed, tuple[int, int]]:
        """The node's source as this subsidiary prints it (a heading: its own line), and where it is."""
        text = self.text(Path(node.loc.path))
        begin, end = article_lines(text, node.loc.line)
        if isinstance(node, Chapter | Section) and not node.intro:  # with an intro: heading and its text
            end = min(end, text.find("\n", begin) + 1 or end)
        return Renderer(text, self.value, self.refs, self.condition).article(begin, end), (begin, end)

    def files(self, articles: list[ArticleReview]) -> tuple[dict[Path, tuple[str, str]], list[Override]]:
        edits: dict[Path, list[patch.Edit]] = {}
        values: list[tuple[ValueChange, set[str]]] = []
        for review in articles:
            if review.proposal is not None:
                edits.setdefault(review.file, []).extend(review.proposal.edits)
                values.extend((value, review.proposal.variables) for value in review.proposal.values)
        out: dict[Path, tuple[str, str]] = {}
        for path, file_edits in edits.items():
            new, skipped = patch.apply_edits(self.text(path), file_edits)
            out[path] = (self.text(path), new)
            for review in articles:
                if review.proposal and any(e in skipped for e in review.proposal.edits):
                    review.proposal.flags.append("两处修改重叠，只采用了前一处")
        overrides = self.overrides(values)
        if overrides:
            yaml_path = Path(self.source.info.loc.path)
            text = self.text(yaml_path)
            new = text
            for override in overrides:
                new = patch.set_value(new, override.name, override.new, _lookup(self.context, override.name))
            out[yaml_path] = (text, new)
        return out, overrides

    def overrides(self, values: list[tuple[ValueChange, set[str]]]) -> list[Override]:
        """One override per variable; ``also``: the article's other variables printing the same value."""
        chosen: dict[str, Override] = {}
        yaml_path = Path(self.source.info.loc.path)
        for change, printed in values:
            if _lookup(self.context, change.name) is None:
                continue  # an expression, not a variable: reported with its article
            if change.name in chosen and chosen[change.name].new != change.new:
                chosen[change.name].also.append(f"另一处改为「{change.new}」，未采用")
                continue
            also = [n for n in sorted(printed - {change.name}) if self.value(n) == change.old]
            chosen.setdefault(change.name, Override(change.name, change.old, change.new, yaml_path, also))
        return list(chosen.values())


def _shared(review: Review, project: Project, sub: str) -> None:
    """Name, for each article with text edits, the other subsidiaries whose handbook prints it:
    the Markdown is one for all, so the edit reaches them too (a value's override does not)."""
    edited = [a for a in review.articles if a.proposal is not None and a.proposal.edits]
    if not edited:
        return
    from policybook.transforms import project_labels, resolve

    labels = project_labels(project, Diagnostics())
    keys: dict[str, list[str]] = {}
    for other in project.subsidiaries:
        if other != sub:
            for name in known_nodes(resolve(project, other, Diagnostics(), labels)):
                keys.setdefault(name, []).append(other)
    for article in edited:
        article.shared = keys.get(article.piece.key, [])


def _converters(project: Project, sub: Any) -> tuple[Any, Back | None]:
    """Source → variant (as the build converts) and variant → source, or (None, None) when the same."""
    from policybook.transforms.script import HK_FORMS, converter, source_region, variant_language

    lang = variant_language(project, sub)
    source, region = project.meta.locale, source_region(project)
    same = source == lang.locale and (
        lang.locale != "zh-Hant" or region == lang.region or {region, lang.region} <= set(HK_FORMS)
    )
    if same or "en" in (source, lang.locale):
        return None, None
    forward = converter(project, sub, lang)
    to_source = phrase_converter(target_of(source, region))

    def back(text: str) -> str:
        converted = to_source(text)
        return converted.translate(CURLY) if source == "zh-Hans" else converted

    return forward, (back, forward)


def _lookup(context: dict[str, Any], dotted: str) -> Any:
    node: Any = context
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if isinstance(node, dict) else node


def _try_patch(review: Review, project: Project, sub: str) -> None:
    """Apply the patch to a copy of the source, draft it, and compare each article with the accepted text."""
    with tempfile.TemporaryDirectory(prefix="pb-review-") as tmp:
        copy = Path(tmp) / "project"
        _copy_source(project, copy)
        for path, (_, new) in review.files.items():
            (copy / path.resolve().relative_to(project.root.resolve())).write_text(new, encoding="utf-8")
        source = copy / project.source.resolve().relative_to(project.root.resolve())
        try:
            rebuilt = check(source, [sub], Diagnostics(), formats=[])
        except SourceError as exc:
            said = str(exc.diagnostics.errors[0]) if exc.diagnostics.errors else str(exc)
            said = said.replace(str(copy) + os.sep, "")  # the copy's paths as the project's own
            review.notes.append(f"补丁应用后源文件无法通过检查，请先处理：{said}")
            return
        doc = rebuilt.documents[sub]
        pieces = cut(_draft_units(doc), known_nodes(doc))
    texts = review.sent | {_body(a.piece.new) for a in review.articles}  # what is not a new article
    for article in review.articles:
        if article.proposal is None:
            continue
        article.rebuilt = _rebuilt(pieces, article.piece.key, texts)
        article.matches = _same_text(article.rebuilt, article.piece.new)


def _rebuilt(pieces: list[Piece], key: str, sent: set[str]) -> str:
    """The piece ``key`` of the patched source, with the articles after it that were not there
    before (the review added them; an unlabelled article's key is its place, so not the key)."""
    for n, piece in enumerate(pieces):
        if piece.key == key:
            text = piece.old
            for after in pieces[n + 1 :]:
                if not isinstance(after.node, Article) or after.node.label or _body(after.old) in sent:
                    break
                text += after.old
            return text
    return ""


def _copy_source(project: Project, copy: Path) -> None:
    """The source folder, forms and brand kits copied (small; links would point outside the copy)."""
    root = project.root.resolve()
    shutil.copytree(project.source, copy / project.source.resolve().relative_to(root))
    for folder in (root / "forms", project.templates):
        target = copy / Path(folder).resolve().relative_to(root)
        if Path(folder).is_dir() and not target.exists():
            shutil.copytree(folder, target)


def _same_text(rebuilt: str, accepted: str) -> bool:
    """Equal once the generated number at the start (第X条, 第X章, 第X节) is set aside on both sides."""
    return _body(rebuilt) == _body(accepted)


def _body(text: str) -> str:
    """The text without its generated numbers: the article's, and each item's (（一）, 1., (1) …)."""
    return ITEM_START.sub("", NUMBER_START.sub("", text, count=1).lstrip("\u3000 "))


def proposed_changes(review: Review) -> dict[str, tuple[str, str]]:
    """The proposal as data (for a studio draft): per file, relative to the project, old text → new text."""
    root = review.root.resolve()
    return {path.resolve().relative_to(root).as_posix(): texts for path, texts in review.files.items()}
