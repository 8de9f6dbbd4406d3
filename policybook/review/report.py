"""Review stage: review-report.md — per article, what was sent, what the reviewer accepted,
their comments, what is proposed for the source, and what could not be mapped."""

from __future__ import annotations

import re
from pathlib import Path

from policybook.conversion import phrase_converter, target_of
from policybook.review.importer import ArticleReview, Review
from policybook.review.propose import opcodes
from policybook.review.units import Piece
from policybook.review.wordml import Change, Comment

KINDS = {
    "insert": "插入",
    "delete": "删除",
    "move-from": "移出",
    "move-to": "移入",
    "format": "格式修改（仅报告，未采用）",
    "paragraph-insert": "新增段落",
    "paragraph-delete": "删除段落标记（与下段合并）",
    "row-insert": "插入表格行",
    "row-delete": "删除表格行",
    "cell-insert": "插入单元格",
    "cell-delete": "删除单元格",
}
QUOTED = re.compile(r"(「[^」]*」)")
HOW = {
    "identity": "条款标识",
    "heading": "“第X条”标题与文字相似度",
    "similarity": "文字相似度（编号不符）",
    "moved": "文字（源文件中此条之前增删了条款，标识已移位）",
}


def render(review: Review, patch_name: str = "review.patch") -> str:
    out = [*_header(review, patch_name)]
    for article in review.articles:
        out.extend(_article(review, article))
    if review.outside:
        out.append("## 条款以外的修改和批注（未采用）\n")
        out.append("封面、修订记录、目录、附件等由源文件生成，以下修改和批注只列出，未写入补丁：\n")
        for piece in review.outside:
            out.extend(_outside(piece))
            out.extend(_changes(piece.changes))
            comments = review.reviewed.comments
            out.extend(_comments([comments[c] for c in piece.comments if c in comments]))
    return "\n".join(_in_script(out, review.properties)).rstrip() + "\n"


def _in_script(lines: list[str], properties: dict[str, str]) -> list[str]:
    """The report's own words in the script of the variant reviewed (繁體 for a Hong Kong or Taiwan
    DOCX): everything outside text blocks and outside 「…」, which hold the texts themselves, as
    they were sent or as the source has them."""
    target = target_of(properties.get("locale", ""), properties.get("region", ""))
    if properties.get("locale") != "zh-Hant" or not target:
        return lines
    convert = phrase_converter(target)
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            line = "".join(part if n % 2 else convert(part) for n, part in enumerate(QUOTED.split(line)))
        out.append(line)
    return out


def _header(review: Review, patch_name: str) -> list[str]:
    props = review.properties
    changed = [a for a in review.articles if a.piece.changed]
    commented = [a for a in review.articles if a.piece.comments]
    conflicts = [a for a in review.articles if a.current is not None]
    unsure = [a for a in review.articles if a.proposal and (a.proposal.flags or a.matches is False)]
    lines = [
        "# 审阅意见导入报告\n",
        f"- 审阅文件：{review.docx.name}",
        f"- 子公司：{review.subsidiary}；版本：{props.get('release', '（未记录）')}（{props.get('code', '')}）",
        f"- 源文件自生成以来：{'未改变' if review.same_source else '已改变（逐条比对；有改变的条款列为冲突）'}",
        f"- 审阅人：{'、'.join(_reviewers(review)) or '（无）'}",
        f"- 有修订的条款 {len(changed)} 条，有批注的条款 {len(commented)} 条，三方冲突 {len(conflicts)} 条，"
        f"需人工核对 {len(unsure)} 条",
        f"- 对源文件的修改：{patch_name if review.patch else '无'}（在项目根目录执行 git apply {patch_name}）",
    ]
    lines.extend(f"- 注意：{note}" for note in review.notes)
    return [*lines, ""]


def _reviewers(review: Review) -> list[str]:
    names = [c.author for a in review.articles for c in a.piece.changes]
    names += [c.author for c in review.reviewed.comments.values()]
    names += review.reviewed.people
    return list(dict.fromkeys(n for n in names if n))


def _article(review: Review, item: ArticleReview) -> list[str]:
    article = item.article
    where = _where(review, item)
    title = f"{article.number}　{article.title}" if article.title else article.number
    lines = [f"## {title}\n", f"- 源文件：{where}；对应方式：{HOW.get(item.piece.how, item.piece.how)}"]
    if item.current is not None:
        lines.append("- **三方冲突**：生成此 DOCX 之后，源文件中本条已被修改；未写入补丁，请人工合并。\n")
        lines += _text("发送的文本", item.piece.old) + _text("审阅后的文本", item.piece.new)
        lines += _text("源文件现在的文本", item.current or "（本条已不在源文件中）")
        lines += _text("审阅人的修改（[-删除-]{+插入+}）", marked(item.piece.old, item.piece.new))
        lines += _text("源文件的修改（[-删除-]{+插入+}）", marked(item.piece.old, item.current or ""))
    else:
        lines.append("")
        lines += _text("发送的文本", item.piece.old)
        if item.piece.changed:
            lines += _text("接受修订后的文本", item.piece.new)
            lines += _text("对照（[-删除-]{+插入+}）", marked(item.piece.old, item.piece.new))
    lines += _changes(item.piece.changes)
    lines += _comments([review.reviewed.comments[c] for c in item.piece.comments if c in review.reviewed.comments])
    lines += _proposal(review, item)
    return lines


