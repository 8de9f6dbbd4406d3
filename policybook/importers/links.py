"""Import stage: in-text "第X条" / "本办法第X章" / "附件N" → ``[](#label)`` references to what was detected.

A reference to another law ("《劳动合同法》第三十九条", "劳动法第四十四条") is
text, not a reference. The target gets a generated label (``art-12``,
``ch-3``, ``appendix-1``); a number that names nothing detected is left as
text and reported.
"""

from __future__ import annotations

import re

from policybook.importers.markers import NUM
from policybook.importers.markup import markup, outside
from policybook.importers.report import Record
from policybook.importers.tree import Appendix, Article, Chapter, Regulation, rewrite_texts
from policybook.transforms.numerals import parse_number

REF_RE = re.compile(
    rf"《(?P<title>[^《》]{{1,30}})》[（(]\s*附[件表]\s*(?P<app1>{NUM})\s*[）)]"
    rf"|附[件表]\s*(?P<app2>{NUM})(?:\s*《(?P<title2>[^《》]{{1,30}})》)?"
    rf"|第\s*(?P<num>{NUM})\s*(?P<unit>[条條章])"
)
OTHER_LAW_RE = re.compile(r"(》|[^本]法|条例|條例|规定|規定|细则|細則|办法|辦法|解释|解釋)$")
OWN_RE = re.compile(r"本(办法|辦法|制度|规定|規定|细则|細則|手册|手冊|规则|規則|条例|條例|章程)$")


class Linker:
    def __init__(self, regulation: Regulation, record: Record) -> None:
        self.record = record
        self.articles = _by_number(regulation.articles())
        self.chapters = _by_number(regulation.chapters)
        self.appendices = {a.number: a for a in regulation.appendices}

    def __call__(self, text: str, where: str) -> str:
        return outside(text, lambda plain: REF_RE.sub(lambda m: self.link(m, where), plain))

    def link(self, match: re.Match[str], where: str) -> str:
        before = match.string[max(0, match.start() - 8) : match.start()]
        if match["num"] and OTHER_LAW_RE.search(before) and not OWN_RE.search(before):
            return match.group(0)  # another law's article
        if match["num"]:
            return self.numbered(match, where)
        return self.appendix(match, where)

    def numbered(self, match: re.Match[str], where: str) -> str:
        number = parse_number(match["num"])
        if match["unit"] == "章":
            targets: list[Article] | list[Chapter] = self.chapters.get(number, [])
            prefix = "ch"
        else:
            targets, prefix = self.articles.get(number, []), "art"
        if len(targets) != 1:
            problem = "names nothing detected" if not targets else f"is ambiguous ({len(targets)} targets)"
            self.record.doubt(where, f"reference “{match.group(0)}” {problem}: left as text")
            return match.group(0)
        target = targets[0]
        target.label = target.label or f"{prefix}-{number}"
        return markup(f"[](#{target.label})")

    def appendix(self, match: re.Match[str], where: str) -> str:
        number = parse_number(match["app1"] or match["app2"])
        target: Appendix | None = self.appendices.get(number)
        if target is None:
            self.record.doubt(where, f"reference “{match.group(0)}” names no appendix detected: left as text")
            return match.group(0)
        title = match["title"] or match["title2"]
        if title and title != target.title:
            self.record.doubt(where, f"“{match.group(0)}” names “{title}” but 附件{number} is “{target.title}”")
        reference = markup(f"[](#{target.label})")
        if target.form:  # a form prints with its title: 《请假申请表》（附件一）
            if not title:
                self.record.infer(where, f"“{match.group(0)}” now prints as 《{target.title}》（附件…）")
            return reference
        # a document appendix prints as 附件一 alone: the title stays text around it
        if match["title"]:
            return f"《{title}》（{reference}）"
        return reference + (f"《{match['title2']}》" if match["title2"] else "")


def _by_number(nodes: list[Article] | list[Chapter]) -> dict[int, list]:  # type: ignore[type-arg]
    found: dict[int, list] = {}  # type: ignore[type-arg]
    for node in nodes:
        found.setdefault(node.number, []).append(node)
    return found


def link_references(regulation: Regulation, record: Record) -> None:
    for appendix in regulation.appendices:
        appendix.label = appendix.label or f"appendix-{appendix.number}"
    rewrite_texts(regulation, Linker(regulation, record), forms=False)  # form texts are not Markdown
