"""Import stage: what a pasted web page adds that is not the regulation — left out, each with a report line.

Site furniture (breadcrumbs, navigation bars, page meta, "相关文档", 上一篇/下一篇,
copyright lines) is recognised line by line. The regulation ends at its end
marker (本制度自…起施行) and the issuing unit and date under it; what follows
belongs to it only while it continues it (the next article number, an 附件).
Anything else there — another document whose numbers restart at 第一条 / 一、,
a Q&A footer, links — is left out. Nothing is dropped silently: every
paragraph left out is listed with its reason and line.
"""

from __future__ import annotations

import re

from policybook.importers import markers
from policybook.importers.paragraphs import Para
from policybook.importers.report import Record

BREADCRUMB_RE = re.compile(  # "申请>审批>备案" in a rule is a flow, not a breadcrumb: > only after 首页
    r"^(当前位置|當前位置|您的位置|您现在的位置|您現在的位置|位置)\s*[:：]"
    r"|(首页|首頁|主页|主頁|网站首页|網站首頁|Home)\s*[›»>/]|(\S\s*[›»]\s*){2,}"
)
PAGE_META_RE = re.compile(
    r"^(发布时间|發布時間|发布日期|發布日期|浏览次数|瀏覽次數|阅读|閱讀|点击|點擊|来源|來源|作者|字号|字號)\s*[:：]"
)
FOOTER_RE = re.compile(
    r"^(相关文档|相關文檔|相关文章|相關文章|相关推荐|相關推薦|猜你喜欢|猜你喜歡|热门文档|熱門文檔|上一篇|下一篇|"
    r"分享到|点击下载|點擊下載|下载全文|下載全文|版权所有|版權所有|Copyright|©)"
    r"|ICP[备備]|上一篇[:：]|下一篇[:：]"
)
NAV_WORDS = re.compile(r"首页|首頁|登录|登錄|注册|註冊|搜索|下载|下載|会员|會員|范文|範文|网站|網站|帮助|幫助")
END_RE = re.compile(
    r"(本|此)\S{0,6}(办法|辦法|制度|规定|規定|细则|細則|规范|規範|手册|手冊|准则|準則|规则|規則|条例|條例)"
    r"[^。；\n]{0,30}(施行|执行|執行|实施|實施|生效)"
)
SIGNATURE_RE = re.compile(
    r"^(\S{2,30}(公司|集团|集團|部|委员会|委員會|办公室|辦公室|中心|处|處|局|院)"
    r"|[\d〇○零一二三四五六七八九十]{4}\s*年\s*[\d〇○零一二三四五六七八九十]{1,2}\s*月\s*[\d〇○零一二三四五六七八九十]{1,3}\s*日"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})$"
)
OWN_RE = re.compile(
    r"^(本|此)(办法|辦法|制度|规定|規定|细则|細則|规范|規範|手册|手冊|准则|準則|规则|規則|条例|條例)[^。]{2,}[。；]$"
)
QA_HEADING_RE = re.compile(r"^(常见问题|常見問題|问答|問答|Q&A|FAQ)|^(问|問|Q)\s*[:：]")
QA_RE = re.compile(r"^(问|問|答|Q|A)\s*[:：]|^(常见问题|常見問題|问答|問答|Q&A)")


def strip_furniture(paras: list[Para], record: Record) -> list[Para]:
    """Site furniture out, line by line (before lines are joined: a breadcrumb must not swallow the title)."""
    out: list[Para] = []
    for para in paras:
        if not _furniture(para, record):
            out.append(para)
        elif title := _crumb_title(para, record):
            out.append(title)
    return out


def strip_debris(paras: list[Para], record: Record, split: bool = False) -> tuple[list[Para], list[Para]]:
    """The regulation's paragraphs, and (with ``split``) another document found after its end, to import
    separately — without ``split`` that document is listed as removed like any other debris."""
    return _cut_after_end(strip_furniture(_end_apart(paras), record), record, split)


def _end_apart(paras: list[Para]) -> list[Para]:
    """A run-in page goes on after 本办法自…起施行。 in the same paragraph: the rest becomes its own."""
    out: list[Para] = []
    for para in paras:
        match = END_RE.search(para.text) if para.table is None else None
        stop = para.text.find("。", match.end()) if match else -1
        if match and stop >= 0 and para.text[stop + 1 :].strip():
            out += [Para(para.text[: stop + 1], para.where), Para(para.text[stop + 1 :].strip(), para.where)]
        else:
            out.append(para)
    return out


def _furniture(para: Para, record: Record) -> bool:
    text = para.text.strip()
    if para.table is not None or not text or len(text) > 80 or markers.heading(text) or markers.item(text):
        return False
    reason = ""
    if BREADCRUMB_RE.search(text):
        reason = "web-page breadcrumb"
    elif PAGE_META_RE.match(text):
        reason = "web-page meta (date, views, source)"
    elif FOOTER_RE.search(text):
        reason = "web-page links and footer"
    elif _navigation(text):
        reason = "web-page navigation"
    if reason and reason != "web-page breadcrumb":  # a breadcrumb may end with the title: see _crumb_title
        record.remove(para.where, reason, para.text)
    return bool(reason)


def _crumb_title(para: Para, record: Record) -> Para | None:
    """当前位置：首页 › 制度 › 员工考勤管理办法 — when the page shows the title only there, it is kept."""
    text = para.text.strip()
    if not BREADCRUMB_RE.search(text):
        return None
    last = re.split(r"[›»>]", text)[-1].strip()
    if last == text or not markers.TITLE_NOUN_RE.search(re.sub(r"[\s\u3000]+", "", last)):
        record.remove(para.where, "web-page breadcrumb", para.text)
        return None
    record.remove(para.where, "web-page breadcrumb", text[: text.rindex(last)])
    return Para(last, para.where)