def marked(old: str, new: str) -> str:
    """``new`` with what changed from ``old`` marked, character by character: [-删除-]{+插入+}."""
    out: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes(old, new):
        if tag == "equal":
            out.append(old[i1:i2])
            continue
        if i2 > i1:
            out.append(f"[-{old[i1:i2]}-]")
        if j2 > j1:
            out.append(f"{{+{new[j1:j2]}+}}")
    return "".join(out)


def _where(review: Review, item: ArticleReview) -> str:
    try:
        path = item.file.resolve().relative_to(review.root.resolve()).as_posix()
    except ValueError:
        path = str(item.file)
    label = f"（标签 {item.article.label}）" if item.article.label else "（无标签）"
    return f"{path}:{item.article.loc.line}{label}"


def _text(heading: str, text: str) -> list[str]:
    return [f"### {heading}\n", *_fenced(text)]


def _changes(changes: list[Change]) -> list[str]:
    if not changes:
        return []
    lines = ["### 修订\n"]
    for change in changes:
        text = f"：「{change.text}」" if change.text and change.kind != "format" else ""
        lines.append(
            f"- {KINDS.get(change.kind, change.kind)}{text}（{change.author or '未署名'}，{change.date or '无日期'}）"
        )
    return [*lines, ""]


def _comments(comments: list[Comment]) -> list[str]:
    if not comments:
        return []
    lines = ["### 批注\n"]
    for comment in comments:
        state = "（已解决）" if comment.done else ""
        reply = f"（答复批注 {comment.parent}）" if comment.parent else ""
        anchor = f" —— 针对「{comment.anchor}」" if comment.anchor else ""
        lines.append(
            f"- {comment.author or '未署名'}，{comment.date or '无日期'}{state}{reply}：{comment.text}{anchor}"
        )
    return [*lines, ""]


def _proposal(review: Review, item: ArticleReview) -> list[str]:
    proposal = item.proposal
    if proposal is None:
        return []
    lines = ["### 对源文件的修改\n"]
    if proposal.edits:
        lines.append(f"- 正文修改 {len(proposal.edits)} 处（见补丁）")
        if item.shared:
            lines.append(f"  - 各子公司共用此条正文：修改同样适用于 {'、'.join(item.shared)}")
    for value in proposal.values:
        override = next((o for o in review.overrides if o.name == value.name), None)
        if override is None:
            lines.append(f"- 「{value.old}」由表达式 {value.name} 生成，无法改为「{value.new}」：请人工修改")
            continue
        where = override.file.name
        lines.append(
            f"- 变量 {value.name}：「{value.old}」→「{value.new}」（写入 {where} 中本子公司的覆盖值，不改正文）"
        )
        if override.also:
            lines.append(
                f"  - 同为「{value.old}」的还有：{'、'.join(override.also)}；按源文件中的位置选择了 {value.name}"
            )
    lines += [f"- 已忽略：{text}" for text in proposal.ignored]
    lines += [f"- **无法精确对应**：{text}" for text in proposal.flags]
    if item.matches is True:
        lines.append("- 按补丁重建后，本条与接受修订后的文本一致。")
    elif item.matches is False:
        lines.append("- **按补丁重建后与接受修订后的文本不一致**，请核对：")
        lines += ["", "```text", (item.rebuilt or "").rstrip("\n"), "```"]
    return [*lines, ""]


def _outside(piece: Piece) -> list[str]:
    return [
        f"### {_outside_label(piece)}\n",
        "发送的文本：",
        *_fenced(piece.old),
        "审阅后的文本：",
        *_fenced(piece.new),
    ]


def _outside_label(piece: Piece) -> str:
    if not piece.key:
        return "文档开头（封面、修订记录、目录）"
    if not piece.key.startswith("pb_"):
        return piece.key  # 页眉页脚
    if piece.node is None:
        return f"标识 {piece.key}（源文件中已没有）"
    return f"{getattr(piece.node, 'number', '')}（标识 {piece.key}）"


def _fenced(text: str) -> list[str]:
    return ["```text", text.rstrip("\n"), "```", ""]


def write(review: Review, folder: Path) -> list[Path]:
    """review-report.md and review.patch (when there is anything to change) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "review-report.md"
    report.write_text(render(review), encoding="utf-8")
    written = [report]
    if review.patch:
        patch_file = folder / "review.patch"
        patch_file.write_text(review.patch, encoding="utf-8")
        written.append(patch_file)
    return written
