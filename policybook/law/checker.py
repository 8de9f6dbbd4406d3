"""Law stage: run the rule tables on each resolved, numbered variant.

Runs after resolve (the printed text of each variant: variables filled in,
imported regulations included, the variant's own script) and on the variables
the source declares a meaning for. Findings become ``law.*`` diagnostics with
the file:line, the variants, the article and the statute; waived findings are
printed as notes with their reason.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from policybook.conversion import phrase_converter, target_of
from policybook.diagnostics import Diagnostic, Diagnostics
from policybook.law.detect import Sentence, detect
from policybook.law.rules import Rule, rules_for
from policybook.law.settings import Settings, Waiver, lookup, settings
from policybook.model import (
    Article,
    Attachment,
    Chapter,
    Document,
    Inline,
    Loc,
    Paragraph,
    Section,
    Table,
    Text,
    plain_text,
)
from policybook.transforms.walk import blocks_in, holders, inlines_in

if TYPE_CHECKING:
    from policybook.build import Checked

SENTENCE_END = re.compile(r"(?<=[。；;！!？?\n])")


@dataclass(frozen=True)
class Finding:
    sub_id: str
    rule: Rule
    loc: Loc
    where: str  # 第十二条 试用期 (or the variable's name)
    label: str  # the article's label ("" if none)
    text: str  # the sentence as printed
    message: str  # what was found, in Chinese
    waiver: Waiver | None = None


@dataclass(frozen=True)
class Passage:
    """One sentence as printed, where it came from and the article around it."""

    text: str
    loc: Loc
    where: str
    label: str
    article: str


@lru_cache(maxsize=8192)
def normal(text: str) -> str:
    """The text as the detectors read it: Simplified script, no spaces."""
    import zhconv_rs

    return re.sub(r"[ \u3000]+", "", zhconv_rs.zhconv(text, "zh-cn"))  # type: ignore[arg-type]


def passages(doc: Document) -> Iterator[Passage]:
    for chapter in doc.chapters:
        for node in holders([chapter]):  # a chapter's or section's opening text is checked too
            where = _where(chapter, node) if isinstance(node, Article) else f"{node.number} {node.title}".strip()
            yield from _article_passages(node, where)
    for attachment in doc.attachments:
        yield from _article_passages(attachment, f"{attachment.number} {attachment.title}".strip())


def _where(chapter: Chapter, article: Article) -> str:
    return f"{article.number} {article.title}".strip() or chapter.number


def _article_passages(article: Article | Attachment | Chapter | Section, where: str) -> Iterator[Passage]:
    runs = list(_runs(article))
    whole = normal("\n".join(text for text, _ in runs))
    for text, loc in runs:
        for sentence in SENTENCE_END.split(text):
            if sentence.strip():
                yield Passage(sentence.strip(), loc, where, article.label, whole)


def _runs(article: Article | Attachment | Chapter | Section) -> Iterator[tuple[str, Loc]]:
    """The article's text as printed, paragraph by paragraph and table row by row."""
    for block in blocks_in(article.blocks if isinstance(article, Article | Attachment) else article.intro):
        if isinstance(block, Paragraph):
            yield plain_text(block.inlines), block.loc
        elif isinstance(block, Table):
            for row in block.rows:
                yield "，".join(plain_text(cell) for cell in row) + "。", _row_loc(row, block.loc)


def _row_loc(row: list[list[Inline]], table: Loc) -> Loc:
    """A table row's own line, when its text remembers one (else the table's)."""
    for cell in row:
        for node in inlines_in(cell):
            if isinstance(node, Text) and node.loc is not None and node.loc.line:
                return node.loc
    return table


def findings(checked: Checked, diags: Diagnostics) -> list[Finding]:
    """Every finding of every checked variant, waived ones included (marked)."""
    out: list[Finding] = []
    for sub_id, doc in checked.documents.items():
        chosen = settings(checked.project, checked.project.subsidiaries[sub_id], diags)
        if chosen.jurisdiction:
            found = [*_text_findings(doc, chosen), *_variable_findings(checked, sub_id, chosen)]
            out.extend(_waived(f, chosen.waivers) for f in found)
    return out


