"""Write stage (html): the search index — every article's plain text, and a fold table.

Search is exact: the browser looks for the query as a substring of each
article's text (number, title and body as printed), so it finds every article
that contains it; nothing is segmented into words (jieba- or
Intl.Segmenter-based indexes miss occurrences). A handbook is ~10⁵ characters,
which a phone scans in milliseconds.

Simplified and Traditional queries find the same articles: the browser folds
query and text with one character table (Traditional and regional variants →
one form) before comparing. The table holds only characters that occur in
this site's text and their variants, so it stays small; because the same
function folds both sides, a query copied from the text is always found.
"""

from __future__ import annotations

import json
from functools import lru_cache

from policybook.cache import user_cache_dir
from policybook.model import Article, Document, block_text
from policybook.output import atomic_write
from policybook.writers.html.site import APPENDICES, Plan, article_text

TO_SIMPLIFIED = ("t2s", "tw2s", "hk2s")  # first one that changes a character wins
HAN = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)]  # CJK ext. A, unified, compatibility


def entries(doc: Document, site: Plan) -> list[list[str]]:
    """[id, page, number, title, where, text] for every article in handbook order, then every
    Markdown appendix (forms are found by their titles in the articles that name them)."""
    rows: list[list[str]] = []
    for chapter in doc.chapters:
        heading = f"{chapter.number} {chapter.title}".strip()
        for node in [chapter, *chapter.body]:  # opening texts: found like articles, under their heading
            if not isinstance(node, Article) and node.intro:
                text = "\n".join(block_text(b) for b in node.intro)
                rows.append([site.id(node), site.page(chapter), node.number, node.title, heading, text])
        for article in chapter.articles():
            text = article_text(article)
            rows.append([site.id(article), site.page(chapter), article.number, article.title, heading, text])
    for attachment in doc.attachments:
        text = "\n".join(block_text(b) for b in attachment.blocks)
        rows.append([site.id(attachment), APPENDICES, attachment.number, attachment.title, "", text])
    return rows


def fold_table(texts: list[str]) -> dict[str, str]:
    """character → folded form, for the characters of ``texts`` and every variant folding to one of them."""
    folds = _all_folds()
    present = {folds.get(c, c) for text in texts for c in text}
    return {c: f for c, f in sorted(folds.items()) if f in present}  # sorted: the same bytes every build


@lru_cache(maxsize=1)
def _all_folds() -> dict[str, str]:
    """Every Han character with another form → that form (OpenCC's tables, character by character).

    Computing it takes ~0.4 s, so it is kept in the user cache, per OpenCC version."""
    import opencc

    path = user_cache_dir("search") / f"fold-opencc-{getattr(opencc, '__version__', 'x')}.json"
    try:
        return {c: f for c, f in json.loads(path.read_text(encoding="utf-8")).items() if f != c}
    except (OSError, ValueError, AttributeError):
        pass
    chars = [chr(c) for lo, hi in HAN for c in range(lo, hi)]
    table: dict[str, str] = {}
    for config in TO_SIMPLIFIED:
        # one character a line: OpenCC's phrases never span a line break
        converted = opencc.OpenCC(config).convert("\n".join(chars)).split("\n")
        for char, out in zip(chars, converted, strict=True):
            if out != char and len(out) == 1:
                table.setdefault(char, out)
    settled = {c: _settle(table, f) for c, f in table.items()}
    atomic_write(path, json.dumps(settled, ensure_ascii=False, sort_keys=True).encode())
    return {c: f for c, f in settled.items() if f != c}


def _settle(table: dict[str, str], char: str) -> str:
    """Follow the table to a fixed point, so that fold(fold(c)) == fold(c)."""
    seen = {char}
    while char in table and table[char] not in seen:
        char = table[char]
        seen.add(char)
    return char


def index_script(doc: Document, site: Plan) -> str:
    """``assets/search-index.js``: a script, not JSON, so it loads from a file share (file://)."""
    rows = entries(doc, site)
    data = {"fold": fold_table([t for row in rows for t in row[2:]]), "docs": rows}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")
    return f"window.PB_SEARCH = {text};\n"
