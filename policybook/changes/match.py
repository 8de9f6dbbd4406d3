"""Compare stage: pair the articles of two versions.

Labelled articles pair by label. The rest pair by content similarity, best
pairs first, so inserting an article does not make every later one look
changed. The opening text of a chapter or section (its intro) is an entry of
its own, paired only with the intro of the same chapter (section): by label,
else by title.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from policybook.model import Article, Chapter, Document, Ref, Section, block_text, plain_text
from policybook.transforms.walk import blocks_of, holders

SIMILAR = 0.55  # below this, two unlabelled articles are different articles


@dataclass
class Entry:
    index: int
    ordinal: int
    number: str
    label: str
    title: str
    body: str  # as printed: references as their numbers
    identity: str  # as compared: references as what they point at, so renumbering is no change
    refs: dict[str, str]  # "[label]" in identity → the number printed for it
    intro: str = ""  # for a chapter's (section's) opening text: its pairing key ("" = an article)

    @property
    def key(self) -> str:
        """What pairs this entry with its other version before any similarity: label or intro key."""
        return f"\0intro:{self.intro}" if self.intro else self.label

    @property
    def content(self) -> str:
        """What is compared: title and text, references by target."""
        return f"{self.title}\n{self.identity}" if self.title else self.identity

    @property
    def shown(self) -> str:
        """What is printed: title and text, references by number."""
        return f"{self.title}\n{self.body}" if self.title else self.body


@dataclass
class Pair:
    old: Entry | None
    new: Entry | None


def entries(doc: Document, intro_name: str = "{number} {title}（前言）") -> list[Entry]:
    """Articles and the intros of chapters and sections, in document order; an intro's number
    is printed by ``intro_name`` (e.g. 第一章 总则（前言）)."""
    found: list[Entry] = []
    chapter = ""  # a section's number is printed after its chapter's: 第二章第一节
    for node in holders(doc.chapters):
        chapter = node.number if isinstance(node, Chapter) else chapter
        if isinstance(node, Article):
            found.append(_entry(len(found), node))
        elif node.intro:
            entry = _entry(len(found), node)
            number = node.number if isinstance(node, Chapter) else chapter + node.number
            entry.number = intro_name.format(number=number, title=node.title).strip()
            entry.intro, entry.label, entry.title, entry.ordinal = node.label or node.title, "", "", 0
            found.append(entry)
    return found


def _entry(index: int, article: Article | Chapter | Section) -> Entry:
    refs: dict[str, str] = {}

    def target(ref: Ref) -> str:
        """A reference as the thing it names (its text only when the author wrote one)."""
        if ref.children:
            return plain_text(ref.children)
        refs[f"[{ref.target}]"] = ref.display
        return f"[{ref.target}]"

    blocks = blocks_of(article)
    body = "\n".join(block_text(b) for b in blocks)
    identity = "\n".join(block_text(b, target) for b in blocks)
    return Entry(index, article.ordinal, article.number, article.label, article.title, body, identity, refs)


def match(old: list[Entry], new: list[Entry]) -> list[Pair]:
    """Every old and new entry in exactly one pair, ordered as the new version reads."""
    by_key = {e.key: e for e in new if e.key}
    pairs: dict[int, Pair] = {}  # new index → pair
    unmatched_old: list[Entry] = []
    for entry in old:
        partner = by_key.get(entry.key) if entry.key else None
        if partner is not None:
            pairs[partner.index] = Pair(entry, partner)
        elif not entry.intro:  # an intro pairs only by its key
            unmatched_old.append(entry)
    unmatched_new = [e for e in new if e.index not in pairs and not e.intro]
    for old_entry, new_entry in _similar(unmatched_old, unmatched_new):
        pairs[new_entry.index] = Pair(old_entry, new_entry)
    paired_old = {p.old.index for p in pairs.values() if p.old}
    for entry in new:
        pairs.setdefault(entry.index, Pair(None, entry))
    ordered = [pairs[i] for i in sorted(pairs)]
    return _insert_deleted(ordered, [e for e in old if e.index not in paired_old])


def _similar(old: list[Entry], new: list[Entry]) -> list[tuple[Entry, Entry]]:
    scored: list[tuple[float, int, int]] = []
    for o in old:
        for n in new:
            matcher = SequenceMatcher(None, o.content, n.content, autojunk=False)
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                ratio = matcher.ratio()
                if ratio >= SIMILAR:
                    scored.append((ratio, o.index, n.index))
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    chosen: list[tuple[Entry, Entry]] = []
    old_by, new_by = {e.index: e for e in old}, {e.index: e for e in new}
    for _ratio, oi, ni in sorted(scored, key=lambda s: (-s[0], abs(s[1] - s[2]), s[1])):
        if oi not in taken_old and ni not in taken_new:
            taken_old.add(oi)
            taken_new.add(ni)
            chosen.append((old_by[oi], new_by[ni]))
    return chosen


def _insert_deleted(ordered: list[Pair], deleted: list[Entry]) -> list[Pair]:
    """Put each deleted article after the pair holding its old predecessor."""
    result = list(ordered)
    for entry in deleted:
        position = 0
        for i, pair in enumerate(result):
            if pair.old is not None and pair.old.index < entry.index:
                position = i + 1
        result.insert(position, Pair(entry, None))
    return result