def _navigation(text: str) -> bool:
    """首页 | 范文大全 | 登录 | 注册: several short words apart, at least one of a site's menu words."""
    words = [w for w in re.split(r"[\s|｜/·]+", text) if w]
    return len(words) >= 3 and all(len(w) <= 8 for w in words) and bool(NAV_WORDS.search(text))


def _cut_after_end(paras: list[Para], record: Record, split: bool) -> tuple[list[Para], list[Para]]:
    """Keep what continues the regulation after its end marker; list the rest as removed."""
    last: dict[str, int] = {}  # the last number of each kind of marker (第X条, 一、, 1、 …)
    end = -1
    for index, para in enumerate(paras):
        text = para.text.strip() if para.table is None else ""
        found = markers.heading(text) or markers.item(text)
        if found is not None and found.kind == "appendix":
            return paras, []  # the appendices follow the end: the regulation goes on
        if found is not None:
            if end >= 0 and found.number == last.get(found.kind, 0) + 1:
                end = -1  # the numbers go on: the end was not the end yet
            elif end >= 0 and found.kind in ("article", "chapter", "cn-dun"):
                break
            if end < 0:  # after the end, only what continues the numbers before it counts
                last[found.kind] = found.number
        if end < 0 and para.table is None and END_RE.search(para.text):
            end = index
    last_article = last.get("article", 0)
    if end < 0:
        restart = _restart(paras)
        if restart < 0:
            return _cut_questions(paras, record), []
        return _set_apart(paras[:restart], paras[restart:], record, split)
    while end + 1 < len(paras) and paras[end + 1].table is None and OWN_RE.match(paras[end + 1].text.strip()):
        end += 1  # 本规定由人力资源部负责解释。 after the date clause is still the regulation
    signed = end + 1
    while signed < len(paras) and paras[signed].table is None and SIGNATURE_RE.match(paras[signed].text.strip()):
        record.remove(paras[signed].where, "issuing unit and date under the end marker", paras[signed].text)
        signed += 1
    rest = paras[signed:]
    if _continuing(rest, last_article):
        return paras[: end + 1] + rest, []
    return _set_apart(paras[: end + 1], rest, record, split)


def _set_apart(kept: list[Para], rest: list[Para], record: Record, split: bool) -> tuple[list[Para], list[Para]]:
    """What follows the regulation: another document to import separately (--split), or removed."""
    if rest and _reason(rest) == ANOTHER and split:
        for para in rest:
            record.remove(para.where, "another document after the regulation, imported separately", _text(para))
        return kept, rest
    if rest:
        _remove_rest(rest, record)
    return kept, []


def _restart(paras: list[Para]) -> int:
    """Without an end marker: where a titled document restarting at 第一条 begins (员工宿舍管理规定 / 第一条 …
    after 第十条), or -1. A chapter heading before the 第一条 is a regulation numbering per chapter."""
    last = 0
    for index, para in enumerate(paras):
        found = markers.heading(para.text.strip()) if para.table is None else None
        if found is None or found.kind != "article":
            continue
        before = paras[index - 1] if index else None
        if found.number == 1 and last >= 2 and before is not None and _titled(before):
            return index - 1
        last = found.number
    return -1


def _titled(para: Para) -> bool:
    text = re.sub(r"[\s\u3000]+", "", markers.FILE_EXT_RE.sub("", para.text.strip()))
    return para.table is None and len(text) <= 40 and bool(markers.TITLE_NOUN_RE.search(text))


def _cut_questions(paras: list[Para], record: Record) -> list[Para]:
    """Without an end marker, a Q&A block after the articles (常见问题, 问：…答：…) still is not the regulation."""
    seen_article = False
    for index, para in enumerate(paras):
        text = para.text.strip() if para.table is None else ""
        found = markers.heading(text) or markers.item(text)
        seen_article = seen_article or found is not None
        if seen_article and QA_HEADING_RE.match(text):
            _remove_rest(paras[index:], record)
            return paras[:index]
    return paras


def _continuing(paras: list[Para], last_article: int) -> bool:
    """Does what follows the end still belong to the regulation (the next article, an 附件)?"""
    found = markers.heading(paras[0].text.strip()) if paras and paras[0].table is None else None
    if found is None:
        return False
    return found.kind == "appendix" or (found.kind == "article" and found.number == last_article + 1)


ANOTHER = "another document after the regulation (its numbers restart)"


def _reason(rest: list[Para]) -> str:
    texts = [p.text.strip() for p in rest if p.table is None]
    if any(QA_RE.match(t) for t in texts):
        return "Q&A after the end of the regulation"
    if any(_restarts(t) for t in texts):
        return ANOTHER
    return "text after the end marker (not the regulation)"


def _text(para: Para) -> str:
    return para.text if para.table is None else " ".join(c.text for row in para.table.rows for c in row)


def _remove_rest(rest: list[Para], record: Record) -> None:
    reason = _reason(rest)
    for para in rest:
        record.remove(para.where, reason, _text(para))
    hint = " (import it separately with --split)" if reason == ANOTHER else ""
    record.doubt(rest[0].where, f"{len(rest)} paragraph(s) after the regulation's end left out: {reason}{hint}")


def _restarts(text: str) -> bool:
    found = markers.heading(text) or markers.item(text)
    return found is not None and found.kind in ("article", "cn-dun", "chapter") and found.number == 1