def script(doc: Document) -> Callable[[str], str]:
    """The rule tables are written in Simplified; a Traditional variant reads its findings in its own script."""
    target = target_of(doc.meta.locale, doc.subsidiary.region)
    return phrase_converter(target) if target and target != "zh-cn" else (lambda text: text)


def _text_findings(doc: Document, chosen: Settings) -> Iterator[Finding]:
    rules = rules_for(chosen.jurisdiction, chosen.as_of)
    convert = script(doc)
    for passage in passages(doc):
        sentence = Sentence(normal(passage.text), passage.article)
        for rule in rules:
            for message in detect(rule.check, sentence, rule.params):
                where, text = passage.where, passage.text
                yield Finding(doc.subsidiary.id, rule, passage.loc, where, passage.label, text, convert(message))


TEMPLATES = {
    "overtime-daily": "因特殊原因加班每日{v}小时",
    "overtime-monthly": "加班每月{v}小时",
    "overtime-pay.workday": "工作日加班工资按{v}%支付",
    "overtime-pay.restday": "休息日加班工资按{v}%支付",
    "overtime-pay.holiday": "法定节假日加班工资按{v}%支付",
    "probation-pay": "试用期工资为{v}%",
    "probation-term": "劳动合同期限{n}个月，试用期为{v}个月",
    "annual-leave": "工作满{n}年的，年休假{v}天",
    "maternity": "产假{v}天",
    "paternity": "陪产假{v}天",
    "deduction": "因损失从工资中扣除{v}%",
    "fine": "罚款{v}元",
}


def _variable_findings(checked: Checked, sub_id: str, chosen: Settings) -> Iterator[Finding]:
    """A declared variable's value, read as the sentence its meaning stands for."""
    project = checked.project
    rules = rules_for(chosen.jurisdiction, chosen.as_of)
    sub = project.subsidiaries[sub_id]
    for variable, meaning, declared in chosen.meanings:
        value, loc = lookup(sub.variables, variable)
        if loc is None:
            value, loc = lookup(project.variables, variable)
        if value is None or isinstance(value, dict | list | bool):
            continue
        kind, _, n = meaning.partition("@")
        sentence = TEMPLATES[kind].format(v=value, n=n or "1")
        convert = script(checked.documents[sub_id])
        for rule in rules:
            for message in detect(rule.check, Sentence(normal(sentence), normal(sentence)), rule.params):
                yield Finding(
                    sub_id, rule, loc or declared, convert(f"变量 {variable}"), "", sentence, convert(message)
                )


def _waived(finding: Finding, waivers: list[Waiver]) -> Finding:
    for waiver in waivers:
        if waiver.code == finding.rule.id and waiver.label in ("", finding.label):
            return dataclasses.replace(finding, waiver=waiver)
    return finding


def check_law(checked: Checked, diags: Diagnostics) -> list[Finding]:
    """Report every finding as a diagnostic (variants sharing one are named together)."""
    found = findings(checked, diags)
    groups: dict[tuple[Rule, Loc, str, str], list[str]] = {}
    for f in found:
        reason = f.waiver.reason if f.waiver else ""
        groups.setdefault((f.rule, f.loc, f"{f.where}：{f.message}", reason), []).append(f.sub_id)
    for (rule, loc, what, reason), subs in groups.items():
        code, level, variants = rule.id, rule.level, ", ".join(dict.fromkeys(subs))
        convert = script(checked.documents[subs[0]])  # the group shares one message, so one script
        cited = convert(rule.citation)
        if reason:
            waived = convert("已豁免，理由")
            diags.add(Diagnostic("note", loc, f"[{variants}] {what}（{cited}）{waived}：{reason}", code))
        else:
            severity = "error" if level == "error" else "warning"
            message = f"[{variants}] {what}（{cited}）"
            diags.add(Diagnostic(severity, loc, message, code, convert(f"建议：{rule.suggest}")))
    return found


def check_sentence(text: str, jurisdiction: str, day: datetime.date, article: str = "") -> list[tuple[Rule, str]]:
    """The findings on one sentence (the corpus test and the studio's preview use this)."""
    whole = normal(article or text)
    parts = [Sentence(normal(part), whole) for part in SENTENCE_END.split(text) if part.strip()]
    return [(r, m) for r in rules_for(jurisdiction, day) for s in parts for m in detect(r.check, s, r.params)]
